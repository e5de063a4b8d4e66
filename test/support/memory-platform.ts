import type {
  AccountFacts,
  AccountStatus,
  AuthorizationFact,
  CredentialFact,
  DisputeFact,
  HoldFact,
  HoldKind,
  OrderFact,
  TransferFact,
} from '../../src/domain/facts.js';
import { OffboardError } from '../../src/domain/errors.js';
import type { RecordClass } from '../../src/domain/retention.js';
import type { Clock } from '../../src/ports/clock.js';
import type {
  HolderContact,
  PlatformErasure,
  PlatformPort,
  TransactionPage,
  TransactionPageRequest,
  TransactionTuple,
} from '../../src/ports/platform.js';

/*
 * A made-up platform that keeps everything in Maps: not the builtin ledger, and nothing
 * of offboard's storage. Tests drive offboard through it to prove the platform port is
 * enough: eligibility, a closure from request to closed, and a statement export.
 */

interface Asset {
  decimals: number;
  priceMinorPerUnit: bigint | null;
  allowNegative: boolean;
}

interface Account {
  id: string;
  holder: { name: string; email: string | null; phone: string | null };
  jurisdiction: string;
  status: AccountStatus;
  openedAt: Date;
  balances: Map<string, { available: bigint; locked: bigint }>;
  orders: Map<string, OrderFact>;
  transfers: Map<string, TransferFact>;
  disputes: DisputeFact[];
  authorizations: Map<string, AuthorizationFact>;
  credentials: Map<string, CredentialFact>;
  holds: Map<string, HoldFact>;
  lastActivity: AccountFacts['lastActivity'];
  /** In id order. */
  transactions: TransactionTuple[];
}

export class MemoryPlatform implements PlatformPort {
  private readonly assets = new Map<string, Asset>();
  private readonly accounts = new Map<string, Account>();
  /** What each idempotency key did, so a repeat returns the first result. */
  private readonly done = new Map<string, unknown>();
  private lastTransactionId = 0;
  /** Every effect the platform performed (repeats with a known key are not effects). */
  readonly effects: string[] = [];

  constructor(private readonly clock: Clock) {}

  // ---- the platform's own side: what tests set up ---------------------------------

  defineAsset(code: string, asset: Asset): void {
    this.assets.set(code, asset);
  }

  openAccount(input: {
    id: string;
    name: string;
    email?: string;
    jurisdiction: string;
    openedAt?: Date;
  }): void {
    this.accounts.set(input.id, {
      id: input.id,
      holder: { name: input.name, email: input.email ?? null, phone: null },
      jurisdiction: input.jurisdiction,
      status: 'active',
      openedAt: input.openedAt ?? this.clock.now(),
      balances: new Map(),
      orders: new Map(),
      transfers: new Map(),
      disputes: [],
      authorizations: new Map(),
      credentials: new Map(),
      holds: new Map(),
      lastActivity: { trade: null, withdrawal: null, deposit: null, securityChange: null },
      transactions: [],
    });
  }

  /** Money in. Into a frozen or closed account it is returned to the sender, recorded. */
  deposit(accountId: string, asset: string, amount: bigint, counterparty: string | null = null) {
    const account = this.account(accountId);
    this.record(account, 'deposit', asset, amount, counterparty);
    if (account.status === 'frozen' || account.status === 'closed') {
      this.record(account, 'return', asset, -amount, counterparty);
      return;
    }
    this.balance(account, asset).available += amount;
    account.lastActivity.deposit = this.clock.now();
  }

  addCredential(accountId: string, credential: Omit<CredentialFact, 'createdAt'>): void {
    this.account(accountId).credentials.set(credential.id, {
      ...credential,
      createdAt: this.clock.now(),
    });
  }

  addAuthorization(accountId: string, authorization: Omit<AuthorizationFact, 'grantedAt'>): void {
    this.account(accountId).authorizations.set(authorization.id, {
      ...authorization,
      grantedAt: this.clock.now(),
    });
  }

  status(accountId: string): AccountStatus {
    return this.account(accountId).status;
  }

  // ---- the port ----------------------------------------------------------------------

