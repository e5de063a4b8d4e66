/**
 * Eligibility (DESIGN.md part 3): `evaluate(facts, policy, now)` says whether an account can
 * be closed and, when it cannot, lists every reason at once — never just the first — each
 * with who clears it and how. Pure: the facts, the policy and the instant are arguments.
 * docs/blockers.md is the public table of codes; a test keeps it and BLOCKER_CODES in step.
 */
import { formatDuration } from './duration.js';
import type { BalanceFact, EligibilityFacts, TransferFact } from './facts.js';
import { formatAmount, valueInReference } from './money.js';
import type { Policy, Price } from './policy.js';

/**
 * Every blocker code, in the order blockers are reported: first what makes closing
 * impossible or moot, then what needs support, then what the holder must do, then what
 * closure does by itself or time resolves. Codes are a public contract: never rename one.
 */
export const BLOCKER_CODES = [
  'account_closed',
  'closure_in_progress',
  'account_hold',
  'open_dispute',
  'funds_locked',
  'negative_balance',
  'balance_remaining',
  'pending_withdrawal',
  'pending_deposit',
  'open_orders',
  'linked_authorization',
  'dust_remaining',
  'cooling_off',
] as const;

export type BlockerCode = (typeof BLOCKER_CODES)[number];

/** Who or what clears the blocker: the holder, closure itself (with consent), time, or support. */
export type Severity = 'holder_action' | 'automatic' | 'wait' | 'support';

export const SEVERITIES: readonly Severity[] = ['holder_action', 'automatic', 'wait', 'support'];

export type SubjectKind =
  | 'asset'
  | 'order'
  | 'transfer'
  | 'dispute'
  | 'authorization'
  | 'hold'
  | 'activity'
  | 'account'
  | 'closure';

export interface BlockerSubject {
  kind: SubjectKind;
  id?: string;
  asset?: string;
}

export type RemedyAction =
  /** Move the balance out of the account. */
  | 'withdraw'
  /** Deposit what is owed. */
  | 'repay'
  | 'cancel_order'
  | 'sweep_dust'
  | 'revoke_authorization'
  | 'contact_support'
  /** Wait until `until`. */
  | 'wait'
  /** Wait for a transfer in flight; its end is not known. */
  | 'wait_for_transfer'
  /** Wait for the closure in progress to end (or cancel it). */
  | 'wait_for_closure'
  /** Nothing can be done: the account is closed. */
  | 'none';

export interface Remedy {
  action: RemedyAction;
  /** ISO 8601 instant the wait ends, for waits with a known end. */
  until?: string;
}

export interface Blocker {
  code: BlockerCode;
  severity: Severity;
  subject: BlockerSubject;
  remedy: Remedy;
  /**
   * What the message templates need, already formatted (amounts via formatAmount, instants
   * as ISO 8601). For holds this includes the kind and reason: agent data, never shown
   * to the holder as is — render with renderVerdict.
   */
  params: Record<string, string>;
  /** Agent-facing English detail; may name a hold's kind and reason. */
  detail: string;
}

export type AutomaticActionKind = 'sweep_dust' | 'cancel_order' | 'revoke_authorization';

/** An action closure takes on the holder's behalf, with consent, at finalization. */
export interface AutomaticAction {
  kind: AutomaticActionKind;
  subject: BlockerSubject;
}

export interface Verdict {
  accountId: string;
  evaluatedAt: string;
  /** True exactly when there are no blockers. */
  eligible: boolean;
  blockers: Blocker[];
  /**
   * When every blocker is a wait with a known end: the latest end, after which the same
   * facts are eligible. Null otherwise, including when already eligible.
   */
  earliestEligibleAt: string | null;
  automaticActions: AutomaticAction[];
}

