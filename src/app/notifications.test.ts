import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../domain/eligibility.js';
import { blankFacts } from '../domain/facts.js';
import type { HoldKind } from '../domain/facts.js';
import { holderVerdict, LANGS, renderVerdict } from '../domain/messages.js';
import { DEFAULT_POLICY_DOCUMENT, policyFor } from '../domain/policy.js';
import { CARRIES_DISABLE_LINK, holderReasons, renderNotice } from './notifications.js';
import type { NoticeTemplate } from './notifications.js';

const TEMPLATES = Object.keys(CARRIES_DISABLE_LINK) as NoticeTemplate[];
const SECRET_KINDS: HoldKind[] = ['compliance', 'fraud', 'regulator'];
// Every word a hold kind is told with, in both languages.
const KIND_WORDS = /compliance|fraud|regulator|合规|反欺诈|监管/i;
const now = new Date('2026-05-01T00:00:00Z');
const policy = policyFor(DEFAULT_POLICY_DOCUMENT, 'DE');

describe('holder notices never tip off', () => {
  // CARRIES_DISABLE_LINK is a Record over every template: a new notice must be listed there.
  it('no hold kind word or reason reaches any notice, in either language, for any hold', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SECRET_KINDS, 'legal' as HoldKind),
        fc.stringMatching(/^[A-Za-z0-9]{4,20}$/).map((s) => `SAR-${s}`),
        fc.constantFrom(...LANGS),
        fc.constantFrom(...TEMPLATES),
        (kind, reason, lang, template) => {
          const facts = {
            ...blankFacts({
              accountId: 'acc-1',
              status: 'active' as const,
              jurisdiction: 'DE',
              openedAt: now,
            }),
            holds: [{ id: 'h1', kind, reason, placedAt: now }],
          };
          const agent = renderVerdict(evaluate(facts, policy, now), {
            lang,
            audience: 'agent',
            now,
          });
          // The agents' copy names the hold: the test would be empty if it did not.
          expect(JSON.stringify(agent)).toContain(reason);
          const holder = holderVerdict(agent, lang);
          const told = JSON.stringify(holder);
          expect(told).not.toContain(reason);
          if (kind !== 'legal') expect(told).not.toMatch(KIND_WORDS);
          const { subject, body } = renderNotice(template, {
            account: 'acc-1',
            reasons: holderReasons(agent),
            actions: '',
            code: '123456',
            due: now.toISOString(),
            expires: now.toISOString(),
            enableAfter: now.toISOString(),
          });
          expect(`${subject}\n${body}`).not.toContain(reason);
          if (kind !== 'legal') expect(`${subject}\n${body}`).not.toMatch(KIND_WORDS);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the parameters a holder acts on (amounts), dropping only hold details', () => {
    const facts = {
      ...blankFacts({
        accountId: 'acc-1',
        status: 'active' as const,
        jurisdiction: 'DE',
        openedAt: now,
      }),
      balances: [
        {
          asset: 'EUR',
          decimals: 2,
          available: 25_000n,
          locked: 0n,
          allowNegative: true,
          priceMinorPerUnit: 108n,
        },
      ],
      holds: [{ id: 'h1', kind: 'fraud' as const, reason: 'SAR-1', placedAt: now }],
    };
    const holder = holderVerdict(
      renderVerdict(evaluate(facts, policy, now), { lang: 'en', audience: 'agent', now }),
    );
    const balance = holder.blockers.find((b) => b.code === 'balance_remaining');
    expect(balance?.params['amount']).toBe('250.00');
    const hold = holder.blockers.find((b) => b.code === 'account_hold');
    expect(hold?.params).toEqual({});
    expect(holder.blockers.every((b) => !('detail' in b))).toBe(true);
  });
});
