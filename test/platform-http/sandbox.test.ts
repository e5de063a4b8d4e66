import Schema from 'typebox/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { PREFIX } from '../../src/adapters/platform-http/contract.js';
import {
  buildSandboxApp,
  contractDocument,
} from '../../src/adapters/platform-http/sandbox-server.js';
import type { SandboxApp } from '../../src/adapters/platform-http/sandbox-server.js';
import { signatureHeaders } from '../../src/adapters/platform-http/signing.js';
import type { Database } from '../../src/adapters/store/database.js';
import { FixedClock } from '../../src/ports/clock.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';

// The sandbox platform server, through `inject`, on both databases: real ledger, real
// database, real signing. Every request here is signed unless a test says otherwise.

const SECRET = 'test-platform-secret';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe.each(DIALECTS)('the sandbox platform server on %s', (dialect) => {
  let database: Database;
  let dispose: () => Promise<void>;
  let app: SandboxApp;
  let ledger: BuiltinLedger;
  const clock = new FixedClock(new Date('2026-06-01T12:00:00Z'));
  let keyCounter = 0;
  const newKey = () => `key-${dialect}-${++keyCounter}`;

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: { key?: string; secret?: string; signedAt?: Date; unsigned?: boolean } = {},
  ): Promise<Answer> => {
    const url = `${PREFIX}${path}`;
    const payload = body === undefined ? '' : JSON.stringify(body);
    const key = method === 'POST' ? (options.key ?? newKey()) : null;
    const headers: Record<string, string> = {};
    if (payload !== '') headers['content-type'] = 'application/json';
    if (key) headers['idempotency-key'] = key;
    if (!options.unsigned)
      Object.assign(
        headers,
        signatureHeaders(
          options.secret ?? SECRET,
          { method, path: url, idempotencyKey: key, body: payload },
          options.signedAt ?? clock.now(),
        ),
      );
    const response = await app.inject({ method, url, headers, payload });
    return { status: response.statusCode, body: response.json() };
  };
  const facts = async (id: string) => {
    const answer = await call('GET', `/accounts/${id}/facts`);
    expect(answer.status).toBe(200);
    return answer.body as {
      status: string;
      balances: { asset: string; available: string; decimals: number }[];
      credentials: { id: string }[];
      authorizations: { id: string }[];
      holds: { id: string; kind: string }[];
      openOrders: { id: string }[];
      pendingTransfers: { id: string; direction: string }[];
    };
  };
  const balance = async (id: string, asset: string) =>
    (await facts(id)).balances.find((b) => b.asset === asset)?.available;

  beforeAll(async () => {
    const opened = await openTestDatabase(dialect);
    database = opened.database;
    dispose = opened.dispose;
    ledger = new BuiltinLedger(database, clock);
    app = await buildSandboxApp({ database, clock, secret: SECRET, testMode: true });
    const seeded = await call('POST', '/test/fixtures', {});
    expect(seeded.status).toBe(200);
    expect(seeded.body['accountIds']).toContain('demo-everything');
  });
  afterAll(async () => {
    await app.close();
    await dispose();
  });

  it('reads facts with exact amounts: 18-decimal ETH dust as a decimal string', async () => {
    const everything = await facts('demo-everything');
    const eth = everything.balances.find((b) => b.asset === 'ETH')!;
    expect(eth).toMatchObject({ available: '100000000000000', decimals: 18 });
    expect(everything.holds.map((h) => h.kind).sort()).toEqual(['compliance', 'legal']);
    expect(everything.openOrders.map((o) => o.id)).toEqual(['demo-everything-order-1']);
    const negative = await facts('demo-negative');
    expect(negative.balances.find((b) => b.asset === 'USD')?.available).toBe('-1250');
  });

  it('creates a fresh copy of a scenario under a new id, once; both fields or neither', async () => {
    const copy = await call('POST', '/test/fixtures', {
      scenario: 'open-order',
      accountId: 'copy-1',
    });
    expect(copy).toEqual({ status: 200, body: { accountIds: ['copy-1'] } });
    const copied = await facts('copy-1');
    expect([copied.status, copied.openOrders.map((o) => o.id)]).toEqual(['active', ['copy-1-1']]);
    expect(await balance('copy-1', 'USD')).toBe('0');
    // Asked again (another key), it leaves the account as it is.
    await call('POST', '/accounts/copy-1/orders/copy-1-1/cancel');
    expect(
      (await call('POST', '/test/fixtures', { scenario: 'open-order', accountId: 'copy-1' }))
        .status,
    ).toBe(200);
    expect((await facts('copy-1')).openOrders).toEqual([]);
    const half = await call('POST', '/test/fixtures', { scenario: 'dust' });
    expect([half.status, (half.body['error'] as { code: string }).code]).toEqual([
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    ]);
    const unknown = await call('POST', '/test/fixtures', { scenario: 'nope', accountId: 'copy-2' });
    expect(unknown.status).toBe(400);
  });

  it('reads facts in batches, naming the ids it does not know', async () => {
    const answer = await call('POST', '/facts/query', {
      accountIds: ['demo-dust', 'nobody', 'demo-clean'],
    });
    expect(answer.status).toBe(200);
    expect((answer.body['accounts'] as { accountId: string }[]).map((a) => a.accountId)).toEqual([
      'demo-dust',
      'demo-clean',
    ]);
    expect(answer.body['missing']).toEqual(['nobody']);
  });

  it('lists and counts accounts in pages, and reads contacts', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Answer = await call(
        'GET',
        `/accounts?limit=5${after ? `&after=${encodeURIComponent(after)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body['accountIds'] as string[]));
      after = page.body['next'] as string | null;
    } while (after);
    const count = await call('GET', '/accounts/count');
    expect(count.body['count']).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toContain('demo-whale');
    expect((await call('GET', '/accounts/count?jurisdiction=GB')).body['count']).toBe(2);
    const contact = await call('GET', '/accounts/demo-dust/contact');
    expect(contact.body).toEqual({
      name: 'Dusty Miller',
      email: 'demo-dust@example.test',
      phone: '+49 30 0000000',
      jurisdiction: 'DE',
    });
  });

  it('sweeps 18-decimal dust exactly, once per Idempotency-Key', async () => {
    const amount = '123456789012345678'; // 0.123456789012345678 ETH
    const deposited = await call('POST', '/test/accounts/demo-clean/deposits', {
      asset: 'ETH',
      amount,
    });
    expect(deposited.status).toBe(200);
    expect(await balance('demo-clean', 'ETH')).toBe(amount);
    const key = newKey();
    const first = await call('POST', '/accounts/demo-clean/sweep-dust', { asset: 'ETH' }, { key });
    expect(first).toEqual({
      status: 200,
      body: { accountId: 'demo-clean', asset: 'ETH', amount },
    });
    // Money arrives again; a repeat of the same sweep returns the first answer and moves nothing.
    await call('POST', '/test/accounts/demo-clean/deposits', { asset: 'ETH', amount: '5' });
    const repeat = await call('POST', '/accounts/demo-clean/sweep-dust', { asset: 'ETH' }, { key });
    expect(repeat).toEqual(first);
    expect(await balance('demo-clean', 'ETH')).toBe('5');
  });

  it('refuses an Idempotency-Key reused with another body with 409', async () => {
    const key = newKey();
    expect(
      (await call('POST', '/accounts/demo-balance/sweep-dust', { asset: 'USD' }, { key })).status,
    ).toBe(200);
    const other = await call(
      'POST',
      '/accounts/demo-balance/sweep-dust',
      { asset: 'EUR' },
      { key },
    );
    expect(other.status).toBe(409);
    expect(other.body).toEqual({
      error: { code: 'OFFBOARD_ERR_PLATFORM_KEY_REUSED', message: expect.any(String) },
    });
    expect(await balance('demo-balance', 'EUR')).toBe('25000');
    const noKey = await app.inject({
      method: 'POST',
      url: `${PREFIX}/accounts/demo-balance/freeze`,
      headers: signatureHeaders(
        SECRET,
        {
          method: 'POST',
          path: `${PREFIX}/accounts/demo-balance/freeze`,
          idempotencyKey: null,
          body: '',
        },
        clock.now(),
      ),
    });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.code).toBe('OFFBOARD_ERR_PLATFORM_KEY_MISSING');
  });

  it('returns a deposit that arrives while frozen, and credits after unfreeze', async () => {
    expect((await call('POST', '/accounts/demo-dust/freeze')).body).toEqual({
      accountId: 'demo-dust',
      status: 'frozen',
    });
    const before = await balance('demo-dust', 'USD');
    const deposit = await call('POST', '/test/accounts/demo-dust/deposits', {
      asset: 'USD',
      amount: '1000',
    });
    expect(deposit.body['returned']).toBe(true);
    expect(await balance('demo-dust', 'USD')).toBe(before);
    const page = await call('GET', '/accounts/demo-dust/transactions?limit=1000');
    const types = (page.body['transactions'] as { type: string }[]).map((t) => t.type);
    expect(types.slice(-2)).toEqual(['deposit', 'return']);
    expect((await call('POST', '/accounts/demo-dust/unfreeze')).body['status']).toBe('active');
    await call('POST', '/test/accounts/demo-dust/deposits', { asset: 'USD', amount: '1000' });
    expect(await balance('demo-dust', 'USD')).toBe(String(BigInt(before!) + 1000n));
  });

  it('keeps a closed account closed: later deposits are returned, unfreeze and enable refused', async () => {
    expect((await call('POST', '/accounts/demo-cooling-off/close')).body['status']).toBe('closed');
    const deposit = await call('POST', '/test/accounts/demo-cooling-off/deposits', {
      asset: 'EUR',
      amount: '700',
    });
    expect(deposit.body['returned']).toBe(true);
    const enable = await call('POST', '/accounts/demo-cooling-off/disabled', { disabled: false });
    expect(enable.status).toBe(409);
    expect((enable.body['error'] as { code: string }).code).toBe('OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    const unfreeze = await call('POST', '/accounts/demo-cooling-off/unfreeze');
    expect([unfreeze.status, (unfreeze.body['error'] as { code: string }).code]).toEqual([
      409,
      'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE',
    ]);
    expect((await facts('demo-cooling-off')).status).toBe('closed');
  });

  it('cancels orders and withdrawals, revokes grants and credentials, places and lifts holds', async () => {
    const id = 'demo-everything';
    expect((await call('POST', `/accounts/${id}/orders/${id}-order-1/cancel`)).status).toBe(200);
    const withdrawal = (await facts(id)).pendingTransfers.find(
      (t) => t.direction === 'withdrawal',
    )!;
    expect((await call('POST', `/accounts/${id}/withdrawals/${withdrawal.id}/cancel`)).status).toBe(
      200,
    );
    expect((await call('POST', `/accounts/${id}/authorizations/${id}-auth-1/revoke`)).status).toBe(
      200,
    );
    expect((await call('POST', `/accounts/${id}/credentials/${id}-session/revoke`)).status).toBe(
      200,
    );
    const placed = await call('POST', `/accounts/${id}/holds`, {
      id: 'fraud-1',
      kind: 'fraud',
      reason: 'card testing pattern (synthetic)',
    });
    expect(placed.status).toBe(200);
    expect((await call('POST', `/accounts/${id}/holds/${id}-hold-1/lift`)).status).toBe(200);
    const after = await facts(id);
    expect(after.openOrders).toEqual([]);
    expect(after.pendingTransfers.map((t) => t.direction)).toEqual(['deposit']);
    expect(after.authorizations).toEqual([]);
    expect(after.credentials.map((c) => c.id)).toEqual([`${id}-totp`]);
    expect(after.holds.map((h) => h.id).sort()).toEqual([`${id}-hold-2`, 'fraud-1']);
    const disabled = await call('POST', `/accounts/demo-linked-app/disabled`, { disabled: true });
    expect(disabled.body).toEqual({ accountId: 'demo-linked-app', status: 'disabled' });
  });

  it('answers unknown accounts with 404 and bad input with 400, in the one error shape', async () => {
    const unknown = await call('GET', '/accounts/nobody/facts');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      error: { code: 'OFFBOARD_ERR_UNKNOWN_ACCOUNT', message: 'no account "nobody"' },
    });
    expect((await call('POST', '/accounts/nobody/freeze')).status).toBe(404);
    const noOrder = await call('POST', '/accounts/demo-dust/orders/demo-open-order-1/cancel');
    expect(noOrder.status).toBe(404);
    const badAmount = await call('POST', '/test/accounts/demo-dust/deposits', {
      asset: 'USD',
      amount: '1.5',
    });
    expect(badAmount.status).toBe(400);
    expect((badAmount.body['error'] as { code: string }).code).toBe('OFFBOARD_ERR_INVALID_REQUEST');
    const zero = await call('POST', '/test/accounts/demo-dust/deposits', {
      asset: 'USD',
      amount: '0',
    });
    expect(zero.status).toBe(400);
    expect((zero.body['error'] as { code: string }).code).toBe('OFFBOARD_ERR_INVALID_AMOUNT');
    const extra = await call('POST', '/accounts/demo-dust/sweep-dust', { asset: 'USD', x: 1 });
    expect(extra.status).toBe(400);
    // An asset code no ledger lists (a real test value, not a placeholder).
    const unknownAsset = await call('POST', '/accounts/demo-dust/sweep-dust', { asset: 'ZZZ' });
    expect(unknownAsset.status).toBe(404);
    expect(Object.keys(unknownAsset.body['error'] as object).sort()).toEqual(['code', 'message']);
  });

  it('pages transactions oldest first, complete while new ones arrive', async () => {
    const id = 'demo-whale';
    const total = (await ledger.transactions(id)).length;
    const read: string[] = [];
    let after: string | null = null;
    let inserted = 0;
    do {
      const page: Answer = await call(
        'GET',
        `/accounts/${id}/transactions?limit=37${after ? `&after=${after}` : ''}`,
      );
      expect(page.status).toBe(200);
      read.push(...(page.body['transactions'] as { id: string }[]).map((t) => t.id));
      after = page.body['next'] as string | null;
      // A deposit lands between pages: it must appear once, after what was read.
      if (inserted < 3) {
        await ledger.deposit(id, 'USD', 1n);
        inserted++;
      }
    } while (after);
    expect(read.length).toBe(total + inserted);
    expect(new Set(read).size).toBe(read.length);
    const numbers = read.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    const last = await call('GET', `/accounts/${id}/transactions?limit=1000&after=${read.at(-1)}`);
    expect(last.body).toEqual({ transactions: [], next: null });
  });

  it('refuses unsigned, badly signed and stale requests with 401', async () => {
    const unsigned = await call('GET', '/accounts/demo-dust/facts', undefined, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect((unsigned.body['error'] as { code: string }).code).toBe(
      'OFFBOARD_ERR_PLATFORM_UNSIGNED',
    );
    const wrong = await call('GET', '/accounts/demo-dust/facts', undefined, { secret: 'other' });
    expect(wrong.status).toBe(401);
    expect((wrong.body['error'] as { code: string }).code).toBe(
      'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE',
    );
    const stale = await call('GET', '/accounts/demo-dust/facts', undefined, {
      signedAt: new Date(clock.now().getTime() - 301_000),
    });
    expect(stale.status).toBe(401);
    expect((stale.body['error'] as { code: string }).code).toBe(
      'OFFBOARD_ERR_PLATFORM_STALE_REQUEST',
    );
    // A signed body changed on the way: the signature no longer matches, nothing happens.
    const url = `${PREFIX}/accounts/demo-balance/sweep-dust`;
    const headers = {
      'content-type': 'application/json',
      'idempotency-key': newKey(),
      ...signatureHeaders(
        SECRET,
        { method: 'POST', path: url, idempotencyKey: newKey(), body: '{"asset":"USD"}' },
        clock.now(),
      ),
    };
    const tampered = await app.inject({
      method: 'POST',
      url,
      headers,
      payload: '{"asset":"EUR"}',
    });
    expect(tampered.statusCode).toBe(401);
    expect(await balance('demo-balance', 'EUR')).toBe('25000');
  });
});

