import type { Database } from '../store/database.js';
import type { WebhookConfig } from './config.js';
import type { ClaimedDelivery, DeliveryStatus, WebhookDelivery } from './delivery-repository.js';
import {
  claimDue,
  fanOutBatch,
  requeueDead,
  selectDeliveries,
  settleAttempt,
} from './delivery-repository.js';
import { signWebhook } from './signature.js';

export type { WebhookConfig } from './config.js';
export { WEBHOOK_DEFAULTS, webhookConfig, webhookConfigFromEnv } from './config.js';
export { signWebhook, verifyWebhook } from './signature.js';
export type { WebhookSignatureHeaders } from './signature.js';
export type { DeliveryStatus, WebhookDelivery } from './delivery-repository.js';
export { DELIVERY_STATUSES } from './delivery-repository.js';

/** The JSON body every endpoint receives. */
export interface WebhookEventBody {
  /** The outbox id: the same event has the same id at every endpoint and on every retry. */
  id: number;
  event: string;
  accountId: string | null;
  /** When the change the event announces was committed (ISO 8601). */
  createdAt: string;
  data: unknown;
}

/**
 * Fans every undispatched outbox event out into one pending delivery per endpoint, due at
 * `now`, and marks the events dispatched, a batch per transaction. Safe to run twice or
 * from several processes: an existing delivery is never duplicated. With no endpoints (or
 * no config) events are only marked dispatched: endpoints added later get new events only.
 * Returns how many events it dispatched.
 */
export async function dispatchOutbox(
  database: Database,
  config: Pick<WebhookConfig, 'endpoints'> | null,
  now: Date,
  options: { batchSize?: number } = {},
): Promise<number> {
  const endpoints = config?.endpoints ?? [];
  // Bounded so one INSERT stays well under SQLite's bound-parameter limit.
  const batchSize =
    options.batchSize ?? Math.max(1, Math.floor(2000 / Math.max(1, endpoints.length)));
  let total = 0;
  for (;;) {
    const taken = await fanOutBatch(database, endpoints, now.getTime(), batchSize);
    total += taken;
    if (taken < batchSize) return total;
  }
}

export interface DeliverOptions {
  /** Who holds the claimed deliveries' leases: unique per process. */
  owner: string;
  /** At most this many deliveries per call, posted concurrently (default 50). */
  limit?: number;
  /** The HTTP client (default: the global fetch). */
  send?: typeof fetch;
  /**
   * How long a claim lasts before another process may retry it (default twice the timeout
   * plus a minute): long enough that a slow but live sender is never overtaken.
   */
  leaseMs?: number;
}

export interface DeliverResult {
  /** Answered 2xx. */
  delivered: number;
  /** Failed and scheduled again. */
  failed: number;
  /** Failed for the last allowed time: kept as `dead` for inspection and `retryDead`. */
  dead: number;
}

type Outcome = keyof DeliverResult;

/**
 * Claims the deliveries due at `now` to the configured endpoints and POSTs each once. A
 * delivery to an endpoint no longer configured is left pending, untouched. Delivery is at
 * least once: a sender that dies after the POST but before recording it leaves the
 * delivery to be sent again when its lease ends, so receivers dedupe on `webhook-id`.
 */
export async function deliverDue(
  database: Database,
  config: WebhookConfig,
  now: Date,
  options: DeliverOptions,
): Promise<DeliverResult> {
  const at = now.getTime();
  const claimed = await claimDue(database, {
    owner: options.owner,
    endpoints: config.endpoints,
    now: at,
    leaseUntil: at + (options.leaseMs ?? config.timeoutMs * 2 + 60_000),
    limit: options.limit ?? 50,
  });
  const send = options.send ?? fetch;
  // allSettled, not all: every attempt records its outcome before this returns, so the
  // caller may close the database as soon as it does.
  const settled = await Promise.allSettled(
    claimed.map((d) => deliverOne(database, config, now, options.owner, send, d)),
  );
  const result: DeliverResult = { delivered: 0, failed: 0, dead: 0 };
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    result[s.value] += 1;
  }
  return result;
}

