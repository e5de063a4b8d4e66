import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleModule } from '../../src/adapters/web/console/module.js';
import { consoleTicketsModule } from '../../src/adapters/web/console/ticket-module.js';
import { holderTicketsModule } from '../../src/adapters/web/holder-tickets/module.js';
import {
  csrfToken,
  newSession,
  sealSession,
  SESSION_COOKIES,
} from '../../src/adapters/web/session.js';
import type { AgentRole } from '../../src/adapters/http/tokens.js';
import { openHarness } from '../http/harness.js';
import type { Answer, Harness } from '../http/harness.js';
import { form, holderCookie, kitProbe } from './support.js';

/*
 * Support tickets in the web pages, through inject over a real SQLite database with the
 * scenario accounts: the holder opens a ticket from a blocker and sees a pasted seed
 * phrase redacted at once; agents work it from the console (an unsafe reply refused on the
 * page, an internal note no holder page ever shows, in either language); forms need the
 * session's CSRF token; and the queue lists a ticket about to breach as the clock moves.
 */

const probe = kitProbe();
const FORM = 'application/x-www-form-urlencoded';
const HOUR = 3_600_000;
const SEED = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

describe('support tickets in the web pages', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite', {
      deps: { web: [probe.module, consoleModule, consoleTicketsModule, holderTicketsModule] },
    });
    await h.app.ready();
  });
  afterAll(async () => h.dispose());

  const holder = (accountId: string) => holderCookie(probe.kit(), accountId, h.clock.now());
  const agent = (id: string, roles: AgentRole[] = ['support']) => {
    const session = newSession('agent', id, h.clock.now(), roles);
    return {
      cookie: `${SESSION_COOKIES.agent}=${sealSession(probe.kit().key, session)}`,
      csrf: csrfToken(probe.kit().key, session),
    };
  };
  const get = (path: string, who: { cookie: string }, headers: Record<string, string> = {}) =>
    h.call('GET', path, { headers: { cookie: who.cookie, ...headers } });
  const post = (path: string, who: { cookie: string }, fields: Record<string, string>) =>
    h.call('POST', path, {
      headers: { cookie: who.cookie, 'content-type': FORM },
      raw: form(fields),
    });
  const location = (a: Answer) => String(a.headers['location']);
  const ticketIdOf = (a: Answer) => /\/account\/tickets\/(tkt_[^?]+)/.exec(location(a))?.[1] ?? '';

  /** Opens a ticket as the holder through the page's form; returns its id and the redirect. */
  async function openAs(accountId: string, fields: Record<string, string>) {
    const who = holder(accountId);
    const answer = await post('/account/tickets', who, { _csrf: who.csrf, ...fields });
    expect(answer.status).toBe(303);
    return { id: ticketIdOf(answer), answer, who };
  }

  it('sends a holder without a session to sign in, and never reads an agent session as one', async () => {
    expect(location(await h.call('GET', '/account/tickets'))).toBe('/account/sign-in');
    const asAgent = await get('/account/tickets', agent('agent-ana'));
    expect(asAgent.status).toBe(303);
    expect(location(asAgent)).toBe('/account/sign-in');
    const asHolder = await get('/console/tickets/tkt_x', holder('demo-dispute'));
    expect(location(asHolder)).toBe('/console/sign-in');
  });

  it('opens a ticket from a blocker, and warns at once when a seed phrase was pasted, never echoing it', async () => {
    const who = holder('demo-dispute');
    const blank = await get('/account/tickets/new?blocker=open_dispute', who);
    expect(blank.status).toBe(200);
    expect(blank.body).toContain('name="blocker" value="open_dispute"');
    expect(blank.body).toMatch(/name="subject"[^>]*value="Cannot close my account: [^"]+"/);
    expect(blank.body).toContain('(a dispute)');
    // The standing notice against impostors.
    expect(blank.body).toContain('never ask for your password');

    const { id, answer } = await openAs('demo-dispute', {
      blocker: 'open_dispute',
      subject: 'My dispute',
      body: `Please help, here is my wallet backup: ${SEED}`,
    });
    expect(location(answer)).toContain('redacted=seed_phrase');
    expect(location(answer)).not.toContain('legal');
    const page = await get(location(answer), who);
    expect(page.status).toBe(200);
    expect(page.body).toContain('We removed a seed phrase from your message');
    expect(page.body).toContain('[redacted: seed phrase]');
    expect(page.body).not.toContain('sausage');
    expect(page.body).toContain('About');
    const stored = await h.ctx.app.repos.tickets.get(id);
    expect(stored?.ticket).toMatchObject({ category: 'dispute', blockerCode: 'open_dispute' });

    const zh = await get(location(answer), who, { 'accept-language': 'zh-CN' });
    expect(zh.body).toContain('我们在存储前已从您的消息中删除了助记词');
    expect(zh.body).not.toContain('sausage');

    const listed = await get('/account/tickets', who);
    expect(listed.body).toContain(`/account/tickets/${id}`);
    expect(listed.body).toContain('My dispute');
  });

  it('refuses every form without the session’s CSRF token', async () => {
    const who = holder('demo-dispute');
    const opened = await post('/account/tickets', who, { body: 'hello' });
    expect(opened.status).toBe(403);
    expect(opened.body).toContain('OFFBOARD_ERR_FORBIDDEN');
    const { id } = await openAs('demo-dispute', { body: 'A question' });
    const forged = await post(`/account/tickets/${id}/reply`, who, {
      _csrf: holder('demo-dispute').csrf,
      body: 'x',
    });
    expect(forged.status).toBe(403);
    const ana = agent('agent-ana');
    const reply = await post(`/console/tickets/${id}/reply`, ana, { body: 'Hello' });
    expect(reply.status).toBe(403);
    const note = await post(`/console/tickets/${id}/note`, ana, {
      _csrf: agent('agent-ana').csrf,
      body: 'n',
    });
    expect(note.status).toBe(403);
    expect((await h.ctx.app.repos.tickets.messages(id)).length).toBe(1);
  });

  it('escapes what holders write, on both sides', async () => {
    const { id, who } = await openAs('demo-balance', {
      subject: '<script>alert(1)</script>',
      body: '<img src=x onerror=alert(2)>',
    });
    const mine = await get(`/account/tickets/${id}`, who);
    expect(mine.body).not.toContain('<script>alert(1)');
    expect(mine.body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(mine.body).not.toContain('<img src=x');
    const seen = await get(`/console/tickets/${id}`, agent('agent-ana'));
    expect(seen.body).not.toContain('<script>alert(1)');
    expect(seen.body).not.toContain('<img src=x');
    expect(seen.body).toContain('&lt;img src=x onerror=alert(2)>');
  });

  it('refuses an unsafe reply on the page with its rule, keeping the text; replies, notes, assigns and resolves', async () => {
    const { id, who } = await openAs('demo-dispute', {
      blocker: 'open_dispute',
      body: 'Why is my account blocked?',
    });
    const ana = agent('agent-ana');
    const unsafe = 'To verify you, please send us the verification code we texted you <now>.';
    const refused = await post(`/console/tickets/${id}/reply`, ana, {
      _csrf: ana.csrf,
      body: unsafe,
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('asks_for_one_time_code');
    expect(refused.body).toMatch(
      /<textarea[^>]*id="reply-body"[^>]*>To verify you, please send us the verification code we texted you &lt;now>.<\/textarea>/,
    );
    expect(await h.ctx.app.repos.tickets.holderMessages(id)).toHaveLength(1);

    const note = 'INTERNAL-ONLY chargeback CB-4411 with the card partner';
    const noted = await post(`/console/tickets/${id}/note`, ana, { _csrf: ana.csrf, body: note });
    expect(location(noted)).toBe(`/console/tickets/${id}?done=noted`);
    const replied = await post(`/console/tickets/${id}/reply`, ana, {
      _csrf: ana.csrf,
      body: 'We are looking at the dispute with the merchant; we will write again within two days.',
    });
    expect(location(replied)).toBe(`/console/tickets/${id}?done=replied`);
    const assigned = await post(`/console/tickets/${id}/assign`, ana, { _csrf: ana.csrf });
    expect(location(assigned)).toBe(`/console/tickets/${id}?done=assigned`);

    const page = await get(`/console/tickets/${id}?done=assigned`, ana);
    expect(page.body).toContain('The ticket is assigned to you.');
    expect(page.body).toContain('<dd>agent-ana</dd>');
    expect(page.body).toMatch(/class="message note"[\s\S]*INTERNAL-ONLY chargeback CB-4411/);
    expect(page.body).toContain('Internal note (the holder never sees it)');
    expect(page.body).toContain('First response due');
    expect(page.body).toContain(`/console/accounts/demo-dispute`);
    // The case page lists the account's tickets.
    const casePage = await get('/console/accounts/demo-dispute', ana);
    expect(casePage.body).toContain(`/console/tickets/${id}`);

    const resolved = await post(`/console/tickets/${id}/resolve`, ana, { _csrf: ana.csrf });
    expect(location(resolved)).toBe(`/console/tickets/${id}?done=resolved`);

    // No holder page shows the note, in either language.
    for (const lang of ['en', 'zh-CN']) {
      for (const path of [
        '/account/tickets',
        `/account/tickets/${id}`,
        '/account/tickets/new?blocker=open_dispute',
      ]) {
        const holderPage = await get(path, who, { 'accept-language': lang });
        expect(holderPage.status, path).toBe(200);
        expect(holderPage.body, `${path} ${lang}`).not.toContain('INTERNAL-ONLY');
        expect(holderPage.body, `${path} ${lang}`).not.toContain('CB-4411');
      }
    }
    const mine = await get(`/account/tickets/${id}`, who);
    expect(mine.body).toContain('We are looking at the dispute with the merchant');
    expect(mine.body).toContain('<dd>resolved</dd>');
  });

  it('never shows a holder the hold’s kind or reason, nor the phishing flags', async () => {
    const { id, who } = await openAs('demo-hold-compliance', {
      blocker: 'account_hold',
      body: 'Is this you? "Account closure service: we can close your account for 50 USDT, pay first."',
    });
    const agentPage = await get(`/console/tickets/${id}`, agent('agent-ana'));
    expect(agentPage.body).toContain('SAR-7781');
    expect(agentPage.body).toContain('This message looks like a phishing lure:');
    for (const lang of ['en', 'zh-CN'])
      for (const path of [
        `/account/tickets/${id}`,
        '/account/tickets',
        '/account/tickets/new?blocker=account_hold',
      ]) {
        const page = await get(path, who, { 'accept-language': lang });
        // The account's own id names the scenario: everything else must not.
        const body = page.body.replaceAll('demo-hold-compliance', '');
        expect(body).not.toContain('SAR-7781');
        expect(body, `${path} ${lang}`).not.toMatch(/compliance|合规|phishing|钓鱼/i);
      }
  });

  it('answers another holder’s ticket with an error page, not the ticket', async () => {
    const { id } = await openAs('demo-dispute', { body: 'Mine only' });
    const other = await get(`/account/tickets/${id}`, holder('demo-balance'));
    expect(other.status).toBe(404);
    expect(other.body).toContain('OFFBOARD_ERR_NOT_FOUND');
    expect(other.body).not.toContain('Mine only');
  });

  it('explains a refused message on the form, and answers an unknown ticket with its code', async () => {
    const who = holder('demo-dispute');
    const empty = await post('/account/tickets', who, { _csrf: who.csrf, body: '   ' });
    expect(location(empty)).toBe('/account/tickets/new?error=OFFBOARD_ERR_INVALID_ARGUMENT');
    const shown = await get(location(empty), who);
    expect(shown.body).toContain('Write a message of 1 to 8,000 characters.');
    // A blocker the holder's verdict does not have is refused, not guessed.
    const stranger = await post('/account/tickets', who, {
      _csrf: who.csrf,
      blocker: 'account_hold',
      body: 'Why?',
    });
    expect(location(stranger)).toBe(
      '/account/tickets/new?blocker=account_hold&error=OFFBOARD_ERR_INVALID_ARGUMENT',
    );
    const form = await get(location(stranger), who);
    expect(form.body).not.toContain('name="blocker"');
    const unknown = await get('/console/tickets/tkt_nope', agent('agent-ana'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain('OFFBOARD_ERR_NOT_FOUND');
  });

  it('links the escalated closure from the ticket page; its decision on the case page reaches the holder', async () => {
    const { id, who } = await openAs('demo-cooling-off', {
      body: 'Please close my account, the cooling-off is not needed.',
    });
    const bo = agent('agent-bo', ['compliance']);
    const early = await post(`/console/tickets/${id}/link-closure`, bo, { _csrf: bo.csrf });
    expect(location(early)).toBe(`/console/tickets/${id}?error=OFFBOARD_ERR_NO_CLOSURE`);
    expect((await get(location(early), bo)).body).toContain('no open closure');
    expect((await get(`/console/tickets/${id}`, bo)).body).not.toContain('/link-closure"');

    const token = h.holder('demo-cooling-off');
    expect((await h.call('POST', '/v1/me/closure', { token, body: {} })).status).toBe(201);
    await h.call('POST', '/v1/me/closure/confirm', {
      token,
      body: { code: await h.code('demo-cooling-off') },
    });
    const escalated = await h.call('POST', '/v1/agent/accounts/demo-cooling-off/closure/escalate', {
      token: h.agent('agent-bo', ['compliance']),
      body: { reason: 'holder asks to skip cooling-off' },
    });
    expect(escalated.status).toBe(200);

    const offered = await get(`/console/tickets/${id}`, bo);
    expect(offered.body).toContain(`action="/console/tickets/${id}/link-closure"`);
    const linked = await post(`/console/tickets/${id}/link-closure`, bo, { _csrf: bo.csrf });
    expect(location(linked)).toBe(`/console/tickets/${id}?done=linked`);
    const page = await get(location(linked), bo);
    expect(page.body).toContain('The escalated closure is linked to the ticket.');
    expect(page.body).toContain('Decide the linked closure on the case page:');

    const rejected = await post('/console/accounts/demo-cooling-off/closure/reject', bo, {
      _csrf: bo.csrf,
      reason: 'cooling-off applies (synthetic)',
    });
    expect(location(rejected)).toBe('/console/accounts/demo-cooling-off?done=rejected');
    const mine = await get(`/account/tickets/${id}`, who);
    expect(mine.body).toContain('Your closure request was not approved.');
  });

  it('lists a ticket about to breach before the rest of the queue as the clock moves', async () => {
    const ana = agent('agent-ana');
    const { id: early } = await openAs('demo-whale', {
      body: 'When will my closure be looked at?',
    });
    const before = await get('/console?kind=ticket', ana);
    expect(before.body).toContain(`/console/tickets/${early}`);
    expect(before.body).not.toContain('about to breach');

    // Normal priority: first response within 24h, about to breach 4h before.
    h.clock.advance(21 * HOUR);
    const { id: late } = await openAs('demo-whale', { body: 'A second question' });
    const fresh = agent('agent-ana');
    const queue = await get('/console?kind=ticket', fresh);
    const order = [...queue.body.matchAll(/\/console\/tickets\/(tkt_[^"]+)"/g)].map((m) => m[1]);
    expect(order.indexOf(early)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(early)).toBeLessThan(order.indexOf(late));
    expect(queue.body).toMatch(/class="late"[^>]*>[^<]*\(about to breach\)/);

    // In the whole queue, nothing on time comes before it.
    const all = await get('/console', fresh);
    const rows = all.body.split('<tr data-kind=').slice(1);
    const at = rows.findIndex((r) => r.includes(`/console/tickets/${early}`));
    expect(at).toBeGreaterThanOrEqual(0);
    for (const row of rows.slice(0, at)) expect(row).toContain('class="late"');

    h.clock.advance(4 * HOUR);
    const breached = await get(`/console/tickets/${early}`, fresh);
    expect(breached.body).toContain('Late by');
  });
});
