/**
 * Validates a parsed policy file — every problem at once, each with its path — and resolves
 * it into fully typed `Policy` values: durations in milliseconds, money in bigint minor
 * units, jurisdiction layers merged over the base.
 */
import { GENERIC_DURATION_REASON, parseDuration } from './duration.js';
import type { AuthorizationKind } from './facts.js';
import {
  AUTHORIZATION_KINDS,
  DEFAULT_POLICY,
  DEFAULT_SUPPORT,
  deepFreeze,
  formatPolicyPath,
  policyFor,
} from './policy.js';
import { DEFAULT_RETENTION, LEDGER_JURISDICTIONS } from './retention.js';
import type { RetentionPeriods } from './retention.js';
import type {
  ClosureRules,
  ConsentRules,
  CoolingOffRules,
  DisableRules,
  Policy,
  PolicyIssue,
  Price,
  ResolvePolicyResult,
  ValidatePolicyResult,
} from './policy.js';
import { TICKET_CATEGORIES, TICKET_PRIORITIES } from './tickets.js';
import type { SlaTarget, SupportRules, TicketCategory, TicketPriority } from './tickets.js';

/** Validates a parsed policy file and resolves its base and every jurisdiction it names. */
export function validatePolicy(raw: unknown): ValidatePolicyResult {
  const issues = new Issues();
  const root = raw === null || raw === undefined ? {} : raw;
  if (!isMapping(root)) {
    issues.add(
      [],
      `the policy must be a mapping of keys (${TOP_LEVEL_KEYS.join(', ')}), not ${describe(root)}`,
    );
    return { ok: false, errors: issues.list };
  }
  issues.unknownKeys(root, [], TOP_LEVEL_KEYS);

  const currency = readCurrency(root.referenceCurrency, ['referenceCurrency'], issues);
  const decimals = readReferenceDecimals(root.referenceDecimals, ['referenceDecimals'], issues);
  const reference = {
    currency: currency ?? DEFAULT_POLICY.referenceCurrency,
    decimals: decimals ?? DEFAULT_POLICY.referenceDecimals,
  };
  const baseLayer = readLayer(root, [], reference, issues);
  const base = applyLayer(
    {
      ...DEFAULT_POLICY,
      referenceCurrency: reference.currency,
      referenceDecimals: reference.decimals,
      support: readSupport(root.support, ['support'], issues),
    },
    baseLayer,
    null,
  );

  const jurisdictions = new Map<string, Policy>();
  const rawJurisdictions = root.jurisdictions;
  if (rawJurisdictions !== undefined && rawJurisdictions !== null) {
    if (!isMapping(rawJurisdictions)) {
      issues.add(
        ['jurisdictions'],
        `must be a mapping of jurisdiction codes to policies, e.g. DE: { closure: { gracePeriod: 14d } }; got ${describe(rawJurisdictions)}`,
      );
    } else {
      for (const [code, value] of Object.entries(rawJurisdictions)) {
        const at = ['jurisdictions', code];
        if (!/^[A-Z]{2}$/.test(code)) {
          issues.add(
            at,
            `"${code}" is not a jurisdiction; use two uppercase letters (ISO 3166 alpha-2), e.g. DE`,
          );
          continue;
        }
        const override = value ?? {};
        if (!isMapping(override)) {
          issues.add(
            at,
            `must be a mapping of the keys it overrides, e.g. closure: { gracePeriod: 14d }; got ${describe(override)}`,
          );
          continue;
        }
        for (const key of GLOBAL_ONLY_KEYS) {
          if (key in override) {
            issues.add([...at, key], GLOBAL_ONLY_REASONS[key]);
          }
        }
        issues.unknownKeys(override, at, [...JURISDICTION_KEYS, ...GLOBAL_ONLY_KEYS]);
        const layer = readLayer(override, at, reference, issues);
        jurisdictions.set(code, applyLayer(base, layer, code));
      }
    }
  }

  const retention = readRetention(root, jurisdictions, issues);

  if (issues.list.length > 0) return { ok: false, errors: issues.list };
  return { ok: true, policy: Object.freeze({ base, jurisdictions, retention }) };
}

