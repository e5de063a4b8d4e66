import type { ColumnDefinitionBuilder, CompiledQuery } from 'kysely';
import type { jsonArrayFrom } from 'kysely/helpers/sqlite';
import type { BulkSink } from '../bulk-loader.js';
import type { AuditLogTable, ClosureTable } from '../workflow.table.js';
import type { Insertable } from 'kysely';
import type { Database, Db, Dialect, Tx } from '../database.js';

/** Column types that differ between the dialects; everything else is shared. */
export interface ColumnTypes {
  /** Minor units: TEXT on SQLite, NUMERIC(78,0) on PostgreSQL. */
  money: 'text' | 'numeric(78, 0)';
  /** An auto-incrementing 64-bit key. */
  serial: 'integer' | 'bigserial';
  /** Makes a `serial` column the primary key. */
  serialPrimaryKey(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

/** Something that can lock the rows it selects. */
export interface Lockable<Q> {
  forUpdate(): Q;
  skipLocked(): Q;
}

/**
 * Everything that differs between SQLite and PostgreSQL, in one place: the rest of the
 * store (and everything above it) never asks which database it is on.
 */
export interface StoreDialect {
  readonly name: Dialect;
  /** Column types for migrations. */
  readonly columnTypes: ColumnTypes;
  /** Runs `fn` in one transaction that holds the write lock for what it reads. */
  transaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Locks the selected rows until commit (a no-op where the transaction's write lock covers them). */
  forUpdate<Q extends Lockable<Q>>(query: Q): Q;
  /** Locks the selected rows, skipping rows another transaction holds, so many workers share the work. */
  forUpdateSkipLocked<Q extends Lockable<Q>>(query: Q): Q;
  /**
   * After an erasure batch: makes the erased rows unrecoverable from the database files
   * where the engine allows it without blocking others (SQLite: copy the WAL into the file,
   * whose deleted content `secure_delete` zeroes, and truncate the WAL).
   */
  compactAfterErasure(db: Db): Promise<void>;
  /** Tells idle workers, when `tx` commits, that a closure is due now. */
  announceWorkDue(tx: Db, closureId: string): Promise<void>;
  /** Calls `onNotice` whenever work is announced; null where nothing is announced (idle workers poll). */
  listenForWork(
    database: Database,
    onNotice: () => void,
  ): Promise<{ close(): Promise<void> } | null>;
  /** Leases up to `limit` due open closures to `owner` until `until`, atomically; returns their rows. */
  claimDueClosures(
    database: Database,
    options: { owner: string; now: number; until: number; limit: number },
  ): Promise<ClosureTable[]>;
  /**
   * Inserts an audit entry and stores its hash as its chain's head (whose row the caller
   * locked by advancing it); returns the entry's row id. PostgreSQL does both in one
   * statement, so the head's lock is held one round trip less.
   */
  insertAuditEntry(tx: Db, entry: Insertable<AuditLogTable> & { chain: number }): Promise<number>;
  /** Runs `fn` with a sink of generated ledger rows; all of them commit together, or none do. */
  bulkLoad<T>(database: Database, fn: (sink: BulkSink) => Promise<T>): Promise<T>;
  /** The tables of the database's own schema, and that schema's name. */
  ownTables(db: Db): Promise<{ schema: string; tables: Set<string> }>;
  /**
   * A subquery's rows as one JSON array column (kysely's helper for the dialect): on
   * PostgreSQL the driver parses it, on SQLite it arrives as JSON text.
   */
  readonly jsonArrayFrom: typeof jsonArrayFrom;
  /** Drops offboard's `tables` of `schema` in one transaction (on SQLite nothing: the reset deletes the file). */
  dropTables(db: Db, schema: string, tables: readonly string[]): Promise<void>;
  /**
   * Runs a compiled read outside a transaction and returns its rows as arrays, in the
   * order of its select list: for long reads that want tuples anyway (a statement export
   * reads a million rows), without an object per row to build and collect. `Row` is the
   * caller's word for what the select list yields.
   */
  selectArrays<Row extends readonly unknown[]>(
    database: Database,
    query: CompiledQuery,
  ): Promise<Row[]>;
}
