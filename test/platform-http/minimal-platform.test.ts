import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerPlatform } from '../../src/adapters/ledger/ledger-platform.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { seedScenarios } from '../../src/adapters/ledger/scenarios.js';
import { HttpPlatform } from '../../src/adapters/platform-http/client.js';
import { CHECKS } from '../../src/adapters/platform-http/conformance/runner.js';
import type { ConformanceReport } from '../../src/adapters/platform-http/conformance/runner.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import { evaluateFacts } from '../../src/app/check-eligibility.js';
import type { AccountFacts } from '../../src/domain/facts.js';
import { openContext } from '../../src/main/context.js';
import type { Context } from '../../src/main/context.js';
import { FixedClock } from '../../src/ports/clock.js';
import { createTestDatabase, DIALECTS, openTestDatabase } from '../support/databases.js';
import { HANG_MS } from '../support/wait.js';
import { runOffboard, waitForLine } from '../support/workflow-processes.js';
import type { Exited, Running } from '../support/workflow-processes.js';

// examples/minimal-platform, the contract implemented from scratch, run as its own process
// (tsx, a temporary SQLite file) and driven over real HTTP on loopback: by raw signed
// requests, by offboard's HTTP platform client, and by the built `offboard` binary with
// `--platform URL` (offboard's own database on each dialect). Nothing is mocked.

const SECRET = 'minimal-platform-test-secret';
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const SERVER = fileURLToPath(new URL('../../examples/minimal-platform/server.ts', import.meta.url));

/** The example's server as a child process, shaped for the workflow helpers' waitForLine. */
function startExample(args: string[]): Running {
  const started = performance.now();
  const child = spawn(process.execPath, [TSX, SERVER, ...args], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exited = new Promise<Exited>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started }),
    );
  });
  return {
    child,
    pid: child.pid!,
    leaseOwner: `${hostname()}:${child.pid}`,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}
type Facts = {
  status: string;
  balances: { asset: string; available: string; locked: string; decimals: number }[];
};

let keys = 0;
interface CallOptions {
  key?: string | null;
  signedAt?: Date;
  secret?: string;
  unsigned?: boolean;
}

