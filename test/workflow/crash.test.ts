import { describe, expect, it } from 'vitest';
import { Random } from '../../src/adapters/ledger/population.js';
import type { Database } from '../../src/adapters/store/database.js';
import { platformMatrix } from '../support/platforms.js';
import {
  assertAccountsMatchOutcome,
  assertAuditIntact,
  assertDustSweptOnce,
  assertEveryClosureSettled,
  assertMoneyConserved,
  assertOneEffectEach,
} from '../support/workflow-invariants.js';
import { useClosurePopulation } from '../support/workflow-population.js';
import { waitFor } from '../support/wait.js';
import {
  describeExit,
  killAfterLine,
  runOffboard,
  startOffboard,
} from '../support/workflow-processes.js';

/*
 * DESIGN.md part 5: "A worker killed at any instant loses nothing: its lease expires,
 * another worker repeats the step, idempotency keys keep effects single."
 *
 * Real `offboard work` processes on a real database, one after another, each killed with
 * SIGKILL (no handler, no cleanup) a seeded random time after it began working (it printed
 * its first transition), so the kill lands mid-step; then, once the dead workers' leases
 * expired, one `work --once` finishes. The outcome must be what an uninterrupted run gives: every
 * closure closed or blocked once, every effect once, no money created or lost.
 */

const POPULATION = { accounts: 150, transactions: 1500, randomSeed: 3 };
/**
 * Same seed, same kill offsets (the interleaving still varies with the machine's timing):
 * set OFFBOARD_CRASH_SEED to try another schedule; a failure message names the seed.
 */
const KILL_SEED = Number(process.env['OFFBOARD_CRASH_SEED'] ?? 20_260_501);
const KILLS = 16;
const LEASE_MS = 500;
const WORKER = ['work', '--lease', `${LEASE_MS}ms`, '--poll', '50ms', '--concurrency', '4'];
/** What `work` prints when it moved a closure (`cl_…: grace -> closed`): work is in progress. */
const TRANSITION = /^cl_\S+: \w+ -> \w+$/;
/**
 * A guard against hangs only, never a performance claim: each kill waits for a worker to
 * start and move a closure, which takes seconds on a loaded two-core machine.
 */
const SUITE_TIMEOUT_MS = 120_000 + KILLS * 30_000;

interface Kill {
  afterMs: number;
  /** Closures the victim had claimed or begun finalizing when it died. */
  interrupted: number;
  /** Of those, how many already had their decision stored (killed between deciding and acting). */
  decided: number;
}

