import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BLOCKER_CODES, evaluate } from './eligibility.js';
import type { Verdict } from './eligibility.js';
import { blankFacts } from './facts.js';
import type { AccountFacts, HoldKind } from './facts.js';
import {
  CATALOGUE,
  formatInstant,
  holderVerdict,
  LANGS,
  MESSAGE_KEYS,
  messageKey,
  relativeTime,
  renderVerdict,
} from './messages.js';
import type { Audience, Lang } from './messages.js';
import { DEFAULT_POLICY } from './policy.js';
import { validatePolicy } from './policy-reader.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ago = (ms: number): Date => new Date(NOW.getTime() - ms);

function facts(overrides: Partial<AccountFacts> = {}): AccountFacts {
  return {
    ...blankFacts({
      accountId: 'acct-1',
      status: 'active',
      jurisdiction: 'DE',
      openedAt: new Date('2024-01-15T08:00:00.000Z'),
    }),
    ...overrides,
  };
}

const price =
  (asset: string, decimals: number, priceMinorPerUnit: bigint | null) =>
  (available: bigint, locked = 0n) => ({
    asset,
    decimals,
    available,
    locked,
    allowNegative: true,
    priceMinorPerUnit,
  });

/** Facts that raise every code but account_closed, in every message variant the default policy allows. */
const everything = facts({
  balances: [
    price('USD', 2, 100n)(-500n),
    price('BTC', 8, 6_000_000n)(200_000_000n, 10_000_000n),
    price('ETH', 18, 300_000n)(1_000_000_000_000_000_001n),
    price('DOGE', 8, 10n)(1_000n),
    price('XYZ', 6, null)(5n),
  ],
  openOrders: [
    {
      id: 'o-1',
      asset: 'BTC',
      side: 'sell',
      locked: 4_000_000n,
      decimals: 8,
      createdAt: ago(2 * DAY),
    },
  ],
  pendingTransfers: [
    {
      id: 't-1',
      direction: 'withdrawal',
      asset: 'BTC',
      amount: 1_000_000n,
      decimals: 8,
      createdAt: ago(HOUR),
      cancellable: true,
    },
    {
      id: 't-3',
      direction: 'withdrawal',
      asset: 'USD',
      amount: 1n,
      decimals: 2,
      createdAt: ago(HOUR),
      cancellable: false,
    },
    {
      id: 't-2',
      direction: 'deposit',
      asset: 'ETH',
      amount: 10n,
      decimals: 18,
      createdAt: ago(HOUR),
      cancellable: false,
    },
  ],
  disputes: [
    { id: 'd-1', kind: 'chargeback', asset: 'USD', amount: 100n, decimals: 2, openedAt: ago(DAY) },
  ],
  authorizations: [
    { id: 'a-1', kind: 'oauth', name: 'Budgetly', grantedAt: ago(DAY) },
    { id: 'a-2', kind: 'direct_debit', name: 'Power Co', grantedAt: ago(DAY) },
  ],
  holds: [
    { id: 'h-1', kind: 'legal', reason: 'court order 12', placedAt: ago(DAY) },
    { id: 'h-2', kind: 'compliance', reason: 'SAR filed', placedAt: ago(DAY) },
  ],
  lastActivity: { trade: ago(MINUTE), withdrawal: null, deposit: null, securityChange: ago(DAY) },
  closure: { id: 'cl-1', state: 'grace' },
});

