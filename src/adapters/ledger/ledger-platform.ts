import type { AccountFacts, EligibilityFacts, HoldKind } from '../../domain/facts.js';
import { OffboardError } from '../../domain/errors.js';
import type { RecordClass } from '../../domain/retention.js';
import type {
  HolderContact,
  PlatformErasure,
  PlatformPort,
  TransactionPage,
  TransactionPageRequest,
  TransactionTuple,
} from '../../ports/platform.js';
import type { Database } from '../store/database.js';
import type { BuiltinLedger } from './ledger.js';
import { CompiledFactsReader } from './ledger-facts.js';

/** The builtin ledger behind the platform port. */
export class LedgerPlatform implements PlatformPort {
  /** One statement for an account's facts (or a few accounts'); big batches table by table. */
  private readonly reader: CompiledFactsReader;

  constructor(
    private readonly database: Database,
    private readonly ledger: BuiltinLedger,
  ) {
    this.reader = new CompiledFactsReader(database);
  }

  async facts(accountId: string): Promise<AccountFacts | null> {
    return (await this.reader.read([accountId])).get(accountId) ?? null;
  }

  /** One statement for the facts and offboard's open closure: both live in this database. */
  factsWithOpenClosure(accountId: string): Promise<AccountFacts | null> {
    return this.reader.readWithOpenClosure(accountId);
  }

  factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
    return this.reader.read(accountIds);
  }

  eligibilityFactsBatch(accountIds: readonly string[]): Promise<Map<string, EligibilityFacts>> {
    return this.reader.readForEligibility(accountIds);
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
    await this.ledger.revokeCredential(credentialId, accountId);
  }

  async markClosed(accountId: string, idempotencyKey: string): Promise<void> {
    await this.ledger.close(accountId, { idempotencyKey });
  }

  async setDisabled(accountId: string, disabled: boolean, idempotencyKey: string): Promise<void> {
    await this.ledger.setStatus(accountId, disabled ? 'disabled' : 'active', { idempotencyKey });
  }

  async jurisdiction(accountId: string): Promise<string | null> {
    const row = await this.database.db
      .selectFrom('accounts')
      .select('jurisdiction')
      .where('id', '=', accountId)
      .executeTakeFirst();
    return row?.jurisdiction ?? null;
  }

  async assetDecimals(): Promise<ReadonlyMap<string, number>> {
    const rows = await this.database.db.selectFrom('assets').select(['code', 'decimals']).execute();
    return new Map(rows.map((r) => [r.code, r.decimals]));
  }

  async openTransactions(accountId: string): Promise<string | null> {
    if ((await this.jurisdiction(accountId)) === null) return null;
    // Ids grow as the ledger records: the highest id now bounds what the stream will ever see.
    const top = await this.database.db
      .selectFrom('transactions')
      .select((eb) => eb.fn.max('id').as('top'))
      .executeTakeFirst();
    return encodeCursor(Number(top?.top ?? 0), 0);
  }

  async transactionPage(
    accountId: string,
    request: TransactionPageRequest,
  ): Promise<TransactionPage> {
    const { ceiling, after } = decodeCursor(request.cursor);
    let query = this.database.db
      .selectFrom('transactions')
      .select([
        'id',
        'created_at',
        'type',
        'asset',
        'amount',
        'fee',
        'status',
        'counterparty',
        'reference',
      ])
      .where('account_id', '=', accountId)
      .where('id', '>', after)
      .where('id', '<=', ceiling)
      .orderBy('id')
      .limit(request.limit);
    if (request.from !== null) query = query.where('created_at', '>=', request.from);
    if (request.to !== null) query = query.where('created_at', '<', request.to);
    // Selected in the tuple's column order and read as arrays: the rows are the tuples. Ids
    // and instants are numbers and money is text on both databases (see database.ts).
    const transactions = await this.database.store.selectArrays<TransactionTuple>(
      this.database,
      query.compile(),
    );
    const last = transactions[transactions.length - 1];
    return {
      transactions,
      next: last && transactions.length >= request.limit ? encodeCursor(ceiling, last[0]) : null,
    };
  }

  async placeHold(
    accountId: string,
    hold: { id: string; kind: HoldKind; reason: string },
  ): Promise<void> {
    const existing = await this.database.db
      .selectFrom('holds')
      .select('account_id')
      .where('id', '=', hold.id)
      .executeTakeFirst();
    if (existing?.account_id === accountId) return; // placed already: a repeat
    await this.ledger.placeHold(accountId, hold);
  }

  async liftHold(accountId: string, holdId: string): Promise<void> {
    await this.requireOwned('holds', holdId, accountId);
    const row = await this.database.db
      .selectFrom('holds')
      .select('status')
      .where('id', '=', holdId)
      .executeTakeFirstOrThrow();
    if (row.status !== 'active') return; // lifted already
    await this.ledger.liftHold(holdId);
  }

  erase(
    accountId: string,
    classes: readonly RecordClass[],
    idempotencyKey: string,
  ): Promise<PlatformErasure> {
    return this.ledger.erase(accountId, classes, { idempotencyKey });
  }

  private requireOwned(table: OwnedRecordTable, id: string, accountId: string): Promise<void> {
    return requireOwnedRecord(this.database, table, id, accountId);
  }
}

/** `t1.<ceiling>.<after>`: the stream's upper bound and the last id read. */
function encodeCursor(ceiling: number, after: number): string {
  return `t1.${ceiling}.${after}`;
}

function decodeCursor(cursor: string): { ceiling: number; after: number } {
  const match = /^t1\.(\d{1,15})\.(\d{1,15})$/.exec(cursor);
  if (!match)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `not a transaction cursor: "${cursor}"`,
    );
  return { ceiling: Number(match[1]), after: Number(match[2]) };
}

/** The ledger tables whose rows belong to one account. */
export type OwnedRecordTable = 'orders' | 'authorizations' | 'credentials' | 'holds';

/** Refuses (not found) a record that does not exist or belongs to another account. */
export async function requireOwnedRecord(
  database: Database,
  table: OwnedRecordTable,
  id: string,
  accountId: string,
): Promise<void> {
  const row = await database.db
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
