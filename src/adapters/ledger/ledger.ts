import type { Clock } from '../../ports/clock.js';
import type { Database } from '../store/database.js';
import { LedgerAccounts } from './ledger-accounts.js';
import { LedgerCore } from './ledger-core.js';
import { LedgerErasure } from './ledger-erasure.js';
import { LedgerMovements } from './ledger-movements.js';
import { LedgerRecords } from './ledger-records.js';
import { LedgerStatus } from './ledger-status.js';
import { LedgerTrading } from './ledger-trading.js';

export { DUST_ACCOUNT_ID, PLATFORM_HOLDER_ID } from './ledger-types.js';
export type {
  AccountStatus,
  AccountSummary,
  AssetInfo,
  AuthorizationKind,
  BalanceView,
  CredentialKind,
  DepositResult,
  DisputeKind,
  HoldKind,
  MovementOptions,
  TransactionRow,
} from './ledger-types.js';

/**
 * The builtin reference wallet ledger: the sandbox platform for the demo, the tests and
 * the benchmarks. Its rules are a ledger's rules:
 * - money moves only by recorded transactions: for every account and asset,
 *   available + locked = the sum of (amount - fee) over its completed transactions;
 * - a balance never goes below zero unless its asset allows it;
 * - a deposit to a frozen or closed account is credited and returned to its sender as two
 *   recorded transactions, never dropped.
 * Every operation is one transaction; operations that take an idempotency key have their
 * effect once however often they are repeated.
 *
 * The class is a facade, so its callers see one ledger: each concern lives in a part of
 * its own (the files named below), over one shared core (`ledger-core.ts`: transactions,
 * row locks, balance arithmetic) and the idempotency helper (`ledger-idempotency.ts`).
 */
export class BuiltinLedger {
  readonly database: Database;
  private readonly accounts: LedgerAccounts;
  private readonly movements: LedgerMovements;
  private readonly trading: LedgerTrading;
  private readonly records: LedgerRecords;
  private readonly status: LedgerStatus;
  private readonly erasure: LedgerErasure;

  constructor(database: Database, clock: Clock) {
    this.database = database;
    const core = new LedgerCore(database, clock);
    this.accounts = new LedgerAccounts(core);
    this.movements = new LedgerMovements(core);
    this.trading = new LedgerTrading(core);
    this.records = new LedgerRecords(core);
    this.status = new LedgerStatus(core);
    this.erasure = new LedgerErasure(core);
  }

  // ---- reference data, holders, accounts, reading (ledger-accounts.ts) -----------

  defineAsset(...args: Parameters<LedgerAccounts['defineAsset']>) {
    return this.accounts.defineAsset(...args);
  }
  asset(...args: Parameters<LedgerAccounts['asset']>) {
    return this.accounts.asset(...args);
  }
  assets(...args: Parameters<LedgerAccounts['assets']>) {
    return this.accounts.assets(...args);
  }
  createHolder(...args: Parameters<LedgerAccounts['createHolder']>) {
    return this.accounts.createHolder(...args);
  }
  openAccount(...args: Parameters<LedgerAccounts['openAccount']>) {
    return this.accounts.openAccount(...args);
  }
  openHolderAccount(...args: Parameters<LedgerAccounts['openHolderAccount']>) {
    return this.accounts.openHolderAccount(...args);
  }
  ensurePlatformAccounts(...args: Parameters<LedgerAccounts['ensurePlatformAccounts']>) {
    return this.accounts.ensurePlatformAccounts(...args);
  }
  account(...args: Parameters<LedgerAccounts['account']>) {
    return this.accounts.account(...args);
  }
  listAccounts(...args: Parameters<LedgerAccounts['listAccounts']>) {
    return this.accounts.listAccounts(...args);
  }
  balances(...args: Parameters<LedgerAccounts['balances']>) {
    return this.accounts.balances(...args);
  }
  transactions(...args: Parameters<LedgerAccounts['transactions']>) {
    return this.accounts.transactions(...args);
  }
  recentTransactions(...args: Parameters<LedgerAccounts['recentTransactions']>) {
    return this.accounts.recentTransactions(...args);
  }

