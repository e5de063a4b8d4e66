import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/adapters/platform-http/conformance/report.js';
import { CHECKS, runConformance } from '../../src/adapters/platform-http/conformance/runner.js';
import type { ConformanceReport } from '../../src/adapters/platform-http/conformance/runner.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { Database } from '../../src/adapters/store/database.js';
import { systemClock } from '../../src/ports/clock.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';
import { startFaultyPlatform } from './faulty-platform.js';
import type { FaultyPlatform, PlatformFault } from './faulty-platform.js';

// The conformance kit against real platforms over real HTTP: the sandbox server (listening
// on a loopback port, on each database) must pass every check, twice over the same
// database; a faulty front on the sandbox must fail exactly the checks naming its fault.

const SECRET = 'conformance-test-secret';

const failing = (report: ConformanceReport) =>
  report.checks.filter((c) => !c.passed).map((c) => c.id);

/** What a failure says, for an assertion message that shows why a check failed. */
const why = (report: ConformanceReport) =>
  report.checks
    .filter((c) => !c.passed)
    .map(
      (c) =>
        `${c.id}: expected ${c.expected}; got ${c.got} (${c.exchange?.request.path ?? ''} → ${c.exchange?.response?.body ?? c.exchange?.error ?? ''})`,
    )
    .join('\n');

describe.each(DIALECTS)('the conformance kit against the sandbox on %s', (dialect) => {
  let sandbox: SandboxApp;
  let url: string;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await openTestDatabase(dialect);
    dispose = opened.dispose;
    sandbox = await buildSandboxApp({
      database: opened.database,
      clock: systemClock,
      secret: SECRET,
      testMode: true,
    });
    url = await sandbox.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await sandbox.close();
    await dispose();
  });

  it('passes every check, and again on a second run against the same platform', async () => {
    for (const run of [1, 2]) {
      const report = await runConformance({ platform: url, secret: SECRET });
      expect(why(report), `run ${run}`).toBe('');
      expect(report.checks.map((c) => c.id)).toEqual(CHECKS.map((c) => c.id));
      expect(report.ok).toBe(true);
      expect(report.summary).toMatchObject({ total: CHECKS.length, passed: CHECKS.length });
    }
  });
});

describe('the conformance kit against a faulty platform (sqlite)', () => {
  let sandbox: SandboxApp;
  let dispose: () => Promise<void>;
  let faulty: FaultyPlatform | null = null;
  let database: Database | null = null;

  beforeAll(async () => {
    const opened = await openTestDatabase('sqlite');
    dispose = opened.dispose;
    database = opened.database;
    sandbox = await buildSandboxApp({
      database: opened.database,
      clock: systemClock,
      secret: SECRET,
      testMode: true,
    });
    await sandbox.ready();
  });
  afterAll(async () => {
    await faulty?.close();
    await sandbox.close();
    await dispose();
  });

  const against = async (faults: PlatformFault[]) => {
    await faulty?.close();
    faulty = await startFaultyPlatform(sandbox, SECRET, faults);
    return runConformance({ platform: faulty.url, secret: SECRET });
  };

  it('fails the fixtures and runs nothing else against a platform not in test mode', async () => {
    const live = await buildSandboxApp({
      database: database!,
      clock: systemClock,
      secret: SECRET,
      testMode: false,
    });
    try {
      const report = await runConformance({
        platform: await live.listen({ port: 0, host: '127.0.0.1' }),
        secret: SECRET,
        only: ['auth'],
      });
      const [first, ...rest] = report.checks;
      expect(first).toMatchObject({ id: 'fixtures.scenarios', passed: false, got: 'HTTP 404' });
      expect(first!.exchange?.response?.body).toContain('OFFBOARD_ERR_UNKNOWN_ROUTE');
      expect(rest.map((c) => [c.passed, c.got])).toEqual(rest.map(() => [false, 'not run']));
      expect(renderText(report)).toContain(
        'not run: it builds on the fixtures, and fixtures.scenarios failed',
      );
    } finally {
      await live.close();
    }
  });

  it('counts a failed SHOULD check without failing the run', async () => {
    const report = await against(['bare-404']);
    expect(failing(report)).toEqual(['errors.unknown-route']);
    expect(report.summary).toMatchObject({ mustFailed: 0, shouldFailed: 1 });
    expect(report.ok).toBe(true);
  });

  it('passes every check with no fault switched on (the front itself is faithful)', async () => {
    const report = await against([]);
    expect(why(report)).toBe('');
  });

  it.each<[PlatformFault, string[]]>([
    ['double-sweep', ['idempotency.repeated-sweep-once', 'faults.dropped-response-sweep-once']],
    ['round-18-decimals', ['facts.18-decimal-exact', 'actions.sweep-18-decimals-exact']],
    ['ignore-freeze', ['freeze.deposit-returned']],
    ['lose-page', ['transactions.pages-complete', 'transactions.stable-under-inserts']],
  ])('fails exactly the checks naming the fault %s', async (fault, expected) => {
    const report = await against([fault]);
    expect(failing(report), why(report)).toEqual(expected);
    expect(report.ok).toBe(false);
    expect(report.summary.mustFailed).toBe(expected.length);
    for (const check of report.checks.filter((c) => !c.passed)) {
      // The report shows what was sent and what came back.
      expect(check.exchange?.request.path).toMatch(/^\/offboard-platform\/v1\//);
      expect(check.expected).toBeTruthy();
    }
  });
});
