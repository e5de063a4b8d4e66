import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, YEAR } from './duration.js';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_DOCUMENT,
  describePolicy,
  formatPolicyPath,
  policyFor,
  retentionFor,
} from './policy.js';
import { resolvePolicy, validatePolicy } from './policy-reader.js';
import { LEDGER_JURISDICTIONS } from './retention.js';
import type { PolicyDocument, PolicyIssue } from './policy.js';

function valid(raw: unknown): PolicyDocument {
  const result = validatePolicy(raw);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.policy;
}

function errorsOf(raw: unknown): string[] {
  const result = validatePolicy(raw);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('defaults', () => {
  it('work out of the box, from an empty or missing file', () => {
    for (const raw of [undefined, null, {}]) {
      const document = valid(raw);
      expect(document.base).toEqual(DEFAULT_POLICY);
      expect(document.jurisdictions.size).toBe(0);
    }
  });

  it('are the documented values', () => {
    expect(describePolicy(DEFAULT_POLICY)).toEqual({
      jurisdiction: null,
      referenceCurrency: 'USD',
      referenceDecimals: 2,
      prices: {},
      dustThreshold: '1.00',
      coolingOff: {
        afterWithdrawal: '1d',
        afterTrade: '1h',
        afterDeposit: '0',
        afterSecurityChange: '7d',
      },
      closure: { gracePeriod: '7d', requireReauthentication: true, confirmationExpiry: '1d' },
      consent: {
        revocableAuthorizationKinds: ['oauth', 'linked_platform'],
        cancelOpenOrders: true,
        sweepDust: true,
      },
      disable: { minimumBeforeEnable: '1d', requireReverification: true },
      support: expect.objectContaining({
        warnBefore: '4h',
        reopenWindow: '7d',
        platformDomains: [],
      }) as unknown,
    });
    const sla = describePolicy(DEFAULT_POLICY).support as { sla: Record<string, unknown> };
    expect(sla.sla['dispute']).toEqual({
      low: { firstResponse: '2d', resolution: '10d' },
      normal: { firstResponse: '1d', resolution: '5d' },
      high: { firstResponse: '4h', resolution: '2d' },
      urgent: { firstResponse: '1h', resolution: '1d' },
    });
  });

  it('are frozen', () => {
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
    expect(Object.isFrozen(DEFAULT_POLICY.closure)).toBe(true);
    expect(Object.isFrozen(DEFAULT_POLICY.consent.revocableAuthorizationKinds)).toBe(true);
  });
});

describe('validatePolicy', () => {
  it('reads every field into milliseconds and minor units', () => {
    const { base } = valid({
      referenceCurrency: 'EUR',
      referenceDecimals: 2,
      prices: { BTC: '55000.10', SHIB: '0.000012', USD: 1 },
      dustThreshold: '2.50',
      coolingOff: {
        afterWithdrawal: '48h',
        afterTrade: '90m',
        afterDeposit: '3d',
        afterSecurityChange: '14d',
      },
      closure: { gracePeriod: '30d', requireReauthentication: false, confirmationExpiry: '2h' },
      consent: {
        revocableAuthorizationKinds: ['oauth'],
        cancelOpenOrders: false,
        sweepDust: false,
      },
      disable: { minimumBeforeEnable: '72h', requireReverification: false },
      support: {
        warnBefore: '2h',
        reopenWindow: '14d',
        platformDomains: ['ExampleWallet.com'],
        sla: {
          default: { normal: { firstResponse: '12h' } },
          hold_review: { urgent: { firstResponse: '30m', resolution: '6h' } },
        },
      },
    });
    expect(base.support.sla.dispute.normal).toEqual({
      firstResponseMs: 12 * HOUR,
      resolutionMs: 5 * DAY,
    });
    expect(base.support.sla.hold_review.urgent).toEqual({
      firstResponseMs: 30 * 60_000,
      resolutionMs: 6 * HOUR,
    });
    expect(base.support.sla.hold_review.normal.firstResponseMs).toBe(12 * HOUR);
    expect(base.support).toMatchObject({
      warnBeforeMs: 2 * HOUR,
      reopenWindowMs: 14 * DAY,
      platformDomains: ['examplewallet.com'],
    });
    const { support: _support, ...rest } = base;
    expect(rest).toEqual({
      jurisdiction: null,
      referenceCurrency: 'EUR',
      referenceDecimals: 2,
      prices: new Map([
        ['BTC', { minorPerUnit: 5_500_010n, scale: 0 }],
        ['SHIB', { minorPerUnit: 12n, scale: 4 }],
        ['USD', { minorPerUnit: 100n, scale: 0 }],
      ]),
      dustThresholdMinor: 250n,
      coolingOff: {
        afterWithdrawalMs: 48 * HOUR,
        afterTradeMs: 90 * 60_000,
        afterDepositMs: 3 * DAY,
        afterSecurityChangeMs: 14 * DAY,
      },
      closure: {
        gracePeriodMs: 30 * DAY,
        requireReauthentication: false,
        confirmationExpiryMs: 2 * HOUR,
      },
      consent: {
        revocableAuthorizationKinds: ['oauth'],
        cancelOpenOrders: false,
        sweepDust: false,
      },
      disable: { minimumBeforeEnableMs: 72 * HOUR, requireReverification: false },
    });
  });

  it('keeps defaults for what a section leaves out', () => {
    const { base } = valid({ closure: { gracePeriod: '14d' }, consent: null });
    expect(base.closure).toEqual({ ...DEFAULT_POLICY.closure, gracePeriodMs: 14 * DAY });
    expect(base.consent).toEqual(DEFAULT_POLICY.consent);
  });

  it('says what is wrong with a duration and how to write it', () => {
    expect(errorsOf({ closure: { gracePeriod: '7 parsecs' } })).toEqual([
      'closure.gracePeriod: "7 parsecs" is not a duration; use e.g. 7d',
    ]);
    expect(
      errorsOf({
        retention: { DE: { identity: '5 years', transactions: 5, communications: '60mo' } },
      }),
    ).toEqual([
      'retention.DE.identity: "5 years" is not a duration; use e.g. 5y',
      'retention.DE.transactions: 5 is not a duration: add a unit, e.g. 5y',
      'retention.DE.communications: "60mo" is not a duration: months vary in length; write days, e.g. 30d',
    ]);
    expect(errorsOf({ closure: { confirmationExpiry: '0' } })).toEqual([
      'closure.confirmationExpiry: must be longer than 0; use e.g. 24h',
    ]);
  });

  it('accepts 0 for a duration, written either way', () => {
    expect(valid({ coolingOff: { afterDeposit: 0 } }).base.coolingOff.afterDepositMs).toBe(0);
    expect(valid({ coolingOff: { afterTrade: '0s' } }).base.coolingOff.afterTradeMs).toBe(0);
  });

  it('refuses unknown keys everywhere, suggesting the key meant', () => {
    expect(
      errorsOf({
        dustTreshold: '1.00',
        closure: { gracePeriode: '7d' },
        colour: 'blue',
        jurisdictions: { DE: { closure: { GracePeriod: '10d' } } },
      }),
    ).toEqual([
      'dustTreshold: unknown key; did you mean dustThreshold?',
      `colour: unknown key; the keys here are referenceCurrency, referenceDecimals, support, prices, dustThreshold, coolingOff, closure, consent, disable, retention, retentionDefaults, jurisdictions`,
      'closure.gracePeriode: unknown key; did you mean gracePeriod?',
      'jurisdictions.DE.closure.GracePeriod: unknown key; did you mean gracePeriod?',
    ]);
  });

  it('refuses money that is not an exact decimal in the reference currency', () => {
    expect(
      errorsOf({
        dustThreshold: 0.5,
        prices: { BTC: '-1', ETH: 'lots', DOGE: '1e-3' },
        jurisdictions: { GB: { dustThreshold: '1.005' } },
      }),
    ).toEqual([
      'prices.BTC: "-1" is negative; write an amount of 0 or more',
      'prices.ETH: "lots" is not an amount; write a decimal in quotes, e.g. "60000.00"',
      'prices.DOGE: "1e-3" is not an amount; write a decimal in quotes, e.g. "60000.00"',
      'dustThreshold: 0.5 is a YAML number, which is not exact for money; write it in quotes, e.g. "1.00"',
      'jurisdictions.GB.dustThreshold: "1.005" has 3 decimal places; USD has 2 (referenceDecimals)',
    ]);
  });

  it('takes a price finer than the reference currency, up to 18 digits below its minor unit', () => {
    expect(valid({ prices: { DUST: '0.00000000000000000001' } }).base.prices.get('DUST')).toEqual({
      minorPerUnit: 1n,
      scale: 18,
    });
    expect(errorsOf({ prices: { DUST: '0.000000000000000000001' } })).toEqual([
      'prices.DUST: "0.000000000000000000001" has 21 decimal places; a price may have at most 20',
    ]);
  });

  it('checks booleans, kinds, currency and decimals', () => {
    expect(
      errorsOf({
        referenceCurrency: 'usd',
        referenceDecimals: 2.5,
        closure: { requireReauthentication: 'yes' },
        consent: { revocableAuthorizationKinds: ['oauth', 'oauth2', 'subscription'] },
        disable: { requireReverification: null },
      }),
    ).toEqual([
      'referenceCurrency: "usd" is not a currency code; use uppercase letters and digits, e.g. USD',
      'referenceDecimals: 2.5 is not a number of decimals; use a whole number from 0 to 18, e.g. 2',
      'closure.requireReauthentication: "yes" is not true or false',
      'consent.revocableAuthorizationKinds[1]: "oauth2" is not an authorization kind; use one of oauth, linked_platform, subscription, direct_debit',
      'disable.requireReverification: an empty value is not true or false',
    ]);
    expect(errorsOf({ consent: { revocableAuthorizationKinds: 'oauth' } })).toEqual([
      'consent.revocableAuthorizationKinds: must be a list of authorization kinds, e.g. [oauth, linked_platform]; got "oauth"',
    ]);
  });

  it('refuses a file that is not a mapping, and sections that are not mappings', () => {
    expect(errorsOf(['a'])[0]).toMatch(/^\(root\): the policy must be a mapping of keys/);
    expect(errorsOf({ closure: '7d' })).toEqual([
      'closure: must be a mapping with the keys gracePeriod, requireReauthentication, confirmationExpiry; got "7d"',
    ]);
  });

  it('reports every error at once', () => {
    const result = validatePolicy({
      closure: { gracePeriod: 'soon', confirmationExpiry: 'later' },
      retention: { DE: { identity: 'forever' } },
      jurisdictions: { de: {} },
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toHaveLength(4);
  });

  it('gives each error its path as segments, for locating it in the file', () => {
    const result = validatePolicy({ consent: { revocableAuthorizationKinds: ['oauth', 'x'] } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors[0]).toEqual<PolicyIssue>({
        path: 'consent.revocableAuthorizationKinds[1]',
        segments: ['consent', 'revocableAuthorizationKinds', 1],
        message:
          '"x" is not an authorization kind; use one of oauth, linked_platform, subscription, direct_debit',
      });
    }
  });
});

describe('jurisdictions', () => {
  const raw = {
    dustThreshold: '2.00',
    prices: { BTC: '60000.00', ETH: '3000.00' },
    closure: { gracePeriod: '10d' },
    consent: { revocableAuthorizationKinds: ['oauth', 'linked_platform', 'subscription'] },
    jurisdictions: {
      DE: { dustThreshold: '3.00', closure: { gracePeriod: '14d' } },
      GB: { prices: { ETH: '2900.00' }, consent: { revocableAuthorizationKinds: [] } },
      US: null,
    },
  };

  it('merge deeply over the file, which merges over the defaults', () => {
    const document = valid(raw);
    const de = policyFor(document, 'DE');
    expect(de.jurisdiction).toBe('DE');
    expect(de.closure).toEqual({ ...DEFAULT_POLICY.closure, gracePeriodMs: 14 * DAY });
    expect(de.dustThresholdMinor).toBe(300n);
    expect(policyFor(document, 'US').dustThresholdMinor).toBe(200n);
  });

  it('merge prices asset by asset, and replace lists whole', () => {
    const gb = policyFor(valid(raw), 'GB');
    expect(gb.prices).toEqual(
      new Map([
        ['BTC', { minorPerUnit: 6_000_000n, scale: 0 }],
        ['ETH', { minorPerUnit: 290_000n, scale: 0 }],
      ]),
    );
    expect(gb.consent.revocableAuthorizationKinds).toEqual([]);
  });

  it('an empty override is the file policy for that jurisdiction', () => {
    const us = policyFor(valid(raw), 'US');
    expect(us).toEqual({ ...valid(raw).base, jurisdiction: 'US' });
  });

  it('an account in a jurisdiction the file does not name gets the base policy', () => {
    const document = valid(raw);
    expect(policyFor(document, 'FR')).toBe(document.base);
    expect(policyFor(document, null)).toBe(document.base);
    expect(policyFor(document, 'de')).toBe(policyFor(document, 'DE'));
    expect(policyFor(DEFAULT_POLICY_DOCUMENT, 'DE')).toBe(DEFAULT_POLICY);
  });

  it('resolvePolicy validates and picks in one step', () => {
    const resolved = resolvePolicy(raw, 'DE');
    expect(resolved.ok && resolved.policy.closure.gracePeriodMs).toBe(14 * DAY);
    expect(resolvePolicy({ closure: { gracePeriod: 'x' } }, 'DE').ok).toBe(false);
  });

  it('need two uppercase letters, and cannot change the reference currency or nest', () => {
    expect(
      errorsOf({
        jurisdictions: {
          de: {},
          DEU: {},
          FR: { referenceCurrency: 'EUR', referenceDecimals: 2, jurisdictions: {} },
          IT: 'strict',
        },
      }),
    ).toEqual([
      'jurisdictions.de: "de" is not a jurisdiction; use two uppercase letters (ISO 3166 alpha-2), e.g. DE',
      'jurisdictions.DEU: "DEU" is not a jurisdiction; use two uppercase letters (ISO 3166 alpha-2), e.g. DE',
      'jurisdictions.FR.referenceCurrency: the reference currency is set once, at the top of the file: the platform prices balances in one currency. Set dustThreshold per jurisdiction instead',
      'jurisdictions.FR.referenceDecimals: referenceDecimals is set once, at the top of the file, with referenceCurrency',
      'jurisdictions.FR.jurisdictions: a jurisdiction cannot contain jurisdictions; list them all under the top-level jurisdictions key',
      'jurisdictions.IT: must be a mapping of the keys it overrides, e.g. closure: { gracePeriod: 14d }; got "strict"',
    ]);
  });

  it('an override never changes what it does not name (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('1h', '2d', '0', '9y'), fc.boolean(), (grace, reauth) => {
        const document = valid({
          jurisdictions: {
            NL: { closure: { gracePeriod: grace } },
            BE: { closure: { requireReauthentication: reauth } },
          },
        });
        const nl = policyFor(document, 'NL');
        const be = policyFor(document, 'BE');
        expect({ ...nl, jurisdiction: null, closure: DEFAULT_POLICY.closure }).toEqual(
          DEFAULT_POLICY,
        );
        expect(nl.closure.requireReauthentication).toBe(
          DEFAULT_POLICY.closure.requireReauthentication,
        );
        expect(be.closure.gracePeriodMs).toBe(DEFAULT_POLICY.closure.gracePeriodMs);
        expect(be.closure.requireReauthentication).toBe(reauth);
      }),
    );
  });
});

