import { OffboardError } from '../../domain/errors.js';
import { fitsStorage, formatAmount } from '../../domain/money.js';
import type { Clock } from '../../ports/clock.js';
import { forUpdate, inTransaction } from '../store/database.js';
import type { Database, Tx } from '../store/database.js';
import type {
  AccountTable,
  AuthorizationTable,
  CredentialTable,
  DisputeTable,
  HoldTable,
  TransactionTable,
} from '../store/ledger.table.js';

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
 */

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

/** The security-relevant credential kinds: adding or revoking one is a security change. */
const SECURITY_KINDS: ReadonlySet<CredentialKind> = new Set(['totp', 'sms', 'webauthn', 'withdrawal_address']);

export class BuiltinLedger {
  constructor(
    readonly database: Database,
    private readonly clock: Clock,
  ) {}

  private now(): number {
    return this.clock.now().getTime();
  }

  private tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransaction(this.database, fn);
  }

  // ---- reference data -------------------------------------------------------------

  async defineAsset(asset: AssetInfo): Promise<void> {
    await this.database.db
      .insertInto('assets')
      .values({
        code: asset.code,
        decimals: asset.decimals,
        price_minor: asset.priceMinor === null ? null : asset.priceMinor.toString(),
        allow_negative: asset.allowNegative ? 1 : 0,
      })
      .onConflict((oc) =>
        oc.column('code').doUpdateSet({
          decimals: asset.decimals,
          price_minor: asset.priceMinor === null ? null : asset.priceMinor.toString(),
          allow_negative: asset.allowNegative ? 1 : 0,
        }),
      )
      .execute();
  }

  async asset(code: string): Promise<AssetInfo> {
    const row = await this.database.db.selectFrom('assets').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) {
      throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ASSET', `no asset "${code}"; list assets with \`offboard ledger assets\``);
    }
    return {
      code: row.code,
      decimals: row.decimals,
      priceMinor: row.price_minor === null ? null : BigInt(row.price_minor),
      allowNegative: row.allow_negative === 1,
    };
  }

  async assets(): Promise<AssetInfo[]> {
    const rows = await this.database.db.selectFrom('assets').selectAll().orderBy('code').execute();
    return rows.map((row) => ({
      code: row.code,
      decimals: row.decimals,
      priceMinor: row.price_minor === null ? null : BigInt(row.price_minor),
      allowNegative: row.allow_negative === 1,
    }));
  }

  async createHolder(holder: { id: string; name: string; email: string; phone?: string | null }): Promise<void> {
    await this.tx(async (tx) => {
      const existing = await tx.selectFrom('holders').select('id').where('id', '=', holder.id).executeTakeFirst();
      if (existing) throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `holder "${holder.id}" exists already`);
      await tx
        .insertInto('holders')
        .values({ id: holder.id, name: holder.name, email: holder.email, phone: holder.phone ?? null, created_at: this.now() })
        .execute();
    });
  }

  async openAccount(account: { id: string; holderId: string; jurisdiction: string; openedAt?: Date }): Promise<void> {
    await this.tx(async (tx) => {
      const existing = await tx.selectFrom('accounts').select('id').where('id', '=', account.id).executeTakeFirst();
      if (existing) throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `account "${account.id}" exists already`);
      const holder = await tx.selectFrom('holders').select('id').where('id', '=', account.holderId).executeTakeFirst();
      if (!holder) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no holder "${account.holderId}"`);
      const openedAt = account.openedAt?.getTime() ?? this.now();
      await tx
        .insertInto('accounts')
        .values(newAccountRow(account.id, account.holderId, account.jurisdiction, openedAt))
        .execute();
    });
  }

  /**
   * A new holder and their first account, in one transaction: a script that opens an
   * account leaves both or neither. The holder's id is `holder-<account id>`.
   */
  async openHolderAccount(input: {
    accountId: string;
    name: string;
    email: string;
    phone: string | null;
    jurisdiction: string;
  }): Promise<{ holderId: string }> {
    const holderId = `holder-${input.accountId}`;
    await this.tx(async (tx) => {
      const existing = await tx.selectFrom('accounts').select('id').where('id', '=', input.accountId).executeTakeFirst();
      if (existing) throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `account "${input.accountId}" exists already; choose another id`);
      const holder = await tx.selectFrom('holders').select('id').where('id', '=', holderId).executeTakeFirst();
      if (holder) throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `holder "${holderId}" exists already; choose another account id`);
      const now = this.now();
      await tx.insertInto('holders').values({ id: holderId, name: input.name, email: input.email, phone: input.phone, created_at: now }).execute();
      await tx
        .insertInto('accounts')
        .values(newAccountRow(input.accountId, holderId, input.jurisdiction, now))
        .execute();
    });
    return { holderId };
  }

  /** The platform's own holder and dust account, created once. */
  async ensurePlatformAccounts(): Promise<void> {
    const now = this.now();
    await this.tx(async (tx) => {
      await tx
        .insertInto('holders')
        .values({ id: PLATFORM_HOLDER_ID, name: 'Platform', email: 'ops@platform.invalid', phone: null, created_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await tx
        .insertInto('accounts')
        .values(newAccountRow(DUST_ACCOUNT_ID, PLATFORM_HOLDER_ID, 'ZZ', now))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    });
  }

  // ---- reading --------------------------------------------------------------------

  async account(accountId: string): Promise<AccountTable> {
    const row = await this.database.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    if (!row) throw unknownAccount(accountId);
    return row;
  }

  /** Holders' accounts in id order after `after` (the platform's own are left out). */
  async listAccounts(options: { after?: string; limit: number; status?: AccountStatus }): Promise<AccountSummary[]> {
    let query = this.database.db
      .selectFrom('accounts')
      .select(['id', 'status', 'jurisdiction', 'opened_at'])
      .where('holder_id', '!=', PLATFORM_HOLDER_ID)
      .orderBy('id')
      .limit(options.limit);
    if (options.after !== undefined) query = query.where('id', '>', options.after);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    const rows = await query.execute();
    return rows.map((r) => ({ id: r.id, status: r.status, jurisdiction: r.jurisdiction, openedAt: new Date(Number(r.opened_at)) }));
  }

  async balances(accountId: string): Promise<BalanceView[]> {
    await this.account(accountId);
    const rows = await this.database.db
      .selectFrom('balances')
      .innerJoin('assets', 'assets.code', 'balances.asset')
      .select(['balances.asset', 'assets.decimals', 'balances.available', 'balances.locked'])
      .where('balances.account_id', '=', accountId)
      .orderBy('balances.asset')
      .execute();
    return rows.map((r) => ({
      asset: r.asset,
      decimals: r.decimals,
      available: BigInt(r.available),
      locked: BigInt(r.locked),
    }));
  }

  async transactions(accountId: string): Promise<TransactionRow[]> {
    const rows = await this.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
    return rows.map(toTransactionRow);
  }

  /** The newest `limit` transactions, oldest first. */
  async recentTransactions(accountId: string, limit: number): Promise<TransactionRow[]> {
    const rows = await this.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(toTransactionRow);
  }

  // ---- money movements ------------------------------------------------------------

  /**
   * Credits a deposit, or records it pending (`pending: true`) until `completeDeposit`.
   * A deposit that reaches a frozen or closed account is returned to its sender.
   */
  async deposit(
    accountId: string,
    asset: string,
    amount: bigint,
    options: MovementOptions & { pending?: boolean } = {},
  ): Promise<DepositResult> {
    requirePositive(amount);
    return this.idempotent(options.idempotencyKey, 'deposit', async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      await this.requireAsset(tx, asset);
      const now = this.now();
      if (options.pending) {
        const id = await this.insertTransaction(tx, {
          account_id: accountId,
          asset,
          type: 'deposit',
          amount: amount.toString(),
          fee: '0',
          status: 'pending',
          counterparty: options.counterparty ?? null,
          reference: options.reference ?? null,
          cancellable: 0,
          created_at: now,
          completed_at: null,
        });
        return { transactionId: id, returned: false };
      }
      return this.creditDeposit(tx, account, asset, amount, options, null);
    });
  }

  /** Completes a pending deposit: credits it, or returns it when the account cannot take money. */
  async completeDeposit(transactionId: number): Promise<DepositResult> {
    return this.tx(async (tx) => {
      const row = await this.lockPending(tx, transactionId, 'deposit');
      const account = await this.lockAccount(tx, row.account_id);
      return this.creditDeposit(
        tx,
        account,
        row.asset,
        BigInt(row.amount),
        { counterparty: row.counterparty ?? undefined, reference: row.reference ?? undefined },
        transactionId,
      );
    });
  }

  private async creditDeposit(
    tx: Tx,
    account: AccountTable,
    asset: string,
    amount: bigint,
    options: MovementOptions,
    pendingId: number | null,
  ): Promise<DepositResult> {
    const now = this.now();
    const fields = {
      account_id: account.id,
      asset,
      fee: '0',
      counterparty: options.counterparty ?? null,
      reference: options.reference ?? null,
      cancellable: 0 as const,
      created_at: now,
      completed_at: now,
    };
    let depositId: number;
    if (pendingId === null) {
      depositId = await this.insertTransaction(tx, { ...fields, type: 'deposit', amount: amount.toString(), status: 'completed' });
    } else {
      depositId = pendingId;
      await tx.updateTable('transactions').set({ status: 'completed', completed_at: now }).where('id', '=', pendingId).execute();
    }
    const canReceive = account.status === 'active' || account.status === 'disabled';
    if (!canReceive) {
      // The money arrived; it is recorded, then sent back. Nothing is dropped, and the
      // frozen or closed account's balance stays as it was.
      await this.insertTransaction(tx, {
        ...fields,
        type: 'return',
        amount: (-amount).toString(),
        status: 'completed',
        reference: `return of transaction ${depositId}`,
      });
      return { transactionId: depositId, returned: true };
    }
    await this.adjustBalance(tx, account.id, asset, amount, 0n);
    await tx.updateTable('accounts').set({ last_deposit_at: now }).where('id', '=', account.id).execute();
    return { transactionId: depositId, returned: false };
  }

  /** Starts a withdrawal: locks amount + fee and records it pending until completed or failed. */
  async withdraw(accountId: string, asset: string, amount: bigint, options: MovementOptions = {}): Promise<number> {
    requirePositive(amount);
    const fee = options.fee ?? 0n;
    requireNonNegative(fee);
    return this.idempotent(options.idempotencyKey, 'withdraw', async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      requireActive(account);
      const info = await this.requireAsset(tx, asset);
      await this.adjustBalance(tx, accountId, asset, -(amount + fee), amount + fee, info);
      const now = this.now();
      return this.insertTransaction(tx, {
        account_id: accountId,
        asset,
        type: 'withdrawal',
        amount: (-amount).toString(),
        fee: fee.toString(),
        status: 'pending',
        counterparty: options.counterparty ?? null,
        reference: options.reference ?? null,
        cancellable: 1,
        created_at: now,
        completed_at: null,
        });
    });
  }

  /** The withdrawal left the platform: the locked funds are gone. */
  async completeWithdrawal(transactionId: number): Promise<void> {
    await this.tx(async (tx) => {
      const row = await this.lockPending(tx, transactionId, 'withdrawal');
      const total = -BigInt(row.amount) + BigInt(row.fee);
      await this.adjustBalance(tx, row.account_id, row.asset, 0n, -total);
      const now = this.now();
      await tx
        .updateTable('transactions')
        .set({ status: 'completed', completed_at: now, cancellable: 0 })
        .where('id', '=', transactionId)
        .execute();
      await tx.updateTable('accounts').set({ last_withdrawal_at: now }).where('id', '=', row.account_id).execute();
    });
  }

  /** The withdrawal failed or was cancelled: the locked funds are available again. */
  async failWithdrawal(transactionId: number, options: { idempotencyKey?: string } = {}): Promise<void> {
    await this.idempotent(options.idempotencyKey, 'fail-withdrawal', async (tx) => {
      const row = await this.lockPending(tx, transactionId, 'withdrawal');
      const total = -BigInt(row.amount) + BigInt(row.fee);
      await this.adjustBalance(tx, row.account_id, row.asset, total, -total);
      await tx
        .updateTable('transactions')
        .set({ status: 'failed', completed_at: this.now(), cancellable: 0 })
        .where('id', '=', transactionId)
        .execute();
      return null;
    });
  }

  /** A fee charged by the platform, taken from the available balance. */
  async chargeFee(accountId: string, asset: string, amount: bigint, options: MovementOptions = {}): Promise<number> {
    requirePositive(amount);
    return this.idempotent(options.idempotencyKey, 'fee', async (tx) => {
      await this.lockAccount(tx, accountId);
      const info = await this.requireAsset(tx, asset);
      await this.adjustBalance(tx, accountId, asset, -amount, 0n, info);
      const now = this.now();
      return this.insertTransaction(tx, {
        account_id: accountId,
        asset,
        type: 'fee',
        amount: (-amount).toString(),
        fee: '0',
        status: 'completed',
        counterparty: 'platform',
        reference: options.reference ?? null,
        cancellable: 0,
        created_at: now,
        completed_at: now,
        });
    });
  }

  /** Moves money between two accounts of the ledger as a pair of recorded transactions. */
  async transfer(
    fromId: string,
    toId: string,
    asset: string,
    amount: bigint,
    options: MovementOptions & { type?: 'transfer' | 'dust_sweep' } = {},
  ): Promise<void> {
    requirePositive(amount);
    await this.idempotent(options.idempotencyKey, options.type ?? 'transfer', async (tx) => {
      await this.moveBetween(tx, fromId, toId, asset, amount, options.type ?? 'transfer', options.reference ?? null);
      return null;
    });
  }

  private async moveBetween(
    tx: Tx,
    fromId: string,
    toId: string,
    asset: string,
    amount: bigint,
    type: 'transfer' | 'dust_sweep',
    reference: string | null,
  ): Promise<void> {
    // Lock in id order so two opposite transfers cannot deadlock on PostgreSQL.
    const [first, second] = fromId < toId ? [fromId, toId] : [toId, fromId];
    await this.lockAccount(tx, first);
    await this.lockAccount(tx, second);
    const info = await this.requireAsset(tx, asset);
    await this.adjustBalance(tx, fromId, asset, -amount, 0n, info);
    await this.adjustBalance(tx, toId, asset, amount, 0n, info);
    const now = this.now();
    const row = { asset, fee: '0', status: 'completed' as const, cancellable: 0 as const, created_at: now, completed_at: now, type, reference };
    await this.insertTransaction(tx, { ...row, account_id: fromId, amount: (-amount).toString(), counterparty: toId });
    await this.insertTransaction(tx, { ...row, account_id: toId, amount: amount.toString(), counterparty: fromId });
  }

  /**
   * Sweeps the whole available balance of `asset` to the platform's dust account.
   * Returns the amount swept (zero when there was nothing).
   */
  async sweepDust(accountId: string, asset: string, options: { idempotencyKey?: string } = {}): Promise<bigint> {
    const swept = await this.idempotent(options.idempotencyKey, 'sweep-dust', async (tx) => {
      await this.lockAccount(tx, accountId);
      const balance = await this.lockBalance(tx, accountId, asset);
      if (balance.available <= 0n) return '0';
      await this.moveBetween(tx, accountId, DUST_ACCOUNT_ID, asset, balance.available, 'dust_sweep', 'dust sweep at closure');
      return balance.available.toString();
    });
    return BigInt(swept);
  }

  /**
   * Locks funds outside any order or withdrawal (a platform's margin or compliance lock).
   * The total does not change, so no transaction is recorded.
   */
  async lockFunds(accountId: string, asset: string, amount: bigint, _reason: string): Promise<void> {
    requirePositive(amount);
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      const info = await this.requireAsset(tx, asset);
      await this.adjustBalance(tx, accountId, asset, -amount, amount, info);
    });
  }

  /** Releases funds locked by `lockFunds`. */
  async unlockFunds(accountId: string, asset: string, amount: bigint): Promise<void> {
    requirePositive(amount);
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      await this.adjustBalance(tx, accountId, asset, amount, -amount);
    });
  }

  // ---- orders and trades ----------------------------------------------------------

  /** Places an order that locks `locked` of `asset` until it is filled or cancelled. */
  async placeOrder(
    accountId: string,
    order: { id: string; side: 'buy' | 'sell'; asset: string; locked: bigint; counterAsset: string },
  ): Promise<void> {
    requirePositive(order.locked);
    await this.tx(async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      requireActive(account);
      const info = await this.requireAsset(tx, order.asset);
      await this.requireAsset(tx, order.counterAsset);
      const existing = await tx.selectFrom('orders').select('id').where('id', '=', order.id).executeTakeFirst();
      if (existing) throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `order "${order.id}" exists already`);
      await this.adjustBalance(tx, accountId, order.asset, -order.locked, order.locked, info);
      await tx
        .insertInto('orders')
        .values({
          id: order.id,
          account_id: accountId,
          side: order.side,
          asset: order.asset,
          locked: order.locked.toString(),
          counter_asset: order.counterAsset,
          status: 'open',
          created_at: this.now(),
          closed_at: null,
        })
        .execute();
    });
  }

  /** Cancels an open order and releases its funds. Cancelling a cancelled order is a no-op. */
  async cancelOrder(orderId: string, options: { idempotencyKey?: string } = {}): Promise<boolean> {
    return this.idempotent(options.idempotencyKey, 'cancel-order', async (tx) => {
      const order = await forUpdate(this.database, tx.selectFrom('orders').selectAll().where('id', '=', orderId)).executeTakeFirst();
      if (!order) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no order "${orderId}"`);
      if (order.status === 'cancelled') return false;
      if (order.status !== 'open') throw new OffboardError('OFFBOARD_ERR_INVALID_STATE', `order "${orderId}" is ${order.status}`);
      await this.lockAccount(tx, order.account_id);
      const locked = BigInt(order.locked);
      await this.adjustBalance(tx, order.account_id, order.asset, locked, -locked);
      await tx.updateTable('orders').set({ status: 'cancelled', closed_at: this.now() }).where('id', '=', orderId).execute();
      return true;
    });
  }

  /** Fills an open order: its locked funds leave, `received` (less `fee`) of the counter asset arrives. */
  async fillOrder(orderId: string, received: bigint, fee = 0n): Promise<void> {
    requirePositive(received);
    requireNonNegative(fee);
    await this.tx(async (tx) => {
      const order = await forUpdate(this.database, tx.selectFrom('orders').selectAll().where('id', '=', orderId)).executeTakeFirst();
      if (!order) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no order "${orderId}"`);
      if (order.status !== 'open') throw new OffboardError('OFFBOARD_ERR_INVALID_STATE', `order "${orderId}" is ${order.status}`);
      const account = await this.lockAccount(tx, order.account_id);
      // A frozen or closed account trades no more: finalization cancels its orders.
      if (account.status !== 'active' && account.status !== 'disabled') requireActive(account);
      const locked = BigInt(order.locked);
      await this.adjustBalance(tx, order.account_id, order.asset, 0n, -locked);
      const info = await this.requireAsset(tx, order.counter_asset);
      await this.adjustBalance(tx, order.account_id, order.counter_asset, received - fee, 0n, info);
      const now = this.now();
      const row = { account_id: order.account_id, type: 'trade' as const, status: 'completed' as const, counterparty: 'market', reference: `order ${orderId}`, cancellable: 0 as const, created_at: now, completed_at: now };
      await this.insertTransaction(tx, { ...row, asset: order.asset, amount: (-locked).toString(), fee: '0' });
      await this.insertTransaction(tx, { ...row, asset: order.counter_asset, amount: received.toString(), fee: fee.toString() });
      await tx.updateTable('orders').set({ status: 'filled', closed_at: now }).where('id', '=', orderId).execute();
      await tx.updateTable('accounts').set({ last_trade_at: now }).where('id', '=', order.account_id).execute();
    });
  }

  /** An immediate trade from the available balance: `sold` of one asset for `bought` of another. */
  async trade(
    accountId: string,
    trade: { sellAsset: string; sold: bigint; buyAsset: string; bought: bigint; fee?: bigint },
  ): Promise<void> {
    requirePositive(trade.sold);
    requirePositive(trade.bought);
    const fee = trade.fee ?? 0n;
    requireNonNegative(fee);
    await this.tx(async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      requireActive(account);
      const sell = await this.requireAsset(tx, trade.sellAsset);
      const buy = await this.requireAsset(tx, trade.buyAsset);
      await this.adjustBalance(tx, accountId, trade.sellAsset, -trade.sold, 0n, sell);
      await this.adjustBalance(tx, accountId, trade.buyAsset, trade.bought - fee, 0n, buy);
      const now = this.now();
      const row = { account_id: accountId, type: 'trade' as const, status: 'completed' as const, counterparty: 'market', reference: null, cancellable: 0 as const, created_at: now, completed_at: now };
      await this.insertTransaction(tx, { ...row, asset: trade.sellAsset, amount: (-trade.sold).toString(), fee: '0' });
      await this.insertTransaction(tx, { ...row, asset: trade.buyAsset, amount: trade.bought.toString(), fee: fee.toString() });
      await tx.updateTable('accounts').set({ last_trade_at: now }).where('id', '=', accountId).execute();
    });
  }

  // ---- disputes, authorizations, credentials, holds ---------------------------------

  async openDispute(accountId: string, dispute: { id: string; kind: DisputeKind; asset: string; amount: bigint }): Promise<void> {
    requirePositive(dispute.amount);
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      await this.requireAsset(tx, dispute.asset);
      await tx
        .insertInto('disputes')
        .values({ id: dispute.id, account_id: accountId, kind: dispute.kind, asset: dispute.asset, amount: dispute.amount.toString(), status: 'open', opened_at: this.now(), resolved_at: null })
        .execute();
    });
  }

  async resolveDispute(disputeId: string): Promise<void> {
    await this.setRecordStatus('disputes', disputeId, 'open', { status: 'resolved', resolved_at: this.now() });
  }

  async grantAuthorization(accountId: string, auth: { id: string; kind: AuthorizationKind; name: string }): Promise<void> {
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      await tx
        .insertInto('authorizations')
        .values({ id: auth.id, account_id: accountId, kind: auth.kind, name: auth.name, status: 'active', granted_at: this.now(), revoked_at: null })
        .execute();
    });
  }

  /** Revokes an authorization; revoking a revoked one is a no-op. */
  async revokeAuthorization(authorizationId: string): Promise<void> {
    await this.setRecordStatus('authorizations', authorizationId, 'active', { status: 'revoked', revoked_at: this.now() }, true);
  }

  async addCredential(accountId: string, credential: { id: string; kind: CredentialKind; label: string }): Promise<void> {
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      const now = this.now();
      await tx
        .insertInto('credentials')
        .values({ id: credential.id, account_id: accountId, kind: credential.kind, label: credential.label, status: 'active', created_at: now, revoked_at: null })
        .execute();
      if (SECURITY_KINDS.has(credential.kind)) {
        await tx.updateTable('accounts').set({ last_security_change_at: now }).where('id', '=', accountId).execute();
      }
    });
  }

  /** Revokes a credential; revoked credentials are never restored. Revoking twice is a no-op. */
  async revokeCredential(credentialId: string): Promise<void> {
    await this.setRecordStatus('credentials', credentialId, 'active', { status: 'revoked', revoked_at: this.now() }, true);
  }

  /** A security change the ledger does not model as a credential: password reset, new email. */
  async recordSecurityChange(accountId: string): Promise<void> {
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      await tx.updateTable('accounts').set({ last_security_change_at: this.now() }).where('id', '=', accountId).execute();
    });
  }

  async placeHold(accountId: string, hold: { id: string; kind: HoldKind; reason: string }): Promise<void> {
    await this.tx(async (tx) => {
      await this.lockAccount(tx, accountId);
      await tx
        .insertInto('holds')
        .values({ id: hold.id, account_id: accountId, kind: hold.kind, reason: hold.reason, status: 'active', placed_at: this.now(), lifted_at: null })
        .execute();
    });
  }

  async liftHold(holdId: string): Promise<void> {
    await this.setRecordStatus('holds', holdId, 'active', { status: 'lifted', lifted_at: this.now() });
  }

  // ---- account status -------------------------------------------------------------

  /**
   * Sets the account's status. A freeze is a temporary overlay: it remembers the status it
   * covers and `unfreeze` restores that one, so finalizing a disabled account that ends
   * blocked leaves it disabled, not active. Status changes asked for while frozen (disable,
   * enable) change what the unfreeze restores.
   */
  async setStatus(accountId: string, to: AccountStatus, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.idempotent(options.idempotencyKey, `status-${to}`, async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      if (account.status === 'closed' && to !== 'closed') {
        throw new OffboardError('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', `account "${accountId}" is closed for good`);
      }
      const now = this.now();
      if (account.status === 'frozen' && (to === 'active' || to === 'disabled')) {
        await tx.updateTable('accounts').set({ status_before_freeze: to }).where('id', '=', accountId).execute();
      } else if (account.status !== to) {
        const beforeFreeze = to === 'frozen' ? (account.status === 'disabled' ? 'disabled' : 'active') : null;
        await tx.updateTable('accounts').set({ status: to, status_changed_at: now, status_before_freeze: beforeFreeze }).where('id', '=', accountId).execute();
      }
      return account.status;
    });
  }

  freeze(accountId: string, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.setStatus(accountId, 'frozen', options);
  }

  /** Lifts a freeze, restoring the status it covered; a no-op on an account that is not frozen. */
  async unfreeze(accountId: string, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.idempotent(options.idempotencyKey, 'unfreeze', async (tx) => {
      const account = await this.lockAccount(tx, accountId);
      if (account.status !== 'frozen') return account.status;
      const restored = account.status_before_freeze === 'disabled' ? 'disabled' : 'active';
      await tx.updateTable('accounts').set({ status: restored, status_changed_at: this.now(), status_before_freeze: null }).where('id', '=', accountId).execute();
      return restored;
    });
  }

  close(accountId: string, options: { idempotencyKey?: string } = {}): Promise<AccountStatus> {
    return this.setStatus(accountId, 'closed', options);
  }

  // ---- internals ------------------------------------------------------------------

  /**
   * Runs `fn` once per idempotency key: the first run's result is stored in the same
   * transaction as its effect, and a repeat returns it without acting again.
   */
  private async idempotent<T>(key: string | undefined, action: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (key === undefined) return this.tx(fn);
    return this.tx(async (tx) => {
      const done = await tx.selectFrom('ledger_effects').select('result').where('key', '=', key).executeTakeFirst();
      if (done) return JSON.parse(done.result) as T;
      const result = await fn(tx);
      await tx
        .insertInto('ledger_effects')
        .values({ key, action, result: JSON.stringify(result ?? null), created_at: this.now() })
        .execute();
      return result;
    });
  }

  private async lockAccount(tx: Tx, accountId: string): Promise<AccountTable> {
    const row = await forUpdate(this.database, tx.selectFrom('accounts').selectAll().where('id', '=', accountId)).executeTakeFirst();
    if (!row) throw unknownAccount(accountId);
    return row;
  }

  private async requireAsset(tx: Tx, code: string): Promise<AssetInfo> {
    const row = await tx.selectFrom('assets').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ASSET', `no asset "${code}"; list assets with \`offboard ledger assets\``);
    return { code: row.code, decimals: row.decimals, priceMinor: row.price_minor === null ? null : BigInt(row.price_minor), allowNegative: row.allow_negative === 1 };
  }

  private async lockBalance(tx: Tx, accountId: string, asset: string): Promise<{ available: bigint; locked: bigint }> {
    const row = await forUpdate(
      this.database,
      tx.selectFrom('balances').select(['available', 'locked']).where('account_id', '=', accountId).where('asset', '=', asset),
    ).executeTakeFirst();
    return row ? { available: BigInt(row.available), locked: BigInt(row.locked) } : { available: 0n, locked: 0n };
  }

  /**
   * Adds `availableDelta` and `lockedDelta` to a balance, refusing to take `available`
   * below zero unless the asset allows it, or `locked` below zero ever. The caller holds
   * the account's lock, so the read-modify-write cannot race.
   */
  private async adjustBalance(
    tx: Tx,
    accountId: string,
    asset: string,
    availableDelta: bigint,
    lockedDelta: bigint,
    info?: AssetInfo,
  ): Promise<void> {
    const current = await this.lockBalance(tx, accountId, asset);
    const available = current.available + availableDelta;
    const locked = current.locked + lockedDelta;
    if (available < 0n && availableDelta < 0n) {
      const known = info ?? (await this.requireAsset(tx, asset));
      if (!known.allowNegative) {
        const shown = (minor: bigint) => `${formatAmount(minor, known.decimals)} ${asset}`;
        throw new OffboardError(
          'OFFBOARD_ERR_INSUFFICIENT_FUNDS',
          `account "${accountId}" has ${shown(current.available)} available, ${shown(-availableDelta)} needed`,
        );
      }
    }
    if (locked < 0n) throw new OffboardError('OFFBOARD_ERR_INTERNAL', `locked ${asset} of "${accountId}" would go negative`);
    if (!fitsStorage(available) || !fitsStorage(locked)) {
      throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', `the ${asset} balance of "${accountId}" would exceed the largest amount a balance can hold (78 digits in minor units)`);
    }
    await tx
      .insertInto('balances')
      .values({ account_id: accountId, asset, available: available.toString(), locked: locked.toString() })
      .onConflict((oc) => oc.columns(['account_id', 'asset']).doUpdateSet({ available: available.toString(), locked: locked.toString() }))
      .execute();
  }

  private async insertTransaction(tx: Tx, row: Omit<TransactionTable, 'id'>): Promise<number> {
    const inserted = await tx.insertInto('transactions').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  private async lockPending(tx: Tx, transactionId: number, type: 'deposit' | 'withdrawal') {
    const row = await forUpdate(this.database, tx.selectFrom('transactions').selectAll().where('id', '=', transactionId)).executeTakeFirst();
    if (!row || row.type !== type) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no ${type} transaction ${transactionId}`);
    if (row.status !== 'pending') {
      throw new OffboardError('OFFBOARD_ERR_INVALID_STATE', `${type} ${transactionId} is ${row.status}, not pending`);
    }
    return row;
  }

  private async setRecordStatus(
    table: 'disputes' | 'authorizations' | 'credentials' | 'holds',
    id: string,
    from: string,
    set: Record<string, string | number>,
    idempotent = false,
  ): Promise<void> {
    await this.tx(async (tx) => {
      const row = await tx.selectFrom(table).select(['status', 'account_id']).where('id', '=', id).executeTakeFirst();
      if (!row) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no ${table.slice(0, -1)} "${id}"`);
      if (row.status !== from) {
        if (idempotent) return;
        throw new OffboardError('OFFBOARD_ERR_INVALID_STATE', `${table.slice(0, -1)} "${id}" is ${row.status}`);
      }
      await tx.updateTable(table).set(set).where('id', '=', id).execute();
      if (table === 'credentials') {
        const kind = await tx.selectFrom('credentials').select('kind').where('id', '=', id).executeTakeFirstOrThrow();
        if (SECURITY_KINDS.has(kind.kind)) {
          await tx.updateTable('accounts').set({ last_security_change_at: this.now() }).where('id', '=', row.account_id).execute();
        }
      }
    });
  }
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