/** Evaluates whether the account can be closed at `now` under `policy`. Pure. */
export function evaluate(facts: EligibilityFacts, policy: Policy, now: Date): Verdict {
  const blockers =
    // A closed account has nothing left to fix; listing its returned deposits or old holds
    // as things to do would send the holder on errands that cannot help.
    facts.status === 'closed'
      ? [closedBlocker(facts)]
      : [
          ...closureBlockers(facts),
          ...facts.holds.map(holdBlocker),
          ...facts.disputes.map(disputeBlocker),
          ...facts.balances.flatMap((balance) => balanceBlockers(balance, facts, policy)),
          ...facts.pendingTransfers.map(transferBlocker),
          ...orderBlockers(facts, policy),
          ...authorizationBlockers(facts, policy),
          ...coolingOffBlockers(facts, policy, now),
        ];
  blockers.sort(compareBlockers);
  return {
    accountId: facts.accountId,
    evaluatedAt: now.toISOString(),
    eligible: blockers.length === 0,
    blockers,
    earliestEligibleAt: earliestEligibleAt(blockers),
    automaticActions: blockers.flatMap(automaticAction),
  };
}

// ——— the account ———

function closedBlocker(facts: EligibilityFacts): Blocker {
  return {
    code: 'account_closed',
    severity: 'support',
    subject: { kind: 'account', id: facts.accountId },
    remedy: { action: 'none' },
    params: { accountId: facts.accountId },
    detail: `account ${facts.accountId} is closed`,
  };
}

function closureBlockers(facts: EligibilityFacts): Blocker[] {
  if (!facts.closure) return [];
  const { id, state } = facts.closure;
  return [
    {
      code: 'closure_in_progress',
      severity: 'wait',
      subject: { kind: 'closure', id },
      remedy: { action: 'wait_for_closure' },
      params: { closureId: id, closureState: state },
      detail: `closure ${id} is in progress (${state})`,
    },
  ];
}

function holdBlocker(hold: EligibilityFacts['holds'][number]): Blocker {
  const placedAt = hold.placedAt.toISOString();
  return {
    code: 'account_hold',
    severity: 'support',
    subject: { kind: 'hold', id: hold.id },
    remedy: { action: 'contact_support' },
    params: { holdId: hold.id, holdKind: hold.kind, reason: hold.reason, placedAt },
    detail: `${hold.kind} hold ${hold.id} placed ${placedAt}: ${hold.reason}`,
  };
}

function disputeBlocker(dispute: EligibilityFacts['disputes'][number]): Blocker {
  const amount = formatAmount(dispute.amount, dispute.decimals);
  const openedAt = dispute.openedAt.toISOString();
  return {
    code: 'open_dispute',
    severity: 'support',
    subject: { kind: 'dispute', id: dispute.id, asset: dispute.asset },
    remedy: { action: 'contact_support' },
    params: {
      disputeId: dispute.id,
      disputeKind: dispute.kind,
      asset: dispute.asset,
      amount,
      openedAt,
    },
    detail: `${dispute.kind} ${dispute.id} over ${amount} ${dispute.asset} opened ${openedAt} is unresolved`,
  };
}

// ——— balances ———

/**
 * One asset's balance. Locked funds that an open order or a pending withdrawal of the asset
 * explains are on their way out and are reported as that order or transfer, so they do not
 * count again as a balance. What remains — available plus unexplained locked funds — is
 * what the holder still holds: at least the dust threshold (or unpriced) is
 * `balance_remaining`, less is `dust_remaining`. Unexplained locked funds are also
 * `funds_locked`, which only support can release; when nothing is available the locked
 * funds are all there is, and `funds_locked` alone says so.
 */
function balanceBlockers(balance: BalanceFact, facts: EligibilityFacts, policy: Policy): Blocker[] {
  const { asset, decimals } = balance;
  const fmt = (minor: bigint) => formatAmount(minor, decimals);
  const explained = explainedLocked(asset, facts);
  const unexplained = unexplainedLocked(balance, explained);
  const blockers: Blocker[] = [];

  if (unexplained > 0n) {
    blockers.push({
      code: 'funds_locked',
      severity: 'support',
      subject: { kind: 'asset', asset },
      remedy: { action: 'contact_support' },
      params: {
        asset,
        amount: fmt(unexplained),
        locked: fmt(balance.locked),
        explained: fmt(explained),
      },
      detail: `${fmt(balance.locked)} ${asset} is locked but open orders and pending withdrawals explain only ${fmt(explained)}`,
    });
  }
  if (balance.available < 0n) {
    const owed = fmt(-balance.available);
    blockers.push({
      code: 'negative_balance',
      severity: 'holder_action',
      subject: { kind: 'asset', asset },
      remedy: { action: 'repay' },
      params: { asset, amount: owed },
      detail: `the ${asset} balance is ${fmt(balance.available)}: the holder owes ${owed} ${asset}`,
    });
  }
  if (balance.available > 0n)
    blockers.push(holdingBlocker(balance, balance.available + unexplained, policy));
  return blockers;
}

