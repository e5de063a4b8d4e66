import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workOnce } from '../../src/app/worker.js';
import { DIALECTS } from '../support/databases.js';
import { DAY, openHarness } from './harness.js';
import type { Answer, Harness } from './harness.js';

// What a holder token can do over an account's life: disable kills it for good, a closed
// account's token reads status and statements only, and no token is minted for either.
// Real SQLite and PostgreSQL, through Fastify's inject.
describe.each(DIALECTS)('holder tokens across disable, enable and closure [%s]', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect);
  });
  afterAll(async () => h.dispose());

  const expectError = (answer: Answer, status: number, code: string) => {
    expect(answer.status, answer.body).toBe(status);
    expect(answer.json()).toMatchObject({ error: { code } });
  };
  const mint = (account: string) =>
    h.call('POST', `/v1/accounts/${account}/holder-token`, { token: h.keys.admin, body: {} });

  it('keeps a token issued before a disable dead after the account is enabled again', async () => {
    const before = h.holder('demo-cooling-off');
    const minted = (await mint('demo-cooling-off')).json<{ token: string }>().token;
    expect((await h.call('GET', '/v1/me', { token: before })).status).toBe(200);
    h.clock.advance(60_000);
    const disabled = await h.call('POST', '/v1/accounts/demo-cooling-off/disable', {
      token: h.keys.write,
      body: { reason: 'holder reports a stolen phone' },
    });
    expect(disabled.status, disabled.body).toBe(200);
    for (const token of [before, minted])
      expectError(await h.call('GET', '/v1/me', { token }), 401, 'OFFBOARD_ERR_UNAUTHENTICATED');

    h.clock.advance(DAY + 60_000); // past the policy's minimum before enabling
    const enabled = await h.call('POST', '/v1/accounts/demo-cooling-off/enable', {
      token: h.keys.admin,
      body: { reverified: true },
    });
    expect(enabled.status, enabled.body).toBe(200);
    for (const token of [before, minted]) {
      expectError(await h.call('GET', '/v1/me', { token }), 401, 'OFFBOARD_ERR_UNAUTHENTICATED');
      expectError(
        await h.call('POST', '/v1/me/closure', { token, body: {} }),
        401,
        'OFFBOARD_ERR_UNAUTHENTICATED',
      );
    }
    // The holder signs in again: a token issued now works.
    const fresh = await mint('demo-cooling-off');
    expect(fresh.status, fresh.body).toBe(201);
    const me = await h.call('GET', '/v1/me', { token: fresh.json<{ token: string }>().token });
    expect(me.status, me.body).toBe(200);
    expect(me.json()).toMatchObject({ accountId: 'demo-cooling-off', status: 'active' });

    // A second disable moves the cutoff on: the new token dies too, the older ones stay dead.
    h.clock.advance(60_000);
    const again = await h.call('POST', '/v1/me/disable', {
      token: fresh.json<{ token: string }>().token,
      body: { reason: 'lost my phone again' },
    });
    expect(again.status, again.body).toBe(200);
    for (const token of [before, fresh.json<{ token: string }>().token])
      expectError(await h.call('GET', '/v1/me', { token }), 401, 'OFFBOARD_ERR_UNAUTHENTICATED');
  });

  it('refuses a token that worked once as soon as it expires: its remembered signature does not outlive it', async () => {
    const token = h.holder('demo-clean', 60 * 60_000);
    expect((await h.call('GET', '/v1/me/eligibility', { token })).status).toBe(200);
    h.clock.advance(60 * 60_000); // at exp, within the 30-second leeway: still honoured
    expect((await h.call('GET', '/v1/me/eligibility', { token })).status).toBe(200);
    h.clock.advance(30_000);
    expectError(
      await h.call('GET', '/v1/me/eligibility', { token }),
      401,
      'OFFBOARD_ERR_UNAUTHENTICATED',
    );
  });

  it('refuses to mint a holder token for a disabled account', async () => {
    expect(
      (
        await h.call('POST', '/v1/accounts/demo-open-order/disable', {
          token: h.keys.write,
          body: { reason: 'suspicious login' },
        })
      ).status,
    ).toBe(200);
    expectError(await mint('demo-open-order'), 409, 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    expectError(await mint('no-such-account'), 404, 'OFFBOARD_ERR_UNKNOWN_ACCOUNT');
  });

  describe('a closed account', () => {
    let token: string;
    beforeAll(async () => {
      token = h.holder('demo-clean');
      const requested = await h.call('POST', '/v1/accounts/demo-clean/closure', {
        token: h.keys.write,
        body: { confirmed: true, graceSeconds: 0 },
      });
      expect(requested.status, requested.body).toBe(201);
      // The worker moves it grace -> finalizing -> closed, one step a pass.
      for (let pass = 0; pass < 5; pass++)
        await workOnce(h.ctx.app, h.ctx.rules, { owner: 't', leaseMs: 60_000, concurrency: 4 });
      const me = await h.call('GET', '/v1/me', { token });
      expect(me.json()).toMatchObject({ status: 'closed' });
    });

    it("lets the holder's token read the status and download statements", async () => {
      for (const path of [
        '/v1/me',
        '/v1/me/eligibility',
        '/v1/me/closure',
        '/v1/accounts/demo-clean/eligibility',
        '/v1/accounts/demo-clean/closure',
      ]) {
        const answer = await h.call('GET', path, { token });
        expect(answer.status, `${path}: ${answer.body}`).toBe(200);
      }
      const exported = await h.call('POST', '/v1/me/exports', {
        token,
        body: { formats: ['csv'] },
      });
      expect(exported.status, exported.body).toBe(201);
      const { id } = exported.json<{ id: string }>();
      const file = await h.call('GET', `/v1/me/exports/${id}/statement.csv`, { token });
      expect(file.status, file.body).toBe(200);
    });

    it('answers everything else with 403 OFFBOARD_ERR_ACCOUNT_CLOSED', async () => {
      for (const [path, body] of [
        ['/v1/me/closure', {}],
        ['/v1/me/closure/confirm', { code: '123456' }],
        ['/v1/me/closure/cancel', {}],
        ['/v1/me/disable', {}],
      ] as const) {
        expectError(
          await h.call('POST', path, { token, body }),
          403,
          'OFFBOARD_ERR_ACCOUNT_CLOSED',
        );
      }
    });

    it('mints no new token for it', async () => {
      expectError(await mint('demo-clean'), 409, 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE');
    });
  });
});
