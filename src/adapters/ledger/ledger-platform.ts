import type { AccountFacts } from '../../domain/facts.js';
import { OffboardError } from '../../domain/errors.js';
import type { HolderContact, PlatformPort } from '../../ports/platform.js';
import type { Database } from '../store/database.js';
import type { BuiltinLedger } from './ledger.js';
import { readLedgerFacts } from './ledger-facts.js';

/** The builtin ledger behind the platform port. */
export class LedgerPlatform implements PlatformPort {
  constructor(
    private readonly database: Database,
    private readonly ledger: BuiltinLedger,
  ) {}

  async facts(accountId: string): Promise<AccountFacts | null> {
    return (await readLedgerFacts(this.database, [accountId])).get(accountId) ?? null;
  }

  factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
    return readLedgerFacts(this.database, accountIds);
  }

  async listAccounts(options: {
    after?: string;
    limit: number;
    jurisdiction?: string;
  }): Promise<string[]> {
    let query = this.database.db
      .selectFrom('accounts')
      .select('id')
      .orderBy('id')
      .limit(options.limit);
    if (options.after !== undefined) query = query.where('id', '>', options.after);
    if (options.jurisdiction !== undefined)
      query = query.where('jurisdiction', '=', options.jurisdiction);
    // The platform's own accounts are not holders' accounts.
    query = query.where('holder_id', '!=', 'platform');
    return (await query.execute()).map((r) => r.id);
  }

  async countAccounts(options: { jurisdiction?: string }): Promise<number> {
    let query = this.database.db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('holder_id', '!=', 'platform');
    if (options.jurisdiction !== undefined)
      query = query.where('jurisdiction', '=', options.jurisdiction);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  async contact(accountId: string): Promise<HolderContact | null> {
    const row = await this.database.db
      .selectFrom('accounts')
      .innerJoin('holders', 'holders.id', 'accounts.holder_id')
      .select(['holders.name', 'holders.email', 'holders.phone', 'accounts.jurisdiction'])
      .where('accounts.id', '=', accountId)
      .executeTakeFirst();
    return row
      ? { name: row.name, email: row.email, phone: row.phone, jurisdiction: row.jurisdiction }
      : null;
  }

  async freeze(accountId: string, idempotencyKey: string): Promise<void> {
    await this.ledger.freeze(accountId, { idempotencyKey });
  }

  async unfreeze(accountId: string, idempotencyKey: string): Promise<void> {
    await this.ledger.unfreeze(accountId, { idempotencyKey });
  }

  sweepDust(accountId: string, asset: string, idempotencyKey: string): Promise<bigint> {
    return this.ledger.sweepDust(accountId, asset, { idempotencyKey });
  }

  async cancelOrder(accountId: string, orderId: string, idempotencyKey: string): Promise<void> {
    await this.requireOwned('orders', orderId, accountId);
    await this.ledger.cancelOrder(orderId, { idempotencyKey });
  }

  async cancelWithdrawal(
    accountId: string,
    transferId: string,
    idempotencyKey: string,
  ): Promise<void> {
    const id = Number(transferId);
    const row = await this.database.db
      .selectFrom('transactions')
      .select(['account_id', 'status', 'cancellable'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.account_id !== accountId)
      throw new OffboardError(
        'OFFBOARD_ERR_NOT_FOUND',
        `no withdrawal ${transferId} on ${accountId}`,
      );
    if (row.status !== 'pending') return; // already settled: nothing to stop
    await this.ledger.failWithdrawal(id, { idempotencyKey });
  }

  async revokeAuthorization(
    accountId: string,
    authorizationId: string,
    _idempotencyKey: string,
  ): Promise<void> {
    // Revoking is idempotent by nature in the ledger: a revoked grant stays revoked.
    await this.requireOwned('authorizations', authorizationId, accountId);
    await this.ledger.revokeAuthorization(authorizationId);
  }

  async revokeCredential(
    accountId: string,
    credentialId: string,
    _idempotencyKey: string,
  ): Promise<void> {
    await this.requireOwned('credentials', credentialId, accountId);
    await this.ledger.revokeCredential(credentialId);
  }

  async markClosed(accountId: string, idempotencyKey: string): Promise<void> {
    await this.ledger.close(accountId, { idempotencyKey });
  }

  async setDisabled(accountId: string, disabled: boolean, idempotencyKey: string): Promise<void> {
    await this.ledger.setStatus(accountId, disabled ? 'disabled' : 'active', { idempotencyKey });
  }

  private async requireOwned(
    table: 'orders' | 'authorizations' | 'credentials',
    id: string,
    accountId: string,
  ): Promise<void> {
    const row = await this.database.db
      .selectFrom(table)
      .select('account_id')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.account_id !== accountId)
      throw new OffboardError(
        'OFFBOARD_ERR_NOT_FOUND',
        `no ${table.slice(0, -1)} "${id}" on ${accountId}`,
      );
  }
}
