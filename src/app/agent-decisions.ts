import { randomUUID } from 'node:crypto';
import { findOpenClosure } from '../adapters/store/closure-repository.js';
import { inTransaction } from '../adapters/store/database.js';
import type { Tx } from '../adapters/store/database.js';
import {
  findPendingApproval,
  getApproval,
  insertApproval,
  listApprovals as listRows,
  settleApproval,
} from '../adapters/store/http-repository.js';
import type { ApprovalRow } from '../adapters/store/http-repository.js';
import type { Closure } from '../domain/closure.js';
import { raise } from '../domain/errors.js';
import type { EligibilityRules } from './check-eligibility.js';
import { moveOpenClosure } from './closures.js';
import type { Actor, AppContext } from './context.js';
import { hasActiveHold, liftHold } from './holds.js';
import type { HoldLedger } from './holds.js';
import { record } from './notifications.js';

/*
 * Support decisions. Escalating and rejecting a closure, and placing a hold, make things
 * safer or slower, so one agent may do them. Overrides — approving an escalated closure,
 * lifting a hold — are what an insider or a phished agent would abuse, so they need two:
 * one agent asks, a different agent approves (four eyes).
 */

export type ApprovalAction = 'closure.approve' | 'hold.lift';
export const APPROVAL_ACTIONS: readonly ApprovalAction[] = ['closure.approve', 'hold.lift'];
export type ApprovalStatus = 'pending' | 'approved' | 'declined';

export interface Approval {
  id: string;
  action: ApprovalAction;
  accountId: string;
  /** The closure id or hold id. */
  subject: string;
  note: string;
  requestedBy: string;
  requestedAt: Date;
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

const agent = (id: string): Actor => ({ kind: 'agent', id });

export function toApproval(row: ApprovalRow): Approval {
  return {
    id: row.id,
    action: row.action as ApprovalAction,
    accountId: row.account_id,
    subject: row.subject,
    note: row.note,
    requestedBy: row.requested_by,
    requestedAt: new Date(Number(row.requested_at)),
    status: row.status,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at === null ? null : new Date(Number(row.decided_at)),
  };
}

export function escalateClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; reason: string; agentId: string },
): Promise<Closure> {
  return moveOpenClosure(
    ctx,
    input.accountId,
    { type: 'escalate', reason: input.reason },
    agent(input.agentId),
    rules,
  );
}

export function rejectClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; reason: string; agentId: string },
): Promise<Closure> {
  return moveOpenClosure(
    ctx,
    input.accountId,
    { type: 'reject', agentId: input.agentId, reason: input.reason },
    agent(input.agentId),
    rules,
  );
}

async function openApproval(
  ctx: AppContext,
  input: {
    action: ApprovalAction;
    accountId: string;
    subject: string;
    note: string;
    agentId: string;
  },
): Promise<Approval> {
  const now = ctx.clock.now();
  const row: ApprovalRow = {
    id: `apr_${randomUUID()}`,
    action: input.action,
    account_id: input.accountId,
    subject: input.subject,
    note: input.note,
    requested_by: input.agentId,
    requested_at: now.getTime(),
    status: 'pending',
    decided_by: null,
    decided_at: null,
  };
  await inTransaction(ctx.database, async (tx) => {
    const pending = await findPendingApproval(tx, input.action, input.subject);
    if (pending)
      throw raise('OFFBOARD_ERR_DUPLICATE', {
        record: 'approval',
        id: pending.id,
        action: input.action,
      });
    await insertApproval(tx, row);
    await record(ctx, tx, {
      actor: agent(input.agentId),
      action: 'approval.request',
      accountId: input.accountId,
      data: { approvalId: row.id, action: input.action, subject: input.subject },
      now,
    });
  });
  return toApproval(row);
}

/** First step of approving an escalated closure: a second agent must confirm it. */
export async function requestClosureApproval(
  ctx: AppContext,
  input: { accountId: string; note: string; agentId: string },
): Promise<Approval> {
  const stored = await findOpenClosure(ctx.database.db, input.accountId);
  if (!stored) throw raise('OFFBOARD_ERR_NO_CLOSURE', { accountId: input.accountId });
  if (stored.closure.state !== 'escalated') {
    throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
      accountId: input.accountId,
      reason: 'not_escalated',
      state: stored.closure.state,
    });
  }
  return openApproval(ctx, {
    action: 'closure.approve',
    accountId: input.accountId,
    subject: stored.closure.id,
    note: input.note,
    agentId: input.agentId,
  });
}

