import { randomBytes } from 'node:crypto';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import * as C from '../contract.js';
import type { FixtureScenario } from '../contract.js';
import type { FaultProxy } from './fault-proxy.js';
import type { Exchange, RawCaller, SendOptions } from './http.js';

/*
 * What a check is and what it gets to work with. A check proves one rule of
 * docs/platform-contract.md: it sets up its own fresh accounts (copies of the demo
 * scenarios under ids unique to the run), talks raw HTTP, and fails with what it expected
 * and the exchange that showed otherwise.
 */

export const GROUPS = [
  'fixtures',
  'auth',
  'facts',
  'actions',
  'idempotency',
  'freeze',
  'close',
  'transactions',
  'errors',
  'faults',
] as const;
export type Group = (typeof GROUPS)[number];
export type Level = 'MUST' | 'SHOULD';

export interface Check {
  /** `group.name`, stable: docs/platform-contract.md lists every one. */
  id: string;
  level: Level;
  /** What passing proves, in one line. */
  title: string;
  run(ctx: CheckContext): Promise<void>;
}

export const groupOf = (check: Check): Group => check.id.split('.')[0] as Group;

/** A check's verdict: what was expected, and the exchange that showed otherwise. */
export class CheckFailure extends Error {
  constructor(
    readonly expected: string,
    readonly exchange: Exchange | null,
    readonly got: string | null = null,
  ) {
    super(expected);
  }
}

type Json = Record<string, unknown>;

const compiled = new Map<TSchema, ReturnType<typeof Compile>>();
function validator(schema: TSchema) {
  let found = compiled.get(schema);
  if (!found) {
    found = Compile(schema);
    compiled.set(schema, found);
  }
  return found;
}

