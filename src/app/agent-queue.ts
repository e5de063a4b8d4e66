import type { AppContext } from './context.js';

/*
 * The agents' work queue: what waits for a person, most at risk of missing its service
 * level first. Each kind of work comes from one source (a function below); support tickets
 * will be one more source and one more kind, nothing else changes.
 */

export const QUEUE_KINDS = ['approval', 'escalated', 'blocked', 'hold', 'disabled'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export interface QueueItem {
  kind: QueueKind;
  accountId: string;
  /** ISO 3166 alpha-2, from the platform; null when the platform no longer knows the account. */
  jurisdiction: string | null;
  /** When the work started waiting. */
  since: Date;
  /** When it should be done by: the queue's order. */
  dueAt: Date;
  /** The closure, approval, hold or disablement it concerns. */
  subject: string;
}

const HOUR = 3_600_000;
/** How long each kind may wait for a person. */
export const QUEUE_SLA_MS: Readonly<Record<QueueKind, number>> = {
  approval: 4 * HOUR,
  escalated: 24 * HOUR,
  hold: 72 * HOUR,
  blocked: 72 * HOUR,
  disabled: 0, // due when the account may be enabled again
};

/** How many rows each source reads: the queue is a working list, not a report. */
const SOURCE_LIMIT = 500;
/**
 * How many accounts the hold source reads from the platform. The platform port has no
 * "accounts with holds" query, so holds come from reading accounts' facts in id order:
 * fine for the sandbox and small wallets, and bounded for the rest.
 */
const HOLD_SCAN_LIMIT = 2000;
const SCAN_BATCH = 200;

type Pending = Omit<QueueItem, 'jurisdiction' | 'dueAt'> & { dueAt?: Date };
type Source = (ctx: AppContext) => Promise<Pending[]>;

const approvals: Source = async (ctx) =>
  (await ctx.repos.approvals.list({ status: 'pending', limit: SOURCE_LIMIT })).map((a) => ({
    kind: 'approval',
    accountId: a.accountId,
    since: a.requestedAt,
    subject: a.id,
  }));

const closuresIn =
  (state: 'escalated' | 'blocked'): Source =>
  async (ctx) =>
    (await ctx.repos.closures.list({ state, limit: SOURCE_LIMIT })).closures.map(({ closure }) => ({
      kind: state,
      accountId: closure.accountId,
      since: closure.endedAt ?? closure.confirmedAt ?? closure.requestedAt,
      subject: closure.id,
    }));

const holds: Source = async (ctx) => {
  const found: Pending[] = [];
  let after: string | undefined;
  for (let read = 0; read < HOLD_SCAN_LIMIT; read += SCAN_BATCH) {
    const ids = await ctx.platform.listAccounts({ after, limit: SCAN_BATCH });
    if (ids.length === 0) break;
    const facts = await ctx.platform.factsBatch(ids);
    for (const id of ids)
      for (const hold of facts.get(id)?.holds ?? [])
        found.push({ kind: 'hold', accountId: id, since: hold.placedAt, subject: hold.id });
    after = ids[ids.length - 1];
  }
  return found;
};

const disabled: Source = async (ctx) =>
  (await ctx.repos.disablements.listOpen(SOURCE_LIMIT)).map((d) => ({
    kind: 'disabled',
    accountId: d.accountId,
    since: d.disabledAt,
    dueAt: d.enableNotBefore,
    subject: String(d.id),
  }));

const SOURCES: Readonly<Record<QueueKind, Source>> = {
  approval: approvals,
  escalated: closuresIn('escalated'),
  blocked: closuresIn('blocked'),
  hold: holds,
  disabled,
};

export interface QueueFilter {
  kind?: QueueKind;
  /** ISO 3166 alpha-2. */
  jurisdiction?: string;
  /** Only work waiting at least this long. */
  minAgeMs?: number;
}

export interface QueuePage {
  items: QueueItem[];
  /** Items matching the filter, every page together. */
  total: number;
  page: number;
  pages: number;
}

/** One page of the queue, the work closest to (or furthest past) its due instant first. */
export async function agentQueue(
  ctx: AppContext,
  options: QueueFilter & { page: number; pageSize: number; now: Date },
): Promise<QueuePage> {
  const kinds = options.kind ? [options.kind] : QUEUE_KINDS;
  const pending = (await Promise.all(kinds.map((k) => SOURCES[k](ctx)))).flat();
  const facts = await ctx.platform.factsBatch([...new Set(pending.map((p) => p.accountId))]);
  const now = options.now.getTime();
  const items = pending
    .map((p): QueueItem => ({
      ...p,
      jurisdiction: facts.get(p.accountId)?.jurisdiction ?? null,
      dueAt: p.dueAt ?? new Date(p.since.getTime() + QUEUE_SLA_MS[p.kind]),
    }))
    .filter((i) => !options.jurisdiction || i.jurisdiction === options.jurisdiction)
    .filter((i) => !options.minAgeMs || now - i.since.getTime() >= options.minAgeMs)
    .sort(
      (a, b) =>
        a.dueAt.getTime() - b.dueAt.getTime() ||
        a.accountId.localeCompare(b.accountId) ||
        a.subject.localeCompare(b.subject),
    );
  const pages = Math.max(1, Math.ceil(items.length / options.pageSize));
  const page = Math.min(Math.max(1, options.page), pages);
  const start = (page - 1) * options.pageSize;
  return { items: items.slice(start, start + options.pageSize), total: items.length, page, pages };
}