  async facts(accountId: string): Promise<AccountFacts | null> {
    const account = this.accounts.get(accountId);
    if (!account) return null;
    return {
      accountId,
      status: account.status,
      jurisdiction: account.jurisdiction,
      openedAt: account.openedAt,
      balances: [...account.balances].map(([asset, b]) => {
        const known = this.asset(asset);
        return {
          asset,
          decimals: known.decimals,
          available: b.available,
          locked: b.locked,
          allowNegative: known.allowNegative,
          priceMinorPerUnit: known.priceMinorPerUnit,
        };
      }),
      openOrders: [...account.orders.values()],
      pendingTransfers: [...account.transfers.values()],
      disputes: [...account.disputes],
      authorizations: [...account.authorizations.values()],
      credentials: [...account.credentials.values()],
      holds: [...account.holds.values()],
      lastActivity: { ...account.lastActivity },
      closure: null,
    };
  }

  async factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
    const found = new Map<string, AccountFacts>();
    for (const id of accountIds) {
      const facts = await this.facts(id);
      if (facts) found.set(id, facts);
    }
    return found;
  }

  async listAccounts(options: {
    after?: string;
    limit: number;
    jurisdiction?: string;
  }): Promise<string[]> {
    return this.ids(options.jurisdiction)
      .filter((id) => options.after === undefined || id > options.after)
      .slice(0, options.limit);
  }

  async countAccounts(options: { jurisdiction?: string }): Promise<number> {
    return this.ids(options.jurisdiction).length;
  }

  async contact(accountId: string): Promise<HolderContact | null> {
    const account = this.accounts.get(accountId);
    return account ? { ...account.holder, jurisdiction: account.jurisdiction } : null;
  }

  async jurisdiction(accountId: string): Promise<string | null> {
    return this.accounts.get(accountId)?.jurisdiction ?? null;
  }

  async assetDecimals(): Promise<ReadonlyMap<string, number>> {
    return new Map([...this.assets].map(([code, asset]) => [code, asset.decimals]));
  }

  async freeze(accountId: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, `freeze ${accountId}`, () => this.setStatus(accountId, 'frozen'));
  }

  async unfreeze(accountId: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, `unfreeze ${accountId}`, () => this.setStatus(accountId, 'active'));
  }

  async sweepDust(accountId: string, asset: string, idempotencyKey: string): Promise<bigint> {
    return this.once(idempotencyKey, `sweep ${accountId} ${asset}`, () => {
      const account = this.account(accountId);
      const balance = this.balance(account, asset);
      const amount = balance.available;
      balance.available = 0n;
      if (amount !== 0n) this.record(account, 'dust_sweep', asset, -amount, 'platform');
      return amount;
    });
  }

  async cancelOrder(accountId: string, orderId: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, `cancel order ${orderId}`, () => {
      const account = this.account(accountId);
      const order = account.orders.get(orderId);
      if (!order) return;
      const balance = this.balance(account, order.asset);
      balance.locked -= order.locked;
      balance.available += order.locked;
      account.orders.delete(orderId);
    });
  }

  async cancelWithdrawal(
    accountId: string,
    transferId: string,
    idempotencyKey: string,
  ): Promise<void> {
    this.once(idempotencyKey, `cancel withdrawal ${transferId}`, () => {
      const account = this.account(accountId);
      const transfer = account.transfers.get(transferId);
      if (!transfer || transfer.direction !== 'withdrawal') return;
      const balance = this.balance(account, transfer.asset);
      balance.locked -= transfer.amount;
      balance.available += transfer.amount;
      account.transfers.delete(transferId);
    });
  }

  async revokeAuthorization(
    accountId: string,
    authorizationId: string,
    idempotencyKey: string,
  ): Promise<void> {
    this.once(idempotencyKey, `revoke authorization ${authorizationId}`, () => {
      this.account(accountId).authorizations.delete(authorizationId);
    });
  }

  async revokeCredential(
    accountId: string,
    credentialId: string,
    idempotencyKey: string,
  ): Promise<void> {
    this.once(idempotencyKey, `revoke credential ${credentialId}`, () => {
      this.account(accountId).credentials.delete(credentialId);
    });
  }

  async markClosed(accountId: string, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, `close ${accountId}`, () => this.setStatus(accountId, 'closed'));
  }

  async setDisabled(accountId: string, disabled: boolean, idempotencyKey: string): Promise<void> {
    this.once(idempotencyKey, `${disabled ? 'disable' : 'enable'} ${accountId}`, () =>
      this.setStatus(accountId, disabled ? 'disabled' : 'active'),
    );
  }

  async openTransactions(accountId: string): Promise<string | null> {
    if (!this.accounts.has(accountId)) return null;
    return `${this.lastTransactionId}:0`;
  }

  async transactionPage(
    accountId: string,
    request: TransactionPageRequest,
  ): Promise<TransactionPage> {
    const [ceiling, after] = request.cursor.split(':').map(Number) as [number, number];
    const rows = this.account(accountId).transactions.filter(
      ([id, createdAt]) =>
        id > after &&
        id <= ceiling &&
        (request.from === null || createdAt >= request.from) &&
        (request.to === null || createdAt < request.to),
    );
    const transactions = rows.slice(0, request.limit);
    const last = transactions[transactions.length - 1];
    return {
      transactions,
      next: last && rows.length > request.limit ? `${ceiling}:${last[0]}` : null,
    };
  }

  async placeHold(
    accountId: string,
    hold: { id: string; kind: HoldKind; reason: string },
  ): Promise<void> {
    const account = this.account(accountId);
    if (account.holds.has(hold.id)) return;
    account.holds.set(hold.id, { ...hold, placedAt: this.clock.now() });
    this.effects.push(`hold ${accountId} ${hold.kind}`);
  }

  async liftHold(accountId: string, holdId: string): Promise<void> {
    if (this.account(accountId).holds.delete(holdId))
      this.effects.push(`lift ${accountId} ${holdId}`);
  }

  async erase(
    accountId: string,
    classes: readonly RecordClass[],
    idempotencyKey: string,
  ): Promise<PlatformErasure> {
    return this.once(idempotencyKey, `erase ${accountId} ${classes.join('+')}`, () => {
      const account = this.account(accountId);
      if (classes.includes('identity'))
        account.holder = { name: 'erased', email: null, phone: null };
      if (classes.includes('transactions'))
        account.transactions = account.transactions.map(
          (t) => [t[0], t[1], t[2], t[3], t[4], t[5], t[6], null, null] as const,
        );
      if (classes.includes('security')) account.credentials.clear();
      if (classes.includes('preferences')) account.authorizations.clear();
      return { erased: [...classes], retained: [] };
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private once<T>(key: string, effect: string, run: () => T): T {
    if (this.done.has(key)) return this.done.get(key) as T;
    const result = run();
    this.done.set(key, result);
    this.effects.push(effect);
    return result;
  }

  private account(accountId: string): Account {
    const account = this.accounts.get(accountId);
    if (!account) throw new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', `no ${accountId}`);
    return account;
  }

  private asset(code: string): Asset {
    const asset = this.assets.get(code);
    if (!asset) throw new Error(`no asset ${code}`);
    return asset;
  }

  private balance(account: Account, asset: string) {
    this.asset(asset);
    let balance = account.balances.get(asset);
    if (!balance) {
      balance = { available: 0n, locked: 0n };
      account.balances.set(asset, balance);
    }
    return balance;
  }

  private setStatus(accountId: string, status: AccountStatus): void {
    const account = this.account(accountId);
    if (account.status !== 'closed') account.status = status;
  }

  private record(
    account: Account,
    type: string,
    asset: string,
    amount: bigint,
    counterparty: string | null,
  ): void {
    this.lastTransactionId += 1;
    account.transactions.push([
      this.lastTransactionId,
      this.clock.now().getTime(),
      type,
      asset,
      amount.toString(),
      '0',
      'completed',
      counterparty,
      null,
    ]);
  }

  private ids(jurisdiction: string | undefined): string[] {
    return [...this.accounts.values()]
      .filter((a) => jurisdiction === undefined || a.jurisdiction === jurisdiction)
      .map((a) => a.id)
      .sort();
  }
}
