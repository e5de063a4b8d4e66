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

export interface TableSpec {
  table: string;
  columns: readonly string[];
  /** PostgreSQL array types, one per column, for unnest(). */
  pgTypes: readonly string[];
}

export const TABLES = {
  holder: {
    table: 'holders',
    columns: ['id', 'name', 'email', 'phone', 'created_at'],
    pgTypes: ['text', 'text', 'text', 'text', 'int8'],
  },
  account: {
    table: 'accounts',
    columns: [
      'id',
      'holder_id',
      'status',
      'jurisdiction',
      'opened_at',
      'status_changed_at',
      'last_trade_at',
      'last_withdrawal_at',
      'last_deposit_at',
      'last_security_change_at',
    ],
    pgTypes: ['text', 'text', 'text', 'text', 'int8', 'int8', 'int8', 'int8', 'int8', 'int8'],
  },
  balance: {
    table: 'balances',
    columns: ['account_id', 'asset', 'available', 'locked'],
    pgTypes: ['text', 'text', 'numeric', 'numeric'],
  },
  transaction: {
    table: 'transactions',
    columns: [
      'account_id',
      'asset',
      'type',
      'amount',
      'fee',
      'status',
      'counterparty',
      'reference',
      'cancellable',
      'created_at',
      'completed_at',
    ],
    pgTypes: [
      'text',
      'text',
      'text',
      'numeric',
      'numeric',
      'text',
      'text',
      'text',
      'int4',
      'int8',
      'int8',
    ],
  },
  order: {
    table: 'orders',
    columns: [
      'id',
      'account_id',
      'side',
      'asset',
      'locked',
      'counter_asset',
      'status',
      'created_at',
      'closed_at',
    ],
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

export type Kind = keyof typeof TABLES;
export const KINDS = Object.keys(TABLES) as Kind[];

/** Runs `fn` with a sink; everything it emits is committed together, or nothing is. */
export async function bulkLoad<T>(
  database: Database,
  fn: (sink: BulkSink) => Promise<T>,
): Promise<T> {
  // Each database loads its own fastest way (store/dialects).
  return database.store.bulkLoad(database, fn);
}
