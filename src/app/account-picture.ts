import type { AuditEntry } from '../domain/audit-chain.js';
import type { AccountFacts } from '../domain/facts.js';
import type { Lang, RenderedVerdict } from '../domain/messages.js';
import type { StoredClosure } from '../ports/closures.js';
import { listApprovals } from './agent-decisions.js';
import type { Approval } from './agent-decisions.js';
import { checkEligibility } from './check-eligibility.js';
import type { EligibilityRules } from './check-eligibility.js';
import type { AppContext } from './context.js';

/** Everything an agent needs to decide about one account, read at once. */
export interface AccountPicture {
  facts: AccountFacts;
  /** For agents: hold kinds, reasons and details included. */
  verdict: RenderedVerdict;
  /** Newest first. */
  closures: StoredClosure[];
  /** The newest entries, in chain order. */
  audit: AuditEntry[];
  /** Overrides asked for on this account, newest first. */
  approvals: Approval[];
  disabledSince: Date | null;
}

export async function accountPicture(
  ctx: AppContext,
  rules: EligibilityRules,
  accountId: string,
  options: { now: Date; lang: Lang; auditLimit?: number; closureLimit?: number },
): Promise<AccountPicture> {
  const { facts, verdict } = await checkEligibility(ctx, rules, accountId, {
    now: options.now,
    lang: options.lang,
    audience: 'agent',
  });
  const [closures, audit, approvals, disablement] = await Promise.all([
    ctx.repos.closures.list({ accountId, limit: options.closureLimit ?? 20 }),
    ctx.repos.audit.forAccount(accountId, options.auditLimit ?? 100),
    listApprovals(ctx, { accountId, limit: 50 }),
    ctx.repos.disablements.findOpen(accountId),
  ]);
  return {
    facts,
    verdict,
    closures: closures.closures,
    audit,
    approvals,
    disabledSince: disablement?.disabledAt ?? null,
  };
}
