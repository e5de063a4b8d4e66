import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentSignInLink } from '../../src/app/agent-sign-in.js';
import { placeHold } from '../../src/app/holds.js';
import {
  csrfToken,
  newSession,
  sealSession,
  SESSION_COOKIES,
} from '../../src/adapters/web/session.js';
import type { AgentRole } from '../../src/adapters/http/tokens.js';
import { openHarness } from '../http/harness.js';
import type { Answer, Harness } from '../http/harness.js';
import { form, holderCookie, kitProbe, setCookies } from './support.js';
import { consoleModule } from '../../src/adapters/web/console/module.js';

/*
 * The agent console through inject over a real SQLite database with the scenario
 * accounts: sign-in (one-time links, agent tokens), the queue and its fragment, the case
 * page (escaping, the agent-only hold detail, both languages), CSRF, roles, and four-eyes
 * decisions bound to the proposal's hash.
 */

const probe = kitProbe();
const FORM = 'application/x-www-form-urlencoded';

describe('the agent console', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite', { deps: { web: [probe.module, consoleModule] } });
    await h.app.ready();
  });
  afterAll(async () => h.dispose());

  /** A signed agent session, as signing in would give. */
  const agent = (id: string, roles: AgentRole[]) => {
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
  const approvalOf = (page: string) => {
    const found = /action="\/console\/approvals\/(apr_[^/"]+)\/approve"/.exec(page);
    const hash = /name="proposal" value="([0-9a-f]{64})"/.exec(page);
    return { id: found?.[1] ?? '', hash: hash?.[1] ?? '' };
  };

  it('sends an agent without a session to sign in, and never reads a holder session as one', async () => {
    const anonymous = await h.call('GET', '/console');
    expect(anonymous.status).toBe(303);
    expect(location(anonymous)).toBe('/console/sign-in');
    const holder = holderCookie(probe.kit(), 'demo-clean', h.clock.now());
    const asHolder = await get('/console', holder);
    expect(asHolder.status).toBe(303);
    expect(location(asHolder)).toBe('/console/sign-in');
  });

  it('signs in once with a one-time link: a GET only shows the form, the POST spends it', async () => {
    const { token } = await createAgentSignInLink(h.ctx.app, {
      agentId: 'agent-ana',
      roles: ['support'],
      ttlMs: 3_600_000,
    });
    const shown = await h.call('GET', `/console/sign-in?link=${token}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toContain(`name="link" value="${token}"`);
    const signIn = () =>
      h.call('POST', '/console/sign-in', {
        headers: { 'content-type': FORM },
        raw: form({ link: token }),
      });
    const first = await signIn();
    expect(first.status).toBe(303);
    expect(location(first)).toBe('/console');
    const cookie = setCookies(first).find((c) => c.startsWith(`${SESSION_COOKIES.agent}=`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const queue = await get('/console', { cookie: cookie!.split(';')[0]! });
    expect(queue.status).toBe(200);
    expect(queue.body).toContain('Signed in as agent-ana (support)');
    const again = await signIn();
    expect(location(again)).toBe('/console/sign-in?refused=1');
    expect(setCookies(again)).toEqual([]);
    const refused = await h.call('GET', '/console/sign-in?refused=1');
    expect(refused.body).toContain('not valid');
    const signIns = (await h.ctx.app.repos.audit.page({ afterSeq: 0, limit: 1000 })).filter(
      (e) => e.action === 'agent.sign_in' && e.actorId === 'agent-ana',
    );
    expect(signIns.map((e) => e.data)).toEqual(['{"method":"link"}']);
  });

  it('signs in with an agent token from the identity provider, and refuses a holder token', async () => {
    const token = h.agent('agent-idp', ['compliance']);
    const ok = await h.call('POST', '/console/sign-in', {
      headers: { 'content-type': FORM },
      raw: form({ token }),
    });
    expect(location(ok)).toBe('/console');
    expect(setCookies(ok).some((c) => c.startsWith(`${SESSION_COOKIES.agent}=`))).toBe(true);
    const holder = await h.call('POST', '/console/sign-in', {
      headers: { 'content-type': FORM },
      raw: form({ token: h.holder('demo-clean') }),
    });
    expect(location(holder)).toBe('/console/sign-in?refused=1');
  });

  it('lists held accounts in the queue, filters them, and refreshes the table as a fragment', async () => {
    const ana = agent('agent-ana', ['support']);
    const page = await get('/console', ana);
    expect(page.status).toBe(200);
    expect(page.body).toContain('hx-get="/console/queue"');
    expect(page.body).toContain('href="/console/accounts/demo-hold-compliance"');
    expect(page.body).toContain('Account with a hold');
    const gb = await get('/console?kind=hold&jurisdiction=gb', ana);
    expect(gb.body).toContain('demo-hold-compliance');
    expect(gb.body).not.toContain('href="/console/accounts/demo-hold-legal"');
    const none = await get('/console?kind=escalated', ana);
    expect(none.body).toContain('Nothing waits for an agent.');
    const fragment = await get('/console/queue?kind=hold', ana);
    expect(fragment.status).toBe(200);
    expect(fragment.body.startsWith('<!doctype')).toBe(false);
    expect(fragment.body).toContain('<table');
    expect(fragment.body).not.toContain('<html');
  });

  it('pages the queue, the work most overdue first', async () => {
    for (let i = 0; i < 20; i += 1)
      await placeHold(h.ctx.app, {
        accountId: 'demo-balance',
        kind: 'compliance',
        reason: `review ${i}`,
        actor: { kind: 'agent', id: 'agent-bo' },
      });
    const ana = agent('agent-ana', ['support']);
    const first = await get('/console?kind=hold', ana);
    expect(first.body).toMatch(/\d+ waiting · page 1 of 2/);
    expect(first.body).toContain('href="/console?kind=hold&page=2"');
    // The scenario holds, placed months ago, are overdue and come before today's.
    const rows = [
      ...first.body.matchAll(/<tr data-kind="[a-z]+"><td><span class="([a-z]*)">/g),
    ].map((m) => m[1]);
    expect(rows[0]).toBe('late');
    expect(rows.indexOf('')).toBeGreaterThan(rows.lastIndexOf('late'));
    const second = await get('/console?kind=hold&page=2', ana);
    expect(second.body).toMatch(/page 2 of 2/);
    expect(second.body).toContain('Previous page');
    expect(second.body).not.toContain('Next page');
  });

  it('speaks Simplified Chinese when the agent’s browser asks for it', async () => {
    const ana = agent('agent-ana', ['support']);
    const page = await get('/console/accounts/demo-hold-compliance', ana, {
      'accept-language': 'zh-CN,zh;q=0.9',
    });
    expect(page.body).toContain('<html lang="zh-CN">');
    expect(page.body).toContain('冻结令');
  });

  it('shows agents the hold’s kind and reason, escaped', async () => {
    await placeHold(h.ctx.app, {
      accountId: 'demo-dust',
      kind: 'fraud',
      reason: '<script>alert(1)</script> ring review',
      actor: { kind: 'agent', id: 'agent-bo' },
    });
    const page = await get('/console/accounts/demo-dust', agent('agent-ana', ['support']));
    expect(page.status).toBe(200);
    expect(page.body).toContain('&lt;script>alert(1)&lt;/script> ring review');
    expect(page.body).not.toContain('<script>alert(1)');
    expect(page.body).toContain('<strong>fraud</strong>');
    expect(page.body).toContain('audit verify holds');
    // Support reads, but is not offered decisions it cannot take.
    expect(page.body).not.toContain('Propose lifting this hold');
  });

  it('refuses a decision without the session’s CSRF token', async () => {
    const bo = agent('agent-bo', ['compliance']);
    const refused = await post(
      '/console/accounts/demo-hold-legal/holds/demo-hold-legal-1/lift',
      bo,
      { note: 'court order withdrawn' },
    );
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('OFFBOARD_ERR_FORBIDDEN');
    const page = await get('/console/accounts/demo-hold-legal', bo);
    expect(page.body).not.toContain('Waiting for a second agent');
  });

  it('refuses a support agent’s decision with the reason, on the case page', async () => {
    const ana = agent('agent-ana', ['support']);
    const refused = await post(
      '/console/accounts/demo-hold-legal/holds/demo-hold-legal-1/lift',
      ana,
      { note: 'please', _csrf: ana.csrf },
    );
    expect(refused.status).toBe(303);
    expect(location(refused)).toBe(
      '/console/accounts/demo-hold-legal?error=OFFBOARD_ERR_FORBIDDEN',
    );
    const page = await get(location(refused), ana);
    expect(page.body).toContain('a compliance agent or an admin can');
  });

  it('lifts a hold with four eyes: a second agent approves exactly the proposal they read', async () => {
    const bo = agent('agent-bo', ['compliance']);
    const cy = agent('agent-cy', ['compliance', 'admin']);
    const base = '/console/accounts/demo-hold-compliance';
    const proposed = await post(`${base}/holds/demo-hold-compliance-1/lift`, bo, {
      note: 'review closed, no finding',
      _csrf: bo.csrf,
    });
    expect(location(proposed)).toBe(`${base}?done=proposed`);

    // The proposer cannot approve: the page says so, and the route refuses.
    const boPage = await get(base, bo);
    expect(boPage.body).toContain('You proposed this: a different agent must approve it.');
    const cyPage = await get(base, cy);
    const { id, hash } = approvalOf(cyPage.body);
    expect(id).not.toBe('');
    expect(cyPage.body).toContain('Proposed by agent-bo');
    const own = await post(`/console/approvals/${id}/approve`, bo, {
      proposal: hash,
      account: 'demo-hold-compliance',
      _csrf: bo.csrf,
    });
    expect(location(own)).toBe(`${base}?error=OFFBOARD_ERR_FOUR_EYES`);

    // A hash that is not the proposal's is refused, and nothing happens.
    const changed = await post(`/console/approvals/${id}/approve`, cy, {
      proposal: '0'.repeat(64),
      account: 'demo-hold-compliance',
      _csrf: cy.csrf,
    });
    expect(location(changed)).toBe(`${base}?error=OFFBOARD_ERR_PROPOSAL_CHANGED`);
    expect((await get(location(changed), cy)).body).toContain(
      'The proposal changed after you read it',
    );
    expect((await h.ctx.app.platform.facts('demo-hold-compliance'))!.holds).toHaveLength(1);

    const approved = await post(`/console/approvals/${id}/approve`, cy, {
      proposal: hash,
      account: 'demo-hold-compliance',
      _csrf: cy.csrf,
    });
    expect(location(approved)).toBe(`${base}?done=approved`);
    expect((await h.ctx.app.platform.facts('demo-hold-compliance'))!.holds).toEqual([]);
    const after = await get(base, cy);
    expect(after.body).toContain('Proposed by agent-bo');
    expect(after.body).toContain('Approved by agent-cy');
    expect(after.body).toMatch(/agent:agent-cy · hold\.lift/);
    const approval = (await h.ctx.app.repos.audit.forAccount('demo-hold-compliance')).find(
      (e) => e.action === 'approval.approve',
    );
    expect(JSON.parse(approval!.data)).toMatchObject({
      requestedBy: 'agent-bo',
      proposalHash: hash,
    });
  });

  it('refuses a withdrawn proposal: the one asked again has a new id and hash', async () => {
    const bo = agent('agent-bo', ['compliance']);
    const cy = agent('agent-cy', ['compliance', 'admin']);
    const base = '/console/accounts/demo-hold-legal';
    await post(`${base}/holds/demo-hold-legal-1/lift`, bo, {
      note: 'order lifted',
      _csrf: bo.csrf,
    });
    const { id, hash } = approvalOf((await get(base, cy)).body);
    // The proposer withdraws and asks again with another note: a new proposal.
    await post(`/console/approvals/${id}/decline`, bo, {
      reason: 'wrong note',
      account: 'demo-hold-legal',
      _csrf: bo.csrf,
    });
    await post(`${base}/holds/demo-hold-legal-1/lift`, bo, {
      note: 'lift everything now',
      _csrf: bo.csrf,
    });
    const stale = await post(`/console/approvals/${id}/approve`, cy, {
      proposal: hash,
      account: 'demo-hold-legal',
      _csrf: cy.csrf,
    });
    expect(location(stale)).toBe(`${base}?error=OFFBOARD_ERR_INVALID_STATE`);
    const fresh = approvalOf((await get(base, cy)).body);
    expect(fresh.id).not.toBe(id);
    expect(fresh.hash).not.toBe(hash);
    expect((await h.ctx.app.platform.facts('demo-hold-legal'))!.holds).toHaveLength(1);
  });

  it('answers an unknown account with an error page and its code, not a stack trace', async () => {
    const page = await get('/console/accounts/nobody-here', agent('agent-ana', ['support']));
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    expect(page.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('signs out with the CSRF token, clearing the agent cookie', async () => {
    const ana = agent('agent-ana', ['support']);
    const out = await post('/console/sign-out', ana, { _csrf: ana.csrf });
    expect(location(out)).toBe('/console/sign-in');
    expect(setCookies(out).some((c) => c.startsWith(`${SESSION_COOKIES.agent}=;`))).toBe(true);
  });
});
