import { DUST_ACCOUNT_ID, PLATFORM_HOLDER_ID } from '../../src/adapters/ledger/ledger.js';
import { afterAll, beforeAll } from 'vitest';
import { openDatabase } from '../../src/adapters/store/database.js';
import type { Database, Dialect } from '../../src/adapters/store/database.js';
import { createTestDatabase } from './databases.js';
import type { TestDatabase } from './databases.js';
import { snapshotLedger } from './workflow-invariants.js';
import type { LedgerSnapshot } from './workflow-invariants.js';
import { cli } from './cli.js';

/*
 * A synthetic population with a closure requested for every account that can be closed
 * with the holder's consent: the starting point of the worker suites. Setup goes through
 * the CLI in this process (the binary's code path without a process start per account);
 * the workers under test are real processes.
 */

/** Every automatic action a holder can consent to. */
export const ALL_CONSENTS = 'sweep-dust,cancel-orders,revoke-apps';

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

interface CloseJson {
  closure: { id: string; accountId: string; state: string; dueAt: string | null };
  verdict: { blockers: { code: string; severity: string; subject: { asset?: string } }[] };
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
 * Requests `close --confirmed --grace 0` with every consent for each account and keeps
 * the accepted ones. A refusal (a blocker only the holder or support can clear) is
 * expected for part of the population; any other failure is not.
 */
export async function requestClosures(
  url: string,
  accountIds: readonly string[],
): Promise<RequestedClosure[]> {
  const accepted: RequestedClosure[] = [];
  for (const accountId of accountIds) {
    const result = await cli([
      'close',
      accountId,
      '--confirmed',
      '--grace',
      '0',
      '--consent',
      ALL_CONSENTS,
      '--json',
      '--db',
      url,
    ]);
    if (result.code !== 0) {
      if (!/OFFBOARD_ERR_NOT_ELIGIBLE/.test(result.stdout + result.stderr)) {
        throw new Error(
          `close ${accountId} failed unexpectedly (${result.code}): ${result.stderr}${result.stdout}`,
        );
      }
      continue;
    }
    const body = result.json<CloseJson>();
    if (body.closure.state !== 'grace' || body.closure.dueAt === null) {
      throw new Error(`close ${accountId} should start in grace with a due date: ${result.stdout}`);
    }
    const blockers = body.verdict.blockers;
    accepted.push({
      closureId: body.closure.id,
      accountId,
      dueAt: new Date(body.closure.dueAt),
      dustAssets: blockers
        .filter((b) => b.code === 'dust_remaining' && b.subject.asset)
        .map((b) => b.subject.asset!),
      blockers: blockers.map((b) => `${b.code}:${b.severity}`),
    });
  }
  return accepted;
}

/** What a closure suite works on: a seeded database, the closures requested, the ledger before. */
export interface ClosurePopulation {
  readonly url: string;
  readonly database: Database;
  readonly requested: RequestedClosure[];
  readonly before: LedgerSnapshot;
}

/**
 * Registers the suite's setup and teardown: a fresh database of the dialect, seeded, with a
 * closure requested (with every consent) on every holder account, and the ledger snapshot
 * taken before any worker runs. Read the fields inside tests, after `beforeAll` ran.
 */
export function useClosurePopulation(
  dialect: Dialect,
  population: { accounts: number; transactions: number; randomSeed: number },
): ClosurePopulation {
  let test: TestDatabase | undefined;
  const state: { url?: string; database?: Database; requested?: RequestedClosure[]; before?: LedgerSnapshot } = {};
  beforeAll(async () => {
    test = await createTestDatabase(dialect);
    state.url = test.url;
    await seedPopulation(test.url, population);
    state.database = await openDatabase(test.url);
    state.requested = await requestClosures(test.url, await holderAccounts(state.database));
    state.before = await snapshotLedger(state.database);
  });
  afterAll(async () => {
    await state.database?.close();
    await test?.dispose();
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
    get requested() {
      return ready(state.requested);
    },
    get before() {
      return ready(state.before);
    },
  };
}
