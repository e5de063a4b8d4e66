import { randomUUID } from 'node:crypto';
import type { Closure } from '../domain/closure.js';
import { raise } from '../domain/errors.js';
import type { Approval, ApprovalAction, ApprovalStatus } from '../ports/approvals.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { EligibilityRules } from './check-eligibility.js';
import { moveOpenClosure } from './closures.js';
import type { Actor, AppContext } from './context.js';
import { hasActiveHold, liftHold } from './holds.js';
import { record } from './notifications.js';
import { postClosureOutcome } from './tickets.js';
import { readProposal } from './proposals.js';

/*
 * Support decisions. Escalating and rejecting a closure, and placing a hold, make things
 * safer or slower, so one agent may do them. Overrides — approving an escalated closure,
 * lifting a hold — are what an insider or a phished agent would abuse, so they need two:
 * one agent asks, a different agent approves (four eyes).
 */

export type { Approval, ApprovalAction, ApprovalStatus } from '../ports/approvals.js';
export const APPROVAL_ACTIONS: readonly ApprovalAction[] = ['closure.approve', 'hold.lift'];

const agent = (id: string): Actor => ({ kind: 'agent', id });

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

export async function rejectClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; reason: string; agentId: string },
): Promise<Closure> {
  const contact = await ctx.platform.contact(input.accountId);
  return moveOpenClosure(
    ctx,
    input.accountId,
    { type: 'reject', agentId: input.agentId, reason: input.reason },
    agent(input.agentId),
    rules,
    // Tickets linked to the closure hear the outcome in the same transaction.
    (stored, repos) =>
      postClosureOutcome(ctx, rules, repos, {
        accountId: input.accountId,
        closureId: stored.closure.id,
        outcome: 'rejected',
        agentId: input.agentId,
        contact,
      }),
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
  const approval: Approval = {
    id: `apr_${randomUUID()}`,
    action: input.action,
    accountId: input.accountId,
    subject: input.subject,
    note: input.note,
    requestedBy: input.agentId,
    requestedAt: now,
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
  };
  await ctx.unitOfWork.run(async (repos) => {
    const pending = await repos.approvals.findPending(input.action, input.subject);
    if (pending)
      throw raise('OFFBOARD_ERR_DUPLICATE', {
        record: 'approval',
        id: pending.id,
        action: input.action,
      });
    await repos.approvals.insert(approval);
    await record(repos, {
      actor: agent(input.agentId),
      action: 'approval.request',
      accountId: input.accountId,
      data: { approvalId: approval.id, action: input.action, subject: input.subject },
      now,
    });
  });
  return approval;
}

/** First step of approving an escalated closure: a second agent must confirm it. */
export async function requestClosureApproval(
  ctx: AppContext,
  input: { accountId: string; note: string; agentId: string },
): Promise<Approval> {
  const stored = await ctx.repos.closures.findOpen(input.accountId);
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

async function pendingApproval(ctx: AppContext, approvalId: string): Promise<Approval> {
  const row = await ctx.repos.approvals.get(approvalId);
  if (!row) throw raise('OFFBOARD_ERR_NOT_FOUND', { record: 'approval', id: approvalId });
  if (row.status !== 'pending')
    throw raise('OFFBOARD_ERR_INVALID_STATE', {
      reason: 'approval_decided',
      approvalId,
      status: row.status,
      by: row.decidedBy,
    });
  return row;
}

export interface ApprovalOutcome {
  approval: Approval;
  /** The approved closure, for `closure.approve`. */
  closure: Closure | null;
}

/**
 * The second agent approves: the override happens now, recorded with both agents. With
 * `proposalHash` (the console always sends it), the approval holds only for the proposal
 * the approver read (proposals.ts).
 */
export async function approveRequest(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { approvalId: string; agentId: string; proposalHash?: string },
): Promise<ApprovalOutcome> {
  const row = await pendingApproval(ctx, input.approvalId);
  if (row.requestedBy === input.agentId) {
    throw raise('OFFBOARD_ERR_FOUR_EYES', { agentId: input.agentId, action: row.action });
  }
  if (input.proposalHash !== undefined) {
    const { hash } = await readProposal(ctx, row);
    if (hash !== input.proposalHash)
      throw raise('OFFBOARD_ERR_PROPOSAL_CHANGED', { approvalId: row.id, action: row.action });
  }
  const now = ctx.clock.now();
  const settle = async (repos: Repositories) => {
    if (!(await repos.approvals.settle(row.id, 'approved', input.agentId, now))) {
      throw raise('OFFBOARD_ERR_INVALID_STATE', {
        reason: 'approval_decided_meanwhile',
        approvalId: row.id,
      });
    }
    await record(repos, {
      actor: agent(input.agentId),
      action: 'approval.approve',
      accountId: row.accountId,
      data: {
        approvalId: row.id,
        action: row.action,
        subject: row.subject,
        requestedBy: row.requestedBy,
        // What the approver read, when they approved through the console.
        ...(input.proposalHash === undefined ? {} : { proposalHash: input.proposalHash }),
      },
      now,
    });
  };
  const decided = (): Approval => ({
    ...row,
    status: 'approved',
    decidedBy: input.agentId,
    decidedAt: now,
  });
  const action = row.action;
  switch (action) {
    case 'closure.approve': {
      const contact = await ctx.platform.contact(row.accountId);
      // The approval and the closure's move commit together, or neither does.
      const closure = await moveOpenClosure(
        ctx,
        row.accountId,
        { type: 'approve', agentId: input.agentId },
        agent(input.agentId),
        rules,
        async (stored, repos) => {
          if (stored.closure.id !== row.subject) {
            throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
              accountId: row.accountId,
              reason: 'approval_outdated',
              approvalId: row.id,
            });
          }
          await settle(repos);
          await postClosureOutcome(ctx, rules, repos, {
            accountId: row.accountId,
            closureId: row.subject,
            outcome: 'approved',
            agentId: input.agentId,
            contact,
          });
        },
      );
      return { approval: decided(), closure };
    }
    case 'hold.lift': {
      // The platform lifts the hold in its own transaction: claim the approval first, so
      // two agents cannot both act, and give it back if the platform refuses.
      await ctx.unitOfWork.run(settle);
      try {
        await liftHold(ctx, {
          accountId: row.accountId,
          holdId: row.subject,
          actor: agent(input.agentId),
          approvalId: row.id,
        });
      } catch (error) {
        await ctx.unitOfWork.run((repos) =>
          repos.approvals.settle(row.id, 'pending', null, null, 'approved'),
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
  await ctx.unitOfWork.run(async (repos) => {
    if (!(await repos.approvals.settle(row.id, 'declined', input.agentId, now))) {
      throw raise('OFFBOARD_ERR_INVALID_STATE', {
        reason: 'approval_decided_meanwhile',
        approvalId: row.id,
      });
    }
    await record(repos, {
      actor: agent(input.agentId),
      action: 'approval.decline',
      accountId: row.accountId,
      data: { approvalId: row.id, action: row.action, subject: row.subject, reason: input.reason },
      now,
    });
  });
  return { ...row, status: 'declined', decidedBy: input.agentId, decidedAt: now };
}

export async function listApprovals(
  ctx: AppContext,
  options: { status?: ApprovalStatus; accountId?: string; limit: number },
): Promise<Approval[]> {
  return ctx.repos.approvals.list(options);
}
