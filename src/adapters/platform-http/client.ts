import { createHash } from 'node:crypto';
import { ERROR_CATALOGUE, OffboardError, raise } from '../../domain/errors.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { AccountFacts, HoldKind } from '../../domain/facts.js';
import type { RecordClass } from '../../domain/retention.js';
import type {
  HolderContact,
  PlatformErasure,
  PlatformPort,
  TransactionPage,
  TransactionPageRequest,
  TransactionTuple,
} from '../../ports/platform.js';
import { IDEMPOTENCY_HEADER, signatureHeaders } from './signing.js';
import { tlsFetch } from './tls.js';
import type { PlatformTls } from './tls.js';

/*
 * offboard's side of the platform contract: a PlatformPort that reads facts and acts over
 * signed HTTP. Global fetch only (no HTTP library to load at start-up). Every write carries
 * the port's idempotency key, the same on every attempt, so a retry after a lost answer has
 * its effect once.
 */

export interface HttpPlatformOptions {
  /** Where the platform listens: `http://host:port` (the contract's prefix is added). */
  url: string;
  /** The shared secret every request is signed with. */
  secret: string;
  /** How long one attempt may take (default 10 s). */
  timeoutMs?: number;
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  /** The first retry waits about this long, doubling each time (default 100 ms). */
  backoffMs?: number;
  /** The longest wait between attempts (default 2 s). */
  maxBackoffMs?: number;
  /** Requests in flight at once, at most (default 8). */
  concurrency?: number;
  /** Signing time: the wall clock, since the platform checks it against its own. */
  now?: () => Date;
  /** The fetch to send with (default: the global one); tests observe requests with it. */
  fetch?: typeof fetch;
  /**
   * Mutual TLS: the client certificate to present and the CA to trust (an `https://` URL).
   * Ignored when `fetch` is given.
   */
  tls?: PlatformTls;
}

/**
 * The contract's base path (contract.ts's PREFIX, repeated so that opening a context does
 * not load the schema library; a test keeps the two equal).
 */
export const PREFIX = '/offboard-platform/v1';
/** Largest batch the contract's `facts/query` takes. */
const BATCH = 500;
const ACCOUNT_NOT_FOUND = 'OFFBOARD_ERR_UNKNOWN_ACCOUNT';

type Reply = { status: number; body: unknown };

/** Why an attempt failed in a way worth another attempt (no answer, or a 5xx). */
class Transient extends Error {}

export class HttpPlatform implements PlatformPort {
  private readonly base: string;
  private readonly options: Required<Omit<HttpPlatformOptions, 'url' | 'secret' | 'tls'>>;
  private readonly slots: Semaphore;
  private readonly decimals = new Map<string, number>();

  constructor(private readonly config: HttpPlatformOptions) {
    this.base = config.url.replace(/\/+$/, '').replace(new RegExp(`${PREFIX}$`), '');
    this.options = {
      timeoutMs: config.timeoutMs ?? 10_000,
      maxAttempts: Math.max(1, config.maxAttempts ?? 4),
      backoffMs: config.backoffMs ?? 100,
      maxBackoffMs: config.maxBackoffMs ?? 2_000,
      concurrency: Math.max(1, config.concurrency ?? 8),
      now: config.now ?? (() => new Date()),
      fetch:
        config.fetch ?? (config.tls ? tlsFetch(config.tls) : (input, init) => fetch(input, init)),
    };
    this.slots = new Semaphore(this.options.concurrency);
  }

  async facts(accountId: string): Promise<AccountFacts | null> {
    const reply = await this.read(
      `facts(${accountId})`,
      `/accounts/${encodeURIComponent(accountId)}/facts`,
    );
    return reply === null ? null : this.factsFromWire(reply as WireFacts);
  }

  async factsBatch(accountIds: readonly string[]): Promise<Map<string, AccountFacts>> {
    const found = new Map<string, AccountFacts>();
    const ids = [...new Set(accountIds)];
    for (let i = 0; i < ids.length; i += BATCH) {
      const chunk = ids.slice(i, i + BATCH);
      const body = (await this.send('factsBatch', 'POST', '/facts/query', null, {
        accountIds: chunk,
      })) as { accounts: WireFacts[] };
      for (const wire of body.accounts) found.set(wire.accountId, this.factsFromWire(wire));
    }
    return found;
  }

