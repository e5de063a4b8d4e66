import { checkEligibility } from '../../../app/check-eligibility.js';
import { closureStatus } from '../../../app/closures.js';
import type { Closure, ClosureConsent } from '../../../domain/closure.js';
import { consentByName, missingConsents, NO_CONSENT } from '../../../domain/consent.js';
import { OffboardError } from '../../../domain/errors.js';
import { holderVerdict } from '../../../domain/messages.js';
import type { Lang, RenderedVerdict } from '../../../domain/messages.js';
import type { Context } from '../../../main/context.js';

/*
 * What the holder's page shows, read through the same use cases as the API: the account's
 * state, its latest closure, and the verdict told through `holderVerdict` — the one holder
 * rendering, so a hold's kind and reason cannot reach the page.
 */

export type PageState =
  'active' | 'requested' | 'grace' | 'finalizing' | 'escalated' | 'frozen' | 'disabled' | 'closed';

export interface AccountView {
  accountId: string;
  state: PageState;
  /** The latest closure, open or ended. */
  closure: Closure | null;
  verdict: RenderedVerdict;
  /** Blockers closure cannot get past by waiting or by consent: no final button while any remain. */
  blocking: number;
  /** The consents closing would need (one per kind of automatic action), as ClosureConsent fields. */
  consents: (keyof ClosureConsent)[];
  now: Date;
  jurisdiction: string;
}

const OPEN = new Set(['requested', 'grace', 'finalizing', 'escalated']);

export async function loadAccount(
  ctx: Context,
  accountId: string,
  lang: Lang,
): Promise<AccountView> {
  const facts = await ctx.app.platform.facts(accountId);
  if (!facts) throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
  const now = ctx.clock.now();
  // The open closure when there is one: `latest` orders by request instant, and a request
  // made in the same instant as a cancelled one must not hide behind it.
  const [open, { closure: latest }, { verdict }] = await Promise.all([
    ctx.app.repos.closures.findOpen(accountId),
    closureStatus(ctx.app, accountId),
    checkEligibility(ctx.app, ctx.rules, accountId, { now, lang, audience: 'holder' }),
  ]);
  const closure = open?.closure ?? latest;
  const told = holderVerdict(verdict, lang);
  const state: PageState =
    facts.status === 'closed'
      ? 'closed'
      : facts.status === 'disabled'
        ? 'disabled'
        : closure && OPEN.has(closure.state)
          ? (closure.state as PageState)
          : facts.status === 'frozen'
            ? 'frozen'
            : 'active';
  const consents = missingConsents(told.blockers, NO_CONSENT).map(
    (name) => consentByName(name)!.field,
  );
  return {
    accountId,
    state,
    closure,
    verdict: told,
    blocking: told.blockers.filter(
      (b) => b.severity === 'holder_action' || b.severity === 'support',
    ).length,
    consents,
    now,
    jurisdiction: facts.jurisdiction,
  };
}
