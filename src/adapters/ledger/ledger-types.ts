import type {
  AccountTable,
  AuthorizationTable,
  CredentialTable,
  DisputeTable,
  HoldTable,
  TransactionTable,
} from '../store/ledger.table.js';

/** The values the builtin ledger takes and gives; `ledger.ts` re-exports them for its callers. */

export const PLATFORM_HOLDER_ID = 'platform';
/** Where swept dust goes: the platform's own account, inside the ledger. */
export const DUST_ACCOUNT_ID = 'platform-dust';

export type AccountStatus = AccountTable['status'];
export type CredentialKind = CredentialTable['kind'];
export type AuthorizationKind = AuthorizationTable['kind'];
export type HoldKind = HoldTable['kind'];
export type DisputeKind = DisputeTable['kind'];

export interface AssetInfo {
  code: string;
  decimals: number;
  priceMinor: bigint | null;
  allowNegative: boolean;
}

export interface BalanceView {
  asset: string;
  decimals: number;
  available: bigint;
  locked: bigint;
}

export interface MovementOptions {
  counterparty?: string;
  reference?: string;
  fee?: bigint;
  idempotencyKey?: string;
}

export interface AccountSummary {
  id: string;
  status: AccountStatus;
  jurisdiction: string;
  openedAt: Date;
}

export interface DepositResult {
  transactionId: number;
  /** True when the account was frozen or closed and the money went back to its sender. */
  returned: boolean;
}

export interface TransactionRow {
  id: number;
  accountId: string;
  asset: string;
  type: TransactionTable['type'];
  amount: bigint;
  fee: bigint;
  status: TransactionTable['status'];
  counterparty: string | null;
  reference: string | null;
  createdAt: Date;
  completedAt: Date | null;
}
