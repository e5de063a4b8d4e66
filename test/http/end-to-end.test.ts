import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workOnce } from '../../src/app/worker.js';
import { verifyWebhook } from '../../src/adapters/webhooks/webhooks.js';
import { DIALECTS } from '../support/databases.js';
import { Receiver } from '../webhooks/receiver.js';
import { DAY, openHarness } from './harness.js';
import type { Harness } from './harness.js';

const WEBHOOK_SECRET = 'whsec-e2e-0123456789abcdef';

// The whole flow over real HTTP: a listening server on 127.0.0.1, fetch as the client, the
// worker driven by hand with the clock moved past the grace period, and a real webhook
// receiver that checks the signature of what it gets.
describe.each(DIALECTS)('closing an account over HTTP, end to end [%s]', (dialect) => {
  let h: Harness;
  let receiver: Receiver;
  let base: string;

  beforeAll(async () => {
    receiver = await Receiver.start();
    h = await openHarness(dialect, {
      env: {
        OFFBOARD_WEBHOOK_URLS: receiver.url('/hooks'),
        OFFBOARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h.dispose();
    await receiver.close();
  });

  const http = async (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json()) as Record<string, unknown> & {
        closure?: { state: string; graceEndsAt: string };
      },
    };
  };

  it('checks, requests with consent, confirms with the mailed code, closes, and tells the webhook', async () => {
    const holder = h.holder('demo-dust');

    const verdict = await http('GET', '/v1/me/eligibility?lang=en', holder);
    expect(verdict.status).toBe(200);
    expect(verdict.json).toMatchObject({
      eligible: false,
      blockers: [{ code: 'dust_remaining', severity: 'automatic' }],
    });

    const noConsent = await http('POST', '/v1/me/closure', holder, {});
    expect(noConsent.status).toBe(422);
    expect(noConsent.json).toMatchObject({ error: { code: 'OFFBOARD_ERR_CONSENT_REQUIRED' } });
    expect((noConsent.json['error'] as { message: string }).message).toContain(
      '"consent": {"sweepDust": true}',
    );
    expect((noConsent.json['error'] as { message: string }).message).not.toContain('--consent');

    const requested = await http(
      'POST',
      '/v1/me/closure',
      holder,
      { consent: { sweepDust: true } },
      { 'idempotency-key': 'e2e-request' },
    );
    expect(requested.status).toBe(201);
    expect(requested.json).toMatchObject({ closure: { state: 'requested' }, codeSent: true });

    const mailbox = await http(
      'GET',
      '/v1/sandbox/mailbox?account=demo-dust&limit=5',
      h.keys.admin,
    );
    const messages = mailbox.json['messages'] as { template: string; body: string }[];
    const code = /code: (\d{6})/.exec(
      messages.find((m) => m.template === 'closure.confirmation_required')!.body,
    )![1]!;

    const confirmed = await http('POST', '/v1/me/closure/confirm', holder, { code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.closure?.state).toBe('grace');

    // Past the grace period, the worker finalizes: sweeps the dust, closes, emits the event.
    h.clock.advance(7 * DAY + 60_000);
    await workOnce(h.ctx.app, h.ctx.rules, { owner: 'e2e', leaseMs: 60_000, concurrency: 4 });
    await h.ctx.afterWorkerPass('e2e');

    const status = await http('GET', '/v1/me/closure', holder);
    expect(status.json.closure?.state).toBe('closed');

    const completed = receiver
      .forPath('/hooks')
      .filter((r) => r.headers['offboard-event'] === 'closure.completed');
    expect(completed).toHaveLength(1);
    const delivery = completed[0]!;
    const nowSeconds = Math.floor(h.clock.now().getTime() / 1000);
    expect(verifyWebhook(WEBHOOK_SECRET, delivery.headers, delivery.body, nowSeconds)).toBe(true);
    expect(verifyWebhook('another-secret', delivery.headers, delivery.body, nowSeconds)).toBe(
      false,
    );
    expect(JSON.parse(delivery.body)).toMatchObject({
      event: 'closure.completed',
      accountId: 'demo-dust',
    });
  });

  it('keeps the connection-level safety a real server needs', async () => {
    const big = await fetch(`${base}/v1/accounts/demo-clean/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.write}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'x'.repeat(200_000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_BODY_TOO_LARGE' } });
    const health = await fetch(`${base}/healthz`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
