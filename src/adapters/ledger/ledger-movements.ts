import type { Tx } from '../store/database.js';
import type { AccountTable } from '../store/ledger.table.js';
import type { LedgerCore } from './ledger-core.js';
import { requireActive, requireNonNegative, requirePositive } from './ledger-core.js';
import { idempotent } from './ledger-idempotency.js';
import { DUST_ACCOUNT_ID } from './ledger-types.js';
import type { DepositResult, MovementOptions } from './ledger-types.js';

/** Money movements: deposits, withdrawals, fees, transfers, dust sweeps and locked funds. */
export class LedgerMovements {
  constructor(private readonly core: LedgerCore) {}

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
    return idempotent(this.core, options.idempotencyKey, 'deposit', async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      await this.core.requireAsset(tx, asset);
      const now = this.core.now();
      if (options.pending) {
        const id = await this.core.insertTransaction(tx, {
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
    return this.core.tx(async (tx) => {
      const row = await this.core.lockPending(tx, transactionId, 'deposit');
      const account = await this.core.lockAccount(tx, row.account_id);
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
    const now = this.core.now();
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
      depositId = await this.core.insertTransaction(tx, {
        ...fields,
        type: 'deposit',
        amount: amount.toString(),
        status: 'completed',
      });
    } else {
      depositId = pendingId;
      await tx
        .updateTable('transactions')
        .set({ status: 'completed', completed_at: now })
        .where('id', '=', pendingId)
        .execute();
    }
    const canReceive = account.status === 'active' || account.status === 'disabled';
    if (!canReceive) {
      // The money arrived; it is recorded, then sent back. Nothing is dropped, and the
      // frozen or closed account's balance stays as it was.
      await this.core.insertTransaction(tx, {
        ...fields,
        type: 'return',
        amount: (-amount).toString(),
        status: 'completed',
        reference: `return of transaction ${depositId}`,
      });
      return { transactionId: depositId, returned: true };
    }
    await this.core.adjustBalance(tx, account.id, asset, amount, 0n);
    await tx
      .updateTable('accounts')
      .set({ last_deposit_at: now })
      .where('id', '=', account.id)
      .execute();
    return { transactionId: depositId, returned: false };
  }

  /** Starts a withdrawal: locks amount + fee and records it pending until completed or failed. */
  async withdraw(
    accountId: string,
    asset: string,
    amount: bigint,
    options: MovementOptions = {},
  ): Promise<number> {
    requirePositive(amount);
    const fee = options.fee ?? 0n;
    requireNonNegative(fee);
    return idempotent(this.core, options.idempotencyKey, 'withdraw', async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      requireActive(account);
      const info = await this.core.requireAsset(tx, asset);
      await this.core.adjustBalance(tx, accountId, asset, -(amount + fee), amount + fee, info);
      const now = this.core.now();
      return this.core.insertTransaction(tx, {
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
    await this.core.tx(async (tx) => {
      const row = await this.core.lockPending(tx, transactionId, 'withdrawal');
      const total = -BigInt(row.amount) + BigInt(row.fee);
      await this.core.adjustBalance(tx, row.account_id, row.asset, 0n, -total);
      const now = this.core.now();
      await tx
        .updateTable('transactions')
        .set({ status: 'completed', completed_at: now, cancellable: 0 })
        .where('id', '=', transactionId)
        .execute();
      await tx
        .updateTable('accounts')
        .set({ last_withdrawal_at: now })
        .where('id', '=', row.account_id)
        .execute();
    });
  }

  /** The withdrawal failed or was cancelled: the locked funds are available again. */
  async failWithdrawal(
    transactionId: number,
    options: { idempotencyKey?: string } = {},
  ): Promise<void> {
    await idempotent(this.core, options.idempotencyKey, 'fail-withdrawal', async (tx) => {
      const row = await this.core.lockPending(tx, transactionId, 'withdrawal');
      const total = -BigInt(row.amount) + BigInt(row.fee);
      await this.core.adjustBalance(tx, row.account_id, row.asset, total, -total);
      await tx
        .updateTable('transactions')
        .set({ status: 'failed', completed_at: this.core.now(), cancellable: 0 })
        .where('id', '=', transactionId)
        .execute();
      return null;
    });
  }

  /** A fee charged by the platform, taken from the available balance. */
  async chargeFee(
    accountId: string,
    asset: string,
    amount: bigint,
    options: MovementOptions = {},
  ): Promise<number> {
    requirePositive(amount);
    return idempotent(this.core, options.idempotencyKey, 'fee', async (tx) => {
      await this.core.lockAccount(tx, accountId);
      const info = await this.core.requireAsset(tx, asset);
      await this.core.adjustBalance(tx, accountId, asset, -amount, 0n, info);
      const now = this.core.now();
      return this.core.insertTransaction(tx, {
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
    await idempotent(this.core, options.idempotencyKey, options.type ?? 'transfer', async (tx) => {
      await this.moveBetween(
        tx,
        fromId,
        toId,
        asset,
        amount,
        options.type ?? 'transfer',
        options.reference ?? null,
      );
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
    await this.core.lockAccount(tx, first);
    await this.core.lockAccount(tx, second);
    const info = await this.core.requireAsset(tx, asset);
    await this.core.adjustBalance(tx, fromId, asset, -amount, 0n, info);
    await this.core.adjustBalance(tx, toId, asset, amount, 0n, info);
    const now = this.core.now();
    const row = {
      asset,
      fee: '0',
      status: 'completed' as const,
      cancellable: 0 as const,
      created_at: now,
      completed_at: now,
      type,
      reference,
    };
    await this.core.insertTransaction(tx, {
      ...row,
      account_id: fromId,
      amount: (-amount).toString(),
      counterparty: toId,
    });
    await this.core.insertTransaction(tx, {
      ...row,
      account_id: toId,
      amount: amount.toString(),
      counterparty: fromId,
    });
  }

  /**
   * Sweeps the whole available balance of `asset` to the platform's dust account.
   * Returns the amount swept (zero when there was nothing).
   */
  async sweepDust(
    accountId: string,
    asset: string,
    options: { idempotencyKey?: string } = {},
  ): Promise<bigint> {
    const swept = await idempotent(this.core, options.idempotencyKey, 'sweep-dust', async (tx) => {
      await this.core.lockAccount(tx, accountId);
      const balance = await this.core.lockBalance(tx, accountId, asset);
      if (balance.available <= 0n) return '0';
      await this.moveBetween(
        tx,
        accountId,
        DUST_ACCOUNT_ID,
        asset,
        balance.available,
        'dust_sweep',
        'dust sweep at closure',
      );
      return balance.available.toString();
    });
    return BigInt(swept);
  }

  /**
   * Locks funds outside any order or withdrawal (a platform's margin or compliance lock).
   * The total does not change, so no transaction is recorded.
   */
  async lockFunds(
    accountId: string,
    asset: string,
    amount: bigint,
    _reason: string,
  ): Promise<void> {
    requirePositive(amount);
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      const info = await this.core.requireAsset(tx, asset);
      await this.core.adjustBalance(tx, accountId, asset, -amount, amount, info);
    });
  }

  /** Releases funds locked by `lockFunds`. */
  async unlockFunds(accountId: string, asset: string, amount: bigint): Promise<void> {
    requirePositive(amount);
    await this.core.tx(async (tx) => {
      await this.core.lockAccount(tx, accountId);
      await this.core.adjustBalance(tx, accountId, asset, amount, -amount);
    });
  }
}
