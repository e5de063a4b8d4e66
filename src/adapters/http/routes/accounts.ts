import { checkEligibility } from '../../../app/check-eligibility.js';
import {
  cancelClosure,
  closureStatus,
  confirmClosure,
  requestClosure,
} from '../../../app/closures.js';
import { disableAccount } from '../../../app/disable-account.js';
import { verdictForHolder } from '../../../app/holder-views.js';
import type { ClosureConsent } from '../../../domain/closure.js';
import type { Lang, RenderedVerdict } from '../../../domain/messages.js';
import type { Services } from '../app.js';
import type { Caller } from '../auth.js';
import { closureView } from '../views.js';

/*
 * What the holder routes (/v1/me/...) and the platform routes (/v1/accounts/{id}/...)
 * share: the same use cases, with the caller deciding the actor and what may be shown.
 */

export async function eligibility(
  services: Services,
  caller: Caller,
  lang: Lang,
  audience: 'holder' | 'agent',
): Promise<RenderedVerdict> {
  const { ctx } = services;
  // A holder sees the holder's words whatever they ask for.
  const who = caller.audience === 'holder' ? 'holder' : audience;
  const { verdict } = await checkEligibility(ctx.app, ctx.rules, caller.accountId, {
    now: ctx.clock.now(),
    lang,
    audience: who,
  });
  return verdict;
}

export async function status(
  services: Services,
  caller: Caller,
  lang: Lang,
  audience: 'holder' | 'agent',
) {
  const result = await closureStatus(services.ctx.app, caller.accountId);
  const forHolder = caller.audience === 'holder' || audience === 'holder';
  return {
    accountId: result.accountId,
    closure: result.closure
      ? closureView(result.closure, forHolder ? 'holder' : caller.audience)
      : null,
    verdict: forHolder ? verdictForHolder(result.verdict, lang) : result.verdict,
  };
}

export async function request(
  services: Services,
  caller: Caller,
  input: { consent?: Partial<ClosureConsent>; confirmed?: boolean; gracePeriodMs?: number },
) {
  const { ctx } = services;
  const consent: ClosureConsent = {
    sweepDust: input.consent?.sweepDust ?? false,
    cancelOrders: input.consent?.cancelOrders ?? false,
    revokeApps: input.consent?.revokeApps ?? false,
  };
  const result = await requestClosure(ctx.app, ctx.rules, {
    accountId: caller.accountId,
    consent,
    confirmed: input.confirmed ?? false,
    gracePeriodMs: input.gracePeriodMs,
    actor: caller.actor,
  });
  return { closure: closureView(result.closure, caller.audience), codeSent: result.codeSent };
}

export async function confirm(services: Services, caller: Caller, code: string) {
  const { ctx } = services;
  const closure = await confirmClosure(ctx.app, ctx.rules, {
    accountId: caller.accountId,
    code,
    actor: caller.actor,
  });
  return { closure: closureView(closure, caller.audience) };
}

export async function cancel(services: Services, caller: Caller) {
  const closure = await cancelClosure(services.ctx.app, services.ctx.rules, {
    accountId: caller.accountId,
    actor: caller.actor,
  });
  return { closure: closureView(closure, caller.audience) };
}

export async function disable(services: Services, caller: Caller, reason: string) {
  const { ctx } = services;
  const rules = ctx.rules(await ctx.jurisdiction(caller.accountId));
  const result = await disableAccount(ctx.app, rules, {
    accountId: caller.accountId,
    reason,
    actor: caller.actor,
  });
  return { accountId: caller.accountId, ...result };
}