function holdingBlocker(balance: BalanceFact, held: bigint, policy: Policy): Blocker {
  const { asset, decimals } = balance;
  const amount = formatAmount(held, decimals);
  const currency = policy.referenceCurrency;
  const threshold = formatAmount(policy.dustThresholdMinor, policy.referenceDecimals);
  const valueMinor = holdingValue(balance, held, policy);
  if (valueMinor === null) {
    return {
      code: 'balance_remaining',
      severity: 'holder_action',
      subject: { kind: 'asset', asset },
      remedy: { action: 'withdraw' },
      params: { asset, amount, currency },
      // Unpriced means unknown worth: it may be a fortune, so it is never swept as dust.
      detail: `${amount} ${asset} remains and has no price in ${currency}`,
    };
  }
  const value = formatAmount(valueMinor, policy.referenceDecimals);
  if (holdingCode(valueMinor, policy) === 'balance_remaining') {
    return {
      code: 'balance_remaining',
      severity: 'holder_action',
      subject: { kind: 'asset', asset },
      remedy: { action: 'withdraw' },
      params: { asset, amount, value, currency, threshold },
      detail: `${amount} ${asset} remains, worth ${value} ${currency} (dust threshold ${threshold} ${currency})`,
    };
  }
  const sweep = policy.consent.sweepDust;
  return {
    code: 'dust_remaining',
    severity: sweep ? 'automatic' : 'holder_action',
    subject: { kind: 'asset', asset },
    remedy: { action: sweep ? 'sweep_dust' : 'withdraw' },
    params: { asset, amount, value, currency, threshold },
    detail: `${amount} ${asset} remains, worth ${value} ${currency}, below the dust threshold of ${threshold} ${currency}${sweep ? '; closure sweeps it with consent' : '; the policy does not allow sweeping it'}`,
  };
}

/** What `held` of the balance's asset is worth in reference minor units; null when unpriced. */
function holdingValue(balance: BalanceFact, held: bigint, policy: Policy): bigint | null {
  const price = priceOf(balance, policy);
  if (price === null) return null;
  return valueInReference(held, balance.decimals, price.minorPerUnit, price.scale);
}

/** Unpriced or worth at least the dust threshold is a balance to withdraw; less is dust. */
function holdingCode(
  valueMinor: bigint | null,
  policy: Policy,
): 'balance_remaining' | 'dust_remaining' {
  return valueMinor === null || valueMinor >= policy.dustThresholdMinor
    ? 'balance_remaining'
    : 'dust_remaining';
}

function priceOf(balance: BalanceFact, policy: Policy): Price | null {
  const override = policy.prices.get(balance.asset);
  if (override) return override;
  // A negative price is a platform bug; treating it as unknown never sweeps real money.
  if (balance.priceMinorPerUnit === null || balance.priceMinorPerUnit < 0n) return null;
  return { minorPerUnit: balance.priceMinorPerUnit, scale: 0 };
}

/** Locked funds that nothing on their way out explains: only support can release them. */
function unexplainedLocked(balance: BalanceFact, explained: bigint): bigint {
  return balance.locked > explained ? balance.locked - explained : 0n;
}

/** Locked funds of `asset` that open orders and pending withdrawals account for. */
function explainedLocked(asset: string, facts: EligibilityFacts): bigint {
  let total = 0n;
  for (const order of facts.openOrders)
    if (order.asset === asset && order.locked > 0n) total += order.locked;
  for (const transfer of facts.pendingTransfers) {
    if (transfer.direction === 'withdrawal' && transfer.asset === asset && transfer.amount > 0n)
      total += transfer.amount;
  }
  return total;
}

// ——— transfers, orders, authorizations ———