/** Validates a parsed policy file and returns the policy for one jurisdiction (or the base). */
export function resolvePolicy(raw: unknown, jurisdiction?: string): ResolvePolicyResult {
  const validated = validatePolicy(raw);
  if (!validated.ok) return validated;
  return { ok: true, policy: policyFor(validated.policy, jurisdiction) };
}

// ——— reading ———

type Path = readonly (string | number)[];

interface Reference {
  currency: string;
  decimals: number;
}

/** What one level (the file's top, or one jurisdiction) sets; absent keys inherit. */
interface Layer {
  prices?: Map<string, Price>;
  dustThresholdMinor?: bigint;
  coolingOff?: Partial<CoolingOffRules>;
  closure?: Partial<ClosureRules>;
  consent?: Partial<ConsentRules>;
  disable?: Partial<DisableRules>;
}

const JURISDICTION_KEYS = [
  'prices',
  'dustThreshold',
  'coolingOff',
  'closure',
  'consent',
  'disable',
];
const GLOBAL_ONLY_KEYS = [
  'referenceCurrency',
  'referenceDecimals',
  'support',
  'retention',
  'retentionDefaults',
  'jurisdictions',
] as const;
const TOP_LEVEL_KEYS = [
  ...GLOBAL_ONLY_KEYS.slice(0, 3),
  ...JURISDICTION_KEYS,
  ...GLOBAL_ONLY_KEYS.slice(3),
];

const GLOBAL_ONLY_REASONS: Record<(typeof GLOBAL_ONLY_KEYS)[number], string> = {
  // The platform prices every balance in one currency; comparing those prices with a
  // threshold in another would be silently wrong.
  referenceCurrency:
    'the reference currency is set once, at the top of the file: the platform prices balances in one currency. Set dustThreshold per jurisdiction instead',
  referenceDecimals:
    'referenceDecimals is set once, at the top of the file, with referenceCurrency',
  // One support team answers every jurisdiction's tickets, against one set of targets.
  support: 'support is set once, at the top of the file: one support queue serves every account',
  jurisdictions:
    'a jurisdiction cannot contain jurisdictions; list them all under the top-level jurisdictions key',
  retention:
    'retention periods are set per jurisdiction under the top-level retention key, e.g. retention: { DE: { identity: 5y } } (docs/retention.md)',
  retentionDefaults: 'retentionDefaults is set once, at the top of the file',
};

type Reader<T> = (value: unknown, at: Path, issues: Issues, reference: Reference) => T | undefined;

/** A section's fields: file key → reader of the value into the resolved field. */
type SectionSpec<T> = Record<string, { into: keyof T & string; read: Reader<T[keyof T]> }>;

function field<T, K extends keyof T & string>(
  into: K,
  read: Reader<T[K]>,
): { into: keyof T & string; read: Reader<T[keyof T]> } {
  return { into, read: read as Reader<T[keyof T]> };
}

