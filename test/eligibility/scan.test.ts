import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitPopulation } from '../../src/adapters/ledger/population.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { bulkLoad } from '../../src/adapters/store/bulk-loader.js';
import { requestClosure } from '../../src/app/closures.js';
import { scanAccounts } from '../../src/app/scan.js';
import type { ScanSummary } from '../../src/app/scan.js';
import { BLOCKER_CODES, evaluate } from '../../src/domain/eligibility.js';
import type { BlockerCode } from '../../src/domain/eligibility.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { createTestDatabase, DIALECTS } from '../support/databases.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import type { TestDatabase } from '../support/databases.js';

/*
 * `scan` counts blocker codes without building a verdict (blockerCodeSet). Here it must
 * agree, account for account, with the full evaluate() that `check` runs: on every
 * scenario account and a synthetic population, with a closure in progress and a closed
 * account among them, through every facts read (a batch the one-statement read takes, one
 * read table by table without the credentials, and the full facts of a platform with no
 * lean read). Real databases, the builtin ledger, in this process.
 */

const POPULATION = 600;
const DAY = 86_400_000;

describe.each(DIALECTS)('scan counts exactly what evaluate finds [%s]', (dialect) => {
  let test: TestDatabase;
  let ctx: Context;

  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    ctx = await openContext({ db: test.url, env: {} });
    await seedScenarios(ctx.database, ctx.clock, { whaleTransactions: 50 });
    await bulkLoad(ctx.database, (sink) =>
      emitPopulation(sink, {
        accounts: POPULATION,
        transactions: 10 * POPULATION,
        randomSeed: 7,
        now: ctx.clock.now(),
      }),
    );
    // The two codes no seeded account carries: a closure under way, and a closed account.
    await requestClosure(ctx.app, ctx.rules, {
      accountId: 'demo-clean',
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: DAY,
      actor: { kind: 'platform', id: 'scan-test' },
    });
    await ctx.app.platform.markClosed('demo-whale', 'scan-test-close-demo-whale');
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await test?.dispose();
  });

  /** What scan must say: every account's facts read alone and evaluated in full. */
  async function evaluatedOneByOne(now: Date): Promise<ScanSummary> {
    const blockers = Object.fromEntries(BLOCKER_CODES.map((c) => [c, 0])) as Record<
      BlockerCode,
      number
    >;
    let accounts = 0;
    let eligible = 0;
    let after: string | undefined;
    for (;;) {
      const ids = await ctx.app.platform.listAccounts({ after, limit: 200 });
      if (ids.length === 0) break;
      const open = await ctx.app.repos.closures.openFor(ids);
      for (const id of ids) {
        const facts = await ctx.app.platform.facts(id);
        if (!facts) throw new Error(`listed account ${id} has no facts`);
        facts.closure = open.get(id) ?? null;
        const verdict = evaluate(facts, ctx.rules(facts.jurisdiction).policy, now);
        accounts += 1;
        if (verdict.eligible) eligible += 1;
        for (const code of new Set(verdict.blockers.map((b) => b.code))) blockers[code] += 1;
      }
      after = ids[ids.length - 1];
    }
    return { accounts, eligible, blockers };
  }

  it.each([1000, 25])('in batches of %i', async (batchSize) => {
    const now = ctx.clock.now();
    const scanned = await scanAccounts(ctx.app, ctx.rules, { now, batchSize });
    expect(scanned).toEqual(await evaluatedOneByOne(now));
    // Every code is met, so none can drift unseen.
    expect(scanned.accounts).toBeGreaterThan(POPULATION);
    for (const code of BLOCKER_CODES) expect(scanned.blockers[code], code).toBeGreaterThan(0);
  });

  it('counts the same through a platform that reads only full facts', async () => {
    const now = ctx.clock.now();
    // The builtin ledger, less its lean read: scan falls back to factsBatch.
    const platform = Object.assign(Object.create(ctx.app.platform) as PlatformPort, {
      eligibilityFactsBatch: undefined,
    });
    const scanned = await scanAccounts({ ...ctx.app, platform }, ctx.rules, { now });
    expect(scanned).toEqual(await evaluatedOneByOne(now));
  });

  it('agrees a month on, when the cooling-offs have ended', async () => {
    const later = new Date(ctx.clock.now().getTime() + 30 * DAY);
    const scanned = await scanAccounts(ctx.app, ctx.rules, { now: later });
    expect(scanned).toEqual(await evaluatedOneByOne(later));
    expect(scanned.blockers.cooling_off).toBe(0);
  });
});
