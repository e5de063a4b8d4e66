import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCKER_CODES, blockerCodeSet, codesIn, evaluate, SEVERITIES } from './eligibility.js';
import type { Blocker, BlockerCode, Verdict } from './eligibility.js';
import type {
  AccountFacts,
  AuthorizationKind,
  BalanceFact,
  HoldKind,
  OrderFact,
  TransferFact,
} from './facts.js';
import { blankFacts } from './facts.js';
import { DEFAULT_POLICY } from './policy.js';
import { validatePolicy } from './policy-reader.js';
import type { Policy } from './policy.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

function cleanFacts(overrides: Partial<AccountFacts> = {}): AccountFacts {
  return {
    ...blankFacts({
      accountId: 'acct-1',
      status: 'active',
      jurisdiction: 'DE',
      openedAt: new Date('2024-01-15T08:00:00.000Z'),
    }),
    credentials: [{ id: 'cred-1', kind: 'session', label: 'web', createdAt: ago(DAY) }],
    ...overrides,
  };
}

const balance =
  (asset: string, decimals: number, price: bigint | null) =>
  (available: bigint, locked = 0n): BalanceFact => ({
    asset,
    decimals,
    available,
    locked,
    allowNegative: asset === 'USD',
    priceMinorPerUnit: price,
  });
/** 2 decimals, 1.00 USD. */
const usd = balance('USD', 2, 100n);
/** 8 decimals, 60,000.00 USD. */
const btc = balance('BTC', 8, 6_000_000n);
/** 18 decimals, 3,000.00 USD. */
const eth = balance('ETH', 18, 300_000n);
/** 6 decimals, no price. */
const xyz = balance('XYZ', 6, null);

const order = (id: string, asset: string, locked: bigint, decimals = 8): OrderFact => ({
  id,
  asset,
  side: 'sell',
  locked,
  decimals,
  createdAt: ago(2 * DAY),
});

const transfer = (
  id: string,
  direction: TransferFact['direction'],
  asset: string,
  amount: bigint,
  decimals = 8,
): TransferFact => ({
  id,
  direction,
  asset,
  amount,
  decimals,
  createdAt: ago(HOUR),
  cancellable: false,
});