// Both databases on the builtin ledger; on http the platform is `offboard sandbox serve`, a
// process of its own over its own database, that the killed workers reach only through the
// HTTP client. Its cell runs on SQLite alone: the suite is the slowest there is, and what the
// HTTP cell adds (a request in flight when its caller dies, repeated under the same key by
// the next worker) does not depend on offboard's database.
describe.each(platformMatrix(['sqlite']))(
  'a worker killed at any instant loses nothing [%s, %s]',
  (dialect, platform) => {
    const suite = useClosurePopulation(dialect, POPULATION, platform);

    it(
      'ends every closure closed or blocked exactly once, with every effect single and money conserved',
      async () => {
        const now = () => new Date();
        const due = suite.requested.filter((r) => r.dueAt <= now());
        expect(due.length, 'enough closures to interrupt').toBeGreaterThanOrEqual(20);
        expect(
          due.filter((r) => r.dustAssets.length > 0).length,
          'several with dust to sweep',
        ).toBeGreaterThanOrEqual(5);

        const random = new Random(KILL_SEED);
        const kills: Kill[] = [];
        for (let i = 0; i < KILLS; i++) {
          const spawnedAt = Date.now();
          const worker = startOffboard(
            [...WORKER, '--db', suite.url, ...suite.platformArgs],
            suite.platformEnv,
          );
          const afterMs = random.int(0, 150);
          const exited = await killAfterLine(worker, TRANSITION, afterMs);
          // `work` without --once runs until signalled: any other end is a crash of its own.
          expect(exited.signal, describeExit(`worker ${i}`, exited)).toBe('SIGKILL');
          kills.push({
            afterMs,
            ...(await interruptedBy(suite.database, worker.leaseOwner, spawnedAt)),
          });
          if ((await openDue(suite.database)) === 0) break;
        }

        // The dead workers' claims lapse; one more worker finishes what they left.
        await waitFor(
          "the dead workers' leases to lapse",
          async () => (await liveLeases(suite.database)) === 0,
        );
        const finish = await runOffboard(
          ['work', '--once', '--json', '--lease', '30s', '--db', suite.url, ...suite.platformArgs],
          suite.platformEnv,
        );
        expect(finish.code, describeExit('work --once', finish)).toBe(0);

        const summary = `kills at ${kills.map((k) => `${k.afterMs}ms:${k.interrupted}/${k.decided}`).join(' ')} (ms after first transition: interrupted/decided; seed ${KILL_SEED})`;
        const outcome = await assertEveryClosureSettled(suite.database, suite.requested, now());
        await assertAccountsMatchOutcome(suite.ledgerDatabase, outcome);
        const swept = await assertDustSweptOnce(
          suite.ledgerDatabase,
          suite.requested,
          suite.before,
          now(),
        );
        await assertMoneyConserved(suite.ledgerDatabase, suite.before);
        await assertOneEffectEach(suite.database, outcome, {
          database: suite.ledgerDatabase,
          keyPrefix: suite.effectKeyPrefix,
        });
        await assertAuditIntact(suite.url);

        // The schedule must have hit workers mid-step, or the test proved nothing.
        expect(
          kills.filter((k) => k.interrupted > 0).length,
          `kills that interrupted work: ${summary}`,
        ).toBeGreaterThanOrEqual(3);
        expect(outcome.closed.length + outcome.blocked.length).toBe(due.length);
        expect(swept).toBeGreaterThanOrEqual(5);
        console.info(
          `[crash ${dialect} ${platform}] ${outcome.closed.length} closed, ${outcome.blocked.length} blocked, ${outcome.waiting.length} waiting, ${swept} sweeps; ${summary}`,
        );
      },
      SUITE_TIMEOUT_MS,
    );
  },
);

/** Open closures a worker still holds a claim on (a dead worker's lasts until it expires). */
async function liveLeases(database: Database): Promise<number> {
  const rows = await database.db
    .selectFrom('closures')
    .select('lease_expires_at')
    .where('state', 'in', ['requested', 'grace', 'finalizing', 'escalated'])
    .where('lease_expires_at', 'is not', null)
    .execute();
  const now = Date.now();
  return rows.filter((r) => Number(r.lease_expires_at) > now).length;
}

/** Due closures still open (a closure waiting for a later due date does not count). */
async function openDue(database: Database): Promise<number> {
  const row = await database.db
    .selectFrom('closures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', 'in', ['grace', 'finalizing'])
    .where('due_at', '<=', Date.now())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What a killed worker left half-done: closures it had claimed but not moved (its lease
 * still on them), and closures it moved to finalizing without finishing (recognised by
 * when they moved as well as by the lease it keeps through finalization).
 */
async function interruptedBy(
  database: Database,
  leaseOwner: string,
  spawnedAt: number,
): Promise<{ interrupted: number; decided: number }> {
  const rows = await database.db
    .selectFrom('closures')
    .select(['state', 'decision', 'lease_owner', 'updated_at'])
    .where('state', 'in', ['grace', 'finalizing'])
    .execute();
  const left = rows.filter(
    (r) =>
      r.lease_owner === leaseOwner ||
      (r.state === 'finalizing' && Number(r.updated_at) >= spawnedAt),
  );
  return { interrupted: left.length, decided: left.filter((r) => r.decision !== null).length };
}
