import { OffboardError } from '../../domain/errors.js';
import type { AccountTable, TransactionTable } from '../store/ledger.table.js';
import type { LedgerCore } from './ledger-core.js';
import { unknownAccount } from './ledger-core.js';
import { DUST_ACCOUNT_ID, PLATFORM_HOLDER_ID } from './ledger-types.js';
import type {
  AccountStatus,
  AccountSummary,
  AssetInfo,
  BalanceView,
  TransactionRow,
} from './ledger-types.js';

/** Reference data (assets), holders and accounts, and reading them back. */
export class LedgerAccounts {
  constructor(private readonly core: LedgerCore) {}

  // ---- reference data -------------------------------------------------------------

  async defineAsset(asset: AssetInfo): Promise<void> {
    await this.core.database.db
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
    const row = await this.core.database.db
      .selectFrom('assets')
      .selectAll()
      .where('code', '=', code)
      .executeTakeFirst();
    if (!row) {
      throw new OffboardError(
        'OFFBOARD_ERR_UNKNOWN_ASSET',
        `no asset "${code}"; list assets with \`offboard ledger assets\``,
      );
    }
    return {
      code: row.code,
      decimals: row.decimals,
      priceMinor: row.price_minor === null ? null : BigInt(row.price_minor),
      allowNegative: row.allow_negative === 1,
    };
  }

  async assets(): Promise<AssetInfo[]> {
    const rows = await this.core.database.db
      .selectFrom('assets')
      .selectAll()
      .orderBy('code')
      .execute();
    return rows.map((row) => ({
      code: row.code,
      decimals: row.decimals,
      priceMinor: row.price_minor === null ? null : BigInt(row.price_minor),
      allowNegative: row.allow_negative === 1,
    }));
  }

  async createHolder(holder: {
    id: string;
    name: string;
    email: string;
    phone?: string | null;
  }): Promise<void> {
    await this.core.tx(async (tx) => {
      const existing = await tx
        .selectFrom('holders')
        .select('id')
        .where('id', '=', holder.id)
        .executeTakeFirst();
      if (existing)
        throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `holder "${holder.id}" exists already`);
      await tx
        .insertInto('holders')
        .values({
          id: holder.id,
          name: holder.name,
          email: holder.email,
          phone: holder.phone ?? null,
          created_at: this.core.now(),
        })
        .execute();
    });
  }

  async openAccount(account: {
    id: string;
    holderId: string;
    jurisdiction: string;
    openedAt?: Date;
  }): Promise<void> {
    await this.core.tx(async (tx) => {
      const existing = await tx
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', account.id)
        .executeTakeFirst();
      if (existing)
        throw new OffboardError('OFFBOARD_ERR_DUPLICATE', `account "${account.id}" exists already`);
      const holder = await tx
        .selectFrom('holders')
        .select('id')
        .where('id', '=', account.holderId)
        .executeTakeFirst();
      if (!holder)
        throw new OffboardError('OFFBOARD_ERR_NOT_FOUND', `no holder "${account.holderId}"`);
      const openedAt = account.openedAt?.getTime() ?? this.core.now();
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
    await this.core.tx(async (tx) => {
      const existing = await tx
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', input.accountId)
        .executeTakeFirst();
      if (existing)
        throw new OffboardError(
          'OFFBOARD_ERR_DUPLICATE',
          `account "${input.accountId}" exists already; choose another id`,
        );
      const holder = await tx
        .selectFrom('holders')
        .select('id')
        .where('id', '=', holderId)
        .executeTakeFirst();
      if (holder)
        throw new OffboardError(
          'OFFBOARD_ERR_DUPLICATE',
          `holder "${holderId}" exists already; choose another account id`,
        );
      const now = this.core.now();
      await tx
        .insertInto('holders')
        .values({
          id: holderId,
          name: input.name,
          email: input.email,
          phone: input.phone,
          created_at: now,
        })
        .execute();
      await tx
        .insertInto('accounts')
        .values(newAccountRow(input.accountId, holderId, input.jurisdiction, now))
        .execute();
    });
    return { holderId };
  }

  /** The platform's own holder and dust account, created once. */
  async ensurePlatformAccounts(): Promise<void> {
    const now = this.core.now();
    await this.core.tx(async (tx) => {
      await tx
        .insertInto('holders')
        .values({
          id: PLATFORM_HOLDER_ID,
          name: 'Platform',
          email: 'ops@platform.invalid',
          phone: null,
          created_at: now,
        })
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
    const row = await this.core.database.db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .executeTakeFirst();
    if (!row) throw unknownAccount(accountId);
    return row;
  }

  /** Holders' accounts in id order after `after` (the platform's own are left out). */
  async listAccounts(options: {
    after?: string;
    limit: number;
    status?: AccountStatus;
  }): Promise<AccountSummary[]> {
    let query = this.core.database.db
      .selectFrom('accounts')
      .select(['id', 'status', 'jurisdiction', 'opened_at'])
      .where('holder_id', '!=', PLATFORM_HOLDER_ID)
      .orderBy('id')
      .limit(options.limit);
    if (options.after !== undefined) query = query.where('id', '>', options.after);
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      jurisdiction: r.jurisdiction,
      openedAt: new Date(Number(r.opened_at)),
    }));
  }

  async balances(accountId: string): Promise<BalanceView[]> {
    await this.account(accountId);
    const rows = await this.core.database.db
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
    const rows = await this.core.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id')
      .execute();
    return rows.map(toTransactionRow);
  }

  /** The newest `limit` transactions, oldest first. */
  async recentTransactions(accountId: string, limit: number): Promise<TransactionRow[]> {
    const rows = await this.core.database.db
      .selectFrom('transactions')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map(toTransactionRow);
  }
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
function newAccountRow(
  id: string,
  holderId: string,
  jurisdiction: string,
  openedAt: number,
): Omit<AccountTable, 'status_before_freeze'> {
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
