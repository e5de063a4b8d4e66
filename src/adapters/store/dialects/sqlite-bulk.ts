import type BetterSqlite3 from 'better-sqlite3';
import { TABLES, KINDS } from '../bulk-loader.js';
import type { Kind, TableSpec, BulkSink } from '../bulk-loader.js';
import type { Database } from '../database.js';

/** Prepared statements in one transaction on the one connection. */
export async function loadSqlite<T>(
  database: Database,
  fn: (sink: BulkSink) => Promise<T>,
): Promise<T> {
  const raw = database.sqlite!;
  const statements = Object.fromEntries(
    KINDS.map((kind) => {
      const spec: TableSpec = TABLES[kind];
      const sql = `insert into ${spec.table} (${spec.columns.join(', ')}) values (${spec.columns.map(() => '?').join(', ')})`;
      return [kind, raw.prepare(sql)];
    }),
  ) as Record<Kind, BetterSqlite3.Statement<unknown[]>>;
  let rows = 0;
  const put = (kind: Kind) => {
    const statement = statements[kind];
    const columns: readonly string[] = TABLES[kind].columns;
    return (row: object) => {
      const record = row as Record<string, unknown>;
      statement.run(columns.map((c) => record[c] ?? null));
      rows += 1;
    };
  };
  const insertTransaction = statements.transaction;
  const sink: BulkSink = {
    holder: put('holder'),
    account: put('account'),
    balance: put('balance'),
    // The hot path (nine rows in ten): positional arguments, no per-row array.
    transaction: (r) => {
      insertTransaction.run(
        r.account_id,
        r.asset,
        r.type,
        r.amount,
        r.fee,
        r.status,
        r.counterparty,
        r.reference,
        r.cancellable,
        r.created_at,
        r.completed_at,
      );
      rows += 1;
    },
    order: put('order'),
    dispute: put('dispute'),
    authorization: put('authorization'),
    credential: put('credential'),
    hold: put('hold'),
    maybeFlush: () => Promise.resolve(),
    get rows() {
      return rows;
    },
  };
  // One transaction: the load is all or nothing, and SQLite commits once instead of per row.
  // Foreign keys are off for the load: generators emit an account's rows before the
  // account (its last-activity instants are known only at the end), all consistent at
  // commit. The pragma cannot change inside a transaction, so it wraps it.
  raw.pragma('foreign_keys = OFF');
  raw.exec('begin immediate');
  try {
    const result = await fn(sink);
    raw.exec('commit');
    return result;
  } catch (error) {
    raw.exec('rollback');
    throw error;
  } finally {
    raw.pragma('foreign_keys = ON');
  }
}
