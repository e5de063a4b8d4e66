import type { AuditEntry, ChainVerdict } from '../domain/audit-chain.js';
import type { ClosureState } from '../domain/closure.js';
import type { ClosurePage } from '../ports/closures.js';
import type { MailMessage } from '../ports/mailbox.js';
import type { AppContext } from './context.js';

/*
 * Reads for the platform, agents and operators: listings, the audit trail, the sandbox
 * mailbox and the workflow's figures. Interfaces call these, never the repositories.
 */

export type { ClosurePage } from '../ports/closures.js';
export type { MailMessage } from '../ports/mailbox.js';

/** Closures newest first, filtered, a page at a time. */
export function listClosures(
  ctx: AppContext,
  options: {
    accountId?: string;
    state?: ClosureState | 'open';
    cursor?: { createdAt: number; id: string };
    limit: number;
  },
): Promise<ClosurePage> {
  return ctx.repos.closures.list(options);
}

/** Audit entries in chain order after `afterSeq`, of one account or all. */
export function auditPage(
  ctx: AppContext,
  options: { accountId?: string; afterSeq: number; limit: number },
): Promise<AuditEntry[]> {
  return ctx.repos.audit.page(options);
}

/** Walks the whole audit chain and names the first entry altered, removed or reordered. */
export function verifyAuditChain(
  ctx: Pick<AppContext, 'repos'>,
  onProgress?: (checked: number) => void,
): Promise<ChainVerdict> {
  return ctx.repos.audit.verify(onProgress);
}

/** The sandbox mailbox: messages sent to holders, oldest first. */
export function listMailbox(
  ctx: Pick<AppContext, 'repos'>,
  options: { accountId?: string; limit: number },
): Promise<MailMessage[]> {
  return ctx.repos.mailbox.list(options);
}

export interface WorkflowFigures {
  /** Closures per state. */
  counts: Record<string, number>;
  /** The due instant (epoch ms) of the most overdue open closure no live worker holds; null when none waits. */
  oldestDueAt: number | null;
}

/** What metrics report about the workflow at `now`. */
export async function workflowFigures(ctx: AppContext, now: number): Promise<WorkflowFigures> {
  const [counts, oldestDueAt] = await Promise.all([
    ctx.repos.closures.counts(),
    ctx.repos.closures.oldestDueAt(now),
  ]);
  return { counts, oldestDueAt };
}
