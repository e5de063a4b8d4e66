import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { KINDS, TABLES } from '../src/adapters/store/bulk-loader.js';
import type { BulkSink } from '../src/adapters/store/bulk-loader.js';
import { openDatabase } from '../src/adapters/store/database.js';
import { migrateToLatest } from '../src/adapters/store/migrate.js';
import { emitPopulation } from '../src/adapters/ledger/population.js';
import { seedReferenceData } from '../src/adapters/ledger/scenarios.js';
import { systemClock } from '../src/ports/clock.js';
import { flag, line, round, runCli, scratchDir } from './util.js';

/*
 * Seed: `offboard seed --accounts N --transactions M` on SQLite (the real CLI, wall time)
 * against the floor: the same rows, generated outside the clock, inserted by a plain
 * better-sqlite3 loop of prepared statements in one transaction into the same tables.
 */
export async function run(args: string[]): Promise<void> {
  const accounts = flag(args, 'accounts', 1_000_000);
  const transactions = flag(args, 'transactions', 10_000_000);
  const seed = flag(args, 'random-seed', 1);
  const dir = scratchDir('seed');
  try {
    line('population', `${accounts} accounts, ${transactions} transactions (SQLite)`);
    const offboardDb = `sqlite:${join(dir, 'offboard.db')}`;
    const result = runCli([
      'seed',
      '--db',
      offboardDb,
      '--accounts',
      String(accounts),
      '--transactions',
      String(transactions),
      '--random-seed',
      String(seed),
    ]);
    const summary = result.json as { rows: number; seconds: number };
    line(
      'offboard seed (wall)',
      `${round(result.seconds)} s, ${Math.round(summary.rows / result.seconds)} rows/s (${summary.rows} rows)`,
    );

    const baseline = await baselineInsert(join(dir, 'baseline.db'), accounts, transactions, seed);
    line(
      'baseline plain insert loop',
      `${round(baseline.seconds)} s, ${Math.round(baseline.rows / baseline.seconds)} rows/s (${baseline.rows} rows)`,
    );
    const ratio = result.seconds / baseline.seconds;
    line('ratio offboard/baseline', `${round(ratio)} (aim: at most 1.5)`);
    process.stdout.write(
      `${JSON.stringify({ bench: 'seed', accounts, transactions, rows: summary.rows, offboard_s: round(result.seconds), baseline_s: round(baseline.seconds), ratio: round(ratio), offboard_rows_per_s: Math.round(summary.rows / result.seconds), baseline_rows_per_s: Math.round(baseline.rows / baseline.seconds) })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The floor: rows are generated into memory in chunks with the clock stopped, then each
 * chunk is inserted with prepared statements, all in one transaction; only inserting counts.
 */
async function baselineInsert(
  path: string,
  accounts: number,
  transactions: number,
  seed: number,
): Promise<{ seconds: number; rows: number }> {
  const database = await openDatabase(`sqlite:${path}`);
  await migrateToLatest(database);
  await seedReferenceData(database, systemClock);
  const raw = database.sqlite!;
  const statements = new Map<
    string,
    { stmt: BetterSqlite3.Statement; columns: string[]; buffer: unknown[][] }
  >();
  // The same tables and columns offboard's bulk loader writes.
  for (const kind of KINDS) {
    const { table, columns } = TABLES[kind];
    const stmt = raw.prepare(
      `insert into ${table} (${columns.join(',')}) values (${columns.map(() => '?').join(',')})`,
    );
    statements.set(kind, { stmt, columns: [...columns], buffer: [] });
  }
  let rows = 0;
  let insertNs = 0n;
  const drain = () => {
    const started = process.hrtime.bigint();
    for (const entry of statements.values()) {
      for (const values of entry.buffer) entry.stmt.run(values);
      rows += entry.buffer.length;
      entry.buffer = [];
    }
    insertNs += process.hrtime.bigint() - started;
  };
  const collect = (kind: string) => (row: object) => {
    const entry = statements.get(kind)!;
    const record = row as Record<string, unknown>;
    entry.buffer.push(entry.columns.map((c) => record[c] ?? null));
  };
  const sink: BulkSink = {
    holder: collect('holder'),
    account: collect('account'),
    balance: collect('balance'),
    transaction: collect('transaction'),
    order: collect('order'),
    dispute: collect('dispute'),
    authorization: collect('authorization'),
    credential: collect('credential'),
    hold: collect('hold'),
    maybeFlush: () => {
      drain();
      return Promise.resolve();
    },
    get rows() {
      return rows;
    },
  };
  raw.pragma('foreign_keys = OFF');
  let started = process.hrtime.bigint();
  raw.exec('begin');
  insertNs += process.hrtime.bigint() - started;
  await emitPopulation(sink, { accounts, transactions, randomSeed: seed, now: new Date() });
  drain();
  started = process.hrtime.bigint();
  raw.exec('commit');
  insertNs += process.hrtime.bigint() - started;
  await database.close();
  return { seconds: Number(insertNs) / 1e9, rows };
}
