import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction, openDatabase } from '../../src/adapters/store/database.js';
import type { Database } from '../../src/adapters/store/database.js';
import { emitEvent } from '../../src/adapters/store/outbox-repository.js';
import type { WebhookConfig } from '../../src/adapters/webhooks/webhooks.js';
import {
  deliverDue,
  dispatchOutbox,
  listDeliveries,
  retryDead,
  verifyWebhook,
  webhookConfig,
} from '../../src/adapters/webhooks/webhooks.js';
import { DIALECTS, openTestDatabase } from '../support/databases.js';
import { Receiver, refusingUrl } from './receiver.js';

// Real SQLite and real PostgreSQL, and a real HTTP receiver on loopback: what a platform
// receives is what these tests read. Time is moved by hand; nothing here sleeps.
describe.each(DIALECTS)('webhooks [%s]', (dialect) => {
  let database: Database;
  let url: string;
  let dispose: () => Promise<void>;
  let receiver: Receiver;
  const SECRET = 'whsec-test-0123456789abcdef';
  const T0 = new Date('2026-03-01T12:00:00Z');
  const at = (ms: number) => new Date(T0.getTime() + ms);
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => receiver.close());
  beforeEach(async () => {
    ({ database, url, dispose } = await openTestDatabase(dialect));
  });
  afterEach(async () => dispose());

  function config(endpoints: string[], overrides: Partial<WebhookConfig> = {}): WebhookConfig {
    return webhookConfig({ endpoints, secret: SECRET, ...overrides });
  }

  async function emit(
    event: string,
    accountId: string,
    payload: Record<string, unknown>,
    now = T0,
  ): Promise<void> {
    await inTransaction(database, (tx) => emitEvent(tx, event, accountId, payload, now));
  }

  async function deliveryCount(): Promise<number> {
    const row = await database.db
      .selectFrom('webhook_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('posts the event with a signature the receiver can verify', async () => {
    const endpoint = receiver.url('/signed');
    const cfg = config([endpoint]);
    await emit('closure.completed', 'acct-1', { closureId: 'c-1', state: 'closed' });
    expect(await dispatchOutbox(database, cfg, T0)).toBe(1);

    expect(await deliverDue(database, cfg, T0, { owner: 'w1' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });

    const [request, ...more] = receiver.forPath('/signed');
    expect(more).toHaveLength(0);
    const [delivery] = await listDeliveries(database, { limit: 10 });
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['offboard-event']).toBe('closure.completed');
    expect(request?.headers['webhook-id']).toBe(String(delivery?.id));
    expect(request?.headers['webhook-timestamp']).toBe(String(seconds(T0)));
    expect(String(request?.headers['webhook-signature'])).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const headers = request?.headers ?? {};
    expect(verifyWebhook(SECRET, headers, request?.body ?? '', seconds(T0))).toBe(true);
    expect(verifyWebhook('another-secret', headers, request?.body ?? '', seconds(T0))).toBe(false);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      id: delivery?.outboxId,
      event: 'closure.completed',
      accountId: 'acct-1',
      createdAt: T0.toISOString(),
      data: { closureId: 'c-1', state: 'closed' },
    });
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 1,
      deliveredAt: T0,
      lastError: null,
      endpoint,
    });
  });

  it('fails verification when the body was tampered with', async () => {
    const cfg = config([receiver.url('/tamper')]);
    await emit('account.disabled', 'acct-2', { disablementId: 7, reason: 'holder request' });
    await dispatchOutbox(database, cfg, T0);
    await deliverDue(database, cfg, T0, { owner: 'w1' });
    const [request] = receiver.forPath('/tamper');
    const headers = request?.headers ?? {};
    const tampered = (request?.body ?? '').replace('acct-2', 'acct-3');
    expect(tampered).not.toBe(request?.body);
    expect(verifyWebhook(SECRET, headers, tampered, seconds(T0))).toBe(false);
    // The genuine body, replayed long after it was signed, is refused too.
    expect(verifyWebhook(SECRET, headers, request?.body ?? '', seconds(T0) + 301)).toBe(false);
    expect(verifyWebhook(SECRET, headers, request?.body ?? '', seconds(T0) + 300)).toBe(true);
    // Replayed inside the tolerance under a fresh delivery id (to get past deduplication): refused.
    expect(
      verifyWebhook(
        SECRET,
        { ...headers, 'webhook-id': '999999' },
        request?.body ?? '',
        seconds(T0),
      ),
    ).toBe(false);
  });

  it('retries a failed delivery after the backoff and delivers it once', async () => {
    const endpoint = receiver.on('/flaky', (nth) => (nth === 1 ? 500 : 200));
    const cfg = config([endpoint], { baseBackoffMs: 5000 });
    await emit('closure.requested', 'acct-3', { closureId: 'c-3' });
    await dispatchOutbox(database, cfg, T0);

    expect(await deliverDue(database, cfg, T0, { owner: 'w1' })).toEqual({
      delivered: 0,
      failed: 1,
      dead: 0,
    });
    const [failed] = await listDeliveries(database, { limit: 1 });
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(5000) });
    expect(failed?.lastError).toContain('HTTP 500');
    expect(failed?.lastError).toContain('refused with 500');

    // Not yet due: nothing is sent.
    expect(await deliverDue(database, cfg, at(4999), { owner: 'w1' })).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
    });
    expect(receiver.forPath('/flaky')).toHaveLength(1);

    expect(await deliverDue(database, cfg, at(5000), { owner: 'w1' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });
    expect(await deliverDue(database, cfg, at(3_600_000), { owner: 'w1' })).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
    });
    const requests = receiver.forPath('/flaky');
    expect(requests).toHaveLength(2);
    // A retry is the same delivery with the same body: the receiver dedupes on the id.
    expect(requests[1]?.headers['webhook-id']).toBe(requests[0]?.headers['webhook-id']);
    expect(requests[1]?.body).toBe(requests[0]?.body);
    expect(
      verifyWebhook(SECRET, requests[1]?.headers ?? {}, requests[1]?.body ?? '', seconds(at(5000))),
    ).toBe(true);
    const [delivered] = await listDeliveries(database, { limit: 1 });
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2, deliveredAt: at(5000) });
  });

  it('gives up as dead after maxAttempts on the documented schedule, keeps it listed, and retries it on request', async () => {
    let healthy = false;
    const endpoint = receiver.on('/down', () => (healthy ? 204 : 503));
    const cfg = config([endpoint], { maxAttempts: 4, baseBackoffMs: 1000, maxBackoffMs: 3000 });
    await emit('closure.blocked', 'acct-4', { closureId: 'c-4' });
    await dispatchOutbox(database, cfg, T0);

    // Waits of 1 s, 2 s, then 3 s (capped): attempts at 0, 1, 3 and 6 seconds.
    const schedule = [0, 1000, 3000, 6000];
    for (const [i, ms] of schedule.entries()) {
      expect(await deliverDue(database, cfg, at(ms - 1), { owner: 'w1' })).toEqual({
        delivered: 0,
        failed: 0,
        dead: 0,
      });
      const last = i === schedule.length - 1;
      expect(await deliverDue(database, cfg, at(ms), { owner: 'w1' })).toEqual({
        delivered: 0,
        failed: last ? 0 : 1,
        dead: last ? 1 : 0,
      });
    }
    expect(receiver.forPath('/down')).toHaveLength(4);
    expect(await deliverDue(database, cfg, at(86_400_000), { owner: 'w1' })).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
    });
    expect(receiver.forPath('/down')).toHaveLength(4);

    const dead = await listDeliveries(database, { status: 'dead', limit: 10 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      status: 'dead',
      attempts: 4,
      event: 'closure.blocked',
      accountId: 'acct-4',
    });
    expect(dead[0]?.lastError).toContain('HTTP 503');
    expect(await listDeliveries(database, { status: 'pending', limit: 10 })).toEqual([]);

    healthy = true;
    const later = at(90_000_000);
    expect(await retryDead(database, dead[0]?.id ?? 0, later)).toEqual({ ok: true });
    expect(await listDeliveries(database, { status: 'pending', limit: 10 })).toMatchObject([
      { attempts: 0, nextAttemptAt: later },
    ]);
    expect(await deliverDue(database, cfg, later, { owner: 'w1' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });
    expect(await retryDead(database, dead[0]?.id ?? 0, later)).toEqual({
      ok: false,
      reason: 'not_dead',
      status: 'delivered',
    });
    expect(await retryDead(database, 999_999, later)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('creates one delivery per endpoint however often it dispatches', async () => {
    const endpoints = [receiver.url('/a'), receiver.url('/b')];
    const cfg = config(endpoints);
    for (const n of [1, 2, 3]) await emit('account.enabled', `acct-${n}`, { n });

    expect(await dispatchOutbox(database, cfg, T0, { batchSize: 2 })).toBe(3);
    expect(await dispatchOutbox(database, cfg, T0)).toBe(0);
    expect(await deliveryCount()).toBe(6);

    // Even events dispatched again (as after a crash between fan-out and marking) add nothing.
    await database.db.updateTable('outbox').set({ dispatched: 0 }).execute();
    expect(await dispatchOutbox(database, cfg, T0)).toBe(3);
    expect(await deliveryCount()).toBe(6);

    const rows = await database.db
      .selectFrom('webhook_deliveries')
      .select(['outbox_id', 'endpoint'])
      .execute();
    const pairs = new Set(rows.map((r) => `${r.outbox_id} ${r.endpoint}`));
    expect(pairs.size).toBe(6);
  });

  it('only marks events dispatched when no endpoint is configured', async () => {
    await emit('closure.cancelled', 'acct-5', {});
    expect(await dispatchOutbox(database, null, T0)).toBe(1);
    expect(await deliveryCount()).toBe(0);
    const left = await database.db
      .selectFrom('outbox')
      .select('id')
      .where('dispatched', '=', 0)
      .execute();
    expect(left).toEqual([]);
  });

  it('records refused connections, timeouts and redirects as failures', async () => {
    const refused = await refusingUrl();
    const hanging = receiver.on('/hang', () => 'hang');
    const redirecting = receiver.on('/moved', () => 302);
    // Long enough that the redirect answers in time on a loaded machine; the hanging
    // endpoint never answers, whatever the limit.
    const cfg = config([refused, hanging, redirecting], { timeoutMs: 2000 });
    await emit('closure.expired', 'acct-6', {});
    await dispatchOutbox(database, cfg, T0);

    expect(await deliverDue(database, cfg, T0, { owner: 'w1' })).toEqual({
      delivered: 0,
      failed: 3,
      dead: 0,
    });
    const errors = Object.fromEntries(
      (await listDeliveries(database, { limit: 10 })).map((d) => [d.endpoint, d.lastError]),
    );
    expect(errors[refused]).toContain('ECONNREFUSED');
    expect(errors[hanging]).toBe('no answer within 2000 ms');
    expect(errors[redirecting]).toContain('HTTP 302');
    expect(receiver.forPath('/elsewhere')).toHaveLength(0);
  });

  it('leaves deliveries to an endpoint no longer configured untouched', async () => {
    const kept = receiver.url('/kept');
    const removed = receiver.url('/removed');
    await emit('closure.confirmed', 'acct-7', {});
    await dispatchOutbox(database, config([kept, removed]), T0);

    expect(await deliverDue(database, config([kept]), T0, { owner: 'w1' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });
    expect(receiver.forPath('/removed')).toHaveLength(0);
    expect(await listDeliveries(database, { status: 'pending', limit: 10 })).toMatchObject([
      { endpoint: removed, attempts: 0 },
    ]);
  });

  it('retries a delivery whose sender stopped, once its lease has run out', async () => {
    const endpoint = receiver.url('/orphan');
    const cfg = config([endpoint]);
    await emit('closure.requested', 'acct-8', {});
    await dispatchOutbox(database, cfg, T0);
    // A sender claimed it and died before posting: its lease holds it until it expires.
    await database.db
      .updateTable('webhook_deliveries')
      .set({ lease_owner: 'dead-worker', lease_expires_at: at(60_000).getTime(), attempts: 1 })
      .execute();

    expect(await deliverDue(database, cfg, at(59_999), { owner: 'w2' })).toEqual({
      delivered: 0,
      failed: 0,
      dead: 0,
    });
    expect(await deliverDue(database, cfg, at(60_000), { owner: 'w2' })).toEqual({
      delivered: 1,
      failed: 0,
      dead: 0,
    });
    expect(receiver.forPath('/orphan')).toHaveLength(1);
    expect(await listDeliveries(database, { limit: 1 })).toMatchObject([
      { status: 'delivered', attempts: 2 },
    ]);
  });

  it('never posts one delivery twice when two processes deliver at once', async () => {
    const endpoint = receiver.on('/shared', () => ({ status: 200, delayMs: 15 }));
    const cfg = config([endpoint]);
    const events = 60;
    for (let n = 0; n < events; n += 1) await emit('closure.completed', `acct-${n}`, { n });
    await dispatchOutbox(database, cfg, T0);

    // A second connection pool stands for a second process.
    const other = await openDatabase(url);
    try {
      const drain = async (db: Database, owner: string) => {
        let delivered = 0;
        for (;;) {
          const result = await deliverDue(db, cfg, T0, { owner, limit: 7 });
          delivered += result.delivered;
          if (result.delivered + result.failed + result.dead === 0) return delivered;
        }
      };
      const [first, second] = await Promise.all([
        drain(database, 'worker-a'),
        drain(other, 'worker-b'),
      ]);
      expect(first + second).toBe(events);
      expect(first).toBeGreaterThan(0);
      expect(second).toBeGreaterThan(0);
    } finally {
      await other.close();
    }

    const perDelivery = new Map<string, number>();
    for (const r of receiver.forPath('/shared')) {
      const id = String(r.headers['webhook-id']);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    expect(perDelivery.size).toBe(events);
    expect([...perDelivery.values()].every((count) => count === 1)).toBe(true);
    expect(await listDeliveries(database, { status: 'delivered', limit: 1000 })).toHaveLength(
      events,
    );
  });
});