  async listAccounts(options: {
    after?: string;
    limit: number;
    jurisdiction?: string;
  }): Promise<string[]> {
    const query = new URLSearchParams({ limit: String(Math.min(1000, options.limit)) });
    if (options.after !== undefined) query.set('after', options.after);
    if (options.jurisdiction !== undefined) query.set('jurisdiction', options.jurisdiction);
    const body = (await this.send('listAccounts', 'GET', `/accounts?${query}`, null)) as {
      accountIds: string[];
    };
    return body.accountIds;
  }

  async countAccounts(options: { jurisdiction?: string }): Promise<number> {
    const query =
      options.jurisdiction === undefined
        ? ''
        : `?${new URLSearchParams({ jurisdiction: options.jurisdiction })}`;
    const body = (await this.send('countAccounts', 'GET', `/accounts/count${query}`, null)) as {
      count: number;
    };
    return body.count;
  }

  async contact(accountId: string): Promise<HolderContact | null> {
    const reply = await this.read(
      `contact(${accountId})`,
      `/accounts/${encodeURIComponent(accountId)}/contact`,
    );
    return reply as HolderContact | null;
  }

  async jurisdiction(accountId: string): Promise<string | null> {
    return (await this.contact(accountId))?.jurisdiction ?? null;
  }

  async freeze(accountId: string, idempotencyKey: string): Promise<void> {
    await this.write('freeze', accountId, 'freeze', {}, idempotencyKey);
  }

  async unfreeze(accountId: string, idempotencyKey: string): Promise<void> {
    await this.write('unfreeze', accountId, 'unfreeze', {}, idempotencyKey);
  }

  async sweepDust(accountId: string, asset: string, idempotencyKey: string): Promise<bigint> {
    const body = (await this.write(
      'sweepDust',
      accountId,
      'sweep-dust',
      { asset },
      idempotencyKey,
    )) as {
      amount: string;
    };
    return parseAmount(body.amount, `sweepDust(${accountId})`);
  }

  async cancelOrder(accountId: string, orderId: string, idempotencyKey: string): Promise<void> {
    await this.write(
      'cancelOrder',
      accountId,
      `orders/${encodeURIComponent(orderId)}/cancel`,
      {},
      idempotencyKey,
    );
  }

  async cancelWithdrawal(
    accountId: string,
    transferId: string,
    idempotencyKey: string,
  ): Promise<void> {
    await this.write(
      'cancelWithdrawal',
      accountId,
      `withdrawals/${encodeURIComponent(transferId)}/cancel`,
      {},
      idempotencyKey,
    );
  }

  async revokeAuthorization(
    accountId: string,
    authorizationId: string,
    idempotencyKey: string,
  ): Promise<void> {
    await this.write(
      'revokeAuthorization',
      accountId,
      `authorizations/${encodeURIComponent(authorizationId)}/revoke`,
      {},
      idempotencyKey,
    );
  }

  async revokeCredential(
    accountId: string,
    credentialId: string,
    idempotencyKey: string,
  ): Promise<void> {
    await this.write(
      'revokeCredential',
      accountId,
      `credentials/${encodeURIComponent(credentialId)}/revoke`,
      {},
      idempotencyKey,
    );
  }

  async markClosed(accountId: string, idempotencyKey: string): Promise<void> {
    await this.write('markClosed', accountId, 'close', {}, idempotencyKey);
  }

  async erase(
    accountId: string,
    classes: readonly RecordClass[],
    idempotencyKey: string,
  ): Promise<PlatformErasure> {
    const body = (await this.write(
      'erase',
      accountId,
      'erase',
      { classes: [...classes] },
      idempotencyKey,
    )) as { erased: RecordClass[]; retained: { what: string; why: string }[] };
    return { erased: body.erased, retained: body.retained };
  }

  async setDisabled(accountId: string, disabled: boolean, idempotencyKey: string): Promise<void> {
    await this.write('setDisabled', accountId, 'disabled', { disabled }, idempotencyKey);
  }

  async placeHold(
    accountId: string,
    hold: { id: string; kind: HoldKind; reason: string },
  ): Promise<void> {
    // The port gives holds no key: the hold's own id makes the repeat single.
    await this.write('placeHold', accountId, 'holds', hold, `hold:${accountId}:${hold.id}`);
  }

  async liftHold(accountId: string, holdId: string): Promise<void> {
    await this.write(
      'liftHold',
      accountId,
      `holds/${encodeURIComponent(holdId)}/lift`,
      {},
      `lift:${accountId}:${holdId}`,
    );
  }

  /**
   * Decimals of the assets this client has seen in facts and transaction pages. The
   * contract has no asset list; statements read this map after their pages, so it holds
   * every asset they name.
   */
  async assetDecimals(): Promise<ReadonlyMap<string, number>> {
    return this.decimals;
  }

