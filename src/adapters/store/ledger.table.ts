import type { Generated } from 'kysely';

/*
 * Row types of the builtin reference ledger. Conventions shared by every table:
 * - money is a decimal-integer string of minor units (TEXT on SQLite, NUMERIC(78,0) on
 *   PostgreSQL): 18-decimal assets do not fit 64 bits, and a float never touches money;
 * - instants are epoch milliseconds (BIGINT), the same on both dialects;
 * - flags are 0/1 integers, the same on both dialects.
 */

export type Money = string;
export type EpochMs = number;
export type Flag = 0 | 1;

export interface HolderTable {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  created_at: EpochMs;
}

export interface AccountTable {
  id: string;
  holder_id: string;
  status: 'active' | 'disabled' | 'frozen' | 'closed';
  jurisdiction: string;
  opened_at: EpochMs;
  status_changed_at: EpochMs;
  /** While frozen: the status the freeze covers, restored by unfreeze. */
  status_before_freeze: 'active' | 'disabled' | null;
  last_trade_at: EpochMs | null;
  last_withdrawal_at: EpochMs | null;
  last_deposit_at: EpochMs | null;
  last_security_change_at: EpochMs | null;
}

export interface AssetTable {
  code: string;
  decimals: number;
  /** Reference-currency minor units per one whole unit; null when unpriced. */
  price_minor: Money | null;
  allow_negative: Flag;
}

export interface BalanceTable {
  account_id: string;
  asset: string;
  available: Money;
  locked: Money;
}

export type TransactionType =
  'deposit' | 'withdrawal' | 'trade' | 'fee' | 'transfer' | 'dust_sweep' | 'return';
export type TransactionStatus = 'pending' | 'completed' | 'failed';

export interface TransactionTable {
  id: Generated<number>;
  account_id: string;
  asset: string;
  type: TransactionType;
  /** Signed: what the row does to the balance, before its fee. */
  amount: Money;
  /** Non-negative; taken from the balance on top of the amount. */
  fee: Money;
  status: TransactionStatus;
  counterparty: string | null;
  reference: string | null;
  /** A pending withdrawal the platform can still stop (not yet broadcast). */
  cancellable: Flag;
  created_at: EpochMs;
  completed_at: EpochMs | null;
}

export interface OrderTable {
  id: string;
  account_id: string;
  side: 'buy' | 'sell';
  /** The asset whose funds the order locks. */
  asset: string;
  locked: Money;
  /** The asset the order would receive. */
  counter_asset: string;
  status: 'open' | 'cancelled' | 'filled';
  created_at: EpochMs;
  closed_at: EpochMs | null;
}

export interface DisputeTable {
  id: string;
  account_id: string;
  kind: 'dispute' | 'chargeback';
  asset: string;
  amount: Money;
  status: 'open' | 'resolved';
  opened_at: EpochMs;
  resolved_at: EpochMs | null;
}

export interface AuthorizationTable {
  id: string;
  account_id: string;
  kind: 'oauth' | 'linked_platform' | 'subscription' | 'direct_debit';
  name: string;
  status: 'active' | 'revoked';
  granted_at: EpochMs;
  revoked_at: EpochMs | null;
}

export interface CredentialTable {
  id: string;
  account_id: string;
  kind: 'api_key' | 'session' | 'device' | 'totp' | 'sms' | 'webauthn' | 'withdrawal_address';
  label: string;
  status: 'active' | 'revoked';
  created_at: EpochMs;
  revoked_at: EpochMs | null;
}

export interface HoldTable {
  id: string;
  account_id: string;
  kind: 'legal' | 'compliance' | 'fraud' | 'regulator';
  reason: string;
  status: 'active' | 'lifted';
  placed_at: EpochMs;
  lifted_at: EpochMs | null;
}

/** Port actions already performed, by idempotency key: a repeated step has its effect once. */
export interface LedgerEffectTable {
  key: string;
  action: string;
  result: string;
  created_at: EpochMs;
}

export interface LedgerTables {
  holders: HolderTable;
  accounts: AccountTable;
  assets: AssetTable;
  balances: BalanceTable;
  transactions: TransactionTable;
  orders: OrderTable;
  disputes: DisputeTable;
  authorizations: AuthorizationTable;
  credentials: CredentialTable;
  holds: HoldTable;
  ledger_effects: LedgerEffectTable;
}
