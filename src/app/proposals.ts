import { createHash } from 'node:crypto';
import type { Approval } from '../ports/approvals.js';
import type { AppContext } from './context.js';

/*
 * Four eyes only help if the second agent approves what the first proposed. The approver
 * reads the proposal (who asked, their note, and the hold or closure it concerns as it
 * stands), and the approval carries the hash of what they read: if anything in it changed
 * between reading and approving — the hold was replaced, the closure moved, the request was
 * withdrawn and asked again — the hash differs and the approval is refused.
 */

/** What an override concerns, as the approver reads it; null when it is gone. */
export type ProposalSubject =
  | {
      kind: 'hold';
      holdId: string;
      holdKind: string;
      reason: string;
      placedAt: string;
    }
  | { kind: 'closure'; closureId: string; state: string; version: number; reason: string | null };

export interface Proposal {
  approval: Approval;
  subject: ProposalSubject | null;
  /** SHA-256 (hex) of the proposal as shown: the approver's form sends it back. */
  hash: string;
}

/** The subject of an override as it stands now. */
async function subjectOf(ctx: AppContext, approval: Approval): Promise<ProposalSubject | null> {
  const action = approval.action;
  switch (action) {
    case 'hold.lift': {
      const facts = await ctx.platform.facts(approval.accountId);
      const hold = facts?.holds.find((h) => h.id === approval.subject);
      if (!hold) return null;
      return {
        kind: 'hold',
        holdId: hold.id,
        holdKind: hold.kind,
        reason: hold.reason,
        placedAt: hold.placedAt.toISOString(),
      };
    }
    case 'closure.approve': {
      const stored = await ctx.repos.closures.get(approval.subject);
      if (!stored) return null;
      const { closure } = stored;
      return {
        kind: 'closure',
        closureId: closure.id,
        state: closure.state,
        version: closure.version,
        reason: closure.reason,
      };
    }
  }
}

/** The hash of a proposal: every field the approver is shown, in a fixed order. */
export function proposalHash(approval: Approval, subject: ProposalSubject | null): string {
  const shown = [
    approval.id,
    approval.action,
    approval.accountId,
    approval.subject,
    approval.note,
    approval.requestedBy,
    approval.requestedAt.toISOString(),
    subject,
  ];
  return createHash('sha256').update(JSON.stringify(shown)).digest('hex');
}

/** A pending override as the approver reads it, with its hash. */
export async function readProposal(ctx: AppContext, approval: Approval): Promise<Proposal> {
  const subject = await subjectOf(ctx, approval);
  return { approval, subject, hash: proposalHash(approval, subject) };
}