  /**
   * The contract's cursor is the id after which the next page starts; ids only grow, so
   * pages read never move. Unlike the builtin ledger, rows recorded after this call may
   * still appear at the end of the stream.
   */
  async openTransactions(accountId: string): Promise<string | null> {
    const facts = await this.facts(accountId);
    return facts === null ? null : 'start';
  }

  async transactionPage(
    accountId: string,
    request: TransactionPageRequest,
  ): Promise<TransactionPage> {
    const query = new URLSearchParams({ limit: String(Math.min(1000, request.limit)) });
    if (request.cursor !== 'start') query.set('after', request.cursor);
    const call = `transactionPage(${accountId})`;
    const body = (await this.send(
      call,
      'GET',
      `/accounts/${encodeURIComponent(accountId)}/transactions?${query}`,
      null,
    )) as { transactions: WireTransaction[]; next: string | null };
    const transactions: TransactionTuple[] = [];
    for (const t of body.transactions) {
      this.decimals.set(t.asset, t.decimals);
      const createdAt = Date.parse(t.createdAt);
      if (request.from !== null && createdAt < request.from) continue;
      if (request.to !== null && createdAt >= request.to) continue;
      const id = Number(t.id);
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new OffboardError(
          'OFFBOARD_ERR_PLATFORM_UNAVAILABLE',
          `the platform call ${call} answered a transaction id "${t.id}" that is not a positive integer`,
        );
      parseAmount(t.amount, call);
      parseAmount(t.fee, call);
      transactions.push([
        id,
        createdAt,
        t.type,
        t.asset,
        t.amount,
        t.fee,
        t.status,
        t.counterparty,
        t.reference,
      ]);
    }
    return { transactions, next: body.next };
  }

  /** A read whose 404 "unknown account" is an answer (null), not an error. */
  private async read(call: string, path: string): Promise<unknown> {
    try {
      return await this.send(call, 'GET', path, null);
    } catch (error) {
      if (error instanceof OffboardError && error.code === ACCOUNT_NOT_FOUND) return null;
      throw error;
    }
  }

  private write(
    name: string,
    accountId: string,
    action: string,
    body: object,
    idempotencyKey: string,
  ): Promise<unknown> {
    return this.send(
      `${name}(${accountId})`,
      'POST',
      `/accounts/${encodeURIComponent(accountId)}/${action}`,
      wireKey(idempotencyKey),
      body,
    );
  }

  /** One call: attempts with backoff on no answer and 5xx; a 4xx is final at once. */
  private async send(
    call: string,
    method: 'GET' | 'POST',
    path: string,
    idempotencyKey: string | null,
    body?: unknown,
  ): Promise<unknown> {
    const text = body === undefined ? '' : JSON.stringify(body);
    let cause = '';
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (attempt > 1) await delay(this.backoff(attempt - 1));
      try {
        const reply = await this.slots.run(() => this.attempt(method, path, idempotencyKey, text));
        if (reply.status >= 200 && reply.status < 300) return reply.body;
        throw refusal(call, reply);
      } catch (error) {
        if (!(error instanceof Transient)) throw error;
        cause = error.message;
      }
    }
    throw raise('OFFBOARD_ERR_PLATFORM_UNAVAILABLE', {
      call,
      attempts: this.options.maxAttempts,
      cause,
    });
  }

  private async attempt(
    method: string,
    path: string,
    idempotencyKey: string | null,
    body: string,
  ): Promise<Reply> {
    const fullPath = `${PREFIX}${path}`;
    const headers: Record<string, string> = {
      ...signatureHeaders(
        this.config.secret,
        { method, path: fullPath, idempotencyKey, body },
        this.options.now(),
      ),
    };
    if (idempotencyKey !== null) headers[IDEMPOTENCY_HEADER] = idempotencyKey;
    if (body !== '') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.options.fetch(`${this.base}${fullPath}`, {
        method,
        headers,
        ...(body === '' ? {} : { body }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      throw new Transient(
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : `cannot reach ${this.base} (${describeCause(error)})`,
      );
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw new Transient(`the answer was cut off (${describeCause(error)})`);
    }
    if (response.status >= 500) throw new Transient(`HTTP ${response.status}`);
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  }

  /** Full jitter: a random wait up to the doubled backoff, so retries do not march in step. */
  private backoff(retry: number): number {
    const ceiling = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** (retry - 1));
    return Math.random() * ceiling;
  }

  private factsFromWire(wire: WireFacts): AccountFacts {
    const call = `facts(${wire.accountId})`;
    const amount = (value: string) => parseAmount(value, call);
    for (const b of wire.balances) this.decimals.set(b.asset, b.decimals);
    return {
      accountId: wire.accountId,
      status: wire.status,
      jurisdiction: wire.jurisdiction,
      openedAt: new Date(wire.openedAt),
      balances: wire.balances.map((b) => ({
        asset: b.asset,
        decimals: b.decimals,
        available: amount(b.available),
        locked: amount(b.locked),
        allowNegative: b.allowNegative,
        priceMinorPerUnit: b.priceMinorPerUnit === null ? null : amount(b.priceMinorPerUnit),
      })),
      openOrders: wire.openOrders.map((o) => ({
        ...o,
        locked: amount(o.locked),
        createdAt: new Date(o.createdAt),
      })),
      pendingTransfers: wire.pendingTransfers.map((t) => ({
        ...t,
        amount: amount(t.amount),
        createdAt: new Date(t.createdAt),
      })),
      disputes: wire.disputes.map((d) => ({
        ...d,
        amount: amount(d.amount),
        openedAt: new Date(d.openedAt),
      })),
      authorizations: wire.authorizations.map((a) => ({ ...a, grantedAt: new Date(a.grantedAt) })),
      credentials: wire.credentials.map((c) => ({ ...c, createdAt: new Date(c.createdAt) })),
      holds: wire.holds.map((h) => ({ ...h, placedAt: new Date(h.placedAt) })),
      lastActivity: {
        trade: dateOrNull(wire.lastActivity.trade),
        withdrawal: dateOrNull(wire.lastActivity.withdrawal),
        deposit: dateOrNull(wire.lastActivity.deposit),
        securityChange: dateOrNull(wire.lastActivity.securityChange),
      },
      // The platform knows no closures: offboard's own store fills this in.
      closure: null,
    };
  }
}