function transferBlocker(transfer: TransferFact): Blocker {
  const amount = formatAmount(transfer.amount, transfer.decimals);
  const createdAt = transfer.createdAt.toISOString();
  return {
    code: transfer.direction === 'withdrawal' ? 'pending_withdrawal' : 'pending_deposit',
    severity: 'wait',
    subject: { kind: 'transfer', id: transfer.id, asset: transfer.asset },
    // The platform does not say when a transfer settles, so the wait has no end to promise.
    remedy: { action: 'wait_for_transfer' },
    params: {
      transferId: transfer.id,
      asset: transfer.asset,
      amount,
      createdAt,
      cancellable: transfer.cancellable ? 'yes' : 'no',
    },
    detail: `${transfer.direction} ${transfer.id} of ${amount} ${transfer.asset} started ${createdAt} is in flight${transfer.cancellable ? ' (cancellable)' : ''}`,
  };
}

/** One blocker per open order, so the holder sees which orders and the funds each holds. */
function orderBlockers(facts: EligibilityFacts, policy: Policy): Blocker[] {
  const automatic = policy.consent.cancelOpenOrders;
  return facts.openOrders.map((order) => {
    const amount = formatAmount(order.locked, order.decimals);
    const createdAt = order.createdAt.toISOString();
    return {
      code: 'open_orders',
      severity: automatic ? 'automatic' : 'holder_action',
      subject: { kind: 'order', id: order.id, asset: order.asset },
      remedy: { action: 'cancel_order' },
      params: { orderId: order.id, side: order.side, asset: order.asset, amount, createdAt },
      detail: `${order.side} order ${order.id} placed ${createdAt} holds ${amount} ${order.asset}${automatic ? '; closure cancels it with consent' : ''}`,
    };
  });
}

function authorizationBlockers(facts: EligibilityFacts, policy: Policy): Blocker[] {
  const revocable = policy.consent.revocableAuthorizationKinds;
  return facts.authorizations.map((authorization) => {
    const automatic = revocable.includes(authorization.kind);
    const grantedAt = authorization.grantedAt.toISOString();
    return {
      code: 'linked_authorization',
      severity: automatic ? 'automatic' : 'holder_action',
      subject: { kind: 'authorization', id: authorization.id },
      remedy: { action: 'revoke_authorization' },
      params: {
        authorizationId: authorization.id,
        authorizationKind: authorization.kind,
        name: authorization.name,
        grantedAt,
      },
      detail: `${authorization.kind} authorization ${authorization.id} (${authorization.name}) granted ${grantedAt}${automatic ? '; closure revokes it with consent' : '; the holder must cancel it'}`,
    };
  });
}

// ——— cooling-off ———

export type CoolingOffActivity = 'withdrawal' | 'trade' | 'deposit' | 'security_change';

function coolingOffBlockers(facts: EligibilityFacts, policy: Policy, now: Date): Blocker[] {
  const { lastActivity } = facts;
  const rules = policy.coolingOff;
  const candidates: [CoolingOffActivity, Date | null, number][] = [
    ['withdrawal', lastActivity.withdrawal, rules.afterWithdrawalMs],
    ['trade', lastActivity.trade, rules.afterTradeMs],
    ['deposit', lastActivity.deposit, rules.afterDepositMs],
    ['security_change', lastActivity.securityChange, rules.afterSecurityChangeMs],
  ];
  const blockers: Blocker[] = [];
  for (const [activity, at, period] of candidates) {
    const until = coolingOffEnd(at, period, now);
    if (until === null || at === null) continue;
    const untilIso = new Date(until).toISOString();
    const lastAt = at.toISOString();
    blockers.push({
      code: 'cooling_off',
      severity: 'wait',
      subject: { kind: 'activity', id: activity },
      remedy: { action: 'wait', until: untilIso },
      params: { activity, lastAt, until: untilIso, period: formatDuration(period) },
      detail: `last ${activity.replace('_', ' ')} at ${lastAt}; the ${formatDuration(period)} cooling-off ends ${untilIso}`,
    });
  }
  return blockers;
}

/** When the cooling-off after activity at `at` ends (epoch ms); null when it does not apply at `now`. */
function coolingOffEnd(at: Date | null, period: number, now: Date): number | null {
  // A zero period switches the cooling-off off, even for activity dated after `now`.
  if (at === null || period <= 0) return null;
  const until = at.getTime() + period;
  return now.getTime() >= until ? null : until;
}

