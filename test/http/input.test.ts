import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { TRANSPORTS, openHarness } from './harness.js';
import type { Answer, Harness } from './harness.js';

// Both databases, through inject and through a server listening on 127.0.0.1.
const CASES = DIALECTS.flatMap((d) => TRANSPORTS.map((t) => [d, t] as const));

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.body).toBe(status);
  const body = answer.json<{ error: Record<string, unknown> }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({ code });
  expect(typeof body.error['message']).toBe('string');
}

async function closuresOf(h: Harness, accountId: string): Promise<number> {
  const row = await h.ctx.database.db
    .selectFrom('closures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// What a careless or hostile client can send, and what it gets back: always a 4xx with a
// code, never a stack trace or SQL.
describe.each(CASES)('HTTP input safety [%s, %s]', (dialect, transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect, {
      transport,
      deps: {
        bodyLimit: 4096,
        rateLimits: {
          confirm: { max: 3, windowMs: 180_000 },
          disableLink: { max: 2, windowMs: 120_000 },
        },
      },
    });
  });
  afterAll(async () => h.dispose());

  const closure = '/v1/accounts/demo-clean/closure';

  it('refuses malformed JSON', async () => {
    for (const raw of ['{', '{"consent":', 'nul', '{"a":1}}', "{'a':1}"]) {
      expectError(
        await h.call('POST', closure, {
          token: h.keys.write,
          raw,
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'OFFBOARD_ERR_INVALID_REQUEST',
      );
    }
    expectError(
      await h.call('POST', closure, {
        token: h.keys.write,
        raw: '',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
  });

  it('refuses wrong types without coercing them, naming the field', async () => {
    for (const body of [
      { confirmed: 'true' },
      { confirmed: 1 },
      { graceSeconds: '60' },
      { graceSeconds: 1.5 },
      { consent: { sweepDust: 'yes' } },
      { consent: [] },
      [],
      'text',
      42,
      null,
    ]) {
      const answer = await h.call('POST', closure, { token: h.keys.write, body });
      expectError(answer, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
    }
    const named = await h.call('POST', closure, {
      token: h.keys.write,
      body: { consent: { sweepDust: 'yes' } },
    });
    expect(named.json<{ error: { message: string } }>().error.message).toBe(
      'body/consent/sweepDust must be boolean',
    );
    const code = await h.call('POST', '/v1/me/closure/confirm', {
      token: h.holder('demo-clean'),
      body: { code: 123456 },
    });
    expect(code.json<{ error: { message: string } }>().error.message).toBe(
      'body/code must be string',
    );
  });

  it('refuses unknown and missing fields, in bodies and query strings', async () => {
    const unknown = await h.call('POST', closure, {
      token: h.keys.write,
      body: { confirmd: true },
    });
    expectError(unknown, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
    expect(unknown.json<{ error: { message: string } }>().error.message).toBe(
      'body has unknown field "confirmd"',
    );
    expectError(
      await h.call('POST', closure, {
        token: h.keys.write,
        body: { consent: { sweepDust: true, everything: true } },
      }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/closure/cancel', {
        token: h.keys.write,
        body: { now: true },
      }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
    const missing = await h.call('POST', '/v1/accounts/demo-clean/disable', {
      token: h.keys.write,
      body: {},
    });
    expectError(missing, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
    expect(missing.json<{ error: { message: string } }>().error.message).toContain('reason');
    expectError(
      await h.call('GET', '/v1/me/eligibility?lang=fr', { token: h.holder('demo-clean') }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
    expectError(
      await h.call('GET', '/v1/me/eligibility?debug=1', { token: h.holder('demo-clean') }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
  });

  it('refuses huge numbers', async () => {
    for (const raw of [
      '{"graceSeconds":1e400}',
      '{"graceSeconds":123456789012345678901234567890}',
      '{"graceSeconds":-1}',
      '{"graceSeconds":9007199254740993}',
    ]) {
      expectError(
        await h.call('POST', closure, {
          token: h.keys.write,
          raw,
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'OFFBOARD_ERR_INVALID_REQUEST',
      );
    }
    expectError(
      await h.call('GET', '/v1/closures?limit=99999999999999999999', { token: h.keys.read }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
    expectError(
      await h.call('GET', '/v1/audit?after=1e400', { token: h.keys.admin }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
  });

  it('refuses bodies that are not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"reason":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]);
    const answer = await h.call('POST', '/v1/accounts/demo-clean/disable', {
      token: h.keys.write,
      raw: bytes,
      headers: { 'content-type': 'application/json' },
    });
    expectError(answer, 400, 'OFFBOARD_ERR_INVALID_REQUEST');
    expect(answer.json<{ error: { message: string } }>().error.message).toContain('UTF-8');
  });

  it('refuses oversized bodies and bodies that are not JSON', async () => {
    const big = JSON.stringify({ reason: 'x'.repeat(10_000) });
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/disable', {
        token: h.keys.write,
        raw: big,
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'OFFBOARD_ERR_BODY_TOO_LARGE',
    );
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/disable', {
        token: h.keys.write,
        raw: 'reason=x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/disable', {
        token: h.keys.write,
        raw: 'reason=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('answers an unknown route with a code', async () => {
    expectError(await h.call('GET', '/v2/anything'), 404, 'OFFBOARD_ERR_UNKNOWN_ROUTE');
    expectError(await h.call('DELETE', '/v1/me'), 404, 'OFFBOARD_ERR_UNKNOWN_ROUTE');
  });

  it('creates one closure for the same Idempotency-Key twice, and returns the first response', async () => {
    const headers = { 'idempotency-key': 'close-demo-dust-1' };
    const body = { consent: { sweepDust: true } };
    const first = await h.call('POST', '/v1/accounts/demo-dust/closure', {
      token: h.keys.write,
      body,
      headers,
    });
    const second = await h.call('POST', '/v1/accounts/demo-dust/closure', {
      token: h.keys.write,
      body,
      headers,
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await closuresOf(h, 'demo-dust')).toBe(1);
    // Without the key, the same request is a new one, refused because one is open.
    expectError(
      await h.call('POST', '/v1/accounts/demo-dust/closure', { token: h.keys.write, body }),
      409,
      'OFFBOARD_ERR_CLOSURE_IN_PROGRESS',
    );
    // The same key for another request is refused, not guessed at.
    expectError(
      await h.call('POST', '/v1/accounts/demo-dust/closure', {
        token: h.keys.write,
        body: {},
        headers,
      }),
      422,
      'OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED',
    );
    expectError(
      await h.call('POST', '/v1/accounts/demo-dust/closure/cancel', {
        token: h.keys.write,
        headers,
      }),
      422,
      'OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED',
    );
    // Keys belong to their caller: another key's identical key is its own.
    const other = await h.call('POST', '/v1/accounts/demo-dust/closure', {
      token: h.keys.all,
      body,
      headers,
    });
    expectError(other, 409, 'OFFBOARD_ERR_CLOSURE_IN_PROGRESS');
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const headers = { 'idempotency-key': 'close-demo-clean-reordered' };
    const first = await h.call('POST', '/v1/accounts/demo-clean/closure', {
      token: h.keys.write,
      raw: '{"confirmed":false,"consent":{"sweepDust":true,"cancelOrders":false}}',
      headers: { ...headers, 'content-type': 'application/json' },
    });
    const again = await h.call('POST', '/v1/accounts/demo-clean/closure', {
      token: h.keys.write,
      raw: '{ "consent": { "cancelOrders": false, "sweepDust": true }, "confirmed": false }',
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(first.status, first.body).toBe(201);
    expect(again.status, again.body).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await closuresOf(h, 'demo-clean')).toBe(1);
    // A different value under the same keys is still a different request.
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/closure', {
        token: h.keys.write,
        raw: '{"consent":{"cancelOrders":true,"sweepDust":true},"confirmed":false}',
        headers: { ...headers, 'content-type': 'application/json' },
      }),
      422,
      'OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('runs concurrent requests with one Idempotency-Key once', async () => {
    const headers = { 'idempotency-key': 'race-1' };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        h.call('POST', '/v1/accounts/demo-whale/closure', {
          token: h.keys.write,
          body: {},
          headers,
        }),
      ),
    );
    expect(await closuresOf(h, 'demo-whale')).toBe(1);
    for (const a of answers) expect([201, 409]).toContain(a.status);
    for (const a of answers.filter((x) => x.status === 409))
      expect(a.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_IDEMPOTENCY_IN_PROGRESS' } });
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
  });

  it('repeats a refusal for the same key rather than acting the second time', async () => {
    const headers = { 'idempotency-key': 'disable-once' };
    const first = await h.call('POST', '/v1/accounts/demo-open-order/disable', {
      token: h.keys.write,
      body: { reason: 'takeover' },
      headers,
    });
    const second = await h.call('POST', '/v1/accounts/demo-open-order/disable', {
      token: h.keys.write,
      body: { reason: 'takeover' },
      headers,
    });
    expect(second.body).toBe(first.body);
    const audit = await h.ctx.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('account_id', '=', 'demo-open-order')
      .where('action', '=', 'account.disable')
      .execute();
    expect(audit).toHaveLength(1);
    expectError(
      await h.call('POST', '/v1/accounts/demo-open-order/disable', {
        token: h.keys.write,
        body: { reason: 'x' },
        headers: { 'idempotency-key': 'bad key with spaces' },
      }),
      400,
      'OFFBOARD_ERR_INVALID_REQUEST',
    );
  });

  it('limits confirmation attempts per account', async () => {
    const token = h.holder('demo-everything');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await h.call('POST', '/v1/me/closure/confirm', { token, body: { code: '000000' } }))
          .status,
      );
    expect(statuses.slice(0, 3)).toEqual([409, 409, 409]);
    const limited = await h.call('POST', '/v1/me/closure/confirm', {
      token,
      body: { code: '000000' },
    });
    expectError(limited, 429, 'OFFBOARD_ERR_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Answered like every other error: the security headers, none of the plugin's own.
    expect(limited.headers['x-content-type-options']).toBe('nosniff');
    expect(limited.headers['x-ratelimit-limit']).toBeUndefined();
    // The bucket is the account's: the platform confirming for it is limited too.
    expectError(
      await h.call('POST', '/v1/accounts/demo-everything/closure/confirm', {
        token: h.keys.write,
        body: { code: '000000' },
      }),
      429,
      'OFFBOARD_ERR_RATE_LIMITED',
    );
  });

  it('limits disable-link attempts per address', async () => {
    expectError(
      await h.call('POST', '/v1/disable-links/forged.1.2.3'),
      400,
      'OFFBOARD_ERR_INVALID_LINK',
    );
    expectError(
      await h.call('POST', '/v1/disable-links/forged.1.2.4'),
      400,
      'OFFBOARD_ERR_INVALID_LINK',
    );
    expectError(
      await h.call('POST', '/v1/disable-links/forged.1.2.5'),
      429,
      'OFFBOARD_ERR_RATE_LIMITED',
    );
  });

  it('sets security headers on every answer', async () => {
    for (const answer of [
      await h.call('GET', '/healthz'),
      await h.call('GET', '/v1/me'),
      await h.call('GET', '/nowhere'),
    ]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('never shows a stack trace or SQL, even when the database fails', async () => {
    await sql`drop table approvals`.execute(h.ctx.database.db);
    const answer = await h.call('GET', '/v1/agent/approvals', {
      token: h.agent('agent-ada', ['admin']),
    });
    expectError(answer, 500, 'OFFBOARD_ERR_INTERNAL');
    expect(answer.body).not.toMatch(
      /approvals"? |select|from |at .*\.ts|node_modules|sqlite|relation/i,
    );
  });

  it('is not ready when the schema is behind', async () => {
    expect((await h.call('GET', '/readyz')).status).toBe(200);
    await h.ctx.database.db
      .deleteFrom('offboard_migrations' as never)
      .where('name' as never, '=', '003-http' as never)
      .execute();
    expectError(await h.call('GET', '/readyz'), 503, 'OFFBOARD_ERR_NOT_READY');
  });
});