async function deliverOne(
  database: Database,
  config: WebhookConfig,
  now: Date,
  owner: string,
  send: typeof fetch,
  delivery: ClaimedDelivery,
): Promise<Outcome> {
  // Its previous sender stopped before recording the last allowed attempt: give up
  // rather than exceed the limit.
  if (delivery.attempts > config.maxAttempts) {
    const error = `no outcome was recorded for attempt ${delivery.attempts - 1} (its sender stopped); gave up after ${config.maxAttempts} attempts`;
    await settleAttempt(database.db, delivery.id, owner, { status: 'dead', error });
    return 'dead';
  }
  const error = await post(config, now, send, delivery);
  if (error === null) {
    await settleAttempt(database.db, delivery.id, owner, {
      status: 'delivered',
      at: now.getTime(),
    });
    return 'delivered';
  }
  if (delivery.attempts >= config.maxAttempts) {
    await settleAttempt(database.db, delivery.id, owner, { status: 'dead', error });
    return 'dead';
  }
  const retryAt = now.getTime() + backoffMs(config, delivery.attempts);
  await settleAttempt(database.db, delivery.id, owner, { status: 'pending', error, retryAt });
  return 'failed';
}

/** The wait after the `attempts`-th failure: base, 2×base, 4×base, ... capped; no jitter, so tests and operators can predict it. */
export function backoffMs(
  config: Pick<WebhookConfig, 'baseBackoffMs' | 'maxBackoffMs'>,
  attempts: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 52);
  return Math.min(config.maxBackoffMs, config.baseBackoffMs * 2 ** exponent);
}

/** The event's body, the same bytes on every attempt; only the signature's timestamp changes. */
export function eventBody(
  delivery: Pick<ClaimedDelivery, 'outboxId' | 'event' | 'accountId' | 'createdAt' | 'payload'>,
): string {
  const body: WebhookEventBody = {
    id: delivery.outboxId,
    event: delivery.event,
    accountId: delivery.accountId,
    createdAt: new Date(delivery.createdAt).toISOString(),
    data: JSON.parse(delivery.payload) as unknown,
  };
  return JSON.stringify(body);
}

/** POSTs the event once; null when the endpoint answered 2xx, else why not. */
async function post(
  config: WebhookConfig,
  now: Date,
  send: typeof fetch,
  delivery: ClaimedDelivery,
): Promise<string | null> {
  try {
    const body = eventBody(delivery);
    const response = await send(delivery.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'offboard-webhooks',
        'offboard-event': delivery.event,
        ...signWebhook(config.secret, String(delivery.id), Math.floor(now.getTime() / 1000), body),
      },
      body,
      // A redirect is a failure, not a hop: the signed event goes only where it was configured to.
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => undefined);
      return null;
    }
    const hint = await readHint(response);
    return truncate(`HTTP ${response.status}${hint ? `: ${hint}` : ''}`);
  } catch (error) {
    return truncate(describeFailure(error, config.timeoutMs));
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  if (!(error instanceof Error)) return String(error);
  // fetch reports "fetch failed" and keeps the reason (ECONNREFUSED, a DNS failure) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** The start of an error answer's body, which often says what the receiver disliked. */
async function readHint(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < 1024) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } catch {
    // The status already says it failed; the body is only a hint.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(parts).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** Deliveries newest first, optionally of one status, for inspection. */
export async function listDeliveries(
  database: Database,
  options: { status?: DeliveryStatus; limit: number },
): Promise<WebhookDelivery[]> {
  return selectDeliveries(database.db, options);
}

export type RetryResult =
  | { ok: true }
  | { ok: false; reason: 'not_found' }
  | { ok: false; reason: 'not_dead'; status: Exclude<DeliveryStatus, 'dead'> };

/** Re-queues a dead delivery, due at `now`, with a fresh set of attempts. */
export async function retryDead(
  database: Database,
  deliveryId: number,
  now: Date,
): Promise<RetryResult> {
  const outcome = await requeueDead(database.db, deliveryId, now.getTime());
  switch (outcome) {
    case 'requeued':
      return { ok: true };
    case 'not_found':
      return { ok: false, reason: 'not_found' };
    case 'pending':
    case 'delivered':
      return { ok: false, reason: 'not_dead', status: outcome };
  }
}
