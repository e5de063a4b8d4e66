import { sql } from 'kysely';
import type { Closure, ClosureConsent, ClosureState } from '../../domain/closure.js';
import type { RenderedVerdict } from '../../domain/messages.js';
import { inTransaction } from './database.js';
import type { Database, Tx } from './database.js';
import type { ClosureTable } from './workflow.table.js';

/** All closure SQL. Rows become domain values here, at the edge. */

const OPEN: ClosureState[] = ['requested', 'grace', 'finalizing', 'escalated'];

export interface StoredClosure {
  closure: Closure;
  /** The last verdict, for `status`: the holder's words at request, the agents' once the worker checked. */
  verdict: RenderedVerdict | null;
  codeHash: string | null;
  codeAttempts: number;
  decision: 'close' | 'block' | null;
}

const instant = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));
const ms = (date: Date | null) => (date === null ? null : date.getTime());

export function toStored(row: ClosureTable): StoredClosure {
  return {
    closure: {
      id: row.id,
      accountId: row.account_id,
      state: row.state as ClosureState,
      requestedAt: new Date(Number(row.requested_at)),
      confirmedAt: instant(row.confirmed_at),
      confirmationExpiresAt: new Date(Number(row.confirmation_expires_at)),
      dueAt: instant(row.due_at),
      graceEndsAt: instant(row.grace_ends_at),
      earliestEligibleAt: instant(row.earliest_eligible_at),
      consent: JSON.parse(row.consent) as ClosureConsent,
      version: Number(row.version),
      endedAt: instant(row.ended_at),
      reason: row.reason,
    },
    // Only this module writes the column, always from a RenderedVerdict: the one place the JSON gets its type back.
    verdict: row.verdict === null ? null : (JSON.parse(row.verdict) as RenderedVerdict),
    codeHash: row.code_hash,
    codeAttempts: Number(row.code_attempts),
    decision: row.decision as StoredClosure['decision'],
  };
}

function closureColumns(closure: Closure) {
  return {
    state: closure.state,
    confirmed_at: ms(closure.confirmedAt),
    confirmation_expires_at: closure.confirmationExpiresAt.getTime(),
    due_at: ms(closure.dueAt),
    grace_ends_at: ms(closure.graceEndsAt),
    earliest_eligible_at: ms(closure.earliestEligibleAt),
    ended_at: ms(closure.endedAt),
    consent: JSON.stringify(closure.consent),
    reason: closure.reason,
    version: closure.version,
  };
}

export async function insertClosure(tx: Tx, closure: Closure, extra: { codeHash: string | null; verdict: RenderedVerdict; now: Date }): Promise<void> {
  await tx
    .insertInto('closures')
    .values({
      id: closure.id,
      account_id: closure.accountId,
      requested_at: closure.requestedAt.getTime(),
      ...closureColumns(closure),
      verdict: JSON.stringify(extra.verdict),
      code_hash: extra.codeHash,
      decision: null,
      code_attempts: 0,
      lease_owner: null,
      lease_expires_at: null,
      created_at: extra.now.getTime(),
      updated_at: extra.now.getTime(),
    })
    .execute();
}

/**
 * Stores a transition only if nobody moved the closure since it was read (`version`
 * guard): a holder's cancel and the worker's finalization cannot both win. Returns
 * whether this write won.
 */