/** The first few ways `value` breaks `schema`, as `/path: message`; empty when it fits. */
export function shapeErrors(schema: TSchema, value: unknown): string[] {
  const check = validator(schema);
  if (check.Check(value)) return [];
  return check
    .Errors(value)
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

export interface WireFacts {
  accountId: string;
  status: string;
  jurisdiction: string;
  balances: {
    asset: string;
    decimals: number;
    available: string;
    locked: string;
  }[];
  openOrders: { id: string; asset: string; locked: string }[];
  pendingTransfers: {
    id: string;
    direction: string;
    asset: string;
    amount: string;
    cancellable: boolean;
  }[];
  disputes: { id: string; amount: string }[];
  authorizations: { id: string }[];
  credentials: { id: string; kind: string }[];
  holds: { id: string; kind: string; reason: string }[];
  lastActivity: Record<string, string | null>;
}
export interface WireTransaction {
  id: string;
  asset: string;
  decimals: number;
  type: string;
  amount: string;
  fee: string;
  createdAt: string;
}

export class CheckContext {
  private keys = 0;
  private accounts = 0;

  constructor(
    readonly caller: RawCaller,
    /** Unique to the check in this run (`conf-1a2b3c4d-7`): every id and key it makes starts with it. */
    readonly prefix: string,
    private readonly proxyFor: () => Promise<FaultProxy>,
  ) {}

  /** A fresh Idempotency-Key, never used by this or another run. */
  key(): string {
    return `${this.prefix}:k${++this.keys}`;
  }

  /** The fault proxy in front of the platform (started on first use). */
  proxy(): Promise<FaultProxy> {
    return this.proxyFor();
  }

  send(method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<Exchange> {
    return this.caller.send(method, path, options);
  }

  /** A signed write with a fresh key (unless given); fails the check unless it answers 200 JSON. */
  async post<T = Json>(
    path: string,
    body: unknown = {},
    options: { key?: string; schema?: TSchema; via?: string } = {},
  ): Promise<{ value: T; exchange: Exchange }> {
    const exchange = await this.send('POST', path, {
      body,
      key: options.key ?? this.key(),
      ...(options.via ? { via: options.via } : {}),
    });
    return { value: this.ok<T>(exchange, options.schema), exchange };
  }

  async get<T = Json>(path: string, schema?: TSchema): Promise<{ value: T; exchange: Exchange }> {
    const exchange = await this.send('GET', path);
    return { value: this.ok<T>(exchange, schema), exchange };
  }

  /** The body of a 200 answer, checked against the contract's schema when one is given. */
  ok<T>(exchange: Exchange, schema?: TSchema): T {
    const value = this.answerOf(exchange, 200);
    if (schema) {
      const problems = shapeErrors(schema, value);
      if (problems.length > 0)
        throw new CheckFailure(
          'a body of the shape docs/platform-contract.md gives',
          exchange,
          problems.join('; '),
        );
    }
    return value as T;
  }

  /** A refusal with `status` and the contract's error shape carrying `code`. */
  refused(exchange: Exchange, status: number, code: string): void {
    const value = this.answerOf(exchange, status, code);
    const problems = shapeErrors(C.ErrorBody, value);
    if (problems.length > 0)
      throw new CheckFailure(
        `HTTP ${status} with {"error":{"code":"${code}","message":...}}`,
        exchange,
        problems.join('; '),
      );
    const got = (value as { error: { code: string } }).error.code;
    if (got !== code)
      throw new CheckFailure(`HTTP ${status} ${code}`, exchange, `error code ${got}`);
  }

  private answerOf(exchange: Exchange, status: number, code?: string): unknown {
    const expected = code ? `HTTP ${status} ${code}` : `HTTP ${status} with a JSON body`;
    if (!exchange.response) throw new CheckFailure(expected, exchange, exchange.error);
    if (exchange.response.status !== status)
      throw new CheckFailure(expected, exchange, `HTTP ${exchange.response.status}`);
    try {
      return JSON.parse(exchange.response.body) as unknown;
    } catch {
      throw new CheckFailure(expected, exchange, 'a body that is not JSON');
    }
  }

  /** Fails the check with `expected` unless `condition` holds. */
  expect(condition: boolean, expected: string, exchange: Exchange | null, got?: string): void {
    if (!condition) throw new CheckFailure(expected, exchange, got ?? null);
  }

  /** Equality of two plain values, shown in the failure when they differ. */
  equal(actual: unknown, expected: unknown, what: string, exchange: Exchange | null): void {
    const a = JSON.stringify(actual);
    const e = JSON.stringify(expected);
    if (a !== e) throw new CheckFailure(`${what}: ${e}`, exchange, a);
  }

  /** A new account copied from a demo scenario, unique to this run. */
  async account(scenario: FixtureScenario): Promise<string> {
    const accountId = `${this.prefix}-${++this.accounts}-${scenario}`;
    const { value, exchange } = await this.post<{ accountIds: string[] }>(
      '/test/fixtures',
      { scenario, accountId },
      { schema: C.FixturesResult },
    );
    this.expect(
      value.accountIds.includes(accountId),
      `the fixtures answer names the new account ${accountId}`,
      exchange,
    );
    return accountId;
  }

  async facts(accountId: string): Promise<{ value: WireFacts; exchange: Exchange }> {
    return this.get<WireFacts>(`/accounts/${encodeURIComponent(accountId)}/facts`, C.Facts);
  }

  async deposit(
    accountId: string,
    asset: string,
    amount: string,
    key = this.key(),
  ): Promise<{ value: { transactionId: string; returned: boolean }; exchange: Exchange }> {
    return this.post(
      `/test/accounts/${encodeURIComponent(accountId)}/deposits`,
      { asset, amount, counterparty: 'conformance-kit' },
      { key, schema: C.DepositResult },
    );
  }

  /** Every transaction of the account, page by page (`limit` a page), and the last exchange. */
  async transactions(
    accountId: string,
    limit = 500,
  ): Promise<{ items: WireTransaction[]; exchange: Exchange; pages: number }> {
    const items: WireTransaction[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const query: string = `?limit=${limit}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`;
      const { value, exchange } = await this.get<{
        transactions: WireTransaction[];
        next: string | null;
      }>(`/accounts/${encodeURIComponent(accountId)}/transactions${query}`, C.TransactionPage);
      pages++;
      items.push(...value.transactions);
      if (value.next === null) return { items, exchange, pages };
      this.expect(
        pages < 10_000,
        'transaction pages that end (a null `next`)',
        exchange,
        `more than ${pages} pages`,
      );
      after = value.next;
    }
  }
}

/** A run id: short, unique, safe in ids and keys (`conf-1a2b3c4d`). */
export function newRunId(): string {
  return `conf-${randomBytes(4).toString('hex')}`;
}
