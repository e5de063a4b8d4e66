import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCertificateText } from '../../src/adapters/crypto/certificate.js';
import { certificateKey } from '../../src/adapters/crypto/sandbox-signing-key.js';
import { requestClosure } from '../../src/app/closures.js';
import { runErasureBatch } from '../../src/app/erasure.js';
import { workOnce } from '../../src/app/worker.js';
import { YEAR } from '../../src/domain/duration.js';
import { DIALECTS } from '../support/databases.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';

/* The erasure routes for agents and the platform's back end, through the real app. */

describe.each(DIALECTS)('erasure over HTTP [%s]', (dialect) => {
  let h: Harness;
  // Minted at the moved clock: a token from five years ago has expired.
  const agent = () => h.agent('agent-ada', ['support']);

  beforeAll(async () => {
    h = await openHarness(dialect);
    await requestClosure(h.ctx.app, h.ctx.rules, {
      accountId: 'demo-clean',
      consent: { sweepDust: false, cancelOrders: false, revokeApps: false },
      confirmed: true,
      gracePeriodMs: 0,
      actor: { kind: 'holder', id: 'demo-clean' },
    });
    await workOnce(h.ctx.app, h.ctx.rules, { owner: 'w', leaseMs: 60_000, concurrency: 1 });
  });
  afterAll(async () => h?.dispose());

  it('lists nothing due before the retention ends, then the account once it has', async () => {
    const before = await h.call('GET', '/v1/agent/erasures/due', { token: agent() });
    expect(before.status).toBe(200);
    expect(before.json()).toEqual({ due: [] });
    h.clock.advance(5 * YEAR);
    const after = await h.call('GET', '/v1/agent/erasures/due?limit=5', { token: agent() });
    expect(after.json<{ due: { accountId: string }[] }>().due.map((e) => e.accountId)).toEqual([
      'demo-clean',
    ]);
  });

  it('serves the status and a certificate that verifies, to agents and read keys', async () => {
    await runErasureBatch(h.ctx.app, { owner: 'e', limit: 10, leaseMs: 60_000 });
    const status = await h.call('GET', '/v1/accounts/demo-clean/erasure', { token: h.keys.read });
    expect(status.status).toBe(200);
    const body = status.json<{ erasure: { state: string }; certificates: { id: string }[] }>();
    expect(body.erasure.state).toBe('erased');
    const id = body.certificates[0]!.id;
    const download = await h.call('GET', `/v1/agent/erasure-certificates/${id}`, {
      token: agent(),
    });
    expect(download.status).toBe(200);
    const key = await certificateKey({}, h.ctx.database);
    expect(verifyCertificateText(download.body, 'download', key.publicKey).accountId).toBe(
      'demo-clean',
    );
    const platform = await h.call('GET', `/v1/erasure-certificates/${id}`, { token: h.keys.read });
    expect(platform.json()).toEqual(download.json());
  });

  it('answers 404 with a stable code for an account never closed, 401 without credentials', async () => {
    const none = await h.call('GET', '/v1/agent/accounts/demo-dust/erasure', { token: agent() });
    expect(none.status).toBe(404);
    expect(none.json<{ error: { code: string } }>().error.code).toBe('OFFBOARD_ERR_NOT_FOUND');
    const anonymous = await h.call('GET', '/v1/erasure-certificates/ec_nope');
    expect(anonymous.status).toBe(401);
    const holder = await h.call('GET', '/v1/agent/erasures/due', { token: h.holder('demo-dust') });
    expect([401, 403]).toContain(holder.status);
  });
});