type WireDated<T, K extends string> = Omit<T, K | 'amount' | 'locked'> & Record<K, string>;
type WireFacts = {
  accountId: string;
  status: AccountFacts['status'];
  jurisdiction: string;
  openedAt: string;
  balances: {
    asset: string;
    decimals: number;
    available: string;
    locked: string;
    allowNegative: boolean;
    priceMinorPerUnit: string | null;
  }[];
  openOrders: (WireDated<AccountFacts['openOrders'][number], 'createdAt'> & { locked: string })[];
  pendingTransfers: (WireDated<AccountFacts['pendingTransfers'][number], 'createdAt'> & {
    amount: string;
  })[];
  disputes: (WireDated<AccountFacts['disputes'][number], 'openedAt'> & { amount: string })[];
  authorizations: WireDated<AccountFacts['authorizations'][number], 'grantedAt'>[];
  credentials: WireDated<AccountFacts['credentials'][number], 'createdAt'>[];
  holds: WireDated<AccountFacts['holds'][number], 'placedAt'>[];
  lastActivity: Record<keyof AccountFacts['lastActivity'], string | null>;
};
type WireTransaction = {
  id: string;
  asset: string;
  decimals: number;
  type: string;
  amount: string;
  fee: string;
  status: string;
  counterparty: string | null;
  reference: string | null;
  createdAt: string;
};

/** An exact decimal-integer string of minor units to bigint; anything else is refused. */
export function parseAmount(value: string, call: string): bigint {
  if (typeof value !== 'string' || !/^-?(0|[1-9][0-9]{0,77})$/.test(value))
    throw new OffboardError(
      'OFFBOARD_ERR_PLATFORM_UNAVAILABLE',
      `the platform call ${call} answered an amount that is not a decimal-integer string: ${JSON.stringify(value)}`,
    );
  return BigInt(value);
}

/** The port's key as the contract takes it (1 to 200 visible ASCII), derived the same way every time. */
export function wireKey(key: string): string {
  if (/^[\x21-\x7e]{1,200}$/.test(key)) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A 4xx: the platform's own code when offboard knows it, the call named in the message. */
function refusal(call: string, reply: Reply): OffboardError {
  const error = (reply.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code =
    typeof error?.code === 'string' && Object.hasOwn(ERROR_CATALOGUE, error.code)
      ? (error.code as ErrorCode)
      : 'OFFBOARD_ERR_INVALID_STATE';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${reply.status}`;
  return new OffboardError(code, `the platform refused ${call}: ${message}`);
}

function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** At most `size` tasks at once; the others wait their turn in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
