import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Webhooks are signed the Standard Webhooks way (standardwebhooks.com):
 *
 *   webhook-id:        the delivery id (the same on every retry; receivers deduplicate on it)
 *   webhook-timestamp: unix seconds of this attempt
 *   webhook-signature: "v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>"
 *
 * The id and the timestamp are inside the MAC: a captured request can be replayed neither
 * later (receivers refuse stale timestamps) nor inside the tolerance with a fresh id to
 * slip past deduplication. The key is the secret's bytes; a secret written the Standard
 * Webhooks way (`whsec_` + base64) is decoded first, so its libraries verify ours.
 */

export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

const SECRET_PREFIX = 'whsec_';

function key(secret: string): Buffer {
  return secret.startsWith(SECRET_PREFIX)
    ? Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function mac(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): Buffer {
  return createHmac('sha256', key(secret))
    .update(`${id}.${timestampSeconds}.`)
    .update(body)
    .digest();
}

/** The three headers that sign `body` as delivery `id`, sent at `timestampSeconds`. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): WebhookSignatureHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${mac(secret, id, timestampSeconds, body).toString('base64')}`,
  };
}

type Headers = Readonly<Record<string, string | string[] | undefined>> | WebhookSignatureHeaders;

const header = (headers: Headers, name: string): string | null => {
  const value = (headers as Readonly<Record<string, string | string[] | undefined>>)[name];
  return typeof value === 'string' ? value : null;
};

/**
 * Whether the headers sign exactly `body` (the raw bytes received, before any JSON
 * parsing) with `secret`, at most `toleranceSeconds` away from `nowSeconds`. Several
 * space-separated `v1,` signatures are accepted (any one matching), so a sender may sign
 * with two secrets while rotating.
 */
export function verifyWebhook(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (
    id === null ||
    id === '' ||
    timestamp === null ||
    signatures === null ||
    !/^\d{1,15}$/.test(timestamp)
  )
    return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = mac(secret, id, Number(timestamp), body);
  // Compare every candidate, without an early exit: the time taken says nothing about which matched.
  let match = false;
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || value === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(expected, given)) match = true;
  }
  return match;
}
