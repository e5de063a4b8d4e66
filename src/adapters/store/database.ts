import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { KyselyConfig, SqliteDatabase, Transaction } from 'kysely';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { OffboardError } from '../../domain/errors.js';
import type { OffboardTables } from './database.table.js';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js';
import type { DatabaseLocation } from './database-url.js';
import type { Lockable, StoreDialect } from './dialects/dialect.js';
import { postgresDialect } from './dialects/postgres.js';
import { sqliteDialect } from './dialects/sqlite.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<OffboardTables>;
export type Tx = Transaction<OffboardTables>;

/** An open database: the Kysely handle plus the raw driver, which only bulk loaders use. */
export interface Database {
  readonly dialect: Dialect;
  /** What differs between the databases: everything that would otherwise ask `dialect`. */
  readonly store: StoreDialect;
  readonly url: string;
  readonly db: Db;
  /** Set on SQLite: the one connection, for bulk loads through prepared statements. */
  readonly sqlite: BetterSqlite3.Database | null;
  /** Set on PostgreSQL: the pool, for bulk loads and cursors. */
  readonly pool: pg.Pool | null;
  close(): Promise<void>;
}

// Instants are BIGINT epoch milliseconds: parse them as numbers (safe far past year 275000).
// NUMERIC (money) stays a string, exactly as stored.
function pgTypesOf(driver: typeof pg) {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === driver.types.builtins.INT8) return (value: string) => Number(value);
      return driver.types.getTypeParser(oid, format);
    },
  };
}

export interface OpenOptions {
  /** Pool size on PostgreSQL. */
  poolSize?: number;
  /**
   * Told the SQL of every statement run (transaction control included), for tests and
   * diagnostics that count what a step costs. Unset, Kysely adds no logging at all.
   */
  onQuery?: (sql: string) => void;
  /**
   * SQLite's page cache, in KiB (default: better-sqlite3's 16 MiB). A command that reads a
   * long history once, in order, gains nothing from a big cache, which would only keep
   * that many pages of the file in the process's memory. PostgreSQL caches in the server.
   */
  pageCacheKib?: number;
}

/** Kysely's log hook, made only when someone listens (logging wraps every connection). */
function queryLog(options: OpenOptions): KyselyConfig['log'] {
  const onQuery = options.onQuery;
  if (!onQuery) return undefined;
  return (event) => {
    if (event.level === 'query') onQuery(event.query.sql);
  };
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const location = parseDatabaseUrl(url);
  return location.dialect === 'sqlite'
    ? openSqlite(url, location, options)
    : openPostgres(url, location, options);
}

function openSqlite(
  url: string,
  location: Extract<DatabaseLocation, { dialect: 'sqlite' }>,
  options: OpenOptions,
): Database {
  let raw: BetterSqlite3.Database;
  try {
    raw = new BetterSqlite3(location.path);
  } catch (error) {
    throw new OffboardError(
      'OFFBOARD_ERR_DATABASE_UNREACHABLE',
      `cannot open SQLite database ${location.path}: ${(error as Error).message}`,
    );
  }
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  // Another process (a worker, the CLI) may hold the write lock for a moment: wait, don't fail.
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  // Deleted and overwritten content is zeroed, not left in free space: an erased holder's
  // data must not be readable from the file (docs/retention.md).
  raw.pragma('secure_delete = ON');
  if (options.pageCacheKib !== undefined) raw.pragma(`cache_size = -${options.pageCacheKib}`);
  raw.defaultSafeIntegers(false);
  const db = new Kysely<OffboardTables>({
    dialect: new SqliteDialect({ database: cachingStatements(raw) }),
    log: queryLog(options),
  });
  return {
    dialect: 'sqlite',
    store: sqliteDialect,
    url,
    db,
    sqlite: raw,
    pool: null,
    close: () => db.destroy(),
  };
}

const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every query afresh; on a hot path (a scan runs ten statements per batch
 * of a thousand accounts) preparing costs more than running. Statements are cached by
 * their SQL text, the least recently used forgotten first (a burst of one-off queries
 * does not push out the hot ones). Safe because Kysely runs one query at a time on the
 * one connection, so a cached statement is never asked for while it is still iterating.
 */
function cachingStatements(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new LRUCache<string, BetterSqlite3.Statement>({ max: STATEMENT_CACHE });
  return {
    close: () => raw.close(),
    prepare: (text: string) => {
      let statement = cache.get(text);
      if (!statement) {
        statement = raw.prepare(text);
        cache.set(text, statement);
      }
      return statement as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

async function openPostgres(
  url: string,
  location: Extract<DatabaseLocation, { dialect: 'postgres' }>,
  options: OpenOptions,
): Promise<Database> {
  // Loaded when a PostgreSQL URL is opened: an SQLite command never pays for the driver.
  const { default: driver } = await import('pg');
  const pool = new driver.Pool({
    connectionString: location.url,
    max: options.poolSize ?? 10,
    types: pgTypesOf(driver),
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new OffboardError(
      'OFFBOARD_ERR_DATABASE_UNREACHABLE',
      `cannot reach PostgreSQL at ${redactDatabaseUrl(url)}: ${(error as Error).message}`,
    );
  }
  const db = new Kysely<OffboardTables>({
    dialect: new PostgresDialect({ pool }),
    log: queryLog(options),
  });
  return {
    dialect: 'postgres',
    store: postgresDialect,
    url,
    db,
    sqlite: null,
    pool,
    close: () => db.destroy(),
  };
}

/** Runs `fn` in one transaction (on SQLite one that takes the write lock at once). */
export function inTransaction<T>(database: Database, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return database.store.transaction(database.db, fn);
}

/** Locks rows for update on PostgreSQL; SQLite's write lock already covers them. */
export function forUpdate<Q extends Lockable<Q>>(database: Database, query: Q): Q {
  return database.store.forUpdate(query);
}
