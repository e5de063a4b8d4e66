import type { AuditCheckpoint, AuditEntry, ChainVerdict } from '../domain/audit-chain.js';
import type { AuditVerifyOptions, CheckpointSigner } from '../ports/audit.js';
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

/**
 * Walks every audit chain and checkpoint (and `external`, a checkpoint kept outside the
 * database) and names the first entry altered, removed, reordered or rewritten.
 */
export function verifyAuditChain(
  ctx: Pick<AppContext, 'repos'>,
  options: AuditVerifyOptions = {},
): Promise<ChainVerdict> {
  return ctx.repos.audit.verify(options);
}

/** The outbox event that publishes a checkpoint, so a copy lives outside the database. */
export const CHECKPOINT_EVENT = 'audit.checkpoint';

/**
 * Signs every chain's head now and stores the checkpoint, with the `audit.checkpoint`
 * event that carries it to the webhook endpoints, in one unit of work: a checkpoint is
 * published exactly when it is stored.
 */
export function writeAuditCheckpoint(
  ctx: Pick<AppContext, 'unitOfWork' | 'clock'>,
  signer: CheckpointSigner,
): Promise<AuditCheckpoint> {
  const now = ctx.clock.now();
  return ctx.unitOfWork.run(async (repos) => {
    const checkpoint = await repos.audit.checkpoint(now.getTime(), signer);
    await repos.outbox.emit(CHECKPOINT_EVENT, null, { checkpoint }, now);
    return checkpoint;
  });
}

/**
 * The worker's sealer: writes a checkpoint when the newest is `everyMs` old or there is
 * none; returns it, or null when none was due. Two workers sealing at once write two valid
 * checkpoints, which costs a row and weakens nothing.
 */
export async function sealIfDue(
  ctx: Pick<AppContext, 'repos' | 'unitOfWork' | 'clock'>,
  signer: CheckpointSigner,
  everyMs: number,
): Promise<AuditCheckpoint | null> {
  const latest = await ctx.repos.audit.latestCheckpoint();
  if (latest && ctx.clock.now().getTime() - latest.at < everyMs) return null;
  return writeAuditCheckpoint(ctx, signer);
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