export async function saveTransition(
  tx: Tx,
  next: Closure,
  previousVersion: number,
  extra: { now: Date; verdict?: RenderedVerdict; releaseLease?: boolean },
): Promise<boolean> {
  const result = await tx
    .updateTable('closures')
    .set({
      ...closureColumns(next),
      updated_at: extra.now.getTime(),
      ...(extra.verdict === undefined ? {} : { verdict: JSON.stringify(extra.verdict) }),
      ...(extra.releaseLease ? { lease_owner: null, lease_expires_at: null } : {}),
    })
    .where('id', '=', next.id)
    .where('version', '=', previousVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the final check's decision (and its verdict) before the worker acts on it. */
export async function recordDecision(tx: Tx, closureId: string, version: number, decision: 'close' | 'block', verdict: RenderedVerdict | null): Promise<boolean> {
  const result = await tx
    .updateTable('closures')
    .set({ decision, verdict: JSON.stringify(verdict) })
    .where('id', '=', closureId)
    .where('version', '=', version)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordCodeAttempt(tx: Tx, closureId: string): Promise<void> {
  await tx.updateTable('closures').set({ code_attempts: sql`code_attempts + 1` }).where('id', '=', closureId).execute();
}

export async function findOpenClosure(db: Database['db'] | Tx, accountId: string): Promise<StoredClosure | null> {
  const row = await db.selectFrom('closures').selectAll().where('account_id', '=', accountId).where('state', 'in', OPEN).executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function latestClosure(db: Database['db'] | Tx, accountId: string): Promise<StoredClosure | null> {
  const row = await db.selectFrom('closures').selectAll().where('account_id', '=', accountId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function getClosure(db: Database['db'] | Tx, closureId: string): Promise<StoredClosure | null> {
  const row = await db.selectFrom('closures').selectAll().where('id', '=', closureId).executeTakeFirst();
  return row ? toStored(row) : null;
}

/** Open closures of many accounts (for eligibility batches). */
export async function openClosuresFor(db: Database['db'], accountIds: readonly string[]): Promise<Map<string, { id: string; state: string }>> {
  const map = new Map<string, { id: string; state: string }>();
  if (accountIds.length === 0) return map;
  const rows = await db.selectFrom('closures').select(['id', 'account_id', 'state']).where('account_id', 'in', [...accountIds]).where('state', 'in', OPEN).execute();
  for (const r of rows) map.set(r.account_id, { id: r.id, state: r.state });
  return map;
}

/**
 * Claims up to `limit` due closures for `owner` until `now + leaseMs`. A closure whose
 * lease expired (its worker died) is due again. On PostgreSQL the claim skips rows other
 * workers hold (FOR UPDATE SKIP LOCKED), so any number of workers share the work; on
 * SQLite the write lock makes the claim atomic.
 */
export async function claimDueClosures(
  database: Database,
  options: { owner: string; now: Date; leaseMs: number; limit: number },
): Promise<StoredClosure[]> {
  const now = options.now.getTime();
  const until = now + options.leaseMs;
  if (database.dialect === 'postgres') {
    const result = await sql<ClosureTable>`
      update closures set lease_owner = ${options.owner}, lease_expires_at = ${until}
      where id in (
        select id from closures
        where state in ('requested', 'grace', 'finalizing', 'escalated')
          and due_at is not null and due_at <= ${now}
          and (lease_expires_at is null or lease_expires_at <= ${now})
        order by due_at
        limit ${options.limit}
        for update skip locked
      )
      returning *`.execute(database.db);
    return result.rows.map(toStored);
  }
  return inTransaction(database, async (tx) => {
    const due = await tx
      .selectFrom('closures')
      .select('id')
      .where('state', 'in', OPEN)
      .where('due_at', 'is not', null)
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]))
      .orderBy('due_at')
      .limit(options.limit)
      .execute();
    if (due.length === 0) return [];
    const ids = due.map((d) => d.id);
    await tx.updateTable('closures').set({ lease_owner: options.owner, lease_expires_at: until }).where('id', 'in', ids).execute();
    const rows = await tx.selectFrom('closures').selectAll().where('id', 'in', ids).execute();
    return rows.map(toStored);
  });
}

/** Gives a claimed closure back (the step finished or failed) so it is due again at once. */
export async function releaseLease(db: Database['db'], closureId: string, owner: string): Promise<void> {
  await db.updateTable('closures').set({ lease_owner: null, lease_expires_at: null }).where('id', '=', closureId).where('lease_owner', '=', owner).execute();
}

/** Counts per state, for metrics and `work` summaries. */
export async function closureCounts(db: Database['db']): Promise<Record<string, number>> {
  const rows = await db.selectFrom('closures').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
