import { randomUUID } from 'node:crypto';
import type { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { seedReferenceData } from '../../src/adapters/ledger/scenarios.js';
import { HttpPlatform } from '../../src/adapters/platform-http/client.js';
import type { HttpPlatformOptions } from '../../src/adapters/platform-http/client.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import { openDatabase } from '../../src/adapters/store/database.js';
import type { Database, Dialect } from '../../src/adapters/store/database.js';
import { migrateToLatest } from '../../src/adapters/store/migrate.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Clock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { createTestDatabase, DIALECTS, openTestDatabase } from './databases.js';
import { HANG_MS } from './wait.js';
import { startOffboard, waitForLine } from './workflow-processes.js';
import type { Running } from './workflow-processes.js';

/*
 * The platform axis of the test matrix, beside the database one: `builtin` is the ledger in
 * offboard's own database, as offboard runs out of the box; `http` is the same ledger served
 * by a real sandbox platform server over its own database, which offboard reaches only
 * through the HTTP client (signed requests, idempotency keys, decimal-string amounts). On
 * `http`, accounts are seeded and money arrives through the sandbox (its fixtures and
 * deposit endpoints, or its own database), never through offboard's.
 */

export const PLATFORMS = ['builtin', 'http'] as const;
export type PlatformKind = (typeof PLATFORMS)[number];

/** One cell: `describe.each(platformMatrix())('... [%s, %s]', (dialect, platform) => ...)`. */
export type MatrixCell = readonly [dialect: Dialect, platform: PlatformKind];

/**
 * Every dialect on the builtin platform, and `http` on `httpDialects` (all by default).
 * Suites that pass one dialect for `http` say why beside the call: the HTTP axis adds a
 * process boundary, not SQL, so one dialect proves it where a suite is heavy.
 */
export function platformMatrix(httpDialects: readonly Dialect[] = DIALECTS): MatrixCell[] {
  return [
    ...DIALECTS.map((dialect): MatrixCell => [dialect, 'builtin']),
    ...httpDialects.map((dialect): MatrixCell => [dialect, 'http']),
  ];
}

/** The shared secret of the tests' sandbox servers. */
export const SANDBOX_SECRET = 'sandbox-test-secret-0123456789abcdef';

/** A sandbox platform server, in this process or as a process of its own, and its database. */
export interface TestSandbox {
  /** Where it listens, without the contract's prefix. */
  readonly url: string;
  readonly secret: string;
  /** The sandbox's own database (its ledger), for reading the ground truth. */
  readonly database: Database;
  readonly databaseUrl: string;
  /** A signed request to the contract (`path` after the prefix). */
  send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }>;
  /** Money arrives from outside, through the test-mode deposit endpoint. */
  deposit(
    accountId: string,
    asset: string,
    amount: bigint,
    counterparty?: string,
  ): Promise<{ transactionId: string; returned: boolean }>;
  /** offboard's client pointed at this sandbox. */
  client(options?: Partial<HttpPlatformOptions>): HttpPlatform;
  close(): Promise<void>;
}

