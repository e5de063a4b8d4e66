import type { ClosureConsent } from './closure.js';
import { evaluate } from './eligibility.js';
import type { Blocker, Verdict } from './eligibility.js';
import type { AccountFacts } from './facts.js';
import type { Policy } from './policy.js';

/** The automatic actions a finalization would take with the holder's consent. */
export interface FinalizationPlan {
  cancelOrders: string[];
  sweepAssets: string[];
  revokeAuthorizations: string[];
  /** The verdict on the facts as they are, before any action. */
  before: Verdict;
  /** The verdict on the facts as they would be after every planned action. */
  after: Verdict;
}

const isAutomatic = (b: Blocker, code: Blocker['code']) =>
  b.code === code && b.severity === 'automatic';

/**
 * Plans finalization before anything is touched. Consent to sweep dust or cancel orders
 * was consent to *close*: the actions are taken only when, after them, the account would
 * be eligible. The account is frozen while this runs, so the facts cannot move under the
 * plan (a racing deposit is returned, not credited).
 *
 * Orders come first: cancelling one releases its funds, which may leave dust to sweep, or
 * a balance no sweep may take.
 */
export function planFinalization(
  facts: AccountFacts,
  policy: Policy,
  consent: ClosureConsent,
  now: Date,
): FinalizationPlan {
  let current = facts;
  const before = evaluate(current, policy, now);
  let verdict = before;
  const cancelOrders: string[] = [];
  if (consent.cancelOrders && verdict.blockers.some((b) => isAutomatic(b, 'open_orders'))) {
    cancelOrders.push(...current.openOrders.map((o) => o.id));
    current = withOrdersCancelled(current);
    verdict = evaluate(current, policy, now);
  }
  const sweepAssets: string[] = [];
  const revokeAuthorizations: string[] = [];
  for (const blocker of verdict.blockers) {
    if (consent.sweepDust && isAutomatic(blocker, 'dust_remaining') && blocker.subject.asset)
      sweepAssets.push(blocker.subject.asset);
    if (consent.revokeApps && isAutomatic(blocker, 'linked_authorization') && blocker.subject.id)
      revokeAuthorizations.push(blocker.subject.id);
  }
  const swept = new Set(sweepAssets);
  const revoked = new Set(revokeAuthorizations);
  current = {
    ...current,
    balances: current.balances.map((b) => (swept.has(b.asset) ? { ...b, available: 0n } : b)),
    authorizations: current.authorizations.filter((a) => !revoked.has(a.id)),
  };
  return {
    cancelOrders,
    sweepAssets,
    revokeAuthorizations,
    before,
    after: evaluate(current, policy, now),
  };
}

/** Cancelling an order releases what it locked into the available balance. */
function withOrdersCancelled(facts: AccountFacts): AccountFacts {
  const released = new Map<string, bigint>();
  for (const order of facts.openOrders)
    released.set(order.asset, (released.get(order.asset) ?? 0n) + order.locked);
  return {
    ...facts,
    openOrders: [],
    balances: facts.balances.map((b) => {
      const amount = released.get(b.asset) ?? 0n;
      return amount === 0n
        ? b
        : { ...b, available: b.available + amount, locked: b.locked - amount };
    }),
  };
}
