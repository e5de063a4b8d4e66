import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { AuditEntry } from '../../domain/audit-chain.js';
import type { ClosureState } from '../../domain/closure.js';
import { toAuditEntry } from './audit-repository.js';
import { toStored } from './closure-repository.js';
import type { StoredClosure } from './closure-repository.js';
import type { Database, Db, Tx } from './database.js';
import type { ApiKeyTable, ApprovalTable, IdempotencyKeyTable } from './http.table.js';

/** All SQL of the HTTP service's own records: API keys, idempotency keys, approvals, listings. */

// Written out, not bound: the partial indexes on open closures apply only when the query
// states the same literal condition (a bound parameter cannot prove it).
const IS_OPEN = sql<boolean>`state in ('requested', 'grace', 'finalizing', 'escalated')`;

// ---- API keys ---------------------------------------------------------------------

export type ApiKeyRow = Selectable<ApiKeyTable>;

export async function insertApiKey(db: Db | Tx, row: ApiKeyTable): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRow | null> {
  return (
    (await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
  );
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** False when no active key has this id. */
export async function revokeApiKey(db: Db | Tx, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- idempotency keys -------------------------------------------------------------

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

// ---- approvals (four eyes) --------------------------------------------------------

export type ApprovalRow = Selectable<ApprovalTable>;

export async function insertApproval(tx: Tx, row: ApprovalTable): Promise<void> {
  await tx.insertInto('approvals').values(row).execute();
}

export async function getApproval(db: Db | Tx, id: string): Promise<ApprovalRow | null> {
  return (
    (await db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst()) ?? null
  );
}

/** A pending approval for the same action on the same subject, if one exists. */
export async function findPendingApproval(
  db: Db | Tx,
  action: string,
  subject: string,
): Promise<ApprovalRow | null> {
  return (
    (await db
      .selectFrom('approvals')
      .selectAll()
      .where('action', '=', action)
      .where('subject', '=', subject)
      .where('status', '=', 'pending')
      .executeTakeFirst()) ?? null
  );
}

export async function listApprovals(
  db: Db,
  options: { status?: ApprovalTable['status']; accountId?: string; limit: number },
): Promise<ApprovalRow[]> {
  let query = db
    .selectFrom('approvals')
    .selectAll()
    .orderBy('requested_at', 'desc')
    .orderBy('id')
    .limit(options.limit);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  return query.execute();
}

/** Moves a pending approval to its decision; false when another agent decided first. */
export async function settleApproval(
  tx: Tx,
  id: string,
  to: 'approved' | 'declined' | 'pending',
  agentId: string | null,
  now: number | null,
  from: ApprovalTable['status'] = 'pending',
): Promise<boolean> {
  const result = await tx
    .updateTable('approvals')
    .set({ status: to, decided_by: agentId, decided_at: now })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---- listings for the platform and agents ------------------------------------------

export interface ClosurePage {
  closures: StoredClosure[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next: string | null;
}

/** Closures newest first, filtered, a page at a time (keyset on created_at, id). */
export async function listClosures(
  db: Db,
  options: {
    accountId?: string;
    state?: ClosureState | 'open';
    cursor?: { createdAt: number; id: string };
    limit: number;
  },
): Promise<ClosurePage> {
  let query = db
    .selectFrom('closures')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  if (options.state === 'open') query = query.where(IS_OPEN);
  else if (options.state) query = query.where('state', '=', options.state);
  const cursor = options.cursor;
  if (cursor) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', cursor.createdAt),
        eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '<', cursor.id)]),
      ]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    closures: page.map(toStored),
    next: rows.length > options.limit && last ? `${Number(last.created_at)}.${last.id}` : null,
  };
}

/** Audit entries in chain order after `afterSeq`, of one account or all. */
export async function auditPage(
  db: Db,
  options: { accountId?: string; afterSeq: number; limit: number },
): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', options.afterSeq)
    .orderBy('seq')
    .limit(options.limit);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  return (await query.execute()).map(toAuditEntry);
}

/** The due instant of the longest-waiting open closure no live worker holds; null when none waits. */
export async function oldestDueAt(database: Database, now: number): Promise<number | null> {
  const row = await database.db
    .selectFrom('closures')
    .select((eb) => eb.fn.min<number>('due_at').as('due'))
    .where(IS_OPEN)
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}

/** When the account's open disablement began, or null when it is not disabled. */
export async function disabledSince(db: Db, accountId: string): Promise<number | null> {
  const row = await db
    .selectFrom('disablements')
    .select('disabled_at')
    .where('account_id', '=', accountId)
    .where('enabled_at', 'is', null)
    .executeTakeFirst();
  return row ? Number(row.disabled_at) : null;
}
