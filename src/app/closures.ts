import { createHash, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { createClosure, creationEffects, transition } from '../domain/closure.js';
import type { Closure, ClosureConsent, ClosureEvent } from '../domain/closure.js';
import { missingConsents } from '../domain/consent.js';
import { raise } from '../domain/errors.js';
import type { RenderedVerdict } from '../domain/messages.js';
import type { StoredClosure } from '../ports/closures.js';
import type { Repositories } from '../ports/unit-of-work.js';
import type { Actor, AppContext } from './context.js';
import { checkEligibility } from './check-eligibility.js';
import type { EligibilityRules } from './check-eligibility.js';
import { performEffects } from './effects.js';

/** An unknown account is bad input (exit 2, HTTP 404), not "no closure". */
async function requireAccount(ctx: AppContext, accountId: string): Promise<void> {
  if (!(await ctx.platform.contact(accountId)))
    throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
}

/** Wrong codes a closure tolerates before the request must be made again. */
export const MAX_CODE_ATTEMPTS = 5;

const codeHash = (closureId: string, code: string) =>
  createHash('sha256').update(`${closureId}:${code}`).digest('hex');

export interface RequestClosureInput {
  accountId: string;
  consent: ClosureConsent;
  /** The platform already re-authenticated the holder: no code is needed. */
  confirmed: boolean;
  /** Overrides the policy's grace period (sandbox and tests). */
  gracePeriodMs?: number;
  actor: Actor;
}

export interface RequestClosureResult {
  closure: Closure;
  verdict: RenderedVerdict;
  /** Whether a one-time code went to every channel on file. */
  codeSent: boolean;
}

/**
 * Accepts a closure when only waits and consented automatic actions stand in the way;
 * refuses it with the full verdict when the holder or support must act first.
 */
export async function requestClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: RequestClosureInput,
): Promise<RequestClosureResult> {
  const now = ctx.clock.now();
  const check = await checkEligibility(ctx, rules, input.accountId, {
    now,
    lang: 'en',
    audience: 'holder',
  });
  const { verdict } = check;
  if (check.facts.closure) {
    throw raise('OFFBOARD_ERR_CLOSURE_IN_PROGRESS', {
      accountId: input.accountId,
      closureId: check.facts.closure.id,
      state: check.facts.closure.state,
    });
  }
  if (verdict.blockers.some((b) => b.code === 'account_closed')) {
    throw raise('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', {
      accountId: input.accountId,
      status: 'closed',
      refused: 'close',
    });
  }
  const hard = verdict.blockers.filter(
    (b) => b.severity === 'holder_action' || b.severity === 'support',
  );
  if (hard.length > 0) {
    throw raise(
      'OFFBOARD_ERR_NOT_ELIGIBLE',
      {
        accountId: input.accountId,
        blockers: verdict.blockers.length,
        needHolderOrSupport: hard.length,
      },
      {
        details: verdict.blockers.map(
          (b) => `${b.code}: ${b.message}${b.fix ? ` — ${b.fix}` : ''}`,
        ),
        data: verdict,
      },
    );
  }
  const missing = missingConsents(verdict.blockers, input.consent);
  if (missing.length > 0) {
    throw raise(
      'OFFBOARD_ERR_CONSENT_REQUIRED',
      { accountId: input.accountId, consents: missing },
      { data: verdict },
    );
  }
  const policy = check.policy;
  const timings = {
    gracePeriodMs: input.gracePeriodMs ?? policy.gracePeriodMs,
    confirmationExpiryMs: policy.confirmationExpiryMs,
  };
  const confirmed = input.confirmed || !policy.requireReauthentication;
  const closure = createClosure({
    id: `cl_${randomUUID()}`,
    accountId: input.accountId,
    now,
    timings,
    consent: input.consent,
    confirmed,
    earliestEligibleAt: verdict.earliestEligibleAt ? new Date(verdict.earliestEligibleAt) : null,
  });
  const code = confirmed ? null : String(randomInt(0, 1_000_000)).padStart(6, '0');
  const contact = await ctx.platform.contact(input.accountId);
  await performEffects(ctx, {
    closure,
    effects: creationEffects(closure),
    actor: input.actor,
    action: 'closure.request',
    contact,
    vars: code === null ? {} : { code },
    data: { consent: closure.consent, confirmed, blockers: verdict.blockers.map((b) => b.code) },
    now,
    store: async (repos) => {
      if (await repos.closures.findOpen(input.accountId)) {
        throw raise('OFFBOARD_ERR_CLOSURE_IN_PROGRESS', { accountId: input.accountId });
      }
      await repos.closures.insert(closure, {
        codeHash: code === null ? null : codeHash(closure.id, code),
        verdict,
        now,
      });
      return true;
    },
  });
  return { closure, verdict, codeSent: code !== null };
}

