/**
 * The policy: what a platform decides about offboarding, per jurisdiction — its types, the
 * defaults that work out of the box, and lookup by jurisdiction. Validating a parsed file
 * into these types is policy-reader.ts's; parsing YAML is src/config's. docs/policy.md
 * documents every field.
 */
import { DAY, formatDuration, HOUR } from './duration.js';
import type { AuthorizationKind } from './facts.js';
import { formatAmount } from './money.js';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from './tickets.js';
import type { SlaTarget, SupportRules, TicketPriority } from './tickets.js';
import { DEFAULT_RETENTION } from './retention.js';
import type { RetentionPeriods } from './retention.js';

/**
 * A price per whole unit of an asset: `minorPerUnit / 10^scale` minor units of the
 * reference currency. The scale lets a policy price a token below one cent exactly.
 */
export interface Price {
  readonly minorPerUnit: bigint;
  readonly scale: number;
}

export interface CoolingOffRules {
  readonly afterWithdrawalMs: number;
  readonly afterTradeMs: number;
  readonly afterDepositMs: number;
  readonly afterSecurityChangeMs: number;
}

export interface ClosureRules {
  readonly gracePeriodMs: number;
  readonly requireReauthentication: boolean;
  readonly confirmationExpiryMs: number;
}

export interface ConsentRules {
  /** Authorizations closure may revoke on the holder's behalf, with consent. */
  readonly revocableAuthorizationKinds: readonly AuthorizationKind[];
  readonly cancelOpenOrders: boolean;
  readonly sweepDust: boolean;
}

export interface DisableRules {
  readonly minimumBeforeEnableMs: number;
  readonly requireReverification: boolean;
}

/** The policy that applies to one account: defaults, then the file, then its jurisdiction. */
export interface Policy {
  /** The jurisdiction whose override applied, or null when the base policy applies. */
  readonly jurisdiction: string | null;
  readonly referenceCurrency: string;
  readonly referenceDecimals: number;
  /** Prices that override the platform's, by asset code. */
  readonly prices: ReadonlyMap<string, Price>;
  /** In the reference currency's minor units; a balance worth less is dust. */
  readonly dustThresholdMinor: bigint;
  readonly coolingOff: CoolingOffRules;
  readonly closure: ClosureRules;
  readonly consent: ConsentRules;
  readonly disable: DisableRules;
  /** Support tickets: SLA targets, the reopen window, the platform's domains. Set once for the file. */
  readonly support: SupportRules;
}

/** A validated policy file, resolved once: the base policy and one per jurisdiction named. */
export interface PolicyDocument {
  readonly base: Policy;
  readonly jurisdictions: ReadonlyMap<string, Policy>;
  /**
   * Retention periods by jurisdiction (retention.ts). Never a base value: a jurisdiction
   * with no period is refused at erasure, never given a default it was not written for.
   */
  readonly retention: ReadonlyMap<string, RetentionPeriods>;
}

export interface PolicyIssue {
  /** Where the problem is, e.g. `closure.gracePeriod` or `jurisdictions.DE.prices.BTC`. */
  readonly path: string;
  readonly message: string;
  /** The same path as keys and list indexes, for tools that locate it in the file. */
  readonly segments: readonly (string | number)[];
}

export type ValidatePolicyResult =
  { ok: true; policy: PolicyDocument } | { ok: false; errors: PolicyIssue[] };

export type ResolvePolicyResult =
  { ok: true; policy: Policy } | { ok: false; errors: PolicyIssue[] };

export const AUTHORIZATION_KINDS: readonly AuthorizationKind[] = [
  'oauth',
  'linked_platform',
  'subscription',
  'direct_debit',
];

/** The default SLA per priority, the same for every category (docs/support.md). */
const DEFAULT_SLA_BY_PRIORITY: Readonly<Record<TicketPriority, SlaTarget>> = {
  low: { firstResponseMs: 48 * HOUR, resolutionMs: 10 * DAY },
  normal: { firstResponseMs: 24 * HOUR, resolutionMs: 5 * DAY },
  high: { firstResponseMs: 4 * HOUR, resolutionMs: 2 * DAY },
  urgent: { firstResponseMs: 1 * HOUR, resolutionMs: 1 * DAY },
};

export const DEFAULT_SUPPORT: SupportRules = {
  sla: Object.fromEntries(
    TICKET_CATEGORIES.map((c) => [c, { ...DEFAULT_SLA_BY_PRIORITY }]),
  ) as SupportRules['sla'],
  warnBeforeMs: 4 * HOUR,
  reopenWindowMs: 7 * DAY,
  platformDomains: [],
};

/**
 * Defaults that work out of the box. The reasons are in docs/policy.md; in short: a
 * withdrawal or a security change is what an account takeover looks like, so closure waits
 * long enough for the real holder to notice; a trade waits for late fills and fees.
 */
