import { evaluate } from '../domain/eligibility.js';
import { raise } from '../domain/errors.js';
import type { AccountFacts } from '../domain/facts.js';
import { renderVerdict } from '../domain/messages.js';
import type { Audience, Lang, RenderedVerdict } from '../domain/messages.js';
import type { Policy } from '../domain/policy.js';
import type { AppContext, WorkflowRules } from './context.js';

export type { RenderedVerdict } from '../domain/messages.js';

/** The policy in force for a jurisdiction, with the workflow's timings read off it. */
export interface EffectivePolicy extends WorkflowRules {
  policy: Policy;
}

/** Resolves the effective policy of a jurisdiction (jurisdiction overrides merged over defaults). */
export type EligibilityRules = (jurisdiction: string) => EffectivePolicy;

export function effectivePolicy(policy: Policy): EffectivePolicy {
  return {
    policy,
    gracePeriodMs: policy.closure.gracePeriodMs,
    confirmationExpiryMs: policy.closure.confirmationExpiryMs,
    requireReauthentication: policy.closure.requireReauthentication,
    disableMinimumMs: policy.disable.minimumBeforeEnableMs,
    requireReverification: policy.disable.requireReverification,
  };
}

export interface CheckOptions {
  now: Date;
  lang: Lang;
  audience: Audience;
}

export interface EligibilityCheck {
  facts: AccountFacts;
  verdict: RenderedVerdict;
  policy: EffectivePolicy;
}

/*
 * Anti-money-laundering law forbids tipping the holder off about an investigation: a
 * holder's copy is rendered only by the one holder rendering (renderBlocker for the holder,
 * which holderVerdict uses too: hold kinds and reasons removed, agent details dropped);
 * other blockers keep the parameters the holder acts on. Rendered once: telling it again
 * through holderVerdict would change nothing (messages.test.ts checks that it does not),
 * and an eligibility request would pay for the words twice.
 */

/** Evaluates facts already read (the worker's final check). */
export function evaluateFacts(
  rules: EligibilityRules,
  facts: AccountFacts,
  now: Date,
  lang: Lang = 'en',
  audience: Audience = 'agent',
): RenderedVerdict {
  const policy = rules(facts.jurisdiction).policy;
  return renderVerdict(evaluate(facts, policy, now), { lang, audience, now });
}

/** Why can't this account be closed? Every blocker at once, each with its fix. */
export async function checkEligibility(
  ctx: AppContext,
  rules: EligibilityRules,
  accountId: string,
  options: CheckOptions,
): Promise<EligibilityCheck> {
  const facts = await factsWithOpenClosure(ctx, accountId);
  if (!facts) throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
  const policy = rules(facts.jurisdiction);
  const { lang, audience, now } = options;
  const verdict = renderVerdict(evaluate(facts, policy.policy, now), { lang, audience, now });
  return { facts, verdict, policy };
}

/** The account's facts with offboard's open closure of it: in one read where the platform can. */
async function factsWithOpenClosure(
  ctx: AppContext,
  accountId: string,
): Promise<AccountFacts | null> {
  if (ctx.platform.factsWithOpenClosure) return ctx.platform.factsWithOpenClosure(accountId);
  // Side by side: the platform's facts and offboard's own open closure are independent reads.
  const [facts, open] = await Promise.all([
    ctx.platform.facts(accountId),
    ctx.repos.closures.openFor([accountId]),
  ]);
  if (facts) facts.closure = open.get(accountId) ?? null;
  return facts;
}