/** A signed request (unless told otherwise), a fresh Idempotency-Key on every POST. */
async function send(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<Answer> {
  const url = new URL(`${base}${path}`);
  const payload = body === undefined ? '' : JSON.stringify(body);
  const key = options.key !== undefined ? options.key : method === 'POST' ? `t-${++keys}` : null;
  const headers: Record<string, string> = {};
  if (key !== null) headers['idempotency-key'] = key;
  if (payload !== '') headers['content-type'] = 'application/json';
  if (!options.unsigned)
    Object.assign(
      headers,
      signatureHeaders(
        options.secret ?? SECRET,
        { method, path: url.pathname + url.search, idempotencyKey: key, body: payload },
        options.signedAt ?? new Date(),
      ),
    );
  const response = await fetch(url, { method, headers, ...(payload ? { body: payload } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.each(DIALECTS)(
  'examples/minimal-platform driven by offboard [offboard on %s]',
  (dialect) => {
    const dir = mkdtempSync(join(tmpdir(), 'offboard-minimal-'));
    let running: Running;
    let base: string; // http://127.0.0.1:PORT/offboard-platform/v1
    let root: string; // http://127.0.0.1:PORT, what --platform takes
    let offboardDb: { url: string; dispose(): Promise<void> };
    let ctx: Context;
    const env = { OFFBOARD_PLATFORM_SECRET: SECRET };

    const call = (method: 'GET' | 'POST', path: string, body?: unknown, options?: CallOptions) =>
      send(base, method, path, body, options);
    const facts = async (id: string) => {
      const answer = await call('GET', `/accounts/${id}/facts`);
      expect(answer.status).toBe(200);
      return answer.body as Facts;
    };
    const available = async (id: string, asset: string) =>
      (await facts(id)).balances.find((b) => b.asset === asset)?.available;
    const transactions = async (id: string) => {
      const answer = await call('GET', `/accounts/${id}/transactions?limit=1000`);
      expect(answer.status).toBe(200);
      return answer.body['transactions'] as { id: string; type: string; amount: string }[];
    };
    // Asynchronous, so this process keeps serving its own sockets while the binary runs.
    const offboard = async (...args: string[]) => {
      const exited = await runOffboard(['--db', offboardDb.url, '--platform', root, ...args], env);
      return { ...exited, json: <T>() => JSON.parse(exited.stdout) as T };
    };

    beforeAll(async () => {
      running = startExample([
        '--port',
        '0',
        '--db',
        join(dir, 'platform.db'),
        '--secret',
        SECRET,
        '--test-mode',
      ]);
      const line = await waitForLine(running, /^minimal-platform: listening on /, HANG_MS);
      base = /listening on (http:\/\/\S+)/.exec(line)![1]!;
      root = new URL(base).origin;
      const seeded = await call('POST', '/test/fixtures', {});
      expect(seeded.status).toBe(200);
      offboardDb = await createTestDatabase(dialect);
      ctx = await openContext({
        db: offboardDb.url,
        env: { OFFBOARD_PLATFORM_URL: root, OFFBOARD_PLATFORM_SECRET: SECRET },
      });
    });
    afterAll(async () => {
      await ctx?.close();
      await offboardDb?.dispose();
      running?.child.kill('SIGTERM');
      const exited = await running?.exited;
      rmSync(dir, { recursive: true, force: true });
      expect(exited?.code, exited?.stderr).toBe(0);
    });

    it('serves the scenario accounts with the same facts and verdicts as offboard’s sandbox', async () => {
      // The builtin ledger seeded with the same scenarios: the reference the example matches.
      const reference = await openTestDatabase('sqlite');
      try {
        const clock = new FixedClock(new Date());
        const { accounts } = await seedScenarios(reference.database, clock, {
          whaleTransactions: 60,
        });
        const builtin = new LedgerPlatform(
          reference.database,
          new BuiltinLedger(reference.database, clock),
        );
        expect(ctx.app.platform).toBeInstanceOf(HttpPlatform);
        const mine = await ctx.app.platform.factsBatch([...accounts, 'nobody']);
        expect([...mine.keys()].sort()).toEqual([...accounts].sort());
        for (const id of accounts) {
          const expected = (await builtin.facts(id))!;
          const got = mine.get(id)!;
          // The whale's history is the example's own; its verdict must still agree.
          if (id !== 'demo-whale') expect(comparable(got), id).toEqual(comparable(expected));
          const codes = (f: AccountFacts) =>
            evaluateFacts(ctx.rules, f, clock.now())
              .blockers.map((b) => b.code)
              .sort();
          expect(codes(got), id).toEqual(codes(expected));
        }
      } finally {
        await reference.dispose();
      }
      // 0.0001 ETH at 18 decimals: exact on the wire and as a bigint in offboard.
      const eth = (await facts('demo-everything')).balances.find((b) => b.asset === 'ETH');
      expect(eth).toMatchObject({ available: '100000000000000', decimals: 18 });
      const parsed = (await ctx.app.platform.facts('demo-everything'))!.balances.find(
        (b) => b.asset === 'ETH',
      );
      expect(parsed?.available).toBe(100_000_000_000_000n);
      expect(await ctx.app.platform.contact('demo-dust')).toEqual({
        name: 'Dusty Miller',
        email: 'demo-dust@example.test',
        phone: '+49 30 0000000',
        jurisdiction: 'DE',
      });
      expect(await ctx.app.platform.countAccounts({ jurisdiction: 'GB' })).toBe(2);
    });

    it('answers `offboard check` and `offboard scan` with --platform', async () => {
      const dust = await offboard('check', 'demo-dust', '--json');
      expect(dust.code, dust.stderr).toBe(1);
      expect(dust.json<{ blockers: { code: string }[] }>().blockers.map((b) => b.code)).toEqual([
        'dust_remaining',
      ]);
      const clean = await offboard('check', 'demo-whale', '--json');
      expect(clean.code, clean.stdout + clean.stderr).toBe(0);
      const scan = await offboard('scan', '--json');
      expect(scan.code, scan.stderr).toBe(0);
      // One batch of facts for all 14 accounts; demo-clean and demo-whale are eligible.
      expect(scan.json()).toMatchObject({
        accounts: 14,
        eligible: 2,
        blockers: { dust_remaining: 2, account_hold: 3, balance_remaining: 2, cooling_off: 2 },
      });
    });

    it('closes an account end to end: 18-decimal dust swept exactly, later money returned', async () => {
      const arrived = await call('POST', '/test/accounts/demo-clean/deposits', {
        asset: 'ETH',
        amount: '100000000000000',
        counterparty: 'external-wallet',
      });
      expect(arrived.body).toMatchObject({ returned: false });
      const requested = await offboard(
        'close',
        'demo-clean',
        '--confirmed',
        '--consent',
        'sweep-dust',
        '--grace',
        '0',
      );
      expect(requested.code, requested.stdout + requested.stderr).toBe(0);
      const worked = await offboard('work', '--once');
      expect(worked.code, worked.stdout + worked.stderr).toBe(0);
      const status = await offboard('status', 'demo-clean', '--json');
      expect(status.json(), status.stdout).toMatchObject({ closure: { state: 'closed' } });

      const after = await facts('demo-clean');
      expect(after.status).toBe('closed');
      expect(after.balances.find((b) => b.asset === 'ETH')?.available).toBe('0');
      const sweeps = (await transactions('demo-clean')).filter((t) => t.type === 'dust_sweep');
      expect(sweeps.map((t) => t.amount)).toEqual(['-100000000000000']);

      // A closed account takes no money: it is returned, recorded, and nothing reopens it.
      const late = await call('POST', '/test/accounts/demo-clean/deposits', {
        asset: 'USD',
        amount: '500',
      });
      expect(late.body).toMatchObject({ returned: true });
      expect(await available('demo-clean', 'USD')).toBe('0');
      expect((await transactions('demo-clean')).slice(-2).map((t) => [t.type, t.amount])).toEqual([
        ['deposit', '500'],
        ['return', '-500'],
      ]);
      for (const [path, body] of [
        ['unfreeze', {}],
        ['disabled', { disabled: false }],
      ] as const) {
        const refused = await call('POST', `/accounts/demo-clean/${path}`, body);
        expect(refused.status, path).toBe(409);
        expect(refused.body).toMatchObject({ error: { code: 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE' } });
      }
    });

    it('returns a deposit to a frozen account, and an unfreeze restores what the freeze covered', async () => {
      await call('POST', '/accounts/demo-balance/disabled', { disabled: true });
      expect((await call('POST', '/accounts/demo-balance/freeze')).body).toEqual({
        accountId: 'demo-balance',
        status: 'frozen',
      });
      const bounced = await call('POST', '/test/accounts/demo-balance/deposits', {
        asset: 'EUR',
        amount: '500',
      });
      expect(bounced.body).toMatchObject({ returned: true });
      expect(await available('demo-balance', 'EUR')).toBe('25000');
      expect((await transactions('demo-balance')).slice(-2).map((t) => [t.type, t.amount])).toEqual(
        [
          ['deposit', '500'],
          ['return', '-500'],
        ],
      );
      expect((await call('POST', '/accounts/demo-balance/unfreeze')).body).toMatchObject({
        status: 'disabled',
      });
      const credited = await call('POST', '/test/accounts/demo-balance/deposits', {
        asset: 'EUR',
        amount: '500',
      });
      expect(credited.body).toMatchObject({ returned: false });
      expect(await available('demo-balance', 'EUR')).toBe('25500');
    });

    it('acts once per Idempotency-Key, answers repeats with the first answer, and refuses reuse with 409', async () => {
      const sweep = () =>
        call('POST', '/accounts/demo-dust/sweep-dust', { asset: 'USD' }, { key: 'sweep-dust-usd' });
      const first = await sweep();
      expect(first).toEqual({
        status: 200,
        body: { accountId: 'demo-dust', asset: 'USD', amount: '37' },
      });
      await call('POST', '/test/accounts/demo-dust/deposits', { asset: 'USD', amount: '250' });
      // The repeat, after more money arrived: the first answer, and nothing moves.
      expect(await sweep()).toEqual(first);
      expect(await available('demo-dust', 'USD')).toBe('250');
      expect((await transactions('demo-dust')).filter((t) => t.type === 'dust_sweep')).toHaveLength(
        1,
      );
      const reused = await call(
        'POST',
        '/accounts/demo-dust/sweep-dust',
        { asset: 'EUR' },
        { key: 'sweep-dust-usd' },
      );
      expect(reused).toEqual({
        status: 409,
        body: { error: { code: 'OFFBOARD_ERR_PLATFORM_KEY_REUSED', message: expect.any(String) } },
      });
      // Identical requests racing each other: one deposit, one answer for all of them.
      const racing = await Promise.all(
        Array.from({ length: 4 }, () =>
          call(
            'POST',
            '/test/accounts/demo-dust/deposits',
            { asset: 'USD', amount: '5' },
            { key: 'racing-deposit' },
          ),
        ),
      );
      expect(new Set(racing.map((r) => JSON.stringify(r))).size).toBe(1);
      expect(await available('demo-dust', 'USD')).toBe('255');
      const keyless = await call('POST', '/accounts/demo-dust/freeze', {}, { key: null });
      expect(keyless.status).toBe(400);
      expect(keyless.body).toMatchObject({ error: { code: 'OFFBOARD_ERR_PLATFORM_KEY_MISSING' } });
      // A refusal is not remembered: the same key asks again once its cause is gone.
      const unknown = await call(
        'POST',
        '/accounts/demo-dust/sweep-dust',
        { asset: 'XYZ' },
        { key: 'k-x' },
      );
      expect(unknown.body).toMatchObject({ error: { code: 'OFFBOARD_ERR_UNKNOWN_ASSET' } });
      const cancelled = await call(
        'POST',
        '/accounts/demo-open-order/orders/demo-open-order-1/cancel',
        {},
        { key: 'k-o' },
      );
      expect(cancelled.body).toEqual({ accountId: 'demo-open-order', id: 'demo-open-order-1' });
      expect(await available('demo-open-order', 'USD')).toBe('10000');
    });

    it('takes offboard’s client’s actions: revoke, cancel a withdrawal, place and lift a hold', async () => {
      const platform = ctx.app.platform;
      const live = async (id: string) => (await platform.facts(id))!;
      await platform.revokeAuthorization('demo-linked-app', 'demo-linked-app-1', 'k-auth');
      await platform.revokeAuthorization('demo-linked-app', 'demo-linked-app-1', 'k-auth-again');
      expect((await live('demo-linked-app')).authorizations).toEqual([]);
      await platform.revokeCredential('demo-linked-app', 'demo-linked-app-totp', 'k-cred');
      const revoked = await live('demo-linked-app');
      expect(revoked.credentials.map((c) => c.id)).toEqual(['demo-linked-app-session']);
      // Losing a second factor is a security change: a cooling-off starts now.
      expect(revoked.lastActivity.securityChange!.getTime()).toBeGreaterThan(Date.now() - 600_000);

      const [withdrawal] = (await live('demo-pending-withdrawal')).pendingTransfers;
      await platform.cancelWithdrawal('demo-pending-withdrawal', withdrawal!.id, 'k-wd');
      const stopped = await live('demo-pending-withdrawal');
      expect(stopped.pendingTransfers).toEqual([]);
      expect(stopped.balances.find((b) => b.asset === 'BTC')).toMatchObject({
        available: 5_000_000n,
        locked: 0n,
      });
      // Settled already: 200, and nothing changes.
      await platform.cancelWithdrawal('demo-pending-withdrawal', withdrawal!.id, 'k-wd-2');

      const hold = { id: 'fraud-1', kind: 'fraud' as const, reason: 'card testing (synthetic)' };
      await platform.placeHold('demo-whale', hold);
      expect((await live('demo-whale')).holds).toEqual([
        expect.objectContaining({ id: 'fraud-1', kind: 'fraud' }),
      ]);
      const held = await offboard('check', 'demo-whale', '--json');
      expect(held.code).toBe(1);
      // The holder is never told what kind of hold it is, nor why.
      expect(held.stdout).not.toMatch(/fraud|card testing/);
      await platform.liftHold('demo-whale', 'fraud-1');
      expect((await live('demo-whale')).holds).toEqual([]);
      const missing = await platform
        .liftHold('demo-whale', 'no-such-hold')
        .catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'OFFBOARD_ERR_NOT_FOUND' });
    });

    it('refuses unsigned, stale and wrongly signed requests with 401, before reading the body', async () => {
      const expectRefused = (answer: Answer, code: string) =>
        expect(answer).toEqual({
          status: 401,
          body: { error: { code, message: expect.any(String) } },
        });
      expectRefused(
        await call('GET', '/accounts/demo-dust/facts', undefined, { unsigned: true }),
        'OFFBOARD_ERR_PLATFORM_UNSIGNED',
      );
      expectRefused(
        await call('POST', '/accounts/demo-dust/sweep-dust', { nonsense: 1 }, { unsigned: true }),
        'OFFBOARD_ERR_PLATFORM_UNSIGNED',
      );
      const stale = new Date(Date.now() - 301_000);
      expectRefused(
        await call('POST', '/accounts/demo-dust/freeze', {}, { signedAt: stale }),
        'OFFBOARD_ERR_PLATFORM_STALE_REQUEST',
      );
      expectRefused(
        await call('GET', '/accounts/demo-dust/facts', undefined, {
          secret: 'not-the-secret-at-all',
        }),
        'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
      );
      // None of them acted.
      expect((await facts('demo-dust')).status).toBe('active');
    });

    it('answers every refusal in the contract’s one error shape with its stable code', async () => {
      const cases: [Answer, number, string][] = [
        [await call('GET', '/accounts/nobody/facts'), 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT'],
        [await call('GET', '/nowhere'), 404, 'OFFBOARD_ERR_UNKNOWN_ROUTE'],
        [
          await call('POST', '/accounts/demo-dust/sweep-dust', { asset: 'USD', extra: true }),
          400,
          'OFFBOARD_ERR_INVALID_REQUEST',
        ],
        [
          await call('GET', '/accounts/demo-whale/transactions?after=oops'),
          400,
          'OFFBOARD_ERR_INVALID_ARGUMENT',
        ],
        [
          await call('POST', '/accounts/demo-dust/orders/demo-open-order-1/cancel', {}),
          404,
          'OFFBOARD_ERR_NOT_FOUND',
        ],
        [
          await call('POST', '/test/accounts/demo-dust/deposits', { asset: 'USD', amount: '0' }),
          400,
          'OFFBOARD_ERR_INVALID_AMOUNT',
        ],
        // A fresh copy names both its scenario and its new id, and only a known scenario.
        [
          await call('POST', '/test/fixtures', { scenario: 'dust' }),
          400,
          'OFFBOARD_ERR_INVALID_REQUEST',
        ],
        [
          await call('POST', '/test/fixtures', { accountId: 'copy-1' }),
          400,
          'OFFBOARD_ERR_INVALID_REQUEST',
        ],
        [
          await call('POST', '/test/fixtures', { scenario: 'demo-dust', accountId: 'copy-1' }),
          400,
          'OFFBOARD_ERR_INVALID_REQUEST',
        ],
      ];
      for (const [answer, status, code] of cases) {
        expect(answer.status, code).toBe(status);
        expect(answer.body).toEqual({ error: { code, message: expect.any(String) } });
      }
    });

    it('lists account ids in id order, in pages, a full last page followed by an empty one', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Answer = await call(
          'GET',
          `/accounts?limit=7${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...(page.body['accountIds'] as string[]));
        after = page.body['next'] as string | null;
        pages += 1;
      } while (after !== null);
      expect(pages).toBe(3); // 7 + 7 + an empty page
      expect(seen).toEqual([...seen].sort());
      expect(seen).toHaveLength(14);
      expect(
        (await call('GET', '/accounts?limit=3&after=demo-balance&jurisdiction=DE')).body,
      ).toEqual({
        accountIds: ['demo-clean', 'demo-cooling-off', 'demo-dust'], // demo-dispute is FR
        next: 'demo-dust',
      });
    });

    it('pages transactions by a cursor that only grows: one recorded meanwhile comes last, once', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Answer = await call(
          'GET',
          `/accounts/demo-whale/transactions?limit=7${after ? `&after=${after}` : ''}`,
        );
        expect(page.status).toBe(200);
        seen.push(...(page.body['transactions'] as { id: string }[]).map((t) => t.id));
        after = page.body['next'] as string | null;
        if (++pages === 2)
          await call('POST', '/test/accounts/demo-whale/deposits', { asset: 'USD', amount: '1' });
      } while (after !== null);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => a - b));
      const all = await transactions('demo-whale');
      expect(seen).toEqual(all.map((t) => t.id));
      expect(all.at(-1)).toMatchObject({ type: 'deposit', amount: '1' });
    });
  },
);

describe('examples/minimal-platform on its own', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-minimal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('imports nothing from offboard: node:*, better-sqlite3 and its own files only', () => {
    const folder = fileURLToPath(new URL('../../examples/minimal-platform/', import.meta.url));
    const files = readdirSync(folder).filter((f) => f.endsWith('.ts'));
    expect(files).toContain('server.ts');
    for (const file of files) {
      const source = readFileSync(join(folder, file), 'utf8');
      const specifiers = [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map(
        (m) => m[1]!,
      );
      expect(specifiers.length, file).toBeGreaterThan(0);
      for (const specifier of specifiers)
        expect(specifier, file).toMatch(/^(node:[a-z_/]+|better-sqlite3|\.\/[a-z-]+\.js)$/);
    }
  });

  it('does not start without a shared secret', async () => {
    const exited = await startExample(['--port', '0', '--db', join(dir, 'none.db')]).exited;
    expect(exited.code).toBe(2);
    expect(exited.stderr).toContain('OFFBOARD_PLATFORM_SECRET');
  });

  it('passes every conformance check, MUST and SHOULD, and again on a second run', async () => {
    // Its own platform database, so the kit's fresh accounts touch no other test's counts.
    const running = startExample([
      '--port',
      '0',
      '--db',
      join(dir, 'conformance.db'),
      '--secret',
      SECRET,
      '--test-mode',
    ]);
    try {
      const line = await waitForLine(running, /^minimal-platform: listening on /, HANG_MS);
      const root = new URL(/listening on (http:\/\/\S+)/.exec(line)![1]!).origin;
      const runIds: string[] = [];
      // The second run meets the first run's accounts: the kit must still pass.
      for (let run = 0; run < 2; run++) {
        const out = await runOffboard(['conformance', '--platform', root, '--json'], {
          OFFBOARD_PLATFORM_SECRET: SECRET,
        });
        expect(out.stdout, out.stderr).toMatch(/^\{/);
        const report = JSON.parse(out.stdout) as ConformanceReport;
        // The failed checks, what each expected and got: the first thing to read if it breaks.
        const failed = report.checks
          .filter((c) => !c.passed)
          .map(({ id, expected, got }) => ({ id, expected, got }));
        expect(failed).toEqual([]);
        expect(out.code, out.stderr).toBe(0);
        expect(report.checks.map((c) => [c.id, c.passed])).toEqual(CHECKS.map((c) => [c.id, true]));
        expect(report.summary).toEqual({
          total: CHECKS.length,
          passed: CHECKS.length,
          failed: 0,
          mustFailed: 0,
          shouldFailed: 0,
        });
        expect(report.ok).toBe(true);
        runIds.push(report.runId);
      }
      expect(new Set(runIds).size).toBe(2);
    } finally {
      running.child.kill('SIGTERM');
    }
    expect((await running.exited).code).toBe(0);
  });

  it('serves no test endpoints outside test mode', async () => {
    const running = startExample(['--port', '0', '--db', join(dir, 'live.db'), '--secret', SECRET]);
    try {
      const line = await waitForLine(running, /^minimal-platform: listening on /, HANG_MS);
      expect(line).not.toContain('test mode');
      const base = /listening on (http:\/\/\S+)/.exec(line)![1]!;
      const fixtures = await send(base, 'POST', '/test/fixtures', {});
      expect(fixtures).toEqual({
        status: 404,
        body: { error: { code: 'OFFBOARD_ERR_UNKNOWN_ROUTE', message: expect.any(String) } },
      });
      expect((await send(base, 'GET', '/accounts/count')).body).toEqual({ count: 0 });
    } finally {
      running.child.kill('SIGTERM');
    }
    expect((await running.exited).code).toBe(0);
  });
});

/** Facts as both implementations must agree on them: ids and instants are their own. */
function comparable(f: AccountFacts) {
  const sorted = <T>(list: T[]) => list.sort((a, b) => (text(a) < text(b) ? -1 : 1));
  const text = (v: unknown) =>
    JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}` : x));
  return {
    status: f.status,
    jurisdiction: f.jurisdiction,
    balances: f.balances,
    openOrders: sorted(f.openOrders.map(({ createdAt: _, ...o }) => o)),
    pendingTransfers: sorted(f.pendingTransfers.map(({ id: _, createdAt: __, ...t }) => t)),
    disputes: sorted(f.disputes.map(({ openedAt: _, ...d }) => d)),
    authorizations: sorted(f.authorizations.map(({ grantedAt: _, ...a }) => a)),
    credentials: sorted(f.credentials.map(({ createdAt: _, ...c }) => c)),
    holds: sorted(f.holds.map(({ placedAt: _, ...h }) => h)),
    activity: Object.entries(f.lastActivity).map(([k, v]) => [k, v === null]),
  };
}