export const DEFAULT_POLICY: Policy = deepFreeze({
  jurisdiction: null,
  referenceCurrency: 'USD',
  referenceDecimals: 2,
  prices: new Map<string, Price>(),
  dustThresholdMinor: 100n,
  coolingOff: {
    afterWithdrawalMs: 24 * HOUR,
    afterTradeMs: 1 * HOUR,
    afterDepositMs: 0,
    afterSecurityChangeMs: 7 * DAY,
  },
  closure: {
    gracePeriodMs: 7 * DAY,
    requireReauthentication: true,
    confirmationExpiryMs: 24 * HOUR,
  },
  consent: {
    revocableAuthorizationKinds: ['oauth', 'linked_platform'],
    cancelOpenOrders: true,
    sweepDust: true,
  },
  disable: { minimumBeforeEnableMs: 24 * HOUR, requireReverification: true },
  support: DEFAULT_SUPPORT,
});

export const DEFAULT_POLICY_DOCUMENT: PolicyDocument = Object.freeze({
  base: DEFAULT_POLICY,
  jurisdictions: new Map<string, Policy>(),
  retention: DEFAULT_RETENTION,
});

/** The retention periods of `jurisdiction` (any case); null when the policy sets none. */
export function retentionFor(
  document: PolicyDocument,
  jurisdiction: string,
): RetentionPeriods | null {
  return document.retention.get(jurisdiction.toUpperCase()) ?? null;
}

/** The retention table written back in policy-file syntax, for `offboard policy show`. */
export function describeRetention(document: PolicyDocument): Record<string, unknown> {
  return Object.fromEntries(
    [...document.retention]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, r]) => [
        code,
        {
          identity: formatDuration(r.identityMs),
          transactions: formatDuration(r.transactionsMs),
          communications: formatDuration(r.communicationsMs),
          legalBasis: r.legalBasis,
        },
      ]),
  );
}

/** The policy for an account in `jurisdiction` (any case); the base when none is named. */
export function policyFor(
  document: PolicyDocument,
  jurisdiction: string | null | undefined,
): Policy {
  if (!jurisdiction) return document.base;
  return document.jurisdictions.get(jurisdiction.toUpperCase()) ?? document.base;
}

/** `closure.gracePeriod`, `jurisdictions.DE.prices.BTC`, `consent.revocableAuthorizationKinds[1]`. */
export function formatPolicyPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    path += typeof segment === 'number' ? `[${segment}]` : path === '' ? segment : `.${segment}`;
  }
  return path === '' ? '(root)' : path;
}

/** Freezes a policy to the last level: resolved policies are shared by every caller. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Map)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The policy written back in policy-file syntax, for `offboard policy show` and logs. */
export function describePolicy(policy: Policy): Record<string, unknown> {
  const money = (minor: bigint) => formatAmount(minor, policy.referenceDecimals);
  const price = (p: Price) => formatAmount(p.minorPerUnit, policy.referenceDecimals + p.scale);
  return {
    jurisdiction: policy.jurisdiction,
    referenceCurrency: policy.referenceCurrency,
    referenceDecimals: policy.referenceDecimals,
    prices: Object.fromEntries([...policy.prices].map(([asset, p]) => [asset, price(p)])),
    dustThreshold: money(policy.dustThresholdMinor),
    coolingOff: {
      afterWithdrawal: formatDuration(policy.coolingOff.afterWithdrawalMs),
      afterTrade: formatDuration(policy.coolingOff.afterTradeMs),
      afterDeposit: formatDuration(policy.coolingOff.afterDepositMs),
      afterSecurityChange: formatDuration(policy.coolingOff.afterSecurityChangeMs),
    },
    closure: {
      gracePeriod: formatDuration(policy.closure.gracePeriodMs),
      requireReauthentication: policy.closure.requireReauthentication,
      confirmationExpiry: formatDuration(policy.closure.confirmationExpiryMs),
    },
    consent: {
      ...policy.consent,
      revocableAuthorizationKinds: [...policy.consent.revocableAuthorizationKinds],
    },
    disable: {
      minimumBeforeEnable: formatDuration(policy.disable.minimumBeforeEnableMs),
      requireReverification: policy.disable.requireReverification,
    },
    support: {
      sla: Object.fromEntries(
        TICKET_CATEGORIES.map((c) => [
          c,
          Object.fromEntries(
            TICKET_PRIORITIES.map((p) => {
              const t = policy.support.sla[c][p];
              return [
                p,
                {
                  firstResponse: formatDuration(t.firstResponseMs),
                  resolution: formatDuration(t.resolutionMs),
                },
              ];
            }),
          ),
        ]),
      ),
      warnBefore: formatDuration(policy.support.warnBeforeMs),
      reopenWindow: formatDuration(policy.support.reopenWindowMs),
      platformDomains: [...policy.support.platformDomains],
    },
  };
}