  // ---- money movements (ledger-movements.ts) -------------------------------------

  deposit(...args: Parameters<LedgerMovements['deposit']>) {
    return this.movements.deposit(...args);
  }
  completeDeposit(...args: Parameters<LedgerMovements['completeDeposit']>) {
    return this.movements.completeDeposit(...args);
  }
  withdraw(...args: Parameters<LedgerMovements['withdraw']>) {
    return this.movements.withdraw(...args);
  }
  completeWithdrawal(...args: Parameters<LedgerMovements['completeWithdrawal']>) {
    return this.movements.completeWithdrawal(...args);
  }
  failWithdrawal(...args: Parameters<LedgerMovements['failWithdrawal']>) {
    return this.movements.failWithdrawal(...args);
  }
  chargeFee(...args: Parameters<LedgerMovements['chargeFee']>) {
    return this.movements.chargeFee(...args);
  }
  transfer(...args: Parameters<LedgerMovements['transfer']>) {
    return this.movements.transfer(...args);
  }
  sweepDust(...args: Parameters<LedgerMovements['sweepDust']>) {
    return this.movements.sweepDust(...args);
  }
  lockFunds(...args: Parameters<LedgerMovements['lockFunds']>) {
    return this.movements.lockFunds(...args);
  }
  unlockFunds(...args: Parameters<LedgerMovements['unlockFunds']>) {
    return this.movements.unlockFunds(...args);
  }

  // ---- orders and trades (ledger-trading.ts) -------------------------------------

  placeOrder(...args: Parameters<LedgerTrading['placeOrder']>) {
    return this.trading.placeOrder(...args);
  }
  cancelOrder(...args: Parameters<LedgerTrading['cancelOrder']>) {
    return this.trading.cancelOrder(...args);
  }
  fillOrder(...args: Parameters<LedgerTrading['fillOrder']>) {
    return this.trading.fillOrder(...args);
  }
  trade(...args: Parameters<LedgerTrading['trade']>) {
    return this.trading.trade(...args);
  }

  // ---- disputes, authorizations, credentials, holds (ledger-records.ts) ----------

  openDispute(...args: Parameters<LedgerRecords['openDispute']>) {
    return this.records.openDispute(...args);
  }
  resolveDispute(...args: Parameters<LedgerRecords['resolveDispute']>) {
    return this.records.resolveDispute(...args);
  }
  grantAuthorization(...args: Parameters<LedgerRecords['grantAuthorization']>) {
    return this.records.grantAuthorization(...args);
  }
  revokeAuthorization(...args: Parameters<LedgerRecords['revokeAuthorization']>) {
    return this.records.revokeAuthorization(...args);
  }
  addCredential(...args: Parameters<LedgerRecords['addCredential']>) {
    return this.records.addCredential(...args);
  }
  revokeCredential(...args: Parameters<LedgerRecords['revokeCredential']>) {
    return this.records.revokeCredential(...args);
  }
  recordSecurityChange(...args: Parameters<LedgerRecords['recordSecurityChange']>) {
    return this.records.recordSecurityChange(...args);
  }
  placeHold(...args: Parameters<LedgerRecords['placeHold']>) {
    return this.records.placeHold(...args);
  }
  liftHold(...args: Parameters<LedgerRecords['liftHold']>) {
    return this.records.liftHold(...args);
  }

  // ---- erasure of personal data (ledger-erasure.ts) -------------------------------

  erase(...args: Parameters<LedgerErasure['erase']>) {
    return this.erasure.erase(...args);
  }

  // ---- account status (ledger-status.ts) -----------------------------------------

  setStatus(...args: Parameters<LedgerStatus['setStatus']>) {
    return this.status.setStatus(...args);
  }
  freeze(...args: Parameters<LedgerStatus['freeze']>) {
    return this.status.freeze(...args);
  }
  unfreeze(...args: Parameters<LedgerStatus['unfreeze']>) {
    return this.status.unfreeze(...args);
  }
  close(...args: Parameters<LedgerStatus['close']>) {
    return this.status.close(...args);
  }
}
