import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { CompiledQuery } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import type { Database, Db, Tx } from '../database.js';
import type { ClosureTable } from '../workflow.table.js';
import { dueClosureIds } from './claim.js';
import { loadSqlite } from './sqlite-bulk.js';
import type { StoreDialect } from './dialect.js';

/**
 * Statements that return arrays, per connection, by SQL text. Kept apart from Kysely's
 * cache: a statement in raw mode answers every caller with arrays. Few reads use them, so
 * the cache stays small; a runaway one is cleared rather than grown.
 */
const arrayStatements = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();
const ARRAY_STATEMENTS = 32;

/** SQLite: one writer at a time, so the write lock does what PostgreSQL needs row locks for. */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  columnTypes: {
    money: 'text',
    serial: 'integer',
    serialPrimaryKey: (c) => c.primaryKey().autoIncrement(),
  },
  /**
   * The transaction takes the write lock at once (BEGIN IMMEDIATE): a read-then-write on a
   * deferred transaction could otherwise fail half-way when another process writes first.
   */
  transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        // A Kysely connection is not a Transaction, but it runs the same queries on the
        // same connection; the cast lets repositories take one type.
        const result = await fn(conn as unknown as Tx);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  },
  async compactAfterErasure(db) {
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  },
  forUpdate: (query) => query,
  forUpdateSkipLocked: (query) => query,
  announceWorkDue: async () => undefined,
  listenForWork: async () => null,
  /** One statement: SQLite's write lock makes the update atomic, and RETURNING reads the rows claimed. */
  claimDueClosures(database: Database, options): Promise<ClosureTable[]> {
    return database.db
      .updateTable('closures')
      .set({ lease_owner: options.owner, lease_expires_at: options.until })
      .where('id', 'in', dueClosureIds(database.db, options.now, options.limit))
      .returningAll()
      .execute();
  },
  async insertAuditEntry(tx, entry) {
    const row = await tx
      .insertInto('audit_log')
      .values(entry)
      .returning('seq')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('audit_chains')
      .set({ hash: entry.hash })
      .where('chain', '=', entry.chain)
      .execute();
    return Number(row.seq);
  },
  // The reset deletes the database file (and its -wal and -shm) once the connection is closed.
  dropTables: async () => undefined,
  async selectArrays<Row extends readonly unknown[]>(database: Database, query: CompiledQuery) {
    const connection = database.sqlite!;
    let statements = arrayStatements.get(connection);
    if (!statements) arrayStatements.set(connection, (statements = new Map()));
    let statement = statements.get(query.sql);
    if (!statement) {
      if (statements.size >= ARRAY_STATEMENTS) statements.clear();
      statement = connection.prepare(query.sql).raw(true);
      statements.set(query.sql, statement);
    }
    return statement.all(...query.parameters) as Row[];
  },
  jsonArrayFrom,
  bulkLoad: loadSqlite,
  async ownTables(db) {
    const rows = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(
      db,
    );
    return { schema: 'main', tables: new Set(rows.rows.map((r) => r.name)) };
  },
};
