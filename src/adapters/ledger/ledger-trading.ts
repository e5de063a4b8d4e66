import { OffboardError } from '../../domain/errors.js';
import { forUpdate } from '../store/database.js';
import type { LedgerCore } from './ledger-core.js';
import { requireActive, requireNonNegative, requirePositive } from './ledger-core.js';
import { idempotent } from './ledger-idempotency.js';

/** Orders (placed, cancelled, filled) and immediate trades. */
export class LedgerTrading {
  constructor(private readonly core: LedgerCore) {}

  /** Places an order that locks `locked` of `asset` until it is filled or cancelled. */
  async placeOrder(
    accountId: string,
    order: {
      id: string;
      side: 'buy' | 'sell';
      asset: string;
      locked: bigint;
      counterAsset: string;
    },
  ): Promise<void> {
    requirePositive(order.locked);
    await this.core.tx(async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      requireActive(account);
      const info = await this.core.requireAsset(tx, order.asset);
      await this.core.requireAsset(tx, order.counterAsset);
      const existing = await tx
        .selectFrom('orders')
        .select('id')
        .where('id', '=', order.id)
        .executeTakeFirst();
      if (existing)
        throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `order "${order.id}" exists already`);
      await this.core.adjustBalance(tx, accountId, order.asset, -order.locked, order.locked, info);
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
          created_at: this.core.now(),
          closed_at: null,
        })
        .execute();
    });
  }

  /** Cancels an open order and releases its funds. Cancelling a cancelled order is a no-op. */
  async cancelOrder(orderId: string, options: { idempotencyKey?: string } = {}): Promise<boolean> {
    return idempotent(this.core, options.idempotencyKey, 'cancel-order', async (tx) => {
      const order = await forUpdate(
        this.core.database,
        tx.selectFrom('orders').selectAll().where('id', '=', orderId),
      ).executeTakeFirst();
      if (!order) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no order "${orderId}"`);
      if (order.status === 'cancelled') return false;
      if (order.status !== 'open')
        throw new OffboardError(
          'OFFBOARD_ERR_INVALID_STATE',
          `order "${orderId}" is ${order.status}`,
        );
      await this.core.lockAccount(tx, order.account_id);
      const locked = BigInt(order.locked);
      await this.core.adjustBalance(tx, order.account_id, order.asset, locked, -locked);
      await tx
        .updateTable('orders')
        .set({ status: 'cancelled', closed_at: this.core.now() })
        .where('id', '=', orderId)
        .execute();
      return true;
    });
  }

  /** Fills an open order: its locked funds leave, `received` (less `fee`) of the counter asset arrives. */
  async fillOrder(orderId: string, received: bigint, fee = 0n): Promise<void> {
    requirePositive(received);
    requireNonNegative(fee);
    await this.core.tx(async (tx) => {
      const order = await forUpdate(
        this.core.database,
        tx.selectFrom('orders').selectAll().where('id', '=', orderId),
      ).executeTakeFirst();
      if (!order) throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no order "${orderId}"`);
      if (order.status !== 'open')
        throw new OffboardError(
          'OFFBOARD_ERR_INVALID_STATE',
          `order "${orderId}" is ${order.status}`,
        );
      const account = await this.core.lockAccount(tx, order.account_id);
      // A frozen or closed account trades no more: finalization cancels its orders.
      if (account.status !== 'active' && account.status !== 'disabled') requireActive(account);
      const locked = BigInt(order.locked);
      await this.core.adjustBalance(tx, order.account_id, order.asset, 0n, -locked);
      const info = await this.core.requireAsset(tx, order.counter_asset);
      await this.core.adjustBalance(
        tx,
        order.account_id,
        order.counter_asset,
        received - fee,
        0n,
        info,
      );
      const now = this.core.now();
      const row = {
        account_id: order.account_id,
        type: 'trade' as const,
        status: 'completed' as const,
        counterparty: 'market',
        reference: `order ${orderId}`,
        cancellable: 0 as const,
        created_at: now,
        completed_at: now,
      };
      await this.core.insertTransaction(tx, {
        ...row,
        asset: order.asset,
        amount: (-locked).toString(),
        fee: '0',
      });
      await this.core.insertTransaction(tx, {
        ...row,
        asset: order.counter_asset,
        amount: received.toString(),
        fee: fee.toString(),
      });
      await tx
        .updateTable('orders')
        .set({ status: 'filled', closed_at: now })
        .where('id', '=', orderId)
        .execute();
      await tx
        .updateTable('accounts')
        .set({ last_trade_at: now })
        .where('id', '=', order.account_id)
        .execute();
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
    await this.core.tx(async (tx) => {
      const account = await this.core.lockAccount(tx, accountId);
      requireActive(account);
      const sell = await this.core.requireAsset(tx, trade.sellAsset);
      const buy = await this.core.requireAsset(tx, trade.buyAsset);
      await this.core.adjustBalance(tx, accountId, trade.sellAsset, -trade.sold, 0n, sell);
      await this.core.adjustBalance(tx, accountId, trade.buyAsset, trade.bought - fee, 0n, buy);
      const now = this.core.now();
      const row = {
        account_id: accountId,
        type: 'trade' as const,
        status: 'completed' as const,
        counterparty: 'market',
        reference: null,
        cancellable: 0 as const,
        created_at: now,
        completed_at: now,
      };
      await this.core.insertTransaction(tx, {
        ...row,
        asset: trade.sellAsset,
        amount: (-trade.sold).toString(),
        fee: '0',
      });
      await this.core.insertTransaction(tx, {
        ...row,
        asset: trade.buyAsset,
        amount: trade.bought.toString(),
        fee: fee.toString(),
      });
      await tx
        .updateTable('accounts')
        .set({ last_trade_at: now })
        .where('id', '=', accountId)
        .execute();
    });
  }
}
