import { inTransaction } from '../store/database.js';
import type { Database, Db } from '../store/database.js';

/*
 * The SQL of webhook deliveries. It sits with the webhooks adapter rather than in
 * adapters/store because nothing else reads these tables.
 */

export { DELIVERY_STATUSES } from './delivery-status.js';
import type { DeliveryStatus } from './delivery-status.js';
export type { DeliveryStatus } from './delivery-status.js';

/** One delivery as an operator inspects it. */
export interface WebhookDelivery {
  id: number;
  outboxId: number;
  event: string;
  accountId: string | null;
  endpoint: string;
  status: DeliveryStatus;
  /** Attempts started so far. */
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A claimed delivery with the event it carries. */
export interface ClaimedDelivery {
  id: number;
  endpoint: string;
  /** Including the attempt just claimed. */
  attempts: number;
  outboxId: number;
  event: string;
  accountId: string | null;
  payload: string;
  createdAt: number;
}

/**
 * Fans up to `batchSize` undispatched events out to `endpoints` and marks them dispatched,
 * in one transaction. Returns how many events it took. A delivery that exists already is
 * left alone, so a batch repeated after a crash adds nothing.
 */
export async function fanOutBatch(
  database: Database,
  endpoints: readonly string[],
  now: number,
  batchSize: number,
): Promise<number> {
  return inTransaction(database, async (tx) => {
    let pick = tx
      .selectFrom('outbox')
      .select('id')
      .where('dispatched', '=', 0)
      .orderBy('id')
      .limit(batchSize);
    // Two dispatchers on PostgreSQL take different batches instead of waiting on each other.
    pick = database.store.forUpdateSkipLocked(pick);
    const ids = (await pick.execute()).map((r) => Number(r.id));
    if (ids.length === 0) return 0;
    const rows = ids.flatMap((outboxId) =>
      endpoints.map((endpoint) => ({
        outbox_id: outboxId,
        endpoint,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: now,
      })),
    );
    for (const chunk of chunks(rows, 500)) {
      await tx
        .insertInto('webhook_deliveries')
        .values(chunk)
        .onConflict((oc) => oc.columns(['outbox_id', 'endpoint']).doNothing())
        .execute();
    }
    await tx.updateTable('outbox').set({ dispatched: 1 }).where('id', 'in', ids).execute();
    return ids.length;
  });
}

/**
 * Claims up to `limit` due pending deliveries to `endpoints` for `owner` until `leaseUntil`,
 * counting the attempt. A delivery whose lease expired (its sender died) is due again. On
 * PostgreSQL the claim skips rows another sender holds (FOR UPDATE SKIP LOCKED), so any
 * number of processes share the work; on SQLite the single UPDATE runs under the write lock.
 */
export async function claimDue(
  database: Database,
  options: {
    owner: string;
    endpoints: readonly string[];
    now: number;
    leaseUntil: number;
    limit: number;
  },
): Promise<ClaimedDelivery[]> {
  const { db } = database;
  if (options.endpoints.length === 0) return [];
  let due = db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', options.now)
    .where('endpoint', 'in', [...options.endpoints])
    .where((eb) =>
      eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', options.now)]),
    )
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(options.limit);
  due = database.store.forUpdateSkipLocked(due);
  const claimed = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      lease_owner: options.owner,
      lease_expires_at: options.leaseUntil,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', 'in', due)
    .returning('id')
    .execute();
  if (claimed.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('outbox as o', 'o.id', 'd.outbox_id')
    .select([
      'd.id',
      'd.endpoint',
      'd.attempts',
      'o.id as outbox_id',
      'o.event',
      'o.account_id',
      'o.payload',
      'o.created_at',
    ])
    .where(
      'd.id',
      'in',
      claimed.map((c) => c.id),
    )
    .where('d.lease_owner', '=', options.owner)
    .orderBy('d.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    endpoint: r.endpoint,
    attempts: r.attempts,
    outboxId: Number(r.outbox_id),
    event: r.event,
    accountId: r.account_id,
    payload: r.payload,
    createdAt: Number(r.created_at),
  }));
}

/**
 * Records an attempt's outcome, only while `owner` still holds the lease: a sender whose
 * lease ran out and was taken over must not overwrite the newer attempt's result.
 */
export async function settleAttempt(
  db: Db,
  id: number,
  owner: string,
  outcome:
    | { status: 'delivered'; at: number }
    | { status: 'pending'; error: string; retryAt: number }
    | { status: 'dead'; error: string },
): Promise<boolean> {
  const changes =
    outcome.status === 'delivered'
      ? { status: outcome.status, delivered_at: outcome.at, last_error: null }
      : outcome.status === 'pending'
        ? { status: outcome.status, last_error: outcome.error, next_attempt_at: outcome.retryAt }
        : { status: outcome.status, last_error: outcome.error };
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ ...changes, lease_owner: null, lease_expires_at: null })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deliveries newest first, with the event each carries. */
export async function selectDeliveries(
  db: Db,
  options: { status?: DeliveryStatus; limit: number },
): Promise<WebhookDelivery[]> {
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('outbox as o', 'o.id', 'd.outbox_id')
    .select([
      'd.id',
      'd.outbox_id',
      'o.event',
      'o.account_id',
      'd.endpoint',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_error',
      'd.delivered_at',
    ])
    .orderBy('d.id', 'desc')
    .limit(options.limit);
  if (options.status) query = query.where('d.status', '=', options.status);
  return (await query.execute()).map((r) => ({
    id: Number(r.id),
    outboxId: Number(r.outbox_id),
    event: r.event,
    accountId: r.account_id,
    endpoint: r.endpoint,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: new Date(Number(r.next_attempt_at)),
    lastError: r.last_error,
    deliveredAt: r.delivered_at === null ? null : new Date(Number(r.delivered_at)),
  }));
}

/** Puts a dead delivery back in the queue with a fresh set of attempts; else says why not. */
export async function requeueDead(
  db: Db,
  id: number,
  now: number,
): Promise<'requeued' | 'not_found' | Exclude<DeliveryStatus, 'dead'>> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where('id', '=', id)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 1) return 'requeued';
  const row = await db
    .selectFrom('webhook_deliveries')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return 'not_found';
  // It was pending and a sender gave it up between the two statements: it is dead now, so retry.
  if (row.status === 'dead') return requeueDead(db, id, now);
  return row.status;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
