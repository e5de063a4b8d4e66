import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimDueClosures } from '../../src/adapters/store/closure-repository.js';
import type { StepOutcome } from '../../src/app/worker.js';
import { workOnce } from '../../src/app/worker.js';
import { openContext } from '../../src/main/context.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { cli } from '../support/cli.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import {
  assertAccountsMatchOutcome,
  assertAuditIntact,
  assertDustSweptOnce,
  assertEveryClosureSettled,
  assertMoneyConserved,
  assertOneEffectEach,
} from '../support/workflow-invariants.js';
import { useClosurePopulation } from '../support/workflow-population.js';
import { describeExit, startOffboard } from '../support/workflow-processes.js';

/*
 * DESIGN.md part 5: "on PostgreSQL with FOR UPDATE SKIP LOCKED, so any number of worker
 * processes share the work". Three `offboard work --once` processes start together on one
 * database; every closure must be finalized by exactly one of them.
 *
 * PostgreSQL only, on purpose and not as a skip: on SQLite one process claims by design
 * (the database has one writer), so several workers there share nothing to race on. The
 * SQLite worker's guarantees are the crash suite's (test/workflow/crash.test.ts), which
 * runs on both dialects.
 */

const POPULATION = { accounts: 160, transactions: 1600, randomSeed: 11 };
const WORKERS = 3;
/**
 * A guard against hangs only, never a performance claim: the workers finalize ~100
 * closures, seconds alone and minutes on a loaded two-core machine.
 */
const SUITE_TIMEOUT_MS = 600_000;

interface WorkSummary {
  transitions: Record<string, number>;
}

describe('several workers share the closures, and every effect happens once [postgres]', () => {
  const suite = useClosurePopulation('postgres', POPULATION);

  it(
    `${WORKERS} workers at once finalize each closure once: one decision, one sweep, one close`,
    async () => {
      const now = () => new Date();
      const due = suite.requested.filter((r) => r.dueAt <= now());
      expect(due.length, 'enough closures for the workers to contend').toBeGreaterThanOrEqual(60);
      expect(
        due.filter((r) => r.dustAssets.length > 0).length,
        'several with dust to sweep',
      ).toBeGreaterThanOrEqual(5);

      const workers = Array.from({ length: WORKERS }, () =>
        startOffboard(['work', '--once', '--concurrency', '4', '--json', '--db', suite.url]),
      );
      const exits = await Promise.all(workers.map((w) => w.exited));
      exits.forEach((exited, i) =>
        expect(exited.code, describeExit(`worker ${i}`, exited)).toBe(0),
      );
      // A worker swallows a failed step (its lease lapses and another worker repeats it);
      // with OFFBOARD_DEBUG it prints it. No worker may fail: two workers finalizing one
      // closure would collide on an idempotency key.
      const failures = exits.flatMap((e) =>
        e.stderr.split('\n').filter((line) => line.startsWith('offboard: ')),
      );
      expect(failures, exits.map((e, i) => describeExit(`worker ${i}`, e)).join('\n')).toEqual([]);

      const outcome = await assertEveryClosureSettled(suite.database, suite.requested, now());
      await assertAccountsMatchOutcome(suite.database, outcome);
      await assertDustSweptOnce(suite.database, suite.requested, suite.before, now());
      await assertMoneyConserved(suite.database, suite.before);
      await assertOneEffectEach(suite.database, outcome);
      await assertAuditIntact(suite.url);

      // Each finalization was reported by exactly one worker, and the work was shared.
      const reports = exits.map(
        (e) => (JSON.parse(e.stdout.trim().split('\n').pop() ?? '{}') as WorkSummary).transitions,
      );
      const total = (state: string) => reports.reduce((sum, r) => sum + (r[state] ?? 0), 0);
      expect({ closed: total('closed'), blocked: total('blocked') }).toEqual({
        closed: outcome.closed.length,
        blocked: outcome.blocked.length,
      });
      const perWorker = reports.map((r) => (r['closed'] ?? 0) + (r['blocked'] ?? 0));
      expect(
        perWorker.filter((n) => n > 0).length,
        `closures finalized per worker: ${perWorker.join(', ')}`,
      ).toBeGreaterThanOrEqual(2);
      console.info(
        `[concurrency postgres] ${outcome.closed.length} closed, ${outcome.blocked.length} blocked; per worker ${perWorker.join(', ')}; ${failures.length} collisions`,
      );
    },
    SUITE_TIMEOUT_MS,
  );
});

/*
 * Finalizing is due at once (`startFinalizing` sets dueAt = now), so the worker that moves
 * a closure into finalizing must keep its lease: otherwise, while it freezes, sweeps and
 * decides, another worker's claim would take the closure too. Worker A is held inside its
 * first platform action (freeze), after the transition to finalizing committed; worker B
 * claims what is due and must get nothing.
 */
describe('a closure being finalized stays claimed by its worker [postgres]', () => {
  let test: TestDatabase;
  let outcomes: StepOutcome[];
  let stolen: string[];
  let closureId: string;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    const seeded = await cli([
      'seed',
      '--scenarios',
      '--whale-transactions',
      '10',
      '--json',
      '--db',
      test.url,
    ]);
    if (seeded.code !== 0) throw new Error(seeded.stdout + seeded.stderr);
    const closed = await cli([
      'close',
      'demo-clean',
      '--confirmed',
      '--grace',
      '0',
      '--json',
      '--db',
      test.url,
    ]);
    if (closed.code !== 0) throw new Error(closed.stdout + closed.stderr);
    closureId = closed.json<{ closure: { id: string } }>().closure.id;

    const ctx = await openContext({ db: test.url, env: {} });
    try {
      let reachedFreeze: () => void = () => undefined;
      const atFreeze = new Promise<void>((resolve) => (reachedFreeze = resolve));
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      const platform = holdBefore(ctx.app.platform, 'freeze', async () => {
        reachedFreeze();
        await released;
      });
      const workerA = workOnce({ ...ctx.app, platform }, ctx.rules, {
        owner: 'worker-a',
        leaseMs: 60_000,
        concurrency: 1,
      });
      await atFreeze;
      try {
        const claimed = await claimDueClosures(ctx.database, {
          owner: 'worker-b',
          now: new Date(),
          leaseMs: 60_000,
          limit: 10,
        });
        stolen = claimed.map((c) => c.closure.id);
      } finally {
        release();
      }
      outcomes = await workerA;
    } finally {
      await ctx.close();
    }
  });

  afterAll(async () => {
    await test?.dispose();
  });

  it('worker A finalizes the closure it claimed', () => {
    expect(outcomes).toEqual([{ closureId, from: 'grace', to: 'closed' }]);
  });

  it('worker B cannot claim it while worker A is finalizing it', () => {
    expect(stolen, 'closures worker B claimed while worker A was finalizing').toEqual([]);
  });
});

/** The platform, with `before` awaited ahead of every call of `method`. */
function holdBefore(
  platform: PlatformPort,
  method: keyof PlatformPort,
  before: () => Promise<void>,
): PlatformPort {
  return new Proxy(platform, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== method) return bound;
      return async (...args: unknown[]) => {
        await before();
        return bound(...args);
      };
    },
  });
}
