import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The `offboard-signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is inside the MAC so a captured request cannot be replayed later with a
 * fresh timestamp; receivers refuse timestamps outside their tolerance.
 */

function mac(secret: string, timestampSeconds: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

/** The header value for `body` sent at `timestampSeconds`. */
export function signPayload(
  secret: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): string {
  return `t=${timestampSeconds},v1=${mac(secret, timestampSeconds, body)}`;
}

/**
 * Whether `header` signs exactly `body` with `secret`, at most `toleranceSeconds` away from
 * `nowSeconds`. `body` must be the raw bytes received, before any JSON parsing. Several
 * `v1=` entries are accepted (any one matching), so a sender may sign with two secrets
 * while rotating.
 */
export function verifySignature(
  secret: string,
  header: string,
  body: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value))
      candidates.push(value.toLowerCase());
  }
  if (timestamp === null || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  // Compare every candidate, without an early exit: the time taken says nothing about which matched.
  let match = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) match = true;
  }
  return match;
}