function toTransactionRow(row: Omit<TransactionTable, 'id'> & { id: number }): TransactionRow {
  return {
    id: Number(row.id),
    accountId: row.account_id,
    asset: row.asset,
    type: row.type,
    amount: BigInt(row.amount),
    fee: BigInt(row.fee),
    status: row.status,
    counterparty: row.counterparty,
    reference: row.reference,
    createdAt: new Date(row.created_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

/** An account as opened: active, no activity yet. */
function newAccountRow(id: string, holderId: string, jurisdiction: string, openedAt: number): Omit<AccountTable, 'status_before_freeze'> {
  return {
    id,
    holder_id: holderId,
    status: 'active',
    jurisdiction,
    opened_at: openedAt,
    status_changed_at: openedAt,
    last_trade_at: null,
    last_withdrawal_at: null,
    last_deposit_at: null,
    last_security_change_at: null,
  };
}

function unknownAccount(accountId: string): OffboardError {
  return new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
}

function requirePositive(amount: bigint): void {
  if (amount <= 0n) throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', `amount must be positive, got ${amount}`);
  if (!fitsStorage(amount)) throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', 'the amount has more than 78 digits in minor units, more than any balance can hold');
}

function requireNonNegative(amount: bigint): void {
  if (amount < 0n) throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', `amount must not be negative, got ${amount}`);
}

function requireActive(account: AccountTable): void {
  if (account.status !== 'active') {
    throw new OffboardError('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE', `account "${account.id}" is ${account.status}; only an active account can do this`);
  }
}
