import Sqlite from 'better-sqlite3';

/*
 * The platform's own books: a tiny wallet ledger on SQLite, nothing borrowed from offboard.
 * Amounts are decimal-integer strings of minor units in the database and `bigint` in code
 * (0.0001 ETH is 100000000000000 wei: it does not fit a double); instants are ISO 8601
 * strings in UTC. Money moves only by recorded transactions.
 */

export type Db = Sqlite.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS assets (
  code TEXT PRIMARY KEY, decimals INTEGER NOT NULL,
  price_minor TEXT,                      -- USD cents per whole unit; NULL when unpriced
  allow_negative INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT,
  jurisdiction TEXT NOT NULL, opened_at TEXT NOT NULL,
  status TEXT NOT NULL,                  -- active | disabled | frozen | closed
  status_before_freeze TEXT,             -- what an unfreeze restores
  last_trade_at TEXT, last_withdrawal_at TEXT, last_deposit_at TEXT,
  last_security_change_at TEXT);
CREATE TABLE IF NOT EXISTS balances (
  account_id TEXT NOT NULL REFERENCES accounts(id), asset TEXT NOT NULL REFERENCES assets(code),
  available TEXT NOT NULL, locked TEXT NOT NULL, PRIMARY KEY (account_id, asset));
-- The platform's own balances: where swept dust goes.
CREATE TABLE IF NOT EXISTS platform_balances (asset TEXT PRIMARY KEY, amount TEXT NOT NULL);
-- Ids only grow, so transaction pages can be cut by id (see the transactions route).
CREATE TABLE IF NOT EXISTS transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, account_id TEXT NOT NULL REFERENCES accounts(id),
  asset TEXT NOT NULL, type TEXT NOT NULL, amount TEXT NOT NULL, fee TEXT NOT NULL,
  status TEXT NOT NULL, cancellable INTEGER NOT NULL DEFAULT 0,
  counterparty TEXT, reference TEXT, created_at TEXT NOT NULL, completed_at TEXT);
CREATE INDEX IF NOT EXISTS transactions_by_account ON transactions (account_id, id);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL, asset TEXT NOT NULL, side TEXT NOT NULL,
  locked TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS disputes (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL, asset TEXT NOT NULL,
  amount TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorizations (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
  status TEXT NOT NULL, granted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
  status TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS holds (
  id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
  status TEXT NOT NULL, placed_at TEXT NOT NULL);
-- Every Idempotency-Key with the request it came with and the first answer, kept for
-- at least 30 days: offboard may repeat a closure's step weeks after it first ran.
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, status INTEGER NOT NULL,
  response TEXT NOT NULL, created_at TEXT NOT NULL);
`;

/** The assets this platform knows, with synthetic fixed prices. */
const ASSETS: [code: string, decimals: number, priceMinor: string, allowNegative: boolean][] = [
  ['USD', 2, '100', true],
  ['EUR', 2, '108', true],
  ['GBP', 2, '127', true],
  ['BTC', 8, '6000000', false],
  ['ETH', 18, '300000', false],
  ['USDC', 6, '100', false],
];

export function openStore(file: string): Db {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const define = db.prepare('INSERT OR IGNORE INTO assets VALUES (?, ?, ?, ?)');
  for (const [code, decimals, price, negative] of ASSETS)
    define.run(code, decimals, price, negative ? 1 : 0);
  // Keys are kept far longer than the contract's 30 days, then forgotten.
  const cutoff = new Date(Date.now() - 90 * 86_400_000).toISOString();
  db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(cutoff);
  return db;
}

export interface AccountRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  jurisdiction: string;
  opened_at: string;
  status: 'active' | 'disabled' | 'frozen' | 'closed';
  status_before_freeze: 'active' | 'disabled' | null;
  last_trade_at: string | null;
  last_withdrawal_at: string | null;
  last_deposit_at: string | null;
  last_security_change_at: string | null;
}

export interface AssetRow {
  code: string;
  decimals: number;
  price_minor: string | null;
  allow_negative: number;
}

export const account = (db: Db, id: string) =>
  db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;

export const asset = (db: Db, code: string) =>
  db.prepare('SELECT * FROM assets WHERE code = ?').get(code) as AssetRow | undefined;

/** Adds to an account's balance of an asset (creating the row), never below zero unless allowed. */
export function adjustBalance(
  db: Db,
  accountId: string,
  assetCode: string,
  availableDelta: bigint,
  lockedDelta: bigint,
): void {
  const row = db
    .prepare('SELECT available, locked FROM balances WHERE account_id = ? AND asset = ?')
    .get(accountId, assetCode) as { available: string; locked: string } | undefined;
  const available = BigInt(row?.available ?? '0') + availableDelta;
  const locked = BigInt(row?.locked ?? '0') + lockedDelta;
  if (available < 0n && availableDelta < 0n && !asset(db, assetCode)?.allow_negative)
    throw new Error(`${accountId} has too little ${assetCode}`);
  if (locked < 0n) throw new Error(`${accountId}'s locked ${assetCode} would go negative`);
  db.prepare(
    `INSERT INTO balances VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id, asset) DO UPDATE SET available = excluded.available, locked = excluded.locked`,
  ).run(accountId, assetCode, available.toString(), locked.toString());
}

export interface NewTransaction {
  accountId: string;
  asset: string;
  type: string;
  amount: bigint;
  fee?: bigint;
  status?: 'pending' | 'completed';
  cancellable?: boolean;
  counterparty?: string | null;
  reference?: string | null;
  at: string;
}

/** Records a transaction and answers its id. */
export function record(db: Db, t: NewTransaction): number {
  const status = t.status ?? 'completed';
  const result = db
    .prepare(
      `INSERT INTO transactions (account_id, asset, type, amount, fee, status, cancellable,
         counterparty, reference, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      t.accountId,
      t.asset,
      t.type,
      t.amount.toString(),
      (t.fee ?? 0n).toString(),
      status,
      t.cancellable ? 1 : 0,
      t.counterparty ?? null,
      t.reference ?? null,
      t.at,
      status === 'completed' ? t.at : null,
    );
  return Number(result.lastInsertRowid);
}

/**
 * Money arrives from outside. A frozen or closed account takes none: the deposit is
 * recorded and returned to its sender at once, as a second transaction, never dropped.
 */
export function deposit(
  db: Db,
  accountId: string,
  assetCode: string,
  amount: bigint,
  at: string,
  counterparty: string | null = null,
): { transactionId: number; returned: boolean } {
  const transactionId = record(db, {
    accountId,
    asset: assetCode,
    type: 'deposit',
    amount,
    counterparty,
    at,
  });
  const status = account(db, accountId)!.status;
  if (status === 'frozen' || status === 'closed') {
    record(db, {
      accountId,
      asset: assetCode,
      type: 'return',
      amount: -amount,
      counterparty,
      reference: `return of transaction ${transactionId}`,
      at,
    });
    return { transactionId, returned: true };
  }
  adjustBalance(db, accountId, assetCode, amount, 0n);
  db.prepare('UPDATE accounts SET last_deposit_at = ? WHERE id = ?').run(at, accountId);
  return { transactionId, returned: false };
}