function policyWith(raw: unknown): Policy {
  const result = validatePolicy(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.base;
}

const codes = (verdict: Verdict): BlockerCode[] => verdict.blockers.map((b) => b.code);
const only = (verdict: Verdict): Blocker => {
  expect(verdict.blockers).toHaveLength(1);
  return verdict.blockers[0]!;
};

describe('evaluate — one blocker per scenario', () => {
  it('finds an account with only zero balances eligible', () => {
    const verdict = evaluate(
      cleanFacts({ balances: [usd(0n), btc(0n), eth(0n), xyz(0n)] }),
      DEFAULT_POLICY,
      NOW,
    );
    expect(verdict).toEqual({
      accountId: 'acct-1',
      evaluatedAt: NOW.toISOString(),
      eligible: true,
      blockers: [],
      earliestEligibleAt: null,
      automaticActions: [],
    });
  });

  it('balance_remaining: a balance worth at least the dust threshold must be withdrawn', () => {
    const blocker = only(
      evaluate(cleanFacts({ balances: [btc(50_000_000n)] }), DEFAULT_POLICY, NOW),
    );
    expect(blocker).toMatchObject({
      code: 'balance_remaining',
      severity: 'holder_action',
      subject: { kind: 'asset', asset: 'BTC' },
      remedy: { action: 'withdraw' },
      params: {
        asset: 'BTC',
        amount: '0.50000000',
        value: '30000.00',
        currency: 'USD',
        threshold: '1.00',
      },
    });
  });

  it('balance_remaining: a balance worth exactly the threshold is not dust', () => {
    expect(codes(evaluate(cleanFacts({ balances: [usd(100n)] }), DEFAULT_POLICY, NOW))).toEqual([
      'balance_remaining',
    ]);
    expect(codes(evaluate(cleanFacts({ balances: [usd(99n)] }), DEFAULT_POLICY, NOW))).toEqual([
      'dust_remaining',
    ]);
  });

  it('balance_remaining: an unpriced positive balance is never dust, however small', () => {
    const blocker = only(evaluate(cleanFacts({ balances: [xyz(1n)] }), DEFAULT_POLICY, NOW));
    expect(blocker.code).toBe('balance_remaining');
    expect(blocker.params).toEqual({ asset: 'XYZ', amount: '0.000001', currency: 'USD' });
  });

  it('a policy price overrides the platform price, also for unpriced assets', () => {
    const policy = policyWith({ prices: { XYZ: '0.0001', BTC: '1.00' } });
    expect(only(evaluate(cleanFacts({ balances: [xyz(1_000_000n)] }), policy, NOW)).code).toBe(
      'dust_remaining',
    );
    // 0.5 BTC at 1.00 USD is dust under this policy
    expect(only(evaluate(cleanFacts({ balances: [btc(50_000_000n)] }), policy, NOW)).code).toBe(
      'dust_remaining',
    );
  });

  it('values 18-decimal and huge balances exactly', () => {
    // 0.000333333333333333 ETH at 3000 USD = 0.999999999999999 USD: dust, not a rounded 1.00
    const dust = only(
      evaluate(cleanFacts({ balances: [eth(333_333_333_333_333n)] }), DEFAULT_POLICY, NOW),
    );
    expect(dust).toMatchObject({
      code: 'dust_remaining',
      params: { amount: '0.000333333333333333', value: '0.99' },
    });
    const whale = only(evaluate(cleanFacts({ balances: [eth(10n ** 60n)] }), DEFAULT_POLICY, NOW));
    expect(whale.params.value).toBe(`${3n * 10n ** 45n}.00`);
  });

  it('dust_remaining: swept automatically with consent, and listed as an automatic action', () => {
    const verdict = evaluate(cleanFacts({ balances: [usd(42n)] }), DEFAULT_POLICY, NOW);
    expect(only(verdict)).toMatchObject({
      code: 'dust_remaining',
      severity: 'automatic',
      subject: { kind: 'asset', asset: 'USD' },
      remedy: { action: 'sweep_dust' },
      params: { amount: '0.42', value: '0.42', threshold: '1.00', currency: 'USD' },
    });
    expect(verdict.eligible).toBe(false);
    expect(verdict.automaticActions).toEqual([
      { kind: 'sweep_dust', subject: { kind: 'asset', asset: 'USD' } },
    ]);
  });

  it('dust_remaining: the holder withdraws it when the policy does not allow sweeping', () => {
    const policy = policyWith({ consent: { sweepDust: false } });
    const verdict = evaluate(cleanFacts({ balances: [usd(42n)] }), policy, NOW);
    expect(only(verdict)).toMatchObject({
      code: 'dust_remaining',
      severity: 'holder_action',
      remedy: { action: 'withdraw' },
    });
    expect(verdict.automaticActions).toEqual([]);
  });

  it('dust threshold 0 turns every priced positive balance into balance_remaining', () => {
    const policy = policyWith({ dustThreshold: '0' });
    expect(codes(evaluate(cleanFacts({ balances: [usd(1n)] }), policy, NOW))).toEqual([
      'balance_remaining',
    ]);
  });

  it('negative_balance: the holder owes money', () => {
    const blocker = only(evaluate(cleanFacts({ balances: [usd(-1234n)] }), DEFAULT_POLICY, NOW));
    expect(blocker).toMatchObject({
      code: 'negative_balance',
      severity: 'holder_action',
      subject: { kind: 'asset', asset: 'USD' },
      remedy: { action: 'repay' },
      params: { asset: 'USD', amount: '12.34' },
    });
  });

  it('funds_locked: locked funds nothing explains need support, and are not also a balance', () => {
    const blocker = only(
      evaluate(cleanFacts({ balances: [btc(0n, 10_000_000n)] }), DEFAULT_POLICY, NOW),
    );
    expect(blocker).toMatchObject({
      code: 'funds_locked',
      severity: 'support',
      subject: { kind: 'asset', asset: 'BTC' },
      remedy: { action: 'contact_support' },
      params: { amount: '0.10000000', locked: '0.10000000', explained: '0.00000000' },
    });
  });

  it('funds_locked: only the part orders and withdrawals do not explain', () => {
    const facts = cleanFacts({
      balances: [btc(0n, 10_000_000n)],
      openOrders: [order('o-1', 'BTC', 3_000_000n)],
      pendingTransfers: [transfer('t-1', 'withdrawal', 'BTC', 2_000_000n)],
    });
    const locked = evaluate(facts, DEFAULT_POLICY, NOW).blockers.find(
      (b) => b.code === 'funds_locked',
    );
    expect(locked?.params).toMatchObject({ amount: '0.05000000', explained: '0.05000000' });
  });

  it('a balance with unexplained locked funds counts them as held', () => {
    const verdict = evaluate(cleanFacts({ balances: [usd(50n, 500n)] }), DEFAULT_POLICY, NOW);
    expect(codes(verdict)).toEqual(['funds_locked', 'balance_remaining']);
    expect(verdict.blockers[1]?.params.amount).toBe('5.50');
  });

  it('open_orders: an order and the funds it locks give only open_orders, automatic with consent', () => {
    const facts = cleanFacts({
      balances: [btc(0n, 25_000_000n)],
      openOrders: [order('o-1', 'BTC', 25_000_000n)],
    });
    const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
    expect(only(verdict)).toMatchObject({
      code: 'open_orders',
      severity: 'automatic',
      subject: { kind: 'order', id: 'o-1', asset: 'BTC' },
      remedy: { action: 'cancel_order' },
      params: {
        orderId: 'o-1',
        side: 'sell',
        asset: 'BTC',
        amount: '0.25000000',
        createdAt: ago(2 * DAY).toISOString(),
      },
    });
    expect(verdict.automaticActions).toEqual([
      { kind: 'cancel_order', subject: { kind: 'order', id: 'o-1', asset: 'BTC' } },
    ]);
  });

  it('open_orders: one blocker per order; the holder cancels them when the policy does not', () => {
    const policy = policyWith({ consent: { cancelOpenOrders: false } });
    const facts = cleanFacts({
      balances: [btc(0n, 3n), usd(0n, 500n)],
      openOrders: [order('o-2', 'BTC', 3n), { ...order('o-1', 'USD', 500n, 2), side: 'buy' }],
    });
    const verdict = evaluate(facts, policy, NOW);
    expect(verdict.blockers.map((b) => [b.code, b.severity, b.subject.id])).toEqual([
      ['open_orders', 'holder_action', 'o-2'],
      ['open_orders', 'holder_action', 'o-1'],
    ]);
    expect(verdict.automaticActions).toEqual([]);
  });

  it('pending_withdrawal: a withdrawal in flight and the funds it locks give only pending_withdrawal', () => {
    const facts = cleanFacts({
      balances: [btc(0n, 7n)],
      pendingTransfers: [transfer('t-1', 'withdrawal', 'BTC', 7n)],
    });
    const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
    expect(only(verdict)).toMatchObject({
      code: 'pending_withdrawal',
      severity: 'wait',
      subject: { kind: 'transfer', id: 't-1', asset: 'BTC' },
      remedy: { action: 'wait_for_transfer' },
      params: { transferId: 't-1', amount: '0.00000007', cancellable: 'no' },
    });
    expect(only(verdict).remedy.until).toBeUndefined();
    expect(verdict.earliestEligibleAt).toBeNull();
  });

  it('pending_withdrawal: says when the holder may cancel it', () => {
    const facts = cleanFacts({
      pendingTransfers: [{ ...transfer('t-1', 'withdrawal', 'BTC', 7n), cancellable: true }],
    });
    expect(only(evaluate(facts, DEFAULT_POLICY, NOW)).params.cancellable).toBe('yes');
  });

  it('pending_deposit: a deposit in flight', () => {
    const facts = cleanFacts({ pendingTransfers: [transfer('t-2', 'deposit', 'USD', 1000n, 2)] });
    expect(only(evaluate(facts, DEFAULT_POLICY, NOW))).toMatchObject({
      code: 'pending_deposit',
      severity: 'wait',
      subject: { kind: 'transfer', id: 't-2', asset: 'USD' },
      remedy: { action: 'wait_for_transfer' },
      params: { amount: '10.00' },
    });
  });

  it('a pending deposit explains no locked funds', () => {
    const facts = cleanFacts({
      balances: [usd(0n, 1000n)],
      pendingTransfers: [transfer('t-2', 'deposit', 'USD', 1000n, 2)],
    });
    expect(codes(evaluate(facts, DEFAULT_POLICY, NOW))).toEqual([
      'funds_locked',
      'pending_deposit',
    ]);
  });

  it('open_dispute: disputes and chargebacks need support', () => {
    const facts = cleanFacts({
      disputes: [
        {
          id: 'd-1',
          kind: 'chargeback',
          asset: 'USD',
          amount: 4999n,
          decimals: 2,
          openedAt: ago(3 * DAY),
        },
        { id: 'd-0', kind: 'dispute', asset: 'USD', amount: 1n, decimals: 2, openedAt: ago(DAY) },
      ],
    });
    const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
    expect(
      verdict.blockers.map((b) => [b.code, b.severity, b.subject.id, b.remedy.action]),
    ).toEqual([
      ['open_dispute', 'support', 'd-0', 'contact_support'],
      ['open_dispute', 'support', 'd-1', 'contact_support'],
    ]);
    expect(verdict.blockers[1]?.params).toMatchObject({
      disputeKind: 'chargeback',
      amount: '49.99',
    });
  });

  it.each<[AuthorizationKind, 'automatic' | 'holder_action']>([
    ['oauth', 'automatic'],
    ['linked_platform', 'automatic'],
    ['subscription', 'holder_action'],
    ['direct_debit', 'holder_action'],
  ])(
    'linked_authorization: a %s authorization is %s under the default policy',
    (kind, severity) => {
      const facts = cleanFacts({
        authorizations: [{ id: 'a-1', kind, name: 'Budgetly', grantedAt: ago(30 * DAY) }],
      });
      const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
      expect(only(verdict)).toMatchObject({
        code: 'linked_authorization',
        severity,
        subject: { kind: 'authorization', id: 'a-1' },
        remedy: { action: 'revoke_authorization' },
        params: { name: 'Budgetly', authorizationKind: kind },
      });
      expect(verdict.automaticActions).toEqual(
        severity === 'automatic'
          ? [{ kind: 'revoke_authorization', subject: { kind: 'authorization', id: 'a-1' } }]
          : [],
      );
    },
  );

  it('linked_authorization: the policy decides which kinds closure may revoke', () => {
    const policy = policyWith({ consent: { revocableAuthorizationKinds: ['subscription'] } });
    const facts = cleanFacts({
      authorizations: [
        { id: 'a-1', kind: 'oauth', name: 'App', grantedAt: ago(DAY) },
        { id: 'a-2', kind: 'subscription', name: 'Sub', grantedAt: ago(DAY) },
      ],
    });
    expect(evaluate(facts, policy, NOW).blockers.map((b) => b.severity)).toEqual([
      'holder_action',
      'automatic',
    ]);
  });

  it('cooling_off: a recent security change alone gives only cooling_off, until the change + 7d', () => {
    const changedAt = ago(2 * DAY);
    const verdict = evaluate(
      cleanFacts({
        lastActivity: { trade: null, withdrawal: null, deposit: null, securityChange: changedAt },
      }),
      DEFAULT_POLICY,
      NOW,
    );
    const until = new Date(changedAt.getTime() + 7 * DAY).toISOString();
    expect(only(verdict)).toMatchObject({
      code: 'cooling_off',
      severity: 'wait',
      subject: { kind: 'activity', id: 'security_change' },
      remedy: { action: 'wait', until },
      params: { activity: 'security_change', lastAt: changedAt.toISOString(), until, period: '7d' },
    });
    expect(verdict.earliestEligibleAt).toBe(until);
  });

  it('cooling_off: withdrawal and trade cool off for the policy periods; earliestEligibleAt is the latest end', () => {
    const facts = cleanFacts({
      lastActivity: {
        trade: ago(30 * 60_000),
        withdrawal: ago(HOUR),
        deposit: ago(1000),
        securityChange: ago(8 * DAY),
      },
    });
    const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
    expect(verdict.blockers.map((b) => [b.subject.id, b.remedy.until])).toEqual([
      ['trade', new Date(NOW.getTime() + 30 * 60_000).toISOString()],
      ['withdrawal', new Date(NOW.getTime() + 23 * HOUR).toISOString()],
    ]);
    expect(verdict.earliestEligibleAt).toBe(new Date(NOW.getTime() + 23 * HOUR).toISOString());
    expect(evaluate(facts, DEFAULT_POLICY, new Date(NOW.getTime() + 23 * HOUR)).eligible).toBe(
      true,
    );
  });

  it('cooling_off: a deposit cools off only when the policy sets afterDeposit', () => {
    const facts = cleanFacts({
      lastActivity: { trade: null, withdrawal: null, deposit: ago(HOUR), securityChange: null },
    });
    expect(evaluate(facts, DEFAULT_POLICY, NOW).eligible).toBe(true);
    const policy = policyWith({ coolingOff: { afterDeposit: '3d' } });
    expect(only(evaluate(facts, policy, NOW)).subject.id).toBe('deposit');
  });

  it('cooling_off: ends exactly at its until', () => {
    const facts = cleanFacts({
      lastActivity: { trade: null, withdrawal: ago(DAY), deposit: null, securityChange: null },
    });
    expect(evaluate(facts, DEFAULT_POLICY, NOW).eligible).toBe(true);
    expect(evaluate(facts, DEFAULT_POLICY, new Date(NOW.getTime() - 1)).eligible).toBe(false);
  });

  it.each<HoldKind>(['legal', 'compliance', 'fraud', 'regulator'])(
    'account_hold: a %s hold needs support',
    (kind) => {
      const facts = cleanFacts({
        holds: [{ id: 'h-1', kind, reason: 'case 4711', placedAt: ago(DAY) }],
      });
      const blocker = only(evaluate(facts, DEFAULT_POLICY, NOW));
      expect(blocker).toMatchObject({
        code: 'account_hold',
        severity: 'support',
        subject: { kind: 'hold', id: 'h-1' },
        remedy: { action: 'contact_support' },
        params: { holdKind: kind, reason: 'case 4711' },
      });
      expect(blocker.detail).toContain(kind);
      expect(blocker.detail).toContain('case 4711');
    },
  );

  it('closure_in_progress: a closure already under way', () => {
    const facts = cleanFacts({ closure: { id: 'cl-1', state: 'grace' } });
    const verdict = evaluate(facts, DEFAULT_POLICY, NOW);
    expect(only(verdict)).toMatchObject({
      code: 'closure_in_progress',
      severity: 'wait',
      subject: { kind: 'closure', id: 'cl-1' },
      remedy: { action: 'wait_for_closure' },
      params: { closureId: 'cl-1', closureState: 'grace' },
    });
    expect(verdict.earliestEligibleAt).toBeNull();
  });

  it('account_closed: a closed account gives only account_closed, whatever else the facts say', () => {
    const facts = cleanFacts({
      status: 'closed',
      balances: [usd(500n)],
      holds: [{ id: 'h-1', kind: 'legal', reason: 'x', placedAt: ago(DAY) }],
    });
    expect(only(evaluate(facts, DEFAULT_POLICY, NOW))).toMatchObject({
      code: 'account_closed',
      subject: { kind: 'account', id: 'acct-1' },
      remedy: { action: 'none' },
    });
  });

  it.each(['disabled', 'frozen'] as const)('a %s account can still be closed', (status) => {
    expect(evaluate(cleanFacts({ status }), DEFAULT_POLICY, NOW).eligible).toBe(true);
  });
});

describe('evaluate — every blocker at once', () => {
  const everything = cleanFacts({
    balances: [usd(-500n), btc(200_000_000n, 10_000_000n), eth(1_000n), xyz(0n, 5n)],
    openOrders: [order('o-1', 'BTC', 4_000_000n)],
    pendingTransfers: [
      transfer('t-1', 'withdrawal', 'BTC', 1_000_000n),
      transfer('t-2', 'deposit', 'ETH', 10n, 18),
    ],
    disputes: [
      {
        id: 'd-1',
        kind: 'chargeback',
        asset: 'USD',
        amount: 100n,
        decimals: 2,
        openedAt: ago(DAY),
      },
    ],
    authorizations: [
      { id: 'a-1', kind: 'oauth', name: 'Budgetly', grantedAt: ago(DAY) },
      { id: 'a-2', kind: 'direct_debit', name: 'Power Co', grantedAt: ago(DAY) },
    ],
    holds: [
      { id: 'h-2', kind: 'compliance', reason: 'SAR filed', placedAt: ago(DAY) },
      { id: 'h-1', kind: 'legal', reason: 'court order', placedAt: ago(DAY) },
    ],
    lastActivity: {
      trade: ago(60_000),
      withdrawal: ago(HOUR),
      deposit: null,
      securityChange: ago(DAY),
    },
    closure: { id: 'cl-1', state: 'requested' },
  });

  it('reports them all, in the documented order', () => {
    const verdict = evaluate(everything, DEFAULT_POLICY, NOW);
    expect(verdict.blockers.map((b) => [b.code, b.subject.asset ?? b.subject.id])).toEqual([
      ['closure_in_progress', 'cl-1'],
      ['account_hold', 'h-1'],
      ['account_hold', 'h-2'],
      ['open_dispute', 'USD'],
      ['funds_locked', 'BTC'],
      ['funds_locked', 'XYZ'],
      ['negative_balance', 'USD'],
      ['balance_remaining', 'BTC'],
      ['pending_withdrawal', 'BTC'],
      ['pending_deposit', 'ETH'],
      ['open_orders', 'BTC'],
      ['linked_authorization', 'a-1'],
      ['linked_authorization', 'a-2'],
      ['dust_remaining', 'ETH'],
      ['cooling_off', 'security_change'],
      ['cooling_off', 'trade'],
      ['cooling_off', 'withdrawal'],
    ]);
    expect(verdict.eligible).toBe(false);
    expect(verdict.earliestEligibleAt).toBeNull();
    expect(verdict.automaticActions.map((a) => a.kind)).toEqual([
      'cancel_order',
      'revoke_authorization',
      'sweep_dust',
    ]);
  });

  it('covers every code but account_closed and every severity', () => {
    const verdict = evaluate(everything, DEFAULT_POLICY, NOW);
    expect(new Set(codes(verdict))).toEqual(
      new Set(BLOCKER_CODES.filter((c) => c !== 'account_closed')),
    );
    expect(new Set(verdict.blockers.map((b) => b.severity))).toEqual(new Set(SEVERITIES));
  });

  it('does not depend on the order of the facts', () => {
    const reversed: AccountFacts = {
      ...everything,
      balances: [...everything.balances].reverse(),
      openOrders: [...everything.openOrders].reverse(),
      pendingTransfers: [...everything.pendingTransfers].reverse(),
      disputes: [...everything.disputes].reverse(),
      authorizations: [...everything.authorizations].reverse(),
      holds: [...everything.holds].reverse(),
    };
    expect(evaluate(reversed, DEFAULT_POLICY, NOW)).toEqual(
      evaluate(everything, DEFAULT_POLICY, NOW),
    );
  });
});

// ——— properties ———

const ASSETS = [
  { asset: 'USD', decimals: 2, price: 100n },
  { asset: 'BTC', decimals: 8, price: 6_000_000n },
  { asset: 'ETH', decimals: 18, price: 300_000n },
  { asset: 'XYZ', decimals: 6, price: null },
] as const;

const assetArb = fc.constantFrom(...ASSETS);
const amountArb = fc.oneof(
  fc.bigInt({ min: 0n, max: 1_000n }),
  fc.bigInt({ min: 0n, max: 10n ** 24n }),
);
const instantArb = fc
  .integer({ min: -40 * DAY, max: DAY })
  .map((offset) => new Date(NOW.getTime() + offset));
const idArb = (prefix: string) => fc.nat({ max: 9999 }).map((n) => `${prefix}-${n}`);

const balancesArb = fc
  .uniqueArray(assetArb, { selector: (a) => a.asset, maxLength: 4 })
  .chain((assets) =>
    fc.tuple(
      ...assets.map((a) =>
        fc
          .record({
            available: fc.oneof(amountArb, fc.bigInt({ min: -(10n ** 6n), max: 0n })),
            locked: amountArb,
          })
          .map(({ available, locked }): BalanceFact => ({
            asset: a.asset,
            decimals: a.decimals,
            available,
            locked,
            allowNegative: a.asset === 'USD',
            priceMinorPerUnit: a.price,
          })),
      ),
    ),
  );

const ordersArb = fc
  .uniqueArray(
    fc.record({
      id: idArb('o'),
      a: assetArb,
      locked: amountArb,
      side: fc.constantFrom('buy' as const, 'sell' as const),
      createdAt: instantArb,
    }),
    { selector: (o) => o.id, maxLength: 3 },
  )
  .map((orders) =>
    orders.map(({ a, ...o }): OrderFact => ({ ...o, asset: a.asset, decimals: a.decimals })),
  );

const transfersArb = fc
  .uniqueArray(
    fc.record({
      id: idArb('t'),
      direction: fc.constantFrom('deposit' as const, 'withdrawal' as const),
      a: assetArb,
      amount: amountArb.map((x) => x + 1n),
      createdAt: instantArb,
      cancellable: fc.boolean(),
    }),
    { selector: (t) => t.id, maxLength: 3 },
  )
  .map((transfers) =>
    transfers.map(({ a, ...t }): TransferFact => ({ ...t, asset: a.asset, decimals: a.decimals })),
  );

const factsArb: fc.Arbitrary<AccountFacts> = fc.record({
  accountId: idArb('acct'),
  status: fc.constantFrom(
    'active' as const,
    'active' as const,
    'active' as const,
    'disabled' as const,
    'frozen' as const,
    'closed' as const,
  ),
  jurisdiction: fc.constantFrom('DE', 'GB', 'US'),
  openedAt: fc.constant(new Date('2024-01-01T00:00:00.000Z')),
  balances: balancesArb,
  openOrders: ordersArb,
  pendingTransfers: transfersArb,
  disputes: fc.uniqueArray(
    fc.record({
      id: idArb('d'),
      kind: fc.constantFrom('dispute' as const, 'chargeback' as const),
      asset: fc.constant('USD'),
      amount: amountArb,
      decimals: fc.constant(2),
      openedAt: instantArb,
    }),
    { selector: (d) => d.id, maxLength: 2 },
  ),
  authorizations: fc.uniqueArray(
    fc.record({
      id: idArb('a'),
      kind: fc.constantFrom<AuthorizationKind>(
        'oauth',
        'linked_platform',
        'subscription',
        'direct_debit',
      ),
      name: fc.string(),
      grantedAt: instantArb,
    }),
    { selector: (a) => a.id, maxLength: 3 },
  ),
  credentials: fc.constant([]),
  holds: fc.uniqueArray(
    fc.record({
      id: idArb('h'),
      kind: fc.constantFrom<HoldKind>('legal', 'compliance', 'fraud', 'regulator'),
      reason: fc.string(),
      placedAt: instantArb,
    }),
    { selector: (h) => h.id, maxLength: 2 },
  ),
  lastActivity: fc.record({
    trade: fc.option(instantArb, { nil: null }),
    withdrawal: fc.option(instantArb, { nil: null }),
    deposit: fc.option(instantArb, { nil: null }),
    securityChange: fc.option(instantArb, { nil: null }),
  }),
  closure: fc.option(
    fc.record({ id: idArb('cl'), state: fc.constantFrom('requested', 'grace', 'escalated') }),
    { nil: null, freq: 5 },
  ),
});

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    dustThreshold: fc.constantFrom('0', '0.01', '1.00', '25.00'),
    sweepDust: fc.boolean(),
    cancelOpenOrders: fc.boolean(),
    kinds: fc.subarray(['oauth', 'linked_platform', 'subscription', 'direct_debit']),
    afterDeposit: fc.constantFrom('0', '1h', '3d'),
    afterTrade: fc.constantFrom('0', '1h', '10d'),
  })
  .map((p) =>
    policyWith({
      dustThreshold: p.dustThreshold,
      consent: {
        sweepDust: p.sweepDust,
        cancelOpenOrders: p.cancelOpenOrders,
        revocableAuthorizationKinds: p.kinds,
      },
      coolingOff: { afterDeposit: p.afterDeposit, afterTrade: p.afterTrade },
    }),
  );

