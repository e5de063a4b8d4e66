import type { Selectable } from 'kysely';
import type { Db } from './database.js';
import type { IdempotencyKeyTable } from './http.table.js';

/** All SQL of the HTTP service's idempotency keys (an HTTP concern: no use case reads them). */

export type IdempotencyRow = Selectable<IdempotencyKeyTable>;

export type Reservation = { reserved: true } | { reserved: false; existing: IdempotencyRow };

/**
 * Reserves `(identity, key)` for a request about to run. A record older than `expireBefore`
 * is forgotten first; a reservation left unfinished since `staleBefore` (its process died)
 * is taken over. Otherwise the existing record is returned for the caller to replay or
 * refuse. The unique key makes two racing requests agree on one winner.
 */
export async function reserveIdempotencyKey(
  db: Db,
  row: Omit<IdempotencyKeyTable, 'status' | 'response'>,
  limits: { expireBefore: number; staleBefore: number },
): Promise<Reservation> {
  await db
    .deleteFrom('idempotency_keys')
    .where('identity', '=', row.identity)
    .where('key', '=', row.key)
    .where('created_at', '<', limits.expireBefore)
    .execute();
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ ...row, status: null, response: null })
    .onConflict((oc) => oc.columns(['identity', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { reserved: true };
  const existing = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('identity', '=', row.identity)
    .where('key', '=', row.key)
    .executeTakeFirst();
  if (!existing) return reserveIdempotencyKey(db, row, limits); // deleted meanwhile: try again
  if (
    existing.status === null &&
    Number(existing.created_at) < limits.staleBefore &&
    existing.request_hash === row.request_hash
  ) {
    const taken = await db
      .updateTable('idempotency_keys')
      .set({ created_at: row.created_at })
      .where('identity', '=', row.identity)
      .where('key', '=', row.key)
      .where('status', 'is', null)
      .where('created_at', '=', existing.created_at)
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) > 0) return { reserved: true };
  }
  return { reserved: false, existing };
}

export async function completeIdempotencyKey(
  db: Db,
  identity: string,
  key: string,
  status: number,
  response: string,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status, response })
    .where('identity', '=', identity)
    .where('key', '=', key)
    .where('status', 'is', null)
    .execute();
}

/** Forgets a reservation whose request failed unexpectedly, so a retry runs it again. */
export async function releaseIdempotencyKey(db: Db, identity: string, key: string): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('identity', '=', identity)
    .where('key', '=', key)
    .where('status', 'is', null)
    .execute();
}

export async function purgeIdempotencyKeys(db: Db, before: number): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