/** Applies a holder, agent or platform event to the account's open closure, with its effects. */
export async function moveOpenClosure(
  ctx: AppContext,
  accountId: string,
  event: ClosureEvent,
  actor: Actor,
  rules: EligibilityRules,
  guard?: (stored: StoredClosure, repos: Repositories) => Promise<void>,
): Promise<Closure> {
  const now = ctx.clock.now();
  const stored = await ctx.repos.closures.findOpen(accountId);
  if (!stored) {
    await requireAccount(ctx, accountId);
    throw raise('OFFBOARD_ERR_NO_CLOSURE', { accountId });
  }
  const contact = await ctx.platform.contact(accountId);
  const policy = rules(contact?.jurisdiction ?? 'ZZ');
  const timings = {
    gracePeriodMs: policy.gracePeriodMs,
    confirmationExpiryMs: policy.confirmationExpiryMs,
  };
  const result = transition(stored.closure, event, now, timings);
  await performEffects(ctx, {
    closure: result.ok ? result.closure : stored.closure,
    effects: result.ok ? result.effects : [],
    actor,
    action: `closure.${event.type}`,
    contact,
    now,
    store: async (repos) => {
      if (guard) await guard(stored, repos);
      if (!result.ok)
        throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
          accountId,
          reason: result.refusal.code,
          refusal: result.refusal.message,
        });
      if (!(await repos.closures.saveTransition(result.closure, stored.closure.version, { now }))) {
        throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', { accountId, reason: 'changed_meanwhile' });
      }
      return true;
    },
  });
  // The store threw a refusal before anything ran, so only an accepted transition gets here.
  if (!result.ok)
    throw raise('OFFBOARD_ERR_CLOSURE_REFUSED', {
      accountId,
      reason: result.refusal.code,
      refusal: result.refusal.message,
    });
  return result.closure;
}

/** Confirms a requested closure with the one-time code sent to the holder's channels. */
export async function confirmClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; code: string; actor: Actor },
): Promise<Closure> {
  const stored = await ctx.repos.closures.findOpen(input.accountId);
  if (!stored || stored.closure.state !== 'requested') {
    await requireAccount(ctx, input.accountId);
    throw raise('OFFBOARD_ERR_NO_CLOSURE', {
      accountId: input.accountId,
      awaiting: 'confirmation',
    });
  }
  if (stored.codeAttempts >= MAX_CODE_ATTEMPTS) {
    throw raise('OFFBOARD_ERR_TOO_MANY_ATTEMPTS', {
      accountId: input.accountId,
      attempts: MAX_CODE_ATTEMPTS,
    });
  }
  const expected = Buffer.from(stored.codeHash ?? '');
  const given = Buffer.from(codeHash(stored.closure.id, input.code.trim()));
  if (
    expected.length !== given.length ||
    !timingSafeEqual(expected, given) ||
    ctx.clock.now() >= stored.closure.confirmationExpiresAt
  ) {
    await ctx.unitOfWork.run((repos) => repos.closures.recordCodeAttempt(stored.closure.id));
    throw raise('OFFBOARD_ERR_BAD_CODE', { accountId: input.accountId });
  }
  return moveOpenClosure(ctx, input.accountId, { type: 'confirm' }, input.actor, rules);
}

/** Cancels a closure until finalization starts. */
export function cancelClosure(
  ctx: AppContext,
  rules: EligibilityRules,
  input: { accountId: string; actor: Actor },
): Promise<Closure> {
  return moveOpenClosure(
    ctx,
    input.accountId,
    { type: 'cancel', by: input.actor.kind === 'agent' ? 'agent' : 'holder' },
    input.actor,
    rules,
  );
}

export interface ClosureStatus {
  accountId: string;
  closure: Closure | null;
  verdict: RenderedVerdict | null;
}

/** The account's latest closure (open or ended) and its last verdict. */
export async function closureStatus(ctx: AppContext, accountId: string): Promise<ClosureStatus> {
  const facts = await ctx.platform.facts(accountId);
  if (!facts) throw raise('OFFBOARD_ERR_UNKNOWN_ACCOUNT', { accountId });
  const stored = await ctx.repos.closures.latest(accountId);
  return { accountId, closure: stored?.closure ?? null, verdict: stored?.verdict ?? null };
}