describe('the sandbox platform server outside test mode', () => {
  it('serves no fixtures endpoint', async () => {
    const { database, dispose } = await openTestDatabase('sqlite');
    const clock = new FixedClock(new Date('2026-06-01T12:00:00Z'));
    const app = await buildSandboxApp({ database, clock, secret: SECRET, testMode: false });
    try {
      const url = `${PREFIX}/test/fixtures`;
      const response = await app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'k',
          ...signatureHeaders(
            SECRET,
            { method: 'POST', path: url, idempotencyKey: 'k', body: '{}' },
            clock.now(),
          ),
        },
        payload: '{}',
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('OFFBOARD_ERR_UNKNOWN_ROUTE');
      expect(await database.db.selectFrom('accounts').select('id').execute()).toEqual([]);
    } finally {
      await app.close();
      await dispose();
    }
  });
});

describe('the platform contract document', () => {
  it('is OpenAPI 3.1 with every route and valid JSON Schemas', async () => {
    const doc = (await contractDocument()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(routes).toEqual(
      [
        'POST /offboard-platform/v1/facts/query',
        'GET /offboard-platform/v1/accounts/{accountId}/facts',
        'GET /offboard-platform/v1/accounts',
        'GET /offboard-platform/v1/accounts/count',
        'GET /offboard-platform/v1/accounts/{accountId}/contact',
        'POST /offboard-platform/v1/accounts/{accountId}/freeze',
        'POST /offboard-platform/v1/accounts/{accountId}/unfreeze',
        'POST /offboard-platform/v1/accounts/{accountId}/close',
        'POST /offboard-platform/v1/accounts/{accountId}/disabled',
        'POST /offboard-platform/v1/accounts/{accountId}/erase',
        'POST /offboard-platform/v1/accounts/{accountId}/sweep-dust',
        'POST /offboard-platform/v1/accounts/{accountId}/orders/{id}/cancel',
        'POST /offboard-platform/v1/accounts/{accountId}/withdrawals/{id}/cancel',
        'POST /offboard-platform/v1/accounts/{accountId}/authorizations/{id}/revoke',
        'POST /offboard-platform/v1/accounts/{accountId}/credentials/{id}/revoke',
        'POST /offboard-platform/v1/accounts/{accountId}/holds',
        'POST /offboard-platform/v1/accounts/{accountId}/holds/{id}/lift',
        'GET /offboard-platform/v1/accounts/{accountId}/transactions',
        'POST /offboard-platform/v1/test/fixtures',
        'POST /offboard-platform/v1/test/accounts/{accountId}/deposits',
      ].sort(),
    );
    const meta = Schema.Compile(
      Schema.Meta['https://json-schema.org/draft/2020-12/schema'] as Schema.XSchema,
    );
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) {
        expect(op.responses['200']).toBeDefined();
        const content = (
          op.responses['200'] as { content: { 'application/json': { schema: object } } }
        ).content['application/json'].schema;
        expect(meta.Check(content)).toBe(true);
      }
  });
});