function coolingOffApplies(facts: EligibilityFacts, policy: Policy, now: Date): boolean {
  const { lastActivity: last } = facts;
  const rules = policy.coolingOff;
  return (
    coolingOffEnd(last.withdrawal, rules.afterWithdrawalMs, now) !== null ||
    coolingOffEnd(last.trade, rules.afterTradeMs, now) !== null ||
    coolingOffEnd(last.deposit, rules.afterDepositMs, now) !== null ||
    coolingOffEnd(last.securityChange, rules.afterSecurityChangeMs, now) !== null
  );
}

// ——— counting only ———

/** Bit `i` stands for BLOCKER_CODES[i] in a code set. */
const CODE_BIT = Object.fromEntries(BLOCKER_CODES.map((code, index) => [code, 1 << index])) as {
  readonly [C in BlockerCode]: number;
};

/**
 * The codes `evaluate` would report, as a bit set (bit `i` is BLOCKER_CODES[i]), built
 * from the same rules without making a single blocker, message or date: what a scan that
 * only counts needs. Zero exactly when the account is eligible. A property test keeps it
 * equal to the codes of `evaluate`'s verdict.
 */
export function blockerCodeSet(facts: EligibilityFacts, policy: Policy, now: Date): number {
  if (facts.status === 'closed') return CODE_BIT.account_closed;
  let set = 0;
  if (facts.closure) set |= CODE_BIT.closure_in_progress;
  if (facts.holds.length > 0) set |= CODE_BIT.account_hold;
  if (facts.disputes.length > 0) set |= CODE_BIT.open_dispute;
  for (const balance of facts.balances) {
    const unexplained = unexplainedLocked(balance, explainedLocked(balance.asset, facts));
    if (unexplained > 0n) set |= CODE_BIT.funds_locked;
    if (balance.available < 0n) set |= CODE_BIT.negative_balance;
    if (balance.available > 0n) {
      const held = balance.available + unexplained;
      set |= CODE_BIT[holdingCode(holdingValue(balance, held, policy), policy)];
    }
  }
  for (const transfer of facts.pendingTransfers)
    set |=
      transfer.direction === 'withdrawal' ? CODE_BIT.pending_withdrawal : CODE_BIT.pending_deposit;
  if (facts.openOrders.length > 0) set |= CODE_BIT.open_orders;
  if (facts.authorizations.length > 0) set |= CODE_BIT.linked_authorization;
  if (coolingOffApplies(facts, policy, now)) set |= CODE_BIT.cooling_off;
  return set;
}

/** The codes of a code set, in BLOCKER_CODES order. */
export function codesIn(set: number): BlockerCode[] {
  return BLOCKER_CODES.filter((code) => (set & CODE_BIT[code]) !== 0);
}

// ——— the verdict ———

function earliestEligibleAt(blockers: readonly Blocker[]): string | null {
  if (blockers.length === 0) return null;
  let latest = -Infinity;
  for (const blocker of blockers) {
    if (blocker.severity !== 'wait' || blocker.remedy.until === undefined) return null;
    latest = Math.max(latest, Date.parse(blocker.remedy.until));
  }
  return new Date(latest).toISOString();
}

function automaticAction(blocker: Blocker): AutomaticAction[] {
  if (blocker.severity !== 'automatic') return [];
  switch (blocker.remedy.action) {
    case 'sweep_dust':
      return [{ kind: 'sweep_dust', subject: blocker.subject }];
    case 'cancel_order':
      return [{ kind: 'cancel_order', subject: blocker.subject }];
    case 'revoke_authorization':
      return [{ kind: 'revoke_authorization', subject: blocker.subject }];
    case 'withdraw':
    case 'repay':
    case 'contact_support':
    case 'wait':
    case 'wait_for_transfer':
    case 'wait_for_closure':
    case 'none':
      return [];
  }
}

const CODE_RANK = new Map<BlockerCode, number>(BLOCKER_CODES.map((code, index) => [code, index]));

/** By code (BLOCKER_CODES order), then asset, then subject id: stable for equal facts. */
function compareBlockers(a: Blocker, b: Blocker): number {
  return (
    (CODE_RANK.get(a.code) ?? 0) - (CODE_RANK.get(b.code) ?? 0) ||
    compareText(a.subject.asset ?? '', b.subject.asset ?? '') ||
    compareText(a.subject.id ?? '', b.subject.id ?? '')
  );
}

function compareText(a: string, b: string): number {
  // Code-unit order, not locale order: the same everywhere the engine runs.
  return a < b ? -1 : a > b ? 1 : 0;
}
