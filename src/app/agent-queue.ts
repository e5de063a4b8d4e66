import { isBreaching, readSla } from '../domain/tickets.js';
import type { SupportRules } from '../domain/tickets.js';
import type { AppContext } from './context.js';

/*
 * The agents' work queue: what waits for a person, most at risk of missing its service
 * level first. Each kind of work comes from one source (a function below); support tickets
 * are one of them, due by their own SLA targets (the policy's support section).
 */

export const QUEUE_KINDS = [
  'ticket',
  'approval',
  'escalated',
  'blocked',
  'hold',
  'disabled',
] as const;
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
  /** The ticket, closure, approval, hold or disablement it concerns. */
  subject: string;
  /**
   * Late, or (a ticket) inside its SLA warning window: listed before everything on time.
   * A ticket's warning comes from the policy; other work is breaching once past due.
   */
  breaching: boolean;
}

const HOUR = 3_600_000;
/** How long each kind may wait for a person. */
export const QUEUE_SLA_MS: Readonly<Record<QueueKind, number>> = {
  approval: 4 * HOUR,
  escalated: 24 * HOUR,
  hold: 72 * HOUR,
  blocked: 72 * HOUR,
  disabled: 0, // due when the account may be enabled again
  ticket: 0, // due by its own SLA targets (readSla)
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

type Pending = Omit<QueueItem, 'jurisdiction' | 'dueAt' | 'breaching'> & {
  dueAt?: Date;
  breaching?: boolean;
};
type Source = (ctx: AppContext, support: SupportRules, now: Date) => Promise<Pending[]>;

/**
 * Tickets waiting for support (not for the holder, not resolved): due at the earliest
 * target not yet met, breaching when late or inside the warning window.
 */
const tickets: Source = async (ctx, support, now) =>
  (await ctx.repos.tickets.list({ state: 'active', limit: SOURCE_LIMIT }))
    .filter(({ ticket }) => ticket.state !== 'pending_holder')
    .map(({ ticket }) => {
      const sla = readSla(ticket, support, now);
      const target = sla.firstResponse.status === 'met' ? sla.resolution : sla.firstResponse;
      return {
        kind: 'ticket',
        accountId: ticket.accountId,
        since: ticket.createdAt,
        dueAt: target.dueAt,
        breaching: isBreaching(ticket, support, now),
        subject: ticket.id,
      };
    });

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
  ticket: tickets,
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

/**
 * One page of the queue: breaching work first (late, or a ticket about to be), then the
 * work closest to (or furthest past) its due instant.
 */
export async function agentQueue(
  ctx: AppContext,
  options: QueueFilter & { page: number; pageSize: number; now: Date; support: SupportRules },
): Promise<QueuePage> {
  const kinds = options.kind ? [options.kind] : QUEUE_KINDS;
  const pending = (
    await Promise.all(kinds.map((k) => SOURCES[k](ctx, options.support, options.now)))
  ).flat();
  const facts = await ctx.platform.factsBatch([...new Set(pending.map((p) => p.accountId))]);
  const now = options.now.getTime();
  const items = pending
    .map((p): QueueItem => {
      const dueAt = p.dueAt ?? new Date(p.since.getTime() + QUEUE_SLA_MS[p.kind]);
      return {
        ...p,
        jurisdiction: facts.get(p.accountId)?.jurisdiction ?? null,
        dueAt,
        breaching: p.breaching ?? dueAt.getTime() <= now,
      };
    })
    .filter((i) => !options.jurisdiction || i.jurisdiction === options.jurisdiction)
    .filter((i) => !options.minAgeMs || now - i.since.getTime() >= options.minAgeMs)
    .sort(
      (a, b) =>
        Number(b.breaching) - Number(a.breaching) ||
        a.dueAt.getTime() - b.dueAt.getTime() ||
        a.accountId.localeCompare(b.accountId) ||
        a.subject.localeCompare(b.subject),
    );
  const pages = Math.max(1, Math.ceil(items.length / options.pageSize));
  const page = Math.min(Math.max(1, options.page), pages);
  const start = (page - 1) * options.pageSize;
  return { items: items.slice(start, start + options.pageSize), total: items.length, page, pages };
}
