import { OffboardError } from '../../domain/errors.js';
import { fitsStorage, formatAmount } from '../../domain/money.js';
import type { Clock } from '../../ports/clock.js';
import { forUpdate, inTransaction } from '../store/database.js';
import type { Database, Tx } from '../store/database.js';
import type { AccountTable, TransactionTable } from '../store/ledger.table.js';
import type { AssetInfo, CredentialKind } from './ledger-types.js';

/**
 * What every part of the builtin ledger shares: the database and clock, one transaction
 * per operation, and the row locks and balance arithmetic that keep the ledger's rules
 * (see `ledger.ts`). The parts (accounts, movements, trading, records, status) hold no
 * state of their own.
 */
export class LedgerCore {
  constructor(
    readonly database: Database,
    private readonly clock: Clock,
  ) {}

  now(): number {
    return this.clock.now().getTime();
  }

  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return inTransaction(this.database, fn);
  }

  async lockAccount(tx: Tx, accountId: string): Promise<AccountTable> {
    const row = await forUpdate(
      this.database,
      tx.selectFrom('accounts').selectAll().where('id', '=', accountId),
    ).executeTakeFirst();
    if (!row) throw unknownAccount(accountId);
    return row;
  }

  async requireAsset(tx: Tx, code: string): Promise<AssetInfo> {
    const row = await tx
      .selectFrom('assets')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirst();
    if (!row)
      throw new OffboardError(
        'OFFBOARD_ERR_UNKNOWN_ASSET',
        `no asset "${code}"; list assets with \`offboard ledger assets\``,
      );
    return {
      code: row.code,
      decimals: row.decimals,
      priceMinor: row.price_minor === null ? null : BigInt(row.price_minor),
      allowNegative: row.allow_negative === 1,
    };
  }

  async lockBalance(
    tx: Tx,
    accountId: string,
    asset: string,
  ): Promise<{ available: bigint; locked: bigint }> {
    const row = await forUpdate(
      this.database,
      tx
        .selectFrom('balances')
        .select(['available', 'locked'])
        .where('account_id', '=', accountId)
        .where('asset', '=', asset),
    ).executeTakeFirst();
    return row
      ? { available: BigInt(row.available), locked: BigInt(row.locked) }
      : { available: 0n, locked: 0n };
  }

  /**
   * Adds `availableDelta` and `lockedDelta` to a balance, refusing to take `available`
   * below zero unless the asset allows it, or `locked` below zero ever. The caller holds
   * the account's lock, so the read-modify-write cannot race.
   */
  async adjustBalance(
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
    if (locked < 0n)
      throw new OffboardError(
        'OFFBOARD_ERR_INTERNAL',
        `locked ${asset} of "${accountId}" would go negative`,
      );
    if (!fitsStorage(available) || !fitsStorage(locked)) {
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_AMOUNT',
        `the ${asset} balance of "${accountId}" would exceed the largest amount a balance can hold (78 digits in minor units)`,
      );
    }
    await tx
      .insertInto('balances')
      .values({
        account_id: accountId,
        asset,
        available: available.toString(),
        locked: locked.toString(),
      })
      .onConflict((oc) =>
        oc
          .columns(['account_id', 'asset'])
          .doUpdateSet({ available: available.toString(), locked: locked.toString() }),
      )
      .execute();
  }

  async insertTransaction(tx: Tx, row: Omit<TransactionTable, 'id'>): Promise<number> {
    const inserted = await tx
      .insertInto('transactions')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  async lockPending(tx: Tx, transactionId: number, type: 'deposit' | 'withdrawal') {
    const row = await forUpdate(
      this.database,
      tx.selectFrom('transactions').selectAll().where('id', '=', transactionId),
    ).executeTakeFirst();
    if (!row || row.type !== type)
      throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no ${type} transaction ${transactionId}`);
    if (row.status !== 'pending') {
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_STATE',
        `${type} ${transactionId} is ${row.status}, not pending`,
      );
    }
    return row;
  }
}

/** The security-relevant credential kinds: adding or revoking one is a security change. */
export const SECURITY_KINDS: ReadonlySet<CredentialKind> = new Set([
  'totp',
  'sms',
  'webauthn',
  'withdrawal_address',
]);

export function unknownAccount(accountId: string): OffboardError {
  return new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no account "${accountId}"`);
}

export function requirePositive(amount: bigint): void {
  if (amount <= 0n)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_AMOUNT',
      `amount must be positive, got ${amount}`,
    );
  if (!fitsStorage(amount))
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_AMOUNT',
      'the amount has more than 78 digits in minor units, more than any balance can hold',
    );
}

export function requireNonNegative(amount: bigint): void {
  if (amount < 0n)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_AMOUNT',
      `amount must not be negative, got ${amount}`,
    );
}

export function requireActive(account: AccountTable): void {
  if (account.status !== 'active') {
    throw new OffboardError(
      'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE',
      `account "${account.id}" is ${account.status}; only an active account can do this`,
    );
  }
}
