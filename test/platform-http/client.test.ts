import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { HttpPlatform, PREFIX as CLIENT_PREFIX } from '../../src/adapters/platform-http/client.js';
import { PREFIX } from '../../src/adapters/platform-http/contract.js';
import { buildSandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import type { Database } from '../../src/adapters/store/database.js';
import { evaluateFacts } from '../../src/app/check-eligibility.js';
import { closureStatus, requestClosure } from '../../src/app/closures.js';
import { workOnce } from '../../src/app/worker.js';
import { OffboardError } from '../../src/domain/errors.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock, systemClock } from '../../src/ports/clock.js';
import { openHarness } from '../http/harness.js';
import { cli } from '../support/cli.js';
import { waitFor } from '../support/wait.js';
import { createTestDatabase, DIALECTS, openTestDatabase } from '../support/databases.js';

// offboard's HTTP platform client against a real sandbox platform server listening on
// 127.0.0.1 (its own database), through a loopback proxy the test steers: pass, lose the
// first write's answer, or be down. Both sides are real; nothing is mocked.

const SECRET = 'client-test-platform-secret';
const CONSENT = { sweepDust: true, cancelOrders: true, revokeApps: true };

type Mode = 'pass' | 'lose-first-write' | 'down';
interface Seen {
  method: string;
  url: string;
  key: string | undefined;
}

/** A loopback proxy to `target` that records each request and fails them as told. */
async function startProxy(target: string) {
  const seen: Seen[] = [];
  const state = { mode: 'pass' as Mode, lost: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = req.headers['idempotency-key'];
    seen.push({
      method: req.method!,
      url: req.url!,
      key: typeof key === 'string' ? key : undefined,
    });
    if (state.mode === 'down') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"UNAVAILABLE","message":"down"}}');
      return;
    }
    const upstream = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        // The platform acted; its answer is lost on the way back.
        if (state.mode === 'lose-first-write' && req.method === 'POST' && state.lost === 0) {
          state.lost += 1;
          answer.resume();
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"error":{"code":"BAD_GATEWAY","message":"lost"}}');
          return;
        }
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(DIALECTS)('the HTTP platform client against the sandbox server [%s]', (dialect) => {
  let sandboxDb: { database: Database; dispose(): Promise<void> };
  let sandbox: SandboxApp;
  let sandboxUrl: string;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let builtin: LedgerPlatform;
  let scenarios: string[];
  let offboardDb: { url: string; dispose(): Promise<void> };
  let ctx: Context;
  const clock = new FixedClock(new Date());
  const client = (options: { url?: string; maxAttempts?: number } = {}) =>
    new HttpPlatform({
      url: options.url ?? proxy.url,
      secret: SECRET,
      backoffMs: 1,
      maxBackoffMs: 5,
      timeoutMs: 5_000,
      maxAttempts: options.maxAttempts ?? 3,
    });

  beforeAll(async () => {
    sandboxDb = await openTestDatabase(dialect);
    sandbox = await buildSandboxApp({
      database: sandboxDb.database,
      clock: systemClock,
      secret: SECRET,
      testMode: true,
    });
    sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' });
    proxy = await startProxy(sandboxUrl);
    const path = `${PREFIX}/test/fixtures`;
    const seeded = await fetch(`${sandboxUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': 'fixtures-1',
        ...signatureHeaders(
          SECRET,
          { method: 'POST', path, idempotencyKey: 'fixtures-1', body: '{}' },
          new Date(),
        ),
      },
      body: '{}',
    });
    expect(seeded.status).toBe(200);
    scenarios = ((await seeded.json()) as { accountIds: string[] }).accountIds;
    builtin = new LedgerPlatform(sandboxDb.database, new BuiltinLedger(sandboxDb.database, clock));
    offboardDb = await createTestDatabase(dialect);
    // Wired as `offboard work` is: the composition root reads the platform from the environment.
    ctx = await openContext({
      db: offboardDb.url,
      clock,
      env: { OFFBOARD_PLATFORM_URL: proxy.url, OFFBOARD_PLATFORM_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await offboardDb?.dispose();
    await proxy?.close();
    await sandbox?.close();
    await sandboxDb?.dispose();
  });

  it('reads the same facts, to the last minor unit, and the same verdicts as the builtin', async () => {
    expect(ctx.app.platform).toBeInstanceOf(HttpPlatform);
    expect(CLIENT_PREFIX).toBe(PREFIX);
    expect(scenarios).toContain('demo-everything');
    const now = clock.now();
    proxy.seen.length = 0;
    const batch = await ctx.app.platform.factsBatch([...scenarios, 'nobody']);
    // One request for every account: scan never reads facts one account at a time.
    expect(proxy.seen).toHaveLength(1);
    expect(batch.has('nobody')).toBe(false);
    for (const id of scenarios) {
      const expected = await builtin.facts(id);
      expect(batch.get(id), id).toEqual(expected);
      expect(await ctx.app.platform.facts(id), id).toEqual(expected);
      const codes = (facts: NonNullable<typeof expected>) =>
        evaluateFacts(ctx.rules, facts, now)
          .blockers.map((b) => `${b.code}:${JSON.stringify(b.subject)}`)
          .sort();
      expect(codes(batch.get(id)!), id).toEqual(codes(expected!));
    }
    const ethDust = batch.get('demo-everything')!.balances.find((b) => b.decimals === 18);
    expect(typeof ethDust?.available).toBe('bigint');
    expect(await ctx.app.platform.facts('nobody')).toBeNull();
    expect(await ctx.app.platform.contact('demo-clean')).toMatchObject({ name: 'Clara Clean' });
    expect(await ctx.app.platform.countAccounts({})).toBe(await builtin.countAccounts({}));
  });

  it('reads the same transactions as the builtin, page by page, oldest first', async () => {
    const readAll = async (platform: typeof builtin | HttpPlatform, id: string) => {
      const rows: unknown[] = [];
      let cursor = await platform.openTransactions(id);
      while (cursor !== null) {
        const page = await platform.transactionPage(id, { cursor, from: null, to: null, limit: 2 });
        rows.push(...page.transactions);
        cursor = page.next;
      }
      return rows;
    };
    const http = client();
    for (const id of ['demo-everything', 'demo-negative']) {
      const expected = await readAll(builtin, id);
      expect(expected.length).toBeGreaterThan(0);
      expect(await readAll(http, id), id).toEqual(expected);
    }
    const decimals = await http.assetDecimals();
    for (const [asset, d] of decimals) expect((await builtin.assetDecimals()).get(asset)).toBe(d);
    expect(await http.openTransactions('nobody')).toBeNull();
  });

  it('closes an account from request to closed with the worker, through the client', async () => {
    await requestClosure(ctx.app, ctx.rules, {
      accountId: 'demo-clean',
      consent: CONSENT,
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: 'demo-clean' },
    });
    for (let pass = 0; pass < 3; pass++)
      await workOnce(ctx.app, ctx.rules, { owner: 'test', leaseMs: 60_000, concurrency: 4 });
    expect((await closureStatus(ctx.app, 'demo-clean')).closure?.state).toBe('closed');
    expect((await builtin.facts('demo-clean'))?.status).toBe('closed');
  });

  it('retries a write whose answer was lost with the same key, and it acts once', async () => {
    const before = (await builtin.facts('demo-dust'))!.balances.find((b) => b.asset === 'USD')!;
    proxy.seen.length = 0;
    proxy.state.mode = 'lose-first-write';
    try {
      const swept = await client().sweepDust('demo-dust', 'USD', 'closure-x:sweep:USD');
      expect(swept).toBe(before.available);
    } finally {
      proxy.state.mode = 'pass';
    }
    expect(proxy.state.lost).toBe(1);
    expect(proxy.seen.map((s) => s.key)).toEqual(['closure-x:sweep:USD', 'closure-x:sweep:USD']);
    const sweeps = (
      await new BuiltinLedger(sandboxDb.database, clock).transactions('demo-dust')
    ).filter((t) => t.type === 'dust_sweep');
    expect(sweeps).toHaveLength(1);
  });

  it('does not retry a 4xx, and names the call the platform refused', async () => {
    proxy.seen.length = 0;
    const refused = await client()
      .cancelOrder('demo-balance', 'no-such-order', 'k-4xx')
      .catch((e: unknown) => e);
    expect(proxy.seen).toHaveLength(1);
    expect(refused).toBeInstanceOf(OffboardError);
    expect((refused as OffboardError).code).toBe('OFFBOARD_ERR_NOT_FOUND');
    expect((refused as OffboardError).message).toContain('cancelOrder(demo-balance)');
  });

  it('fails with OFFBOARD_ERR_PLATFORM_UNAVAILABLE naming the call when nothing listens', async () => {
    const gone = await startProxy(sandboxUrl);
    await gone.close();
    const failed = await client({ url: gone.url, maxAttempts: 2 })
      .facts('demo-clean')
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(OffboardError);
    expect((failed as OffboardError).code).toBe('OFFBOARD_ERR_PLATFORM_UNAVAILABLE');
    expect((failed as OffboardError).message).toContain('facts(demo-clean)');
    expect((failed as OffboardError).message).toContain('2 attempts');
  });

  it('leaves a closure to be retried, not failed, while the platform is down', async () => {
    const app = { ...ctx.app, platform: client() };
    await requestClosure(app, ctx.rules, {
      accountId: 'demo-dust',
      consent: CONSENT,
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: 'demo-dust' },
    });
    proxy.state.mode = 'down';
    try {
      const outcomes = await workOnce(app, ctx.rules, {
        owner: 'w1',
        leaseMs: 60_000,
        concurrency: 4,
      });
      expect(outcomes).toEqual([expect.objectContaining({ to: null })]);
    } finally {
      proxy.state.mode = 'pass';
    }
    const waiting = (await closureStatus(app, 'demo-dust')).closure?.state;
    expect(['grace', 'finalizing']).toContain(waiting);
    clock.advance(61_000); // the lease of the worker that met the outage expires
    for (let pass = 0; pass < 3; pass++)
      await workOnce(app, ctx.rules, { owner: 'w2', leaseMs: 60_000, concurrency: 4 });
    expect((await closureStatus(app, 'demo-dust')).closure?.state).toBe('closed');
    expect((await builtin.facts('demo-dust'))?.status).toBe('closed');
  });

  it('takes --platform on the command line, and a down platform is exit 3 naming the call', async () => {
    const env = { OFFBOARD_PLATFORM_SECRET: SECRET };
    const checked = await cli(
      ['--db', offboardDb.url, '--platform', proxy.url, 'check', 'demo-balance', '--json'],
      env,
    );
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain('balance_remaining');

    const gone = await startProxy(sandboxUrl);
    await gone.close();
    const down = await cli(
      ['--db', offboardDb.url, '--platform', gone.url, 'check', 'demo-clean'],
      env,
    );
    expect(down.code).toBe(3);
    expect(down.stderr).toContain('OFFBOARD_ERR_PLATFORM_UNAVAILABLE');
    expect(down.stderr).toContain('facts(demo-clean)');
    expect(down.stderr).toContain('OFFBOARD_PLATFORM_URL');
    expect(down.stderr).not.toMatch(/\n\s+at /);

    const badUrl = await cli(['--db', offboardDb.url, '--platform', 'ftp://x', 'check', 'a'], env);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
    const noSecret = await cli(['--db', offboardDb.url, '--platform', proxy.url, 'check', 'a']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('OFFBOARD_PLATFORM_SECRET');
  });
});

describe.each(DIALECTS)('the API over a platform that is down [%s]', (dialect) => {
  it('answers 503 OFFBOARD_ERR_PLATFORM_UNAVAILABLE, never a 500 or a stack', async () => {
    const gone = await startProxy('http://127.0.0.1:9');
    await gone.close();
    const h = await openHarness(dialect, {
      env: { OFFBOARD_PLATFORM_URL: gone.url, OFFBOARD_PLATFORM_SECRET: SECRET },
    });
    try {
      const answer = await h.call('GET', '/v1/accounts/demo-clean/eligibility', {
        token: h.keys.read,
      });
      expect(answer.status).toBe(503);
      expect(answer.json()).toMatchObject({
        error: { code: 'OFFBOARD_ERR_PLATFORM_UNAVAILABLE' },
      });
      expect(answer.body).toContain('the platform is unavailable');
      expect(answer.body).not.toContain('127.0.0.1');
    } finally {
      await h.dispose();
    }
  });
});

describe('the HTTP platform client on its own', () => {
  /** A loopback platform that answers `{"count":1}` to every request `answer` lets through. */
  async function startPlatform(answer: (n: number, res: ServerResponse) => boolean) {
    const seen: (string | undefined)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const server = createServer((req, res) => {
      const key = req.headers['idempotency-key'];
      seen.push(typeof key === 'string' ? key : undefined);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => (inFlight -= 1));
      req.resume();
      if (!answer(seen.length, res)) return; // held: never answered
      // Answer on the next turn, so requests that are let through overlap.
      setImmediate(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"count":1,"accountId":"a","status":"frozen"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen,
      maxInFlight: () => maxInFlight,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('retries a write that timed out with the same key', async () => {
    const platform = await startPlatform((n) => n > 1);
    try {
      const client = new HttpPlatform({
        url: platform.url,
        secret: SECRET,
        timeoutMs: 200,
        backoffMs: 1,
        maxAttempts: 3,
      });
      await client.freeze('a', 'closure-1:freeze');
      expect(platform.seen).toEqual(['closure-1:freeze', 'closure-1:freeze']);
    } finally {
      await platform.close();
    }
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    // A fetch that holds every request until the test lets it through. The client decides
    // what to send synchronously, so what is held right after the calls is all it sent.
    const held: (() => void)[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const holdingFetch: typeof fetch = () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<Response>((resolve) =>
        held.push(() => {
          inFlight -= 1;
          resolve(new Response('{"count":1}', { status: 200 }));
        }),
      );
    };
    const client = new HttpPlatform({
      url: 'http://127.0.0.1:9',
      secret: SECRET,
      concurrency: 2,
      fetch: holdingFetch,
    });
    const all = Promise.all(Array.from({ length: 8 }, () => client.countAccounts({})));
    let released = 0;
    while (released < 8) {
      expect(held.length).toBeLessThanOrEqual(2);
      await waitFor('the next request', () => held.length > 0);
      held.shift()!();
      released += 1;
    }
    expect(await all).toEqual(Array(8).fill(1));
    expect(maxInFlight).toBe(2);
  });

  it('refuses an amount that is not an exact decimal integer', async () => {
    const { parseAmount } = await import('../../src/adapters/platform-http/client.js');
    expect(parseAmount('-123456789012345678901234567890', 'x')).toBe(
      -123456789012345678901234567890n,
    );
    for (const bad of ['1.5', '1e3', '', '01', ' 1'])
      expect(() => parseAmount(bad, 'facts(a)'), bad).toThrow(/facts\(a\)/);
  });
});
