import { DUST_ACCOUNT_ID, PLATFORM_HOLDER_ID } from '../../src/adapters/ledger/ledger.js';
import { afterAll, beforeAll } from 'vitest';
import { requestClosure } from '../../src/app/closures.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import { OffboardError } from '../../src/domain/errors.js';
import { openContext } from '../../src/main/context.js';
import type { Database, Dialect } from '../../src/adapters/store/database.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { createTestDatabase } from './databases.js';
import type { TestDatabase } from './databases.js';
import { startSandboxProcess } from './platforms.js';
import type { PlatformKind, TestSandbox } from './platforms.js';
import { snapshotLedger } from './workflow-invariants.js';
import type { LedgerSnapshot } from './workflow-invariants.js';
import { cli } from './cli.js';

/*
 * A synthetic population with a closure requested for every account that can be closed
 * with the holder's consent: the starting point of the worker suites. Setup runs in this
 * process: the seed through the CLI, then every closure request through the use case that
 * `offboard close` calls, over one opened context (a context per account — opening the
 * database and checking its schema ~150 times — made setup time out on a loaded machine).
 * The workers under test are real processes.
 */

export interface RequestedClosure {
  closureId: string;
  accountId: string;
  /** When the worker may finalize: now for most, later when a wait (cooling-off) stands. */
  dueAt: Date;
  /** Assets the request's verdict found as dust: each must be swept exactly once. */
  dustAssets: string[];
  /** The request verdict's blocker codes, for failure messages. */
  blockers: string[];
}

/** The part of a request's verdict the suites read (the verdict `offboard close --json` prints). */
interface RequestVerdict {
  blockers: { code: string; severity: string; subject: { asset?: string } }[];
}

export async function seedPopulation(
  url: string,
  options: { accounts: number; transactions: number; randomSeed: number },
): Promise<void> {
  const seeded = await cli([
    'seed',
    '--accounts',
    String(options.accounts),
    '--transactions',
    String(options.transactions),
    '--random-seed',
    String(options.randomSeed),
    '--json',
    '--db',
    url,
  ]);
  if (seeded.code !== 0)
    throw new Error(`seed failed (${seeded.code}): ${seeded.stderr}${seeded.stdout}`);
}

/** The holders' accounts, in id order (the platform's own accounts are not closable). */
export async function holderAccounts(database: Database): Promise<string[]> {
  const rows = await database.db
    .selectFrom('accounts')
    .select('id')
    .where('holder_id', '!=', PLATFORM_HOLDER_ID)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id).filter((id) => id !== DUST_ACCOUNT_ID);
}

/**
 * Requests closure for each account as `offboard close ID --confirmed --grace 0 --consent
 * sweep-dust,cancel-orders,revoke-apps` does, and keeps the accepted ones. A refusal (a
 * blocker only the holder or support can clear) is expected for part of the population;
 * any other failure is not.
 */
export async function requestClosures(
  url: string,
  accountIds: readonly string[],
  platform?: PlatformPort,
): Promise<RequestedClosure[]> {
  const ctx = await openContext({ db: url, env: {}, ...(platform ? { platform } : {}) });
  try {
    const request = async (accountId: string): Promise<RequestedClosure | null> => {
      let result: Awaited<ReturnType<typeof requestClosure>>;
      try {
        result = await requestClosure(ctx.app, ctx.rules, {
          accountId,
          consent: { sweepDust: true, cancelOrders: true, revokeApps: true },
          confirmed: true,
          gracePeriodMs: 0,
          actor: { kind: 'platform', id: 'cli' },
        });
      } catch (error) {
        if (error instanceof OffboardError && error.code === 'OFFBOARD_ERR_NOT_ELIGIBLE')
          return null;
        throw new Error(`closing ${accountId} failed unexpectedly: ${String(error)}`, {
          cause: error,
        });
      }
      const { closure } = result;
      if (closure.state !== 'grace' || closure.dueAt === null) {
        throw new Error(
          `close ${accountId} should start in grace with a due date: ${JSON.stringify(closure)}`,
        );
      }
      const blockers = (result.verdict as RequestVerdict).blockers;
      return {
        closureId: closure.id,
        accountId,
        dueAt: closure.dueAt,
        dustAssets: blockers
          .filter((b) => b.code === 'dust_remaining' && b.subject.asset)
          .map((b) => b.subject.asset!),
        blockers: blockers.map((b) => `${b.code}:${b.severity}`),
      };
    };
    // PostgreSQL serves several requests at once (each its own transaction; the audit
    // chain serializes its appends); SQLite's one connection takes them one by one.
    const lanes = ctx.database.dialect === 'postgres' ? 4 : 1;
    const results: (RequestedClosure | null)[] = new Array<RequestedClosure | null>(
      accountIds.length,
    ).fill(null);
    let next = 0;
    const lane = async () => {
      while (next < accountIds.length) {
        const i = next++;
        try {
          results[i] = await request(accountIds[i]!);
        } catch (error) {
          next = accountIds.length; // the other lanes stop after their current request
          throw error;
        }
      }
    };
    // Every lane settles before the context closes, even when one failed.
    const settled = await Promise.allSettled(Array.from({ length: lanes }, lane));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return results.filter((r): r is RequestedClosure => r !== null);
  } finally {
    await ctx.close();
  }
}