function policyWith(raw: unknown) {
  const result = validatePolicy(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.base;
}

/** The same account under a policy that makes the holder do everything by hand. */
const byHand = evaluate(
  everything,
  policyWith({
    consent: { sweepDust: false, cancelOpenOrders: false, revocableAuthorizationKinds: [] },
  }),
  NOW,
);
const closed = evaluate(facts({ status: 'closed' }), DEFAULT_POLICY, NOW);
const verdicts: Verdict[] = [evaluate(everything, DEFAULT_POLICY, NOW), byHand, closed];

const AUDIENCES: Audience[] = ['holder', 'agent'];
const HAN = /\p{Script=Han}/u;

describe('the catalogue', () => {
  it('has messages for every blocker code', () => {
    for (const code of BLOCKER_CODES) {
      expect(
        MESSAGE_KEYS.some((key) => key === code || key.startsWith(`${code}.`)),
        code,
      ).toBe(true);
    }
  });

  it('has a message and a fix in English and Simplified Chinese for every key', () => {
    for (const key of MESSAGE_KEYS) {
      for (const lang of LANGS) {
        const template = CATALOGUE[key][lang];
        expect(template.message.length, `${key} ${lang}`).toBeGreaterThan(0);
        expect(template.fix.length, `${key} ${lang}`).toBeGreaterThan(0);
        const han = lang === 'zh-CN';
        expect(
          HAN.test(template.message) && HAN.test(template.fix),
          `${key} ${lang} is in Chinese`,
        ).toBe(han);
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of MESSAGE_KEYS) {
      const en = CATALOGUE[key].en;
      const zh = CATALOGUE[key]['zh-CN'];
      expect(placeholders(zh.message + zh.fix), key).toEqual(placeholders(en.message + en.fix));
    }
  });

  it('is exercised whole by the test verdicts', () => {
    const used = new Set<string>();
    for (const verdict of verdicts) {
      for (const blocker of verdict.blockers)
        for (const audience of AUDIENCES) used.add(messageKey(blocker, audience));
    }
    expect([...used].sort()).toEqual([...MESSAGE_KEYS].sort());
  });
});

describe('renderVerdict', () => {
  it('fills every placeholder of every blocker in both languages and audiences', () => {
    for (const verdict of verdicts) {
      for (const lang of LANGS) {
        for (const audience of AUDIENCES) {
          const rendered = renderVerdict(verdict, { lang, audience });
          expect(rendered.blockers).toHaveLength(verdict.blockers.length);
          for (const blocker of rendered.blockers) {
            expect(blocker.message, blocker.code).not.toMatch(/\{\w+\}/);
            expect(blocker.fix, blocker.code).not.toMatch(/\{\w+\}/);
          }
        }
      }
    }
  });

  it('speaks to the holder in English', () => {
    const rendered = renderVerdict(verdicts[0]!, { lang: 'en', audience: 'holder' });
    const text = (code: string, n = 0) => rendered.blockers.filter((b) => b.code === code)[n];
    expect(text('balance_remaining')).toMatchObject({
      message: 'You still hold 2.05000000 BTC, worth about 123000.00 USD.',
      fix: 'Withdraw it to an account of your own, then try again.',
    });
    expect(text('balance_remaining', 1)?.message).toBe(
      'You still hold 1.000000000000000001 ETH, worth about 3000.00 USD.',
    );
    expect(text('balance_remaining', 2)?.message).toBe('You still hold 0.000005 XYZ.');
    expect(text('negative_balance')?.message).toBe(
      'Your USD balance is negative: you owe 5.00 USD.',
    );
    expect(text('dust_remaining')?.message).toBe(
      'You hold a small balance of 0.00001000 DOGE, worth less than 1.00 USD.',
    );
    expect(text('cooling_off')?.message).toBe(
      'Your security settings changed at 2026-11-24T12:00:00.000Z (1 day ago). In case someone else made that change, the account cannot be closed until 2026-12-01T12:00:00.000Z (in 6 days).',
    );
    expect(text('cooling_off', 1)?.message).toBe(
      'Your last trade was at 2026-11-25T11:59:00.000Z (1 minute ago). For your protection, the account cannot be closed until 2026-11-25T12:59:00.000Z (in 59 minutes).',
    );
    expect(text('pending_withdrawal')?.fix).toBe(
      'Wait until it completes, or cancel it, then try again.',
    );
    expect(text('pending_withdrawal', 1)?.fix).toBe('Wait until it completes, then try again.');
    expect(text('linked_authorization')?.message).toBe(
      'Budgetly (connected app) can still access your account.',
    );
    expect(text('closure_in_progress')?.message).toBe(
      'A closure of this account is already in progress (in its grace period).',
    );
  });

  it('speaks to the holder in Simplified Chinese, with no English values left in', () => {
    const rendered = renderVerdict(verdicts[0]!, { lang: 'zh-CN', audience: 'holder' });
    const text = (code: string, n = 0) => rendered.blockers.filter((b) => b.code === code)[n];
    expect(text('balance_remaining')?.message).toBe(
      '您的账户中仍有 2.05000000 BTC，约合 123000.00 USD。',
    );
    expect(text('cooling_off', 1)?.message).toBe(
      '您最近一次交易发生在 2026-11-25T11:59:00.000Z（1 分钟前）。为保护您的账户安全，在 2026-11-25T12:59:00.000Z（59 分钟后） 之前无法注销。',
    );
    expect(text('open_orders')?.message).toContain('卖出订单 o-1');
    expect(text('open_dispute')?.message).toContain('拒付');
    expect(text('linked_authorization', 1)?.message).toBe('Power Co（直接扣款）仍与您的账户关联。');
    for (const blocker of rendered.blockers) {
      expect(blocker.message).not.toMatch(
        /\b(withdrawal|trade|sell|buy|chargeback|oauth|direct_debit|grace)\b/,
      );
    }
  });

  it('gives agents the detail, and holders none', () => {
    const agent = renderVerdict(verdicts[0]!, { lang: 'en', audience: 'agent' });
    const holder = renderVerdict(verdicts[0]!, { lang: 'en', audience: 'holder' });
    expect(agent.blockers.every((b) => typeof b.detail === 'string')).toBe(true);
    expect(holder.blockers.every((b) => b.detail === undefined)).toBe(true);
  });

  it('tells the holder of a legal hold that it is one, in both languages', () => {
    const rendered = (lang: Lang) =>
      renderVerdict(verdicts[0]!, { lang, audience: 'holder' }).blockers.filter(
        (b) => b.code === 'account_hold',
      );
    expect(rendered('en').map((b) => b.message)).toEqual([
      'There is a legal hold on your account, so it cannot be closed for now.',
      'Your account needs a review by our team before it can be closed.',
    ]);
    expect(rendered('zh-CN').map((b) => b.message)).toEqual([
      '您的账户存在法律冻结，暂时无法注销。',
      '您的账户需要经过我们团队的审核后才能注销。',
    ]);
    expect(rendered('en')[0]?.params).toEqual({ holdKind: 'legal' });
  });

  it('shows agents the kind and reason of every hold', () => {
    const holds = renderVerdict(verdicts[0]!, { lang: 'en', audience: 'agent' }).blockers.filter(
      (b) => b.code === 'account_hold',
    );
    expect(holds[1]?.message).toBe(
      'A compliance hold (h-2) was placed at 2026-11-24T12:00:00.000Z (1 day ago): SAR filed',
    );
    const zh = renderVerdict(verdicts[0]!, { lang: 'zh-CN', audience: 'agent' }).blockers.filter(
      (b) => b.code === 'account_hold',
    );
    expect(zh[1]?.message).toBe(
      '账户存在一项合规冻结（h-2），设立于 2026-11-24T12:00:00.000Z（1 天前）：SAR filed',
    );
  });

  it("renders the holder's copy as holderVerdict tells it: telling it again changes nothing", () => {
    // check-eligibility.ts renders a holder's copy once and relies on this.
    for (const verdict of verdicts) {
      for (const lang of LANGS) {
        const holder = renderVerdict(verdict, { lang, audience: 'holder', now: NOW });
        expect(holderVerdict(holder)).toStrictEqual(holder);
        expect(
          holderVerdict(renderVerdict(verdict, { lang, audience: 'agent', now: NOW })),
        ).toStrictEqual(holder);
      }
    }
  });

  it('never tips a holder off about a compliance, fraud or regulator hold (property)', () => {
    const reviewKind = fc.constantFrom<HoldKind>('compliance', 'fraud', 'regulator');
    const hold = fc.record({
      id: fc.string({ minLength: 1 }),
      kind: reviewKind,
      reason: fc.string({ minLength: 1, unit: 'grapheme' }),
      placedAt: fc.integer({ min: 0, max: 400 * DAY }).map((ms) => ago(ms)),
    });
    const forbidden =
      /compliance|fraud|regulator|laundering|AML|sanction|investigat|合规|欺诈|诈骗|监管|洗钱|调查|制裁/i;
    fc.assert(
      fc.property(hold, hold, fc.constantFrom<Lang>(...LANGS), (first, second, lang) => {
        const render = (h: typeof first) =>
          renderVerdict(
            evaluate(facts({ holds: [{ ...h, reason: `«${h.reason}»` }] }), DEFAULT_POLICY, NOW),
            { lang, audience: 'holder' },
          );
        const rendered = render(first);
        const json = JSON.stringify(rendered);
        // Nothing about the hold reaches the holder: two different holds look the same.
        expect(rendered).toEqual(render(second));
        expect(json).not.toContain(`«${first.reason}»`);
        expect(json).not.toMatch(forbidden);
        const [blocker] = rendered.blockers;
        expect(blocker?.message).toBe(CATALOGUE['account_hold.review'][lang].message);
      }),
    );
  });

  it('counts relative times from the given instant, by default the evaluation instant', () => {
    const verdict = evaluate(
      facts({
        lastActivity: { trade: null, withdrawal: ago(HOUR), deposit: null, securityChange: null },
      }),
      DEFAULT_POLICY,
      NOW,
    );
    const later = renderVerdict(verdict, {
      lang: 'en',
      audience: 'holder',
      now: new Date(NOW.getTime() + 20 * HOUR),
    });
    expect(later.blockers[0]?.message).toContain('2026-11-26T11:00:00.000Z (in 3 hours)');
    const atEvaluation = renderVerdict(verdict, { lang: 'en', audience: 'holder' });
    expect(atEvaluation.blockers[0]?.message).toContain('2026-11-26T11:00:00.000Z (in 23 hours)');
  });
});

describe('relative times', () => {
  it.each<[number, string, string]>([
    [0, 'now', '现在'],
    [3 * DAY, 'in 3 days', '3 天后'],
    [3 * DAY + 5 * HOUR, 'in 3 days 5 hours', '3 天 5 小时后'],
    [2 * DAY + 23 * HOUR + 1, 'in 3 days', '3 天后'],
    [-(2 * DAY + 23 * HOUR + 1), '2 days 23 hours ago', '2 天 23 小时前'],
    [HOUR + 30 * MINUTE, 'in 1 hour 30 minutes', '1 小时 30 分钟后'],
    [59 * MINUTE + 1, 'in 1 hour', '1 小时后'],
    [-MINUTE, '1 minute ago', '1 分钟前'],
    [30_500, 'in 31 seconds', '31 秒后'],
    [-30_500, '30 seconds ago', '30 秒前'],
  ])('%i ms is "%s" / "%s"', (delta, en, zh) => {
    expect(relativeTime(delta, 'en')).toBe(en);
    expect(relativeTime(delta, 'zh-CN')).toBe(zh);
  });

  it('formats instants as ISO 8601 with the relative time beside', () => {
    const at = new Date(NOW.getTime() + 3 * DAY).toISOString();
    expect(formatInstant(at, NOW, 'en')).toBe('2026-11-28T12:00:00.000Z (in 3 days)');
    expect(formatInstant(at, NOW, 'zh-CN')).toBe('2026-11-28T12:00:00.000Z（3 天后）');
  });

  it('never shows a future instant sooner than it is (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * DAY }), (delta) => {
        const text = relativeTime(delta, 'en');
        const match =
          /^in (\d+) (day|hour|minute|second)s?(?: (\d+) (hour|minute|second)s?)?$/.exec(text);
        expect(match, text).not.toBeNull();
        const unit = { day: DAY, hour: HOUR, minute: MINUTE, second: 1000 } as const;
        const shown =
          Number(match![1]) * unit[match![2] as keyof typeof unit] +
          (match![3] ? Number(match![3]) * unit[match![4] as keyof typeof unit] : 0);
        expect(shown).toBeGreaterThanOrEqual(delta);
      }),
    );
  });
});

describe('balance_remaining wording', () => {
  const render = (
    asset: string,
    decimals: number,
    priceMinor: bigint,
    available: bigint,
    lang: Lang,
  ) =>
    renderVerdict(
      evaluate(
        facts({ balances: [price(asset, decimals, priceMinor)(available)] }),
        DEFAULT_POLICY,
        NOW,
      ),
      { lang, audience: 'holder', now: NOW },
    ).blockers.find((b) => b.code === 'balance_remaining')?.message;

  it('does not repeat the value of a balance held in the reference currency, in either language', () => {
    expect(render('USD', 2, 100n, 425n, 'en')).toBe('You still hold 4.25 USD.');
    expect(render('USD', 2, 100n, 425n, 'zh-CN')).toBe('您的账户中仍有 4.25 USD。');
  });

  it('still gives the value of a balance in another asset', () => {
    expect(render('BTC', 8, 6_000_000n, 100_000_000n, 'en')).toBe(
      'You still hold 1.00000000 BTC, worth about 60000.00 USD.',
    );
    expect(render('BTC', 8, 6_000_000n, 100_000_000n, 'zh-CN')).toContain('约合 60000.00 USD');
  });
});
