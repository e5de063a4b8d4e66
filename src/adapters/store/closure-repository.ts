import { sql } from 'kysely';
import type { Closure, ClosureConsent, ClosureState } from '../../domain/closure.js';
import type { RenderedVerdict } from '../../domain/messages.js';
import type { ClosurePage, ClosureRepository, StoredClosure } from '../../ports/closures.js';
import type { Database, Db } from './database.js';
import type { ClosureTable } from './workflow.table.js';

/** All closure SQL. Rows become domain values here, at the edge. */

export type { StoredClosure } from '../../ports/closures.js';

import { IS_OPEN, OPEN_STATES } from './open-states.js';

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

export async function insertClosure(
  tx: Db,
  closure: Closure,
  extra: { codeHash: string | null; verdict: RenderedVerdict; now: Date },
): Promise<void> {
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
  tx: Db,
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
export async function recordDecision(
  tx: Db,
  closureId: string,
  version: number,
  decision: 'close' | 'block',
  verdict: RenderedVerdict | null,
): Promise<boolean> {
  const result = await tx
    .updateTable('closures')
    .set({ decision, verdict: JSON.stringify(verdict) })
    .where('id', '=', closureId)
    .where('version', '=', version)
    .where('decision', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordCodeAttempt(tx: Db, closureId: string): Promise<void> {
  await tx
    .updateTable('closures')
    .set({ code_attempts: sql`code_attempts + 1` })
    .where('id', '=', closureId)
    .execute();
}

export async function findOpenClosure(db: Db, accountId: string): Promise<StoredClosure | null> {
  const row = await db
    .selectFrom('closures')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('state', 'in', [...OPEN_STATES])
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function latestClosure(db: Db, accountId: string): Promise<StoredClosure | null> {
  const row = await db
    .selectFrom('closures')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

export async function getClosure(db: Db, closureId: string): Promise<StoredClosure | null> {
  const row = await db
    .selectFrom('closures')
    .selectAll()
    .where('id', '=', closureId)
    .executeTakeFirst();
  return row ? toStored(row) : null;
}

/** Open closures of many accounts (for eligibility batches). */
export async function openClosuresFor(
  db: Db,
  accountIds: readonly string[],
): Promise<Map<string, { id: string; state: string }>> {
  const map = new Map<string, { id: string; state: string }>();
  if (accountIds.length === 0) return map;
  const rows = await db
    .selectFrom('closures')
    .select(['id', 'account_id', 'state'])
    .where('account_id', 'in', [...accountIds])
    .where('state', 'in', [...OPEN_STATES])
    .execute();
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
  const rows = await database.store.claimDueClosures(database, {
    owner: options.owner,
    now,
    until: now + options.leaseMs,
    limit: options.limit,
  });
  return rows.map(toStored);
}

/** Gives a claimed closure back (the step finished or failed) so it is due again at once. */
export async function releaseLease(db: Db, closureId: string, owner: string): Promise<void> {
  await db
    .updateTable('closures')
    .set({ lease_owner: null, lease_expires_at: null })
    .where('id', '=', closureId)
    .where('lease_owner', '=', owner)
    .execute();
}

/** Counts per state, for metrics and `work` summaries. */
export async function closureCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('closures')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
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

/** The due instant of the longest-waiting open closure no live worker holds; null when none waits. */
export async function oldestDueAt(db: Db, now: number): Promise<number | null> {
  const row = await db
    .selectFrom('closures')
    .select((eb) => eb.fn.min<number>('due_at').as('due'))
    .where(IS_OPEN)
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]))
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}

/** The closure repository over one database, bound to `db` (the pool or one transaction). */
export class KyselyClosureRepository implements ClosureRepository {
  constructor(
    private readonly database: Database,
    private readonly db: Db,
  ) {}

  async insert(
    closure: Closure,
    extra: { codeHash: string | null; verdict: RenderedVerdict; now: Date },
  ): Promise<void> {
    await insertClosure(this.db, closure, extra);
    await this.announceIfDue(closure, extra.now);
  }

  async saveTransition(
    next: Closure,
    previousVersion: number,
    extra: { now: Date; verdict?: RenderedVerdict; releaseLease?: boolean },
  ): Promise<boolean> {
    const saved = await saveTransition(this.db, next, previousVersion, extra);
    // A worker that keeps its claim (entering finalizing) goes on at once: waking the
    // others would only send them to claim a row they must skip.
    if (saved && extra.releaseLease !== false) await this.announceIfDue(next, extra.now);
    return saved;
  }

  recordDecision(
    closureId: string,
    version: number,
    decision: 'close' | 'block',
    verdict: RenderedVerdict | null,
  ): Promise<boolean> {
    return recordDecision(this.db, closureId, version, decision, verdict);
  }

  recordCodeAttempt(closureId: string): Promise<void> {
    return recordCodeAttempt(this.db, closureId);
  }

  findOpen(accountId: string): Promise<StoredClosure | null> {
    return findOpenClosure(this.db, accountId);
  }

  latest(accountId: string): Promise<StoredClosure | null> {
    return latestClosure(this.db, accountId);
  }

  get(closureId: string): Promise<StoredClosure | null> {
    return getClosure(this.db, closureId);
  }

  openFor(accountIds: readonly string[]): Promise<Map<string, { id: string; state: string }>> {
    return openClosuresFor(this.db, accountIds);
  }

  claimDue(options: {
    owner: string;
    now: Date;
    leaseMs: number;
    limit: number;
  }): Promise<StoredClosure[]> {
    return claimDueClosures(this.database, options);
  }

  releaseLease(closureId: string, owner: string): Promise<void> {
    return releaseLease(this.db, closureId, owner);
  }

  counts(): Promise<Record<string, number>> {
    return closureCounts(this.db);
  }

  list(options: {
    accountId?: string;
    state?: ClosureState | 'open';
    cursor?: { createdAt: number; id: string };
    limit: number;
  }): Promise<ClosurePage> {
    return listClosures(this.db, options);
  }

  oldestDueAt(now: number): Promise<number | null> {
    return oldestDueAt(this.db, now);
  }

  /** Work due now wakes idle workers at once (delivered at commit) instead of at their next poll. */
  private async announceIfDue(closure: Closure, now: Date): Promise<void> {
    if (closure.dueAt !== null && closure.dueAt.getTime() <= now.getTime())
      await this.database.store.announceWorkDue(this.db, closure.id);
  }
}