/** First step of lifting a hold: a second agent must confirm it. */
export async function requestHoldLift(
  ctx: AppContext,
  input: { accountId: string; holdId: string; note: string; agentId: string },
): Promise<Approval> {
  if (!(await hasActiveHold(ctx, input.accountId, input.holdId))) {
    throw raise('OFFBOARD_ERR_NOT_FOUND', {
      record: 'hold',
      id: input.holdId,
      accountId: input.accountId,
    });
  }
  return openApproval(ctx, {
    action: 'hold.lift',
    accountId: input.accountId,
    subject: input.holdId,
    note: input.note,
    agentId: input.agentId,
  });
}

async function pendingApproval(ctx: AppContext, approvalId: string): Promise<ApprovalRow> {
  const row = await getApproval(ctx.database.db, approvalId);
  if (!row) throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'approval', id: approvalId });
  if (row.status !== 'pending')
    throw raise('OFFBOARD_ERR_INVALID_STATE', {
      reason: 'approval_decided',
      approvalId,
      status: row.status,
      by: row.decided_by,
    });
  return row;
}

export interface ApprovalOutcome {
  approval: Approval;
  /** The approved closure, for `closure.approve`. */
  closure: Closure | null;
}

/** The second agent approves: the override happens now, recorded with both agents. */
export async function approveRequest(
  ctx: AppContext,
  rules: EligibilityRules,
  holds: HoldLedger,
  input: { approvalId: string; agentId: string },
): Promise<ApprovalOutcome> {
  const row = await pendingApproval(ctx, input.approvalId);
  if (row.requested_by === input.agentId) {
    throw raise('OFFBOARD_ERR_FOUR_EYES', { agentId: input.agentId, action: row.action });
  }
  const now = ctx.clock.now();
  const settle = async (tx: Tx) => {
    if (!(await settleApproval(tx, row.id, 'approved', input.agentId, now.getTime()))) {
      throw raise('OFFBOARD_ERR_INVALID_STATE', {
        reason: 'approval_decided_meanwhile',
        approvalId: row.id,
      });
    }
    await record(ctx, tx, {
      actor: agent(input.agentId),
      action: 'approval.approve',
      accountId: row.account_id,
      data: {
        approvalId: row.id,
        action: row.action,
        subject: row.subject,
        requestedBy: row.requested_by,
      },
      now,
    });
  };
  const decided = (): Approval => ({
    ...toApproval(row),
    status: 'approved',
    decidedBy: input.agentId,
    decidedAt: now,
  });
  const action = row.action as ApprovalAction;
  switch (action) {
    case 'closure.approve': {
      // The approval and the closure's move commit together, or neither does.
      const closure = await moveOpenClosure(
        ctx,
        row.account_id,
        { type: 'approve', agentId: input.agentId },
        agent(input.agentId),
        rules,
        async (stored, tx) => {
          if (stored.closure.id !== row.subject) {
            throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
              accountId: row.account_id,
              reason: 'approval_outdated',
              approvalId: row.id,
            });
          }
          await settle(tx);
        },
      );
      return { approval: decided(), closure };
    }
    case 'hold.lift': {
      // The platform lifts the hold in its own transaction: claim the approval first, so
      // two agents cannot both act, and give it back if the platform refuses.
      await inTransaction(ctx.database, settle);
      try {
        await liftHold(ctx, holds, {
          accountId: row.account_id,
          holdId: row.subject,
          actor: agent(input.agentId),
          approvalId: row.id,
        });
      } catch (error) {
        await inTransaction(ctx.database, (tx) =>
          settleApproval(tx, row.id, 'pending', null, null, 'approved'),
        );
        throw error;
      }
      return { approval: decided(), closure: null };
    }
  }
}

/** Declines (or, by the agent who asked, withdraws) a pending override. */
export async function declineRequest(
  ctx: AppContext,
  input: { approvalId: string; agentId: string; reason: string },
): Promise<Approval> {
  const row = await pendingApproval(ctx, input.approvalId);
  const now = ctx.clock.now();
  await inTransaction(ctx.database, async (tx) => {
    if (!(await settleApproval(tx, row.id, 'declined', input.agentId, now.getTime()))) {
      throw raise('OFFBOARD_ERR_INVALID_STATE', {
        reason: 'approval_decided_meanwhile',
        approvalId: row.id,
      });
    }
    await record(ctx, tx, {
      actor: agent(input.agentId),
      action: 'approval.decline',
      accountId: row.account_id,
      data: { approvalId: row.id, action: row.action, subject: row.subject, reason: input.reason },
      now,
    });
  });
  return { ...toApproval(row), status: 'declined', decidedBy: input.agentId, decidedAt: now };
}

export async function listApprovals(
  ctx: AppContext,
  options: { status?: ApprovalStatus; accountId?: string; limit: number },
): Promise<Approval[]> {
  return (await listRows(ctx.database.db, options)).map(toApproval);
}
