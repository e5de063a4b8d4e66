import { createHmac, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/app/api-keys.js';
import {
  mintAgentToken,
  mintHolderToken,
  signEdDsaToken,
  signToken,
} from '../../src/adapters/http/tokens.js';
import { DIALECTS } from '../support/databases.js';
import { AGENT_KEY_PAIR, SECRET, TRANSPORTS, openHarness } from './harness.js';
import type { Answer, Harness } from './harness.js';

// Both databases, through inject and through a server listening on 127.0.0.1.
const CASES = DIALECTS.flatMap((d) => TRANSPORTS.map((t) => [d, t] as const));

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.json()).toMatchObject({ error: { code } });
}

// Who may call what: 401 without (good) credentials, 403 without the scope or role, and
// 404 — never 403 — for another holder's account, so account ids cannot be probed.
describe.each(CASES)('HTTP authentication and authorization [%s, %s]', (dialect, transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect, { transport });
  });
  afterAll(async () => h.dispose());

  const PROTECTED: [string, string][] = [
    ['GET', '/v1/me'],
    ['GET', '/v1/me/eligibility'],
    ['POST', '/v1/me/closure'],
    ['GET', '/v1/accounts/demo-clean/eligibility'],
    ['POST', '/v1/accounts/demo-clean/disable'],
    ['GET', '/v1/closures'],
    ['POST', '/v1/scan'],
    ['GET', '/v1/audit'],
    ['GET', '/v1/agent/accounts/demo-clean'],
    ['POST', '/v1/agent/approvals/x/approve'],
  ];

  it.each(PROTECTED)('%s %s is 401 without credentials', async (method, path) => {
    expectError(await h.call(method, path), 401, 'OFFBOARD_ERR_UNAUTHENTICATED');
  });

  it('is 401 for a malformed header, an unknown key and garbage', async () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer a b', 'token']) {
      expectError(
        await h.call('GET', '/v1/me', { headers: { authorization: header } }),
        401,
        'OFFBOARD_ERR_UNAUTHENTICATED',
      );
    }
    expectError(
      await h.call('GET', '/v1/closures', { token: `obk_0123456789abcdef_${'A'.repeat(43)}` }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
    expectError(
      await h.call('GET', '/v1/me', { token: 'not.a.jwt' }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
  });

  it('refuses forged, expired, unsigned and confused tokens', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const claims = { sub: 'demo-clean', aud: 'offboard-holder', iat: now, exp: now + 3600 };
    const forged = signToken('another-secret', claims);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const header = b64({ alg: 'HS512', typ: 'JWT' });
    const otherAlg = `${header}.${b64(claims)}.${createHmac('sha256', SECRET)
      .update(`${header}.${b64(claims)}`)
      .digest('base64url')}`;
    const expired = mintHolderToken(
      SECRET,
      'demo-clean',
      new Date(h.clock.now().getTime() - 7200_000),
      3600_000,
    ).token;
    const noAudience = signToken(SECRET, { sub: 'demo-clean', iat: now, exp: now + 3600 });
    for (const token of [forged, unsigned, otherAlg, expired, noAudience]) {
      expectError(await h.call('GET', '/v1/me', { token }), 401, 'OFFBOARD_ERR_UNAUTHENTICATED');
    }
    // An agent token is not a holder token, nor the other way round.
    const agent = mintAgentToken(
      AGENT_KEY_PAIR.privateKey,
      'agent-ada',
      ['admin'],
      h.clock.now(),
      3600_000,
    ).token;
    expectError(await h.call('GET', '/v1/me', { token: agent }), 403, 'OFFBOARD_ERR_FORBIDDEN');
    expectError(
      await h.call('GET', '/v1/agent/accounts/demo-clean', { token: h.holder('demo-clean') }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
  });

  // Whoever holds the holder secret (the platform) must not be able to act as an agent.
  it('refuses agent tokens not signed by an agent key: the holder secret, another key, none', async () => {
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const claims = {
      sub: 'agent-mallory',
      aud: 'offboard-agent',
      roles: ['admin'],
      iat: now,
      exp: now + 3600,
    };
    const withHolderSecret = signToken(SECRET, claims);
    const otherKey = signEdDsaToken(generateKeyPairSync('ed25519').privateKey, claims);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    // The agents' public key used as an HMAC secret: the classic algorithm confusion.
    const publicPem = AGENT_KEY_PAIR.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const confused = signToken(publicPem, claims);
    for (const token of [withHolderSecret, otherKey, unsigned, confused]) {
      expectError(
        await h.call('GET', '/v1/agent/accounts/demo-clean', { token }),
        401,
        'OFFBOARD_ERR_UNAUTHENTICATED',
      );
    }
    // An agent key's token claiming to be a holder's is no holder token either.
    const asHolder = signEdDsaToken(AGENT_KEY_PAIR.privateKey, {
      sub: 'demo-clean',
      aud: 'offboard-holder',
      iat: now,
      exp: now + 3600,
    });
    expectError(
      await h.call('GET', '/v1/me', { token: asHolder }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
    expect(
      (
        await h.call('GET', '/v1/agent/accounts/demo-clean', {
          token: h.agent('agent-ada', ['admin']),
        })
      ).status,
    ).toBe(200);
  });

  it('needs two distinct verified agents for four eyes: a forged second agent cannot approve', async () => {
    const asked = await h.call('POST', '/v1/agent/accounts/demo-dust/holds', {
      token: h.agent('agent-ada', ['compliance']),
      body: { kind: 'legal', reason: 'court order 12' },
    });
    expect(asked.status, asked.body).toBe(201);
    const { holdId } = asked.json<{ holdId: string }>();
    const approval = (
      await h.call('POST', `/v1/agent/accounts/demo-dust/holds/${holdId}/lift`, {
        token: h.agent('agent-ada', ['compliance']),
        body: { note: 'order withdrawn' },
      })
    ).json<{ id: string }>();
    const now = Math.floor(h.clock.now().getTime() / 1000);
    const forged = signToken(SECRET, {
      sub: 'agent-bo',
      aud: 'offboard-agent',
      roles: ['compliance'],
      iat: now,
      exp: now + 3600,
    });
    expectError(
      await h.call('POST', `/v1/agent/approvals/${approval.id}/approve`, { token: forged }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
    // The same subject with other roles is still the same agent.
    expectError(
      await h.call('POST', `/v1/agent/approvals/${approval.id}/approve`, {
        token: h.agent('agent-ada', ['admin']),
      }),
      403,
      'OFFBOARD_ERR_FOUR_EYES',
    );
    const approved = await h.call('POST', `/v1/agent/approvals/${approval.id}/approve`, {
      token: h.agent('agent-bo', ['compliance']),
    });
    expect(approved.status, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      approval: { status: 'approved', requestedBy: 'agent-ada', decidedBy: 'agent-bo' },
    });
  });

  it('is 404, exactly as for a missing account, when a holder names another account', async () => {
    const token = h.holder('demo-clean');
    const other = await h.call('GET', '/v1/accounts/demo-dust/eligibility', { token });
    const missing = await h.call('GET', '/v1/accounts/no-such-account/eligibility', {
      token: h.holder('no-such-account'),
    });
    expectError(other, 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    expectError(missing, 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    expect(other.body.replace('demo-dust', 'X')).toBe(missing.body.replace('no-such-account', 'X'));
    expectError(
      await h.call('GET', '/v1/accounts/demo-dust/closure', { token }),
      404,
      'OFFBOARD_ERR_UNKNOWN_ACCOUNT',
    );
    // Their own account through the same route works.
    expect((await h.call('GET', '/v1/accounts/demo-clean/eligibility', { token })).status).toBe(
      200,
    );
  });

  it('is 403 for a holder on platform-only routes', async () => {
    const token = h.holder('demo-clean');
    for (const [method, path] of [
      ['POST', '/v1/accounts/demo-clean/closure'],
      ['POST', '/v1/accounts/demo-clean/disable'],
      ['GET', '/v1/closures'],
      ['POST', '/v1/scan'],
    ] as const) {
      expectError(
        await h.call(method, path, { token, body: method === 'POST' ? {} : undefined }),
        403,
        'OFFBOARD_ERR_FORBIDDEN',
      );
    }
  });

  it('is 403 for an API key without the scope the route needs', async () => {
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/disable', {
        token: h.keys.read,
        body: { reason: 'x' },
      }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('GET', '/v1/accounts/demo-clean/eligibility', { token: h.keys.write }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('POST', '/v1/scan', { token: h.keys.read, body: {} }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('GET', '/v1/audit', { token: h.keys.write }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('POST', '/v1/accounts/demo-clean/enable', { token: h.keys.write, body: {} }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    // API keys are not agents, and holder routes are the holder's.
    expectError(
      await h.call('GET', '/v1/agent/accounts/demo-clean', { token: h.keys.all }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('GET', '/v1/me', { token: h.keys.all }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
  });

  it('is 403 for an agent without the role the route needs', async () => {
    const support = h.agent('agent-sam', ['support']);
    expectError(
      await h.call('POST', '/v1/agent/accounts/demo-clean/holds', {
        token: support,
        body: { kind: 'fraud', reason: 'x' },
      }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('POST', '/v1/agent/accounts/demo-clean/closure/reject', {
        token: support,
        body: { reason: 'x' },
      }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expectError(
      await h.call('POST', '/v1/agent/approvals/apr_x/approve', { token: support }),
      403,
      'OFFBOARD_ERR_FORBIDDEN',
    );
    expect((await h.call('GET', '/v1/agent/accounts/demo-clean', { token: support })).status).toBe(
      200,
    );
  });

  it('stops accepting a revoked API key', async () => {
    const { key, info } = await createApiKey(h.ctx.app, {
      name: 'short-lived',
      scopes: ['read'],
      now: h.clock.now(),
      actor: { kind: 'system', id: 'test' },
    });
    await revokeApiKey(h.ctx.app, {
      id: info.id,
      now: h.clock.now(),
      actor: { kind: 'system', id: 'test' },
    });
    expectError(
      await h.call('GET', '/v1/closures', { token: key }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
    // A key whose secret part is wrong is refused like an unknown one.
    expectError(
      await h.call('GET', '/v1/closures', { token: h.keys.read.slice(0, -3) + 'AAA' }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
  });

  it('keeps health, readiness, metrics, docs and disable links open without credentials', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json'])
      expect((await h.call('GET', path)).status, path).toBe(200);
  });
});