describe('formatPolicyPath', () => {
  it('joins keys with dots and indexes in brackets', () => {
    expect(formatPolicyPath([])).toBe('(root)');
    expect(formatPolicyPath(['jurisdictions', 'DE', 'closure', 'gracePeriod'])).toBe(
      'jurisdictions.DE.closure.gracePeriod',
    );
    expect(formatPolicyPath(['consent', 'revocableAuthorizationKinds', 0])).toBe(
      'consent.revocableAuthorizationKinds[0]',
    );
  });
});

describe('retention', () => {
  it('ships a period with its legal basis for every jurisdiction of the builtin ledger', () => {
    for (const code of LEDGER_JURISDICTIONS) {
      const periods = retentionFor(DEFAULT_POLICY_DOCUMENT, code);
      expect(periods?.legalBasis, code).toMatch(/\S/);
      expect(periods?.identityMs, code).toBeGreaterThanOrEqual(5 * YEAR);
    }
    expect(retentionFor(DEFAULT_POLICY_DOCUMENT, 'jp')?.transactionsMs).toBe(7 * YEAR);
  });

  it('overrides the shipped periods class by class', () => {
    const document = valid({ retention: { DE: { transactions: '10y' } } });
    expect(retentionFor(document, 'DE')).toMatchObject({
      identityMs: 5 * YEAR,
      transactionsMs: 10 * YEAR,
      communicationsMs: 5 * YEAR,
    });
  });

  it('refuses a ledger jurisdiction left without a period, never defaulting it', () => {
    expect(errorsOf({ retentionDefaults: 'none' })).toEqual(
      LEDGER_JURISDICTIONS.map(
        (c) =>
          `retention.${c}: no retention period for ${c}: set retention.${c}.identity, transactions, communications and legalBasis (docs/retention.md)`,
      ),
    );
  });

  it('refuses a jurisdiction the file names without a period', () => {
    expect(errorsOf({ jurisdictions: { ZA: { dustThreshold: '1.00' } } })).toEqual([
      'retention.ZA: no retention period for ZA: set retention.ZA.identity, transactions, communications and legalBasis (docs/retention.md)',
    ]);
    expect(errorsOf({ retention: { ZA: { identity: '5y' } }, jurisdictions: { ZA: {} } })).toEqual([
      'retention.ZA: sets no transactions, communications, legalBasis; a jurisdiction without a shipped period must set every class and its legalBasis',
      'retention.ZA: no retention period for ZA: set retention.ZA.identity, transactions, communications and legalBasis (docs/retention.md)',
    ]);
  });

  it('explains how to migrate the old one-size retention keys', () => {
    expect(errorsOf({ retention: { kyc: '5y', sessions: 0 } })[0]).toMatch(
      /^retention: this is the old form .* retention is now set per jurisdiction/,
    );
    expect(errorsOf({ jurisdictions: { DE: { retention: { kyc: '5y' } } } })[0]).toMatch(
      /^jurisdictions\.DE\.retention: retention periods are set per jurisdiction under the top-level retention key/,
    );
  });
});