const duration =
  (example: string, options: { positive?: boolean } = {}): Reader<number> =>
  (value, at, issues) => {
    if (value === 0) return 0;
    if (typeof value === 'number') {
      issues.add(at, `${value} is not a duration: add a unit, e.g. ${example}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      issues.add(at, `${describe(value)} is not a duration; use e.g. ${example}`);
      return undefined;
    }
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      issues.add(
        at,
        parsed.reason === GENERIC_DURATION_REASON
          ? `"${value}" is not a duration; use e.g. ${example}`
          : `"${value}" is not a duration: ${parsed.reason}`,
      );
      return undefined;
    }
    if (options.positive && parsed.ms === 0) {
      issues.add(at, `must be longer than 0; use e.g. ${example}`);
      return undefined;
    }
    return parsed.ms;
  };

const boolean: Reader<boolean> = (value, at, issues) => {
  if (typeof value === 'boolean') return value;
  issues.add(at, `${describe(value)} is not true or false`);
  return undefined;
};

const authorizationKinds: Reader<readonly AuthorizationKind[]> = (value, at, issues) => {
  if (!Array.isArray(value)) {
    issues.add(
      at,
      `must be a list of authorization kinds, e.g. [oauth, linked_platform]; got ${describe(value)}`,
    );
    return undefined;
  }
  const kinds: AuthorizationKind[] = [];
  let valid = true;
  value.forEach((item: unknown, index) => {
    const kind = AUTHORIZATION_KINDS.find((k) => k === item);
    if (kind) {
      if (!kinds.includes(kind)) kinds.push(kind);
    } else {
      valid = false;
      issues.add(
        [...at, index],
        `${describe(item)} is not an authorization kind; use one of ${AUTHORIZATION_KINDS.join(', ')}`,
      );
    }
  });
  return valid ? kinds : undefined;
};

const COOLING_OFF: SectionSpec<CoolingOffRules> = {
  afterWithdrawal: field('afterWithdrawalMs', duration('24h')),
  afterTrade: field('afterTradeMs', duration('1h')),
  afterDeposit: field('afterDepositMs', duration('3d')),
  afterSecurityChange: field('afterSecurityChangeMs', duration('7d')),
};

const CLOSURE: SectionSpec<ClosureRules> = {
  gracePeriod: field('gracePeriodMs', duration('7d')),
  requireReauthentication: field('requireReauthentication', boolean),
  // Zero would expire every request before the holder could confirm it.
  confirmationExpiry: field('confirmationExpiryMs', duration('24h', { positive: true })),
};

const CONSENT: SectionSpec<ConsentRules> = {
  revocableAuthorizationKinds: field('revocableAuthorizationKinds', authorizationKinds),
  cancelOpenOrders: field('cancelOpenOrders', boolean),
  sweepDust: field('sweepDust', boolean),
};

type RetentionSection = Omit<RetentionPeriods, 'legalBasis'> & { legalBasis: string };

const text: Reader<string> = (value, at, issues) => {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  issues.add(at, `${describe(value)} is not a text; cite the law, e.g. "MLR 2017 reg. 40"`);
  return undefined;
};

const RETENTION: SectionSpec<RetentionSection> = {
  identity: field('identityMs', duration('5y', { positive: true })),
  transactions: field('transactionsMs', duration('5y', { positive: true })),
  communications: field('communicationsMs', duration('5y', { positive: true })),
  legalBasis: field('legalBasis', text),
};

// The keys of the first policy format: one retention for every jurisdiction.
const OLD_RETENTION_KEYS = ['kyc', 'transactions', 'communications', 'sessions'];

const DISABLE: SectionSpec<DisableRules> = {
  minimumBeforeEnable: field('minimumBeforeEnableMs', duration('24h')),
  requireReverification: field('requireReverification', boolean),
};

function readLayer(
  raw: Record<string, unknown>,
  at: Path,
  reference: Reference,
  issues: Issues,
): Layer {
  const layer: Layer = {};
  const prices = readPrices(raw.prices, [...at, 'prices'], reference, issues);
  if (prices) layer.prices = prices;
  const dust = readMoney(raw.dustThreshold, [...at, 'dustThreshold'], reference, issues);
  if (dust !== undefined) layer.dustThresholdMinor = dust;
  const coolingOff = readSection(
    raw.coolingOff,
    [...at, 'coolingOff'],
    COOLING_OFF,
    reference,
    issues,
  );
  if (coolingOff) layer.coolingOff = coolingOff;
  const closure = readSection(raw.closure, [...at, 'closure'], CLOSURE, reference, issues);
  if (closure) layer.closure = closure;
  const consent = readSection(raw.consent, [...at, 'consent'], CONSENT, reference, issues);
  if (consent) layer.consent = consent;
  const disable = readSection(raw.disable, [...at, 'disable'], DISABLE, reference, issues);
  if (disable) layer.disable = disable;
  return layer;
}

function readSection<T>(
  raw: unknown,
  at: Path,
  spec: SectionSpec<T>,
  reference: Reference,
  issues: Issues,
): Partial<T> | undefined {
  // An empty `closure:` line reads as null: it sets nothing, which is what its author meant.
  if (raw === undefined || raw === null) return undefined;
  const keys = Object.keys(spec);
  if (!isMapping(raw)) {
    issues.add(at, `must be a mapping with the keys ${keys.join(', ')}; got ${describe(raw)}`);
    return undefined;
  }
  issues.unknownKeys(raw, at, keys);
  const section: Record<string, unknown> = {};
  for (const [key, { into, read }] of Object.entries(spec)) {
    if (!(key in raw)) continue;
    const value = read(raw[key], [...at, key], issues, reference);
    if (value !== undefined) section[into] = value;
  }
  // Every key was written by a reader typed for it in the spec.
  return section as Partial<T>;
}

function readCurrency(raw: unknown, at: Path, issues: Issues): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && /^[A-Z][A-Z0-9]{1,11}$/.test(raw)) return raw;
  issues.add(
    at,
    `${describe(raw)} is not a currency code; use uppercase letters and digits, e.g. USD`,
  );
  return undefined;
}

function readReferenceDecimals(raw: unknown, at: Path, issues: Issues): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 18) return raw;
  issues.add(
    at,
    `${describe(raw)} is not a number of decimals; use a whole number from 0 to 18, e.g. 2`,
  );
  return undefined;
}

const DECIMAL_TEXT = /^(\d+)(?:\.(\d+))?$/;

/**
 * Money in a policy is a decimal string ("1.00"). A YAML number is accepted only when it is
 * a safe integer: `0.10` reaches us as the float 0.1, and floats never touch money.
 */
function decimalText(raw: unknown, at: Path, issues: Issues, example: string): string | undefined {
  if (typeof raw === 'number') {
    if (Number.isSafeInteger(raw) && raw >= 0) return String(raw);
    if (Number.isFinite(raw) && raw >= 0) {
      issues.add(
        at,
        `${raw} is a YAML number, which is not exact for money; write it in quotes, e.g. "${example}"`,
      );
      return undefined;
    }
  }
  if (typeof raw === 'string') {
    if (raw.startsWith('-')) {
      issues.add(at, `"${raw}" is negative; write an amount of 0 or more`);
      return undefined;
    }
    if (DECIMAL_TEXT.test(raw)) return raw;
  }
  issues.add(at, `${describe(raw)} is not an amount; write a decimal in quotes, e.g. "${example}"`);
  return undefined;
}

function readMoney(
  raw: unknown,
  at: Path,
  reference: Reference,
  issues: Issues,
): bigint | undefined {
  if (raw === undefined) return undefined;
  const text = decimalText(raw, at, issues, '1.00');
  if (text === undefined) return undefined;
  const [whole = '', fraction = ''] = text.split('.');
  if (fraction.length > reference.decimals) {
    issues.add(
      at,
      `"${text}" has ${fraction.length} decimal places; ${reference.currency} has ${reference.decimals} (referenceDecimals)`,
    );
    return undefined;
  }
  return BigInt(whole + fraction.padEnd(reference.decimals, '0'));
}

// A price may be finer than the reference currency's minor unit, but not without limit:
// 18 digits below it price any token anyone trades.
const MAX_PRICE_SCALE = 18;

function readPrices(
  raw: unknown,
  at: Path,
  reference: Reference,
  issues: Issues,
): Map<string, Price> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isMapping(raw)) {
    issues.add(
      at,
      `must be a mapping of asset codes to prices in ${reference.currency}, e.g. BTC: "60000.00"; got ${describe(raw)}`,
    );
    return undefined;
  }
  const prices = new Map<string, Price>();
  for (const [asset, value] of Object.entries(raw)) {
    const where = [...at, asset];
    if (!/^\S+$/.test(asset)) {
      issues.add(where, `"${asset}" is not an asset code`);
      continue;
    }
    const text = decimalText(value, where, issues, '60000.00');
    if (text === undefined) continue;
    const [whole = '', fraction = ''] = text.split('.');
    const scale = fraction.length - reference.decimals;
    if (scale > MAX_PRICE_SCALE) {
      issues.add(
        where,
        `"${text}" has ${fraction.length} decimal places; a price may have at most ${reference.decimals + MAX_PRICE_SCALE}`,
      );
      continue;
    }
    const digits = BigInt(whole + fraction);
    prices.set(
      asset,
      scale > 0
        ? { minorPerUnit: digits, scale }
        : { minorPerUnit: digits * 10n ** BigInt(-scale), scale: 0 },
    );
  }
  return prices;
}

// ——— support ———

const SUPPORT_KEYS = ['sla', 'warnBefore', 'reopenWindow', 'platformDomains'];
const TARGET_KEYS = ['firstResponse', 'resolution'];

/**
 * `support.sla.default.<priority>` sets a priority for every category, then
 * `support.sla.<category>.<priority>` for one; a target's two durations merge key by key.
 */
function readSupport(raw: unknown, at: Path, issues: Issues): SupportRules {
  const defaults = DEFAULT_SUPPORT;
  if (raw === undefined || raw === null) return defaults;
  if (!isMapping(raw)) {
    issues.add(
      at,
      `must be a mapping with the keys ${SUPPORT_KEYS.join(', ')}; got ${describe(raw)}`,
    );
    return defaults;
  }
  issues.unknownKeys(raw, at, SUPPORT_KEYS);
  const warnBeforeMs =
    raw.warnBefore === undefined
      ? undefined
      : duration('4h')(raw.warnBefore, [...at, 'warnBefore'], issues, REFERENCE_UNUSED);
  const reopenWindowMs =
    raw.reopenWindow === undefined
      ? undefined
      : duration('7d')(raw.reopenWindow, [...at, 'reopenWindow'], issues, REFERENCE_UNUSED);
  return {
    sla: readSla(raw.sla, [...at, 'sla'], issues),
    warnBeforeMs: warnBeforeMs ?? defaults.warnBeforeMs,
    reopenWindowMs: reopenWindowMs ?? defaults.reopenWindowMs,
    platformDomains: readDomains(raw.platformDomains, [...at, 'platformDomains'], issues) ?? [],
  };
}

const REFERENCE_UNUSED: Reference = { currency: '', decimals: 0 };

function readSla(raw: unknown, at: Path, issues: Issues): SupportRules['sla'] {
  const sla = Object.fromEntries(
    TICKET_CATEGORIES.map((c) => [c, { ...DEFAULT_SUPPORT.sla[c] }]),
  ) as Record<TicketCategory, Record<TicketPriority, SlaTarget>>;
  if (raw === undefined || raw === null) return sla;
  const categories = ['default', ...TICKET_CATEGORIES];
  if (!isMapping(raw)) {
    issues.add(
      at,
      `must be a mapping of categories (${categories.join(', ')}) to priorities; got ${describe(raw)}`,
    );
    return sla;
  }
  issues.unknownKeys(raw, at, categories);
  const apply = (key: string, into: readonly TicketCategory[]) => {
    const byPriority = raw[key];
    if (byPriority === undefined || byPriority === null) return;
    if (!isMapping(byPriority)) {
      issues.add(
        [...at, key],
        `must be a mapping of priorities (${TICKET_PRIORITIES.join(', ')}) to targets; got ${describe(byPriority)}`,
      );
      return;
    }
    issues.unknownKeys(byPriority, [...at, key], TICKET_PRIORITIES);
    for (const priority of TICKET_PRIORITIES) {
      const target = byPriority[priority];
      if (target === undefined || target === null) continue;
      const where = [...at, key, priority];
      if (!isMapping(target)) {
        issues.add(
          where,
          `must be a mapping like { firstResponse: 24h, resolution: 5d }; got ${describe(target)}`,
        );
        continue;
      }
      issues.unknownKeys(target, where, TARGET_KEYS);
      const first =
        target.firstResponse === undefined
          ? undefined
          : duration('24h', { positive: true })(
              target.firstResponse,
              [...where, 'firstResponse'],
              issues,
              REFERENCE_UNUSED,
            );
      const resolution =
        target.resolution === undefined
          ? undefined
          : duration('5d', { positive: true })(
              target.resolution,
              [...where, 'resolution'],
              issues,
              REFERENCE_UNUSED,
            );
      for (const category of into) {
        const was = sla[category][priority];
        sla[category][priority] = {
          firstResponseMs: first ?? was.firstResponseMs,
          resolutionMs: resolution ?? was.resolutionMs,
        };
      }
    }
  };
  apply('default', TICKET_CATEGORIES);
  for (const category of TICKET_CATEGORIES) apply(category, [category]);
  return sla;
}

function readDomains(raw: unknown, at: Path, issues: Issues): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    issues.add(at, `must be a list of domains, e.g. [examplewallet.com]; got ${describe(raw)}`);
    return undefined;
  }
  const domains: string[] = [];
  raw.forEach((item: unknown, index) => {
    if (typeof item === 'string' && /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i.test(item)) {
      domains.push(item.toLowerCase());
    } else {
      issues.add(
        [...at, index],
        `${describe(item)} is not a domain name; use e.g. examplewallet.com`,
      );
    }
  });
  return domains;
}

/**
 * `retention: { <CC>: { identity, transactions, communications, legalBasis } }` over the
 * shipped periods (or none, with `retentionDefaults: none`). Every jurisdiction the builtin
 * ledger opens accounts in, and every one the file names, must end up with a period: a
 * jurisdiction without one would otherwise be kept forever or erased too early.
 */
function readRetention(
  root: Record<string, unknown>,
  jurisdictions: ReadonlyMap<string, Policy>,
  issues: Issues,
): ReadonlyMap<string, RetentionPeriods> {
  const defaults = root.retentionDefaults ?? 'builtin';
  if (defaults !== 'builtin' && defaults !== 'none') {
    issues.add(['retentionDefaults'], `${describe(defaults)} is not builtin or none`);
  }
  const table = new Map(defaults === 'none' ? [] : DEFAULT_RETENTION);
  const raw = root.retention;
  if (raw !== undefined && raw !== null) {
    if (!isMapping(raw)) {
      issues.add(
        ['retention'],
        `must be a mapping of jurisdictions to periods, e.g. DE: { identity: 5y }; got ${describe(raw)}`,
      );
    } else if (OLD_RETENTION_KEYS.some((key) => key in raw)) {
      issues.add(
        ['retention'],
        'this is the old form (one kyc/transactions/communications/sessions for every jurisdiction); retention is now set per jurisdiction: retention: { DE: { identity: 5y, transactions: 5y, communications: 5y } }, and sessions are erased at closure (docs/retention.md)',
      );
    } else {
      for (const [code, value] of Object.entries(raw)) {
        const at = ['retention', code];
        if (!/^[A-Z]{2}$/.test(code)) {
          issues.add(
            at,
            `"${code}" is not a jurisdiction; use two uppercase letters (ISO 3166 alpha-2), e.g. DE`,
          );
          continue;
        }
        const section = readSection(value, at, RETENTION, { currency: '', decimals: 0 }, issues);
        if (!section) continue;
        const inherited = table.get(code);
        const merged = { ...inherited, ...section };
        const missing = Object.keys(RETENTION).filter(
          (key) => merged[RETENTION[key]!.into] === undefined,
        );
        if (missing.length > 0) {
          issues.add(
            at,
            `sets no ${missing.join(', ')}; a jurisdiction without a shipped period must set every class and its legalBasis`,
          );
          continue;
        }
        table.set(code, Object.freeze(merged as RetentionPeriods));
      }
    }
  }
  for (const code of new Set([...LEDGER_JURISDICTIONS, ...jurisdictions.keys()])) {
    if (!table.has(code))
      issues.add(
        ['retention', code],
        `no retention period for ${code}: set retention.${code}.identity, transactions, communications and legalBasis (docs/retention.md)`,
      );
  }
  return table;
}

// ——— merging ———

/** A layer over a policy: sections merge key by key, prices asset by asset, lists replace. */
function applyLayer(policy: Policy, layer: Layer, jurisdiction: string | null): Policy {
  return deepFreeze({
    jurisdiction,
    referenceCurrency: policy.referenceCurrency,
    referenceDecimals: policy.referenceDecimals,
    prices: new Map([...policy.prices, ...(layer.prices ?? [])]),
    dustThresholdMinor: layer.dustThresholdMinor ?? policy.dustThresholdMinor,
    coolingOff: { ...policy.coolingOff, ...layer.coolingOff },
    closure: { ...policy.closure, ...layer.closure },
    consent: { ...policy.consent, ...layer.consent },
    disable: { ...policy.disable, ...layer.disable },
    support: policy.support,
  });
}

// ——— issues ———

class Issues {
  readonly list: PolicyIssue[] = [];

  add(segments: Path, message: string): void {
    this.list.push({ path: formatPolicyPath(segments), message, segments: [...segments] });
  }

  /** Unknown keys are errors: a typo silently ignored is a default silently applied. */
  unknownKeys(raw: Record<string, unknown>, at: Path, known: readonly string[]): void {
    for (const key of Object.keys(raw)) {
      if (known.includes(key)) continue;
      const suggestion = closest(key, known);
      this.add(
        [...at, key],
        suggestion
          ? `unknown key; did you mean ${suggestion}?`
          : `unknown key; the keys here are ${known.join(', ')}`,
      );
    }
  }
}

function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance =
      candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Map)
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return `the date ${value.toISOString()}`;
  return 'a mapping';
}