const identity = (b: Blocker) =>
  `${b.code}|${b.subject.kind}|${b.subject.asset ?? ''}|${b.subject.id ?? ''}`;

/** Ways to remove one blocking fact; an order or withdrawal leaves with the funds it locked. */
type Removal = (facts: AccountFacts) => AccountFacts;

function withoutLocked(facts: AccountFacts, asset: string, amount: bigint): BalanceFact[] {
  return facts.balances.map((b) => {
    if (b.asset !== asset || amount <= 0n) return b;
    return { ...b, locked: b.locked > amount ? b.locked - amount : 0n };
  });
}

function removals(facts: AccountFacts): Removal[] {
  const list: Removal[] = [];
  facts.openOrders.forEach((o, i) =>
    list.push((f) => ({
      ...f,
      openOrders: f.openOrders.filter((_, j) => j !== i),
      balances: withoutLocked(f, o.asset, o.locked),
    })),
  );
  facts.pendingTransfers.forEach((t, i) =>
    list.push((f) => ({
      ...f,
      pendingTransfers: f.pendingTransfers.filter((_, j) => j !== i),
      balances: t.direction === 'withdrawal' ? withoutLocked(f, t.asset, t.amount) : f.balances,
    })),
  );
  facts.holds.forEach((_, i) =>
    list.push((f) => ({ ...f, holds: f.holds.filter((__, j) => j !== i) })),
  );
  facts.disputes.forEach((_, i) =>
    list.push((f) => ({ ...f, disputes: f.disputes.filter((__, j) => j !== i) })),
  );
  facts.authorizations.forEach((_, i) =>
    list.push((f) => ({ ...f, authorizations: f.authorizations.filter((__, j) => j !== i) })),
  );
  facts.balances.forEach((_, i) =>
    list.push((f) => ({
      ...f,
      balances: f.balances.map((b, j) => (j === i ? { ...b, available: 0n, locked: 0n } : b)),
    })),
  );
  for (const key of ['trade', 'withdrawal', 'deposit', 'securityChange'] as const) {
    list.push((f) => ({ ...f, lastActivity: { ...f.lastActivity, [key]: null } }));
  }
  list.push((f) => ({ ...f, closure: null }));
  return list;
}

