import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from './database.js';
import type {
  AccountTable,
  AuthorizationTable,
  BalanceTable,
  CredentialTable,
  DisputeTable,
  HolderTable,
  HoldTable,
  OrderTable,
  TransactionTable,
} from './ledger.table.js';

/**
 * Loads generated ledger rows as fast as each database allows: on SQLite, prepared
 * statements in one transaction; on PostgreSQL, batches of rows sent as arrays and
 * expanded with unnest() (one round trip per table per batch). Only the seeders use it:
 * rows must already satisfy the ledger's invariants.
 */
export interface BulkSink {
  holder(row: HolderTable): void;
  account(row: AccountTable): void;
  balance(row: BalanceTable): void;
  transaction(row: Omit<TransactionTable, 'id'>): void;
  order(row: OrderTable): void;
  dispute(row: DisputeTable): void;
  authorization(row: AuthorizationTable): void;
  credential(row: CredentialTable): void;
  hold(row: HoldTable): void;
  /** Sends what is buffered once it is a batch (PostgreSQL); a no-op on SQLite. Await it between accounts. */
  maybeFlush(): Promise<void>;
  /** Rows written so far. */
  readonly rows: number;
}

interface TableSpec {
  table: string;
  columns: readonly string[];
  /** PostgreSQL array types, one per column, for unnest(). */
  pgTypes: readonly string[];
}

const TABLES = {
  holder: { table: 'holders', columns: ['id', 'name', 'email', 'phone', 'created_at'], pgTypes: ['text', 'text', 'text', 'text', 'int8'] },
  account: {
    table: 'accounts',
    columns: ['id', 'holder_id', 'status', 'jurisdiction', 'opened_at', 'status_changed_at', 'last_trade_at', 'last_withdrawal_at', 'last_deposit_at', 'last_security_change_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'int8', 'int8'],
  },
  balance: { table: 'balances', columns: ['account_id', 'asset', 'available', 'locked'], pgTypes: ['text', 'text', 'numeric', 'numeric'] },
  transaction: {
    table: 'transactions',
    columns: ['account_id', 'asset', 'type', 'amount', 'fee', 'status', 'counterparty', 'reference', 'cancellable', 'created_at', 'completed_at'],
    pgTypes: ['text', 'text', 'text', 'numeric', 'numeric', 'text', 'text', 'text', 'int4', 'int8', 'int8'],
  },
  order: {
    table: 'orders',
    columns: ['id', 'account_id', 'side', 'asset', 'locked', 'counter_asset', 'status', 'created_at', 'closed_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'numeric', 'text', 'text', 'int8', 'int8'],
  },
  dispute: {
    table: 'disputes',
    columns: ['id', 'account_id', 'kind', 'asset', 'amount', 'status', 'opened_at', 'resolved_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'numeric', 'text', 'int8', 'int8'],
  },
  authorization: {
    table: 'authorizations',
    columns: ['id', 'account_id', 'kind', 'name', 'status', 'granted_at', 'revoked_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'text', 'int8', 'int8'],
  },
  credential: {
    table: 'credentials',
    columns: ['id', 'account_id', 'kind', 'label', 'status', 'created_at', 'revoked_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'text', 'int8', 'int8'],
  },
  hold: {
    table: 'holds',
    columns: ['id', 'account_id', 'kind', 'reason', 'status', 'placed_at', 'lifted_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'text', 'int8', 'int8'],
  },
} as const satisfies Record<string, TableSpec>;

type Kind = keyof typeof TABLES;
const KINDS = Object.keys(TABLES) as Kind[];

/** Runs `fn` with a sink; everything it emits is committed together, or nothing is. */
export async function bulkLoad<T>(database: Database, fn: (sink: BulkSink) => Promise<T>): Promise<T> {
  return database.sqlite ? loadSqlite(database, fn) : loadPostgres(database, fn);
}

async function loadSqlite<T>(database: Database, fn: (sink: BulkSink) => Promise<T>): Promise<T> {
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
      insertTransaction.run(r.account_id, r.asset, r.type, r.amount, r.fee, r.status, r.counterparty, r.reference, r.cancellable, r.created_at, r.completed_at);
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

const PG_BATCH = 5000;

async function loadPostgres<T>(database: Database, fn: (sink: BulkSink) => Promise<T>): Promise<T> {
  const client = await database.pool!.connect();
  const buffers = Object.fromEntries(KINDS.map((k) => [k, TABLES[k].columns.map(() => [] as unknown[])])) as Record<Kind, unknown[][]>;
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>;
  let rows = 0;
  // Parents before children: foreign keys are checked per statement.
  const flushAll = async () => {
    for (const kind of KINDS) await flushKind(kind);
  };
  const flushKind = async (kind: Kind) => {
    if (counts[kind] === 0) return;
    const spec: TableSpec = TABLES[kind];
    const params = buffers[kind];
    const unnest = spec.pgTypes.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    await client.query(`insert into ${spec.table} (${spec.columns.join(', ')}) select * from unnest(${unnest})`, params);
    buffers[kind] = spec.columns.map(() => []);
    counts[kind] = 0;
  };
  let buffered = 0;
  const put = (kind: Kind) => {
    const columns: readonly string[] = TABLES[kind].columns;
    return (row: object) => {
      const record = row as Record<string, unknown>;
      const buffer = buffers[kind];
      for (let i = 0; i < columns.length; i++) buffer[i]!.push(record[columns[i]!] ?? null);
      counts[kind] += 1;
      rows += 1;
      buffered += 1;
    };
  };
  const sink: BulkSink = {
    holder: put('holder'),
    account: put('account'),
    balance: put('balance'),
    transaction: put('transaction'),
    order: put('order'),
    dispute: put('dispute'),
    authorization: put('authorization'),
    credential: put('credential'),
    hold: put('hold'),
    maybeFlush: async () => {
      if (buffered < PG_BATCH) return;
      buffered = 0;
      await flushAll();
    },
    get rows() {
      return rows;
    },
  };
  try {
    await client.query('begin');
    // Constraints are checked at commit where they can be deferred; flushes go parents first.
    await client.query('set constraints all deferred');
    const result = await fn(sink);
    await flushAll();
    await client.query('commit');
    // Fresh statistics: a planner that still thinks the tables are empty picks sorts
    // over index scans for every query after a bulk load.
    await client.query('analyze');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
