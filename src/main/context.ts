import { BuiltinLedger } from '../adapters/ledger/ledger.js';
import { openDatabase } from '../adapters/store/database.js';
import type { Database } from '../adapters/store/database.js';
import { resolveDatabaseUrl } from '../adapters/store/database-url.js';
import { migrateToLatest } from '../adapters/store/migrate.js';
import { systemClock } from '../ports/clock.js';
import type { Clock } from '../ports/clock.js';

/** What every entry point needs, wired once: the composition root. */
export interface Context {
  readonly database: Database;
  readonly ledger: BuiltinLedger;
  readonly clock: Clock;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** The `--db` flag; else OFFBOARD_DATABASE_URL; else the embedded SQLite file. */
  db?: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Bring the schema up to date first (default: yes; commands need it). */
  migrate?: boolean;
}

export async function openContext(options: ContextOptions = {}): Promise<Context> {
  const url = resolveDatabaseUrl(options.db, options.env ?? process.env);
  const database = await openDatabase(url);
  try {
    if (options.migrate !== false) await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const clock = options.clock ?? systemClock;
  return {
    database,
    ledger: new BuiltinLedger(database, clock),
    clock,
    close: () => database.close(),
  };
}