/** What a closure suite works on: a seeded database, the closures requested, the ledger before. */
export interface ClosurePopulation {
  /** offboard's database: what `work --db` is given. */
  readonly url: string;
  readonly database: Database;
  /** The database holding the accounts: offboard's own (builtin), or the sandbox's (http). */
  readonly ledgerDatabase: Database;
  /** What the ledger records for a port's idempotency key (the sandbox prefixes its own). */
  readonly effectKeyPrefix: string;
  /** `offboard` flags and environment that drive the platform (`--platform URL` on http). */
  readonly platformArgs: readonly string[];
  readonly platformEnv: Readonly<Record<string, string>>;
  readonly requested: RequestedClosure[];
  readonly before: LedgerSnapshot;
}

/**
 * Registers the suite's setup and teardown: a fresh database of the dialect, seeded, with a
 * closure requested (with every consent) on every holder account, and the ledger snapshot
 * taken before any worker runs. Read the fields inside tests, after `beforeAll` ran.
 *
 * On `http` the population is seeded into a database of the sandbox platform's own, served
 * by `offboard sandbox serve` as a process of its own; offboard's database holds only its
 * closures, and the workers reach the accounts through `--platform URL`.
 */
export function useClosurePopulation(
  dialect: Dialect,
  population: { accounts: number; transactions: number; randomSeed: number },
  platform: PlatformKind = 'builtin',
): ClosurePopulation {
  let test: TestDatabase | undefined;
  let sandboxTest: TestDatabase | undefined;
  let sandbox: TestSandbox | undefined;
  const state: {
    url?: string;
    database?: Database;
    requested?: RequestedClosure[];
    before?: LedgerSnapshot;
  } = {};
  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    state.url = test.url;
    if (platform === 'builtin') {
      await seedPopulation(test.url, population);
      state.database = await openDatabase(test.url);
      state.requested = await requestClosures(test.url, await holderAccounts(state.database));
      state.before = await snapshotLedger(state.database);
      return;
    }
    sandboxTest = await createTestDatabase(dialect);
    await seedPopulation(sandboxTest.url, population);
    sandbox = await startSandboxProcess(sandboxTest.url);
    state.requested = await requestClosures(
      test.url,
      await holderAccounts(sandbox.database),
      sandbox.client(),
    );
    state.database = await openDatabase(test.url);
    state.before = await snapshotLedger(sandbox.database);
  });
  afterAll(async () => {
    await state.database?.close();
    await sandbox?.close();
    await test?.dispose();
    await sandboxTest?.dispose();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the closure population is set up in beforeAll');
    return value;
  };
  return {
    get url() {
      return ready(state.url);
    },
    get database() {
      return ready(state.database);
    },
    get ledgerDatabase() {
      return platform === 'builtin' ? ready(state.database) : ready(sandbox).database;
    },
    effectKeyPrefix: platform === 'builtin' ? '' : 'platform:',
    get platformArgs() {
      return platform === 'builtin' ? [] : ['--platform', ready(sandbox).url];
    },
    get platformEnv(): Readonly<Record<string, string>> {
      return platform === 'builtin' ? {} : { OFFBOARD_PLATFORM_SECRET: ready(sandbox).secret };
    },
    get requested() {
      return ready(state.requested);
    },
    get before() {
      return ready(state.before);
    },
  };
}
