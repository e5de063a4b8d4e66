import type { AuditEntry, ChainVerdict } from '../domain/audit-chain.js';
import type { Lang } from '../domain/messages.js';
import type { MailMessage } from '../ports/mailbox.js';
import { accountPicture } from './account-picture.js';
import type { AccountPicture } from './account-picture.js';
import type { EligibilityRules } from './check-eligibility.js';
import type { AppContext } from './context.js';
import { readProposal } from './proposals.js';
import type { Proposal } from './proposals.js';
import { listTickets } from './tickets.js';
import type { TicketRow } from './tickets.js';

/*
 * An account as the agent console's case page shows it: the account picture (the
 * agent-audience verdict, the facts, closures, audit entries, approvals), the pending
 * overrides with the hash the approver's form carries, whether the audit log verifies,
 * the messages the holder was sent, and the account's support tickets.
 */

export interface AgentCase extends AccountPicture {
  /** Pending overrides as an approver reads them, each with its proposal hash. */
  proposals: Proposal[];
  /** `audit verify` over the whole log, now. */
  auditVerdict: ChainVerdict;
  /** Holder notifications, newest last (subjects only are shown: bodies carry codes and links). */
  messages: MailMessage[];
  /** The account's support tickets, newest first, with where each stands against its SLA. */
  tickets: TicketRow[];
}

export async function agentCase(
  ctx: AppContext,
  rules: EligibilityRules,
  accountId: string,
  options: { now: Date; lang: Lang },
): Promise<AgentCase> {
  const picture = await accountPicture(ctx, rules, accountId, options);
  const [proposals, auditVerdict, messages, tickets] = await Promise.all([
    Promise.all(
      picture.approvals.filter((a) => a.status === 'pending').map((a) => readProposal(ctx, a)),
    ),
    ctx.repos.audit.verify(),
    ctx.repos.mailbox.list({ accountId, limit: 50 }),
    listTickets(ctx, rules, { accountId, limit: 50 }),
  ]);
  return { ...picture, proposals, auditVerdict, messages, tickets };
}

/** One line of the case's timeline: a closure's own instants merged with the audit entries. */
export type TimelineEntry =
  | { type: 'audit'; at: Date; entry: AuditEntry }
  | { type: 'closure'; at: Date; closureId: string; event: ClosureMoment };

export type ClosureMoment = 'requested' | 'confirmed' | 'grace_ends' | 'ended';

/** The closures' instants and the audit entries, oldest first. */
export function caseTimeline(picture: AccountPicture): TimelineEntry[] {
  const lines: TimelineEntry[] = picture.audit.map((entry) => ({
    type: 'audit',
    at: new Date(entry.at),
    entry,
  }));
  for (const { closure } of picture.closures) {
    const moments: [ClosureMoment, Date | null][] = [
      ['requested', closure.requestedAt],
      ['confirmed', closure.confirmedAt],
      ['grace_ends', closure.graceEndsAt],
      ['ended', closure.endedAt],
    ];
    for (const [event, at] of moments)
      if (at) lines.push({ type: 'closure', at, closureId: closure.id, event });
  }
  return lines.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      (a.type === 'audit' && b.type === 'audit' ? a.entry.seq - b.entry.seq : 0),
  );
}
