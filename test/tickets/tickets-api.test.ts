import { generateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepTicketSla } from '../../src/app/tickets.js';
import { listMail } from '../../src/adapters/store/mailbox-repository.js';
import { DIALECTS } from '../support/databases.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';

/*
 * Support tickets over real HTTP handling (Fastify inject) on a real database of each
 * dialect: the "done when" scenario, the internal note the holder never sees, the
 * refused agent reply, SLA timers driven by a moved clock, and a closure decided from a ticket.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface TicketBody {
  ticket: { id: string; state: string; category: string; blockerCode: string | null };
  message: { id: string; body: string; redacted: string[] };
  redacted: { kind: string; placeholder: string }[];
  warning: string | null;
}

describe.each(DIALECTS)('support tickets over HTTP [%s]', (dialect) => {
  let h: Harness;
  const ada = () => h.agent('agent-ada', ['support', 'compliance']);
  const bo = () => h.agent('agent-bo', ['compliance']);

  beforeAll(async () => {
    h = await openHarness(dialect);
  });
  afterAll(async () => {
    await h.dispose();
  });

  const outbox = async (event: string) =>
    (
      await h.ctx.database.db
        .selectFrom('outbox')
        .select(['event', 'payload'])
        .where('event', '=', event)
        .execute()
    ).map((r) => JSON.parse(r.payload) as Record<string, unknown>);

  it('runs the dispute scenario: blocker ticket, redacted seed phrase, refused reply, note, resolution', async () => {
    const holder = h.holder('demo-dispute');
    const seed = generateMnemonic(wordlist);
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: holder,
      body: {
        blockerCode: 'open_dispute',
        body: `Why is my dispute still open? My seed phrase is ${seed} if you need it.`,
      },
    });
    expect(opened.status).toBe(201);
    expect(opened.body).not.toContain(seed);
    const body = opened.json<TicketBody & { verdict: { audience: string } }>();
    expect(body.ticket).toMatchObject({
      category: 'dispute',
      state: 'new',
      blockerCode: 'open_dispute',
    });
    expect(body.message.body).toContain('[redacted: seed phrase]');
    expect(body.redacted).toEqual([
      { kind: 'seed_phrase', placeholder: '[redacted: seed phrase]' },
    ]);
    expect(body.warning).toMatch(/seed phrase/);
    expect(body.verdict.audience).toBe('holder');
    const id = body.ticket.id;

    const unsafe = await h.call('POST', `/v1/agent/tickets/${id}/replies`, {
      token: ada(),
      body: { body: 'To verify you, please send us the verification code we texted you.' },
    });
    expect(unsafe.status).toBe(422);
    expect(unsafe.json()).toMatchObject({
      error: {
        code: 'OFFBOARD_ERR_UNSAFE_REPLY',
        message: expect.stringContaining('asks_for_one_time_code') as unknown,
      },
    });

    const note = 'INTERNAL-ONLY chargeback reference CB-4411 with the card partner';
    expect(
      (
        await h.call('POST', `/v1/agent/tickets/${id}/notes`, {
          token: ada(),
          body: { body: note },
        })
      ).status,
    ).toBe(201);
    const pending = await h.call('POST', `/v1/agent/tickets/${id}/pending-internal`, {
      token: ada(),
    });
    expect(pending.json<TicketBody>().ticket.state).toBe('pending_internal');
    const replied = await h.call('POST', `/v1/agent/tickets/${id}/replies`, {
      token: ada(),
      body: {
        body: 'We are checking the dispute with the merchant. We will never ask for your seed phrase.',
      },
    });
    expect(replied.status).toBe(201);
    expect(replied.json<TicketBody>().ticket.state).toBe('pending_holder');

    const resolved = await h.call('POST', `/v1/agent/tickets/${id}/resolve`, {
      token: ada(),
      body: { reply: 'The merchant withdrew the dispute; you can close your account now.' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.json<TicketBody>().ticket.state).toBe('resolved');

    const seen = await h.call('GET', `/v1/me/tickets/${id}`, { token: holder });
    expect(seen.status).toBe(200);
    expect(seen.body).not.toContain('INTERNAL-ONLY');
    expect(seen.body).not.toContain(seed);
    const view = seen.json<{
      ticket: { state: string };
      messages: { from: string; body: string }[];
    }>();
    expect(view.ticket.state).toBe('resolved');
    expect(view.messages.map((m) => m.from)).toEqual(['holder', 'support', 'support']);
    expect(view.messages[2]?.body).toMatch(/merchant withdrew/);

    const list = await h.call('GET', '/v1/me/tickets', { token: holder });
    expect(list.body).not.toContain('INTERNAL-ONLY');

    // The holder's mail holds both replies and never the note.
    const mail = await listMail(h.ctx.database, { accountId: 'demo-dispute', limit: 50 });
    const replies = mail.filter((m) => m.template === 'ticket.reply');
    expect(replies.length).toBeGreaterThanOrEqual(2);
    expect(replies.some((m) => m.body.includes('merchant withdrew'))).toBe(true);
    expect(mail.some((m) => m.body.includes('INTERNAL-ONLY'))).toBe(false);

    // Nothing bound for the platform's webhooks carries a message either.
    const events = await h.ctx.database.db.selectFrom('outbox').select('payload').execute();
    expect(events.some((e) => e.payload.includes('INTERNAL-ONLY'))).toBe(false);

    // The agent sees the note and the account picture beside the messages.
    const agentView = await h.call('GET', `/v1/agent/tickets/${id}`, { token: ada() });
    expect(agentView.status).toBe(200);
    const a = agentView.json<{
      messages: { kind: string; body: string }[];
      account: { verdict: { audience: string }; audit: { action: string }[] };
      openedWith: { audience: string } | null;
    }>();
    expect(a.messages.map((m) => m.kind)).toEqual(['reply', 'note', 'reply', 'reply']);
    expect(a.messages[1]?.body).toBe(note);
    expect(a.account.verdict.audience).toBe('agent');
    expect(a.openedWith?.audience).toBe('agent');
    expect(a.account.audit.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'ticket.open',
        'ticket.note',
        'ticket.pend_internal',
        'ticket.reply',
        'ticket.resolve',
      ]),
    );
    // Audit entries name messages by id, never by their words.
    expect(agentView.body.match(/INTERNAL-ONLY/g)?.length).toBe(1);
  });

  it('keeps another account’s ticket from the holder, and refuses a blocker the account lacks', async () => {
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: h.holder('demo-dispute'),
      body: { body: 'Another question', category: 'other' },
    });
    const id = opened.json<TicketBody>().ticket.id;
    const other = await h.call('GET', `/v1/me/tickets/${id}`, { token: h.holder('demo-balance') });
    expect(other.status).toBe(404);
    expect(other.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_NOT_FOUND' } });
    const wrong = await h.call('POST', '/v1/me/tickets', {
      token: h.holder('demo-balance'),
      body: { body: 'help', blockerCode: 'open_dispute' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_INVALID_ARGUMENT' } });
  });

  it('flags a forwarded phishing lure to agents only', async () => {
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: h.holder('demo-balance'),
      body: {
        body: 'Is this you? "Account closure service: we can close your account for 50 USDT, pay first."',
      },
    });
    const id = opened.json<TicketBody>().ticket.id;
    expect(opened.body).not.toMatch(/phishing/i);
    const agentView = await h.call('GET', `/v1/agent/tickets/${id}`, { token: ada() });
    const messages = agentView.json<{ messages: { phishing: string[] }[] }>().messages;
    expect(messages[0]?.phishing.length).toBeGreaterThan(0);
  });

  it('drives SLA timers with the clock: a warning and a breach once each, paused while the holder is asked', async () => {
    const start = h.clock.now();
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: h.holder('demo-whale'),
      body: { body: 'When will my closure be looked at?', category: 'expedite_request' },
    });
    const id = opened.json<TicketBody>().ticket.id;
    const sweep = () => sweepTicketSla(h.ctx.app, h.ctx.rules, { limit: 100 });
    const mine = async (event: string) => (await outbox(event)).filter((p) => p['ticketId'] === id);

    // Default normal priority: first response in 24h, warned 4h before.
    h.clock.set(new Date(start.getTime() + 19 * HOUR));
    await sweep();
    expect(await mine('ticket.sla_warning')).toEqual([]);
    h.clock.set(new Date(start.getTime() + 21 * HOUR));
    await sweep();
    await sweep();
    expect((await mine('ticket.sla_warning')).map((p) => p['target'])).toEqual(['first_response']);
    const breaching = await h.call('GET', '/v1/agent/tickets?breaching=true', { token: ada() });
    expect(breaching.json<{ tickets: { id: string }[] }>().tickets.map((t) => t.id)).toContain(id);

    h.clock.set(new Date(start.getTime() + 25 * HOUR));
    await sweep();
    await sweep();
    expect((await mine('ticket.sla_breached')).map((p) => p['target'])).toEqual(['first_response']);

    // An agent asks the holder: the resolution clock (5d) stands still for the 10 days they take.
    await h.call('POST', `/v1/agent/tickets/${id}/replies`, {
      token: ada(),
      body: { body: 'Which withdrawal address should the balance go to?' },
    });
    h.clock.set(new Date(start.getTime() + 11 * DAY));
    await sweep();
    expect(await mine('ticket.sla_breached')).toHaveLength(1);
    const paused = await h.call('GET', `/v1/agent/tickets/${id}`, { token: ada() });
    expect(paused.json<{ ticket: { sla: { paused: boolean } } }>().ticket.sla.paused).toBe(true);

    await h.call('POST', `/v1/me/tickets/${id}/messages`, {
      token: h.holder('demo-whale'),
      body: { body: 'The usual one, thanks.' },
    });
    // 25h used before the pause, ~10 days paused: the 5-day target now falls about 10 days later.
    h.clock.set(new Date(start.getTime() + 12 * DAY));
    await sweep();
    expect(await mine('ticket.sla_breached')).toHaveLength(1);
    h.clock.set(new Date(start.getTime() + 16 * DAY));
    await sweep();
    await sweep();
    expect((await mine('ticket.sla_breached')).map((p) => p['target'])).toEqual([
      'first_response',
      'resolution',
    ]);
    expect((await mine('ticket.sla_warning')).map((p) => p['target'])).toEqual([
      'first_response',
      'resolution',
    ]);
    h.clock.set(start);
  });

  it('links an escalated closure, decides it with four eyes, and tells the holder in the ticket', async () => {
    const holder = h.holder('demo-cooling-off');
    const opened = await h.call('POST', '/v1/me/tickets', {
      token: holder,
      body: {
        body: 'Please close my account, the cooling-off is not needed.',
        category: 'expedite_request',
      },
    });
    const id = opened.json<TicketBody>().ticket.id;
    const notEscalated = await h.call('POST', `/v1/agent/tickets/${id}/link-closure`, {
      token: ada(),
    });
    expect(notEscalated.status).toBe(409);

    const requested = await h.call('POST', '/v1/me/closure', { token: holder, body: {} });
    expect(requested.status).toBe(201);
    await h.call('POST', '/v1/me/closure/confirm', {
      token: holder,
      body: { code: await h.code('demo-cooling-off') },
    });
    const escalated = await h.call('POST', '/v1/agent/accounts/demo-cooling-off/closure/escalate', {
      token: ada(),
      body: { reason: 'holder asks to skip cooling-off' },
    });
    expect(escalated.status).toBe(200);
    expect(
      (await h.call('POST', `/v1/agent/tickets/${id}/link-closure`, { token: ada() })).status,
    ).toBe(200);

    const asked = await h.call('POST', `/v1/agent/tickets/${id}/closure/approve`, {
      token: ada(),
      body: { note: 'verified by phone' },
    });
    expect(asked.status).toBe(202);
    const approvalId = asked.json<{ id: string }>().id;
    const self = await h.call('POST', `/v1/agent/approvals/${approvalId}/approve`, {
      token: ada(),
    });
    expect(self.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_FOUR_EYES' } });
    const approved = await h.call('POST', `/v1/agent/approvals/${approvalId}/approve`, {
      token: bo(),
    });
    expect(approved.status).toBe(200);

    const seen = await h.call('GET', `/v1/me/tickets/${id}`, { token: holder });
    const messages = seen.json<{ messages: { from: string; body: string }[] }>().messages;
    expect(messages.at(-1)).toMatchObject({
      from: 'support',
      body: expect.stringMatching(/closure request was approved/) as unknown,
    });
  });
});
