import { OffboardError, raise } from '../../../domain/errors.js';
import {
  ACTION_CHECKS,
  CLOSE_CHECKS,
  FREEZE_CHECKS,
  IDEMPOTENCY_CHECKS,
  TRANSACTION_CHECKS,
} from './checks-actions.js';
import { FAULT_CHECKS } from './checks-faults.js';
import { AUTH_CHECKS, ERROR_CHECKS, FACTS_CHECKS, FIXTURE_CHECKS } from './checks-reads.js';
import { FaultProxy } from './fault-proxy.js';
import { RawCaller } from './http.js';
import type { Exchange } from './http.js';
import { CheckContext, CheckFailure, GROUPS, groupOf, newRunId } from './kit.js';
import type { Check, Group, Level } from './kit.js';

/** Every check, in the order a run takes them; the fixtures first, since the rest need them. */
export const CHECKS: readonly Check[] = [
  ...FIXTURE_CHECKS,
  ...AUTH_CHECKS,
  ...FACTS_CHECKS,
  ...ACTION_CHECKS,
  ...IDEMPOTENCY_CHECKS,
  ...FREEZE_CHECKS,
  ...CLOSE_CHECKS,
  ...TRANSACTION_CHECKS,
  ...ERROR_CHECKS,
  ...FAULT_CHECKS,
];

export interface CheckResult {
  id: string;
  group: Group;
  level: Level;
  title: string;
  passed: boolean;
  /** On failure: what the check expected, what it got, and the exchange that showed it. */
  expected?: string;
  got?: string | null;
  exchange?: Exchange | null;
}

export interface ConformanceReport {
  platform: string;
  runId: string;
  checks: CheckResult[];
  summary: {
    total: number;
    passed: number;
    failed: number;
    mustFailed: number;
    shouldFailed: number;
  };
  /** True when every MUST check passed. */
  ok: boolean;
}

export interface ConformanceOptions {
  /** The platform's URL, without the contract's base path: `http://127.0.0.1:8090`. */
  platform: string;
  secret: string;
  /** Only these groups (the fixtures group always runs: the others build on it). */
  only?: readonly Group[];
  /** Told after each check, for a progress bar. */
  onCheck?: (result: CheckResult, done: number, total: number) => void;
}

/** Parses `--only auth,facts`: known group names, or OFFBOARD_ERR_INVALID_ARGUMENT naming them all. */
export function parseGroups(text: string): Group[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${names.length === 0 ? 'no group named' : `unknown group${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}`}; the groups are ${GROUPS.join(', ')}`,
    );
  return names as Group[];
}

/** The checks a run takes: the fixtures, then those of the groups asked for (all by default). */
export function selectChecks(only?: readonly Group[]): Check[] {
  return CHECKS.filter((c) => !only || groupOf(c) === 'fixtures' || only.includes(groupOf(c)));
}

/**
 * Runs the conformance checks against a platform. A platform that does not answer at all
 * raises OFFBOARD_ERR_PLATFORM_UNAVAILABLE; everything else is a check's verdict.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const origin = platformOrigin(options.platform);
  const runId = newRunId();
  const probe = await new RawCaller(origin, options.secret).send('GET', '/accounts/count');
  if (probe.response === null)
    throw raise('OFFBOARD_ERR_PLATFORM_UNAVAILABLE', {
      call: `GET ${probe.request.path} at ${origin}`,
      attempts: 1,
      cause: probe.error ?? 'no answer',
    });
  if (probe.response.status === 401 && probe.response.body.includes('BAD_SIGNATURE'))
    // Every check would fail alike: say what is most likely wrong instead.
    throw new OffboardError(
      'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
      `the platform at ${origin} refused the kit's signed GET ${probe.request.path}: check that --secret (or OFFBOARD_PLATFORM_SECRET) is the secret the platform checks, and that it verifies signatures as docs/platform-contract.md says`,
    );

  let proxy: FaultProxy | null = null;
  const proxyFor = async () => {
    if (new URL(origin).protocol !== 'http:')
      throw new CheckFailure(
        'a platform on plain HTTP: the kit’s fault proxy forwards to http:// only',
        null,
        origin,
      );
    proxy ??= await FaultProxy.start(origin);
    return proxy;
  };

  const checks = selectChecks(options.only);
  const results: CheckResult[] = [];
  let fixturesFailed: string | null = null;
  try {
    for (const [index, check] of checks.entries()) {
      const caller = new RawCaller(origin, options.secret);
      const result = fixturesFailed
        ? notRun(check, fixturesFailed)
        : await runOne(check, new CheckContext(caller, `${runId}-${index}`, proxyFor));
      (proxy as FaultProxy | null)?.disarm();
      if (!result.passed && result.group === 'fixtures') fixturesFailed ??= check.id;
      results.push(result);
      options.onCheck?.(result, results.length, checks.length);
    }
  } finally {
    await (proxy as FaultProxy | null)?.close();
  }
  const failed = results.filter((r) => !r.passed);
  const mustFailed = failed.filter((r) => r.level === 'MUST').length;
  return {
    platform: origin,
    runId,
    checks: results,
    summary: {
      total: results.length,
      passed: results.length - failed.length,
      failed: failed.length,
      mustFailed,
      shouldFailed: failed.length - mustFailed,
    },
    ok: mustFailed === 0,
  };
}

async function runOne(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const base = { id: check.id, group: groupOf(check), level: check.level, title: check.title };
  try {
    await check.run(ctx);
    return { ...base, passed: true };
  } catch (error) {
    if (error instanceof CheckFailure)
      return {
        ...base,
        passed: false,
        expected: error.expected,
        got: error.got,
        exchange: error.exchange,
      };
    // A shape the kit did not foresee (a field missing that a check reads): still a verdict.
    return {
      ...base,
      passed: false,
      expected: 'answers the check can read',
      got: error instanceof Error ? error.message : String(error),
      exchange: ctx.caller.log.at(-1) ?? null,
    };
  }
}

function notRun(check: Check, because: string): CheckResult {
  return {
    id: check.id,
    group: groupOf(check),
    level: check.level,
    title: check.title,
    passed: false,
    expected: `it builds on the fixtures, and ${because} failed`,
    got: 'not run',
    exchange: null,
  };
}

/** The platform's origin: an http(s) URL, the contract's base path left off if given. */
function platformOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--platform "${text}" is not a URL; pass the platform's base URL, e.g. http://127.0.0.1:8090`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--platform must be an http:// or https:// URL, not ${url.protocol}`,
    );
  const path = url.pathname.replace(/\/$/, '').replace(/\/offboard-platform\/v1$/, '');
  return `${url.origin}${path}`;
}