function sandboxCalls(url: string, secret: string) {
  const send: TestSandbox['send'] = async (method, path, body) => {
    const full = `/offboard-platform/v1${path}`;
    const payload = body === undefined ? '' : JSON.stringify(body);
    const key = method === 'POST' ? `test:${randomUUID()}` : null;
    const headers: Record<string, string> = signatureHeaders(
      secret,
      { method, path: full, idempotencyKey: key, body: payload },
      new Date(),
    );
    if (key) headers['idempotency-key'] = key;
    if (payload) headers['content-type'] = 'application/json';
    const response = await fetch(`${url}${full}`, {
      method,
      headers,
      ...(payload ? { body: payload } : {}),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const deposit: TestSandbox['deposit'] = async (accountId, asset, amount, counterparty) => {
    const answer = await send('POST', `/test/accounts/${encodeURIComponent(accountId)}/deposits`, {
      asset,
      amount: amount.toString(),
      ...(counterparty ? { counterparty } : {}),
    });
    if (answer.status !== 200)
      throw Object.assign(new Error(`deposit refused: ${JSON.stringify(answer.body)}`), {
        code: (answer.body as { error?: { code?: string } }).error?.code,
      });
    return answer.body as { transactionId: string; returned: boolean };
  };
  const client = (options: Partial<HttpPlatformOptions> = {}) =>
    new HttpPlatform({ url, secret, ...options });
  return { send, deposit, client };
}

/**
 * The sandbox server in this process on port 0, over a fresh database of `dialect` holding
 * the ledger's reference data. Its ledger keeps `clock` (the test's, which it may move);
 * signatures are checked against the wall clock, which offboard's client signs with.
 */
export async function startSandbox(
  dialect: Dialect,
  clock: Clock,
): Promise<TestSandbox & { readonly ledger: BuiltinLedger; readonly app: SandboxApp }> {
  const test = await createTestDatabase(dialect);
  const database = await openDatabase(test.url);
  await migrateToLatest(database);
  const ledger = await seedReferenceData(database, clock);
  const app = await buildSandboxApp(
    { database, clock, secret: SANDBOX_SECRET, testMode: true },
    { signatureClock: systemClock },
  );
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    secret: SANDBOX_SECRET,
    database,
    databaseUrl: test.url,
    ledger,
    app,
    ...sandboxCalls(url, SANDBOX_SECRET),
    close: async () => {
      await app.close();
      await database.close();
      await test.dispose();
    },
  };
}

/**
 * `offboard sandbox serve` as a process of its own over the database at `databaseUrl`
 * (seeded by the caller), on a free port; the database stays the caller's to dispose.
 */
export async function startSandboxProcess(
  databaseUrl: string,
): Promise<TestSandbox & { readonly process: Running }> {
  const running = startOffboard(
    ['sandbox', 'serve', '--port', '0', '--db', databaseUrl, '--test-mode'],
    { OFFBOARD_PLATFORM_SECRET: SANDBOX_SECRET },
  );
  const line = await waitForLine(running, /^offboard sandbox: listening on /, HANG_MS);
  const url = /listening on (http:\/\/\S+?)\/offboard-platform\/v1/.exec(line)![1]!;
  const database = await openDatabase(databaseUrl);
  return {
    url,
    secret: SANDBOX_SECRET,
    database,
    databaseUrl,
    process: running,
    ...sandboxCalls(url, SANDBOX_SECRET),
    close: async () => {
      if (running.child.exitCode === null && running.child.signalCode === null)
        running.child.kill('SIGTERM');
      await running.exited;
      await database.close();
    },
  };
}

/** offboard's composition root over one platform of the matrix, and the ledger behind it. */
export interface PlatformWorld {
  readonly kind: PlatformKind;
  readonly ctx: Context;
  /** offboard's own database (closures, audit, outbox, mailbox). */
  readonly offboardUrl: string;
  /** The ledger holding the accounts: in offboard's database (builtin) or the sandbox's (http). */
  readonly ledger: BuiltinLedger;
  readonly ledgerDatabase: Database;
  readonly ledgerUrl: string;
  /** The sandbox server on `http`; null on `builtin`. */
  readonly sandbox: TestSandbox | null;
  /** `offboard` CLI flags and environment that drive this platform. */
  readonly cliArgs: readonly string[];
  readonly cliEnv: Readonly<Record<string, string>>;
  /** Money arrives from outside: the ledger's deposit, or the sandbox's deposit endpoint. */
  deposit(
    accountId: string,
    asset: string,
    amount: bigint,
    counterparty?: string,
  ): Promise<{ returned: boolean }>;
  dispose(): Promise<void>;
}

/**
 * offboard in this process on a fresh database of `dialect`, at the test's clock, driving
 * the builtin ledger in the same database or a sandbox server over a database of its own.
 * The ledger holds its reference data (assets, the platform's accounts) either way.
 */
export async function openPlatformWorld(
  dialect: Dialect,
  kind: PlatformKind,
  clock: Clock,
): Promise<PlatformWorld> {
  const db = await createTestDatabase(dialect);
  if (kind === 'builtin') {
    const ctx = await openContext({ db: db.url, clock, env: {} });
    await seedReferenceData(ctx.database, clock);
    return {
      kind,
      ctx,
      offboardUrl: db.url,
      ledger: ctx.ledger,
      ledgerDatabase: ctx.database,
      ledgerUrl: db.url,
      sandbox: null,
      cliArgs: [],
      cliEnv: {},
      deposit: (accountId, asset, amount, counterparty) =>
        ctx.ledger.deposit(accountId, asset, amount, counterparty ? { counterparty } : {}),
      dispose: async () => {
        await ctx.close();
        await db.dispose();
      },
    };
  }
  const sandbox = await startSandbox(dialect, clock);
  const ctx = await openContext({ db: db.url, clock, env: {}, platform: sandbox.client() });
  return {
    kind,
    ctx,
    offboardUrl: db.url,
    ledger: sandbox.ledger,
    ledgerDatabase: sandbox.database,
    ledgerUrl: sandbox.databaseUrl,
    sandbox,
    cliArgs: ['--platform', sandbox.url],
    cliEnv: { OFFBOARD_PLATFORM_SECRET: sandbox.secret },
    deposit: (accountId, asset, amount, counterparty) =>
      sandbox.deposit(accountId, asset, amount, counterparty),
    dispose: async () => {
      await ctx.close();
      await sandbox.close();
      await db.dispose();
    },
  };
}

/** A platform of the matrix without offboard's composition root: the port and the ledger behind it. */
export interface PlatformLedger {
  readonly ledger: BuiltinLedger;
  readonly ledgerDatabase: Database;
  readonly ledgerUrl: string;
  /** The port offboard uses: the ledger's own, or the HTTP client to the sandbox. */
  readonly platform: PlatformPort;
  /** offboard's database, for commands such as `export --db` (the ledger's on builtin). */
  readonly offboardUrl: string;
  readonly cliArgs: readonly string[];
  readonly cliEnv: Readonly<Record<string, string>>;
  dispose(): Promise<void>;
}

/**
 * A migrated database of `dialect` with the ledger's reference data, and the port to it:
 * on builtin offboard's own; on http the sandbox server's, with a second, empty database
 * for offboard.
 */
export async function openPlatformLedger(
  dialect: Dialect,
  kind: PlatformKind,
  clock: Clock,
): Promise<PlatformLedger> {
  const offboard = await openTestDatabase(dialect);
  if (kind === 'builtin') {
    const ledger = await seedReferenceData(offboard.database, clock);
    return {
      ledger,
      ledgerDatabase: offboard.database,
      ledgerUrl: offboard.url,
      platform: new LedgerPlatform(offboard.database, ledger),
      offboardUrl: offboard.url,
      cliArgs: [],
      cliEnv: {},
      dispose: offboard.dispose,
    };
  }
  const sandbox = await startSandbox(dialect, clock);
  return {
    ledger: sandbox.ledger,
    ledgerDatabase: sandbox.database,
    ledgerUrl: sandbox.databaseUrl,
    platform: sandbox.client(),
    offboardUrl: offboard.url,
    cliArgs: ['--platform', sandbox.url],
    cliEnv: { OFFBOARD_PLATFORM_SECRET: sandbox.secret },
    dispose: async () => {
      await sandbox.close();
      await offboard.dispose();
    },
  };
}