describe('evaluate — properties', () => {
  it('is eligible exactly when there are no blockers, and lists no actions then', () => {
    fc.assert(
      fc.property(factsArb, policyArb, (facts, policy) => {
        const verdict = evaluate(facts, policy, NOW);
        expect(verdict.eligible).toBe(verdict.blockers.length === 0);
        if (verdict.eligible) {
          expect(verdict.earliestEligibleAt).toBeNull();
          expect(verdict.automaticActions).toEqual([]);
        }
      }),
    );
  });

  it('reports every order, transfer, dispute, authorization and hold of an open account', () => {
    fc.assert(
      fc.property(factsArb, policyArb, (facts, policy) => {
        fc.pre(facts.status !== 'closed');
        const verdict = evaluate(facts, policy, NOW);
        const count = (code: BlockerCode) => verdict.blockers.filter((b) => b.code === code).length;
        expect(count('open_orders')).toBe(facts.openOrders.length);
        expect(count('pending_withdrawal') + count('pending_deposit')).toBe(
          facts.pendingTransfers.length,
        );
        expect(count('open_dispute')).toBe(facts.disputes.length);
        expect(count('linked_authorization')).toBe(facts.authorizations.length);
        expect(count('account_hold')).toBe(facts.holds.length);
        expect(count('closure_in_progress')).toBe(facts.closure ? 1 : 0);
        expect(count('negative_balance')).toBe(
          facts.balances.filter((b) => b.available < 0n).length,
        );
      }),
    );
  });

  it('removing a blocking fact never adds a blocker', () => {
    fc.assert(
      fc.property(factsArb, policyArb, fc.nat(), (facts, policy, pick) => {
        const options = removals(facts);
        const remove = options[pick % options.length]!;
        const before = new Set(evaluate(facts, policy, NOW).blockers.map(identity));
        const after = evaluate(remove(facts), policy, NOW).blockers.map(identity);
        for (const blocker of after) expect(before).toContain(blocker);
      }),
      { numRuns: 500 },
    );
  });

  it('sets earliestEligibleAt exactly when every blocker is a wait with a known end, and is eligible then', () => {
    const waitsOnly = fc.record({
      lastActivity: fc.record({
        trade: fc.option(instantArb, { nil: null }),
        withdrawal: fc.option(instantArb, { nil: null }),
        deposit: fc.option(instantArb, { nil: null }),
        securityChange: fc.option(instantArb, { nil: null }),
      }),
    });
    fc.assert(
      fc.property(
        fc.oneof(
          waitsOnly.map((o) => cleanFacts(o)),
          factsArb,
        ),
        policyArb,
        (facts, policy) => {
          const verdict = evaluate(facts, policy, NOW);
          const onlyKnownWaits =
            verdict.blockers.length > 0 &&
            verdict.blockers.every((b) => b.severity === 'wait' && b.remedy.until !== undefined);
          expect(verdict.earliestEligibleAt !== null).toBe(onlyKnownWaits);
          if (verdict.earliestEligibleAt !== null) {
            expect(evaluate(facts, policy, new Date(verdict.earliestEligibleAt)).eligible).toBe(
              true,
            );
            expect(Date.parse(verdict.earliestEligibleAt)).toBeGreaterThan(NOW.getTime());
          }
        },
      ),
    );
  });

  it('orders blockers by BLOCKER_CODES and lists an automatic action for each automatic blocker', () => {
    fc.assert(
      fc.property(factsArb, policyArb, (facts, policy) => {
        const verdict = evaluate(facts, policy, NOW);
        const ranks = verdict.blockers.map((b) => BLOCKER_CODES.indexOf(b.code));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(verdict.automaticActions.length).toBe(
          verdict.blockers.filter((b) => b.severity === 'automatic').length,
        );
        for (const blocker of verdict.blockers) {
          if (blocker.severity === 'wait' && blocker.code === 'cooling_off')
            expect(blocker.remedy.until).toBeDefined();
          expect(blocker.detail.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('blockerCodeSet — the counting path of scan', () => {
  const verdictCodes = (facts: AccountFacts, policy: Policy, now: Date): BlockerCode[] => [
    ...new Set(codes(evaluate(facts, policy, now))),
  ];

  /** Now, or an instant right at or just before a cooling-off ends: where the rules turn. */
  const instantsFor = (facts: AccountFacts, policy: Policy): fc.Arbitrary<Date> => {
    const rules = policy.coolingOff;
    const last = facts.lastActivity;
    const ends = [
      [last.withdrawal, rules.afterWithdrawalMs],
      [last.trade, rules.afterTradeMs],
      [last.deposit, rules.afterDepositMs],
      [last.securityChange, rules.afterSecurityChangeMs],
    ].flatMap(([at, period]) =>
      at instanceof Date && typeof period === 'number'
        ? [new Date(at.getTime() + period), new Date(at.getTime() + period - 1)]
        : [],
    );
    return fc.constantFrom(NOW, ...ends);
  };

  it('gives exactly the codes of evaluate, for any facts, policy and instant', () => {
    fc.assert(
      fc.property(
        factsArb
          .chain((facts) => fc.tuple(fc.constant(facts), policyArb))
          .chain(([facts, policy]) =>
            fc.tuple(fc.constant(facts), fc.constant(policy), instantsFor(facts, policy)),
          ),
        ([facts, policy, now]) => {
          const set = blockerCodeSet(facts, policy, now);
          expect(codesIn(set)).toEqual(verdictCodes(facts, policy, now));
          expect(set === 0).toBe(evaluate(facts, policy, now).eligible);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('gives every code of the account that has them all, and only account_closed once closed', () => {
    const all = cleanFacts({
      balances: [usd(-500n), btc(200_000_000n, 10_000_000n), eth(1_000n), xyz(0n, 5n)],
      openOrders: [order('o-1', 'BTC', 4_000_000n)],
      pendingTransfers: [
        transfer('t-1', 'withdrawal', 'BTC', 1_000_000n),
        transfer('t-2', 'deposit', 'ETH', 10n, 18),
      ],
      disputes: [
        { id: 'd-1', kind: 'dispute', asset: 'USD', amount: 1n, decimals: 2, openedAt: ago(DAY) },
      ],
      authorizations: [{ id: 'a-1', kind: 'oauth', name: 'Budgetly', grantedAt: ago(DAY) }],
      holds: [{ id: 'h-1', kind: 'fraud', reason: 'case 12', placedAt: ago(DAY) }],
      lastActivity: { trade: ago(60_000), withdrawal: null, deposit: null, securityChange: null },
      closure: { id: 'cl-1', state: 'grace' },
    });
    expect(codesIn(blockerCodeSet(all, DEFAULT_POLICY, NOW))).toEqual(
      BLOCKER_CODES.filter((c) => c !== 'account_closed'),
    );
    expect(codesIn(blockerCodeSet({ ...all, status: 'closed' }, DEFAULT_POLICY, NOW))).toEqual([
      'account_closed',
    ]);
    expect(blockerCodeSet(cleanFacts(), DEFAULT_POLICY, NOW)).toBe(0);
  });
});
