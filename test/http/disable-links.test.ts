import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { openHarness } from './harness.js';
import type { Answer, Harness } from './harness.js';

// A disable link as a holder uses it: opened in a browser from a message, its button
// pressed. The answer is a page a person can read, never raw JSON; API clients that ask
// for JSON still get it. A link is used up only when the account is actually disabled.

/** What a browser sends when the link page's button is pressed. */
const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'content-type': 'application/x-www-form-urlencoded',
};

function expectPage(answer: Answer, status: number, heading: string): void {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers['content-type']).toContain('text/html');
  expect(answer.body).toMatch(/^<!doctype html>/);
  expect(answer.body).toContain(`<h1>${heading}</h1>`);
  expect(answer.body).not.toContain('OFFBOARD_ERR_');
  expect(answer.body).not.toContain('{"');
  // The same headers as every answer.
  expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
  expect(answer.headers['x-frame-options']).toBe('DENY');
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
}

describe.each(DIALECTS)('disable links in a browser and over the API [%s]', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness(dialect);
  });
  afterAll(async () => h.dispose());

  /** A fresh link for the account: requesting a closure mails one with the code. */
  async function freshLink(accountId: string, consent: Record<string, boolean> = {}) {
    const requested = await h.call('POST', `/v1/accounts/${accountId}/closure`, {
      token: h.keys.write,
      body: { consent },
    });
    expect(requested.status, requested.body).toBe(201);
    return h.link(accountId);
  }

  async function linkUsed(accountId: string): Promise<boolean[]> {
    const rows = await h.ctx.database.db
      .selectFrom('disable_links')
      .select('used_at')
      .where('account_id', '=', accountId)
      .execute();
    return rows.map((r) => r.used_at !== null);
  }

  it('shows the result of the button as a page: disabled, then link used', async () => {
    const link = await freshLink('demo-clean');
    const form = await h.call('GET', `/v1/disable-links/${link}`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('<form method="post"');

    const done = await h.call('POST', `/v1/disable-links/${link}`, { raw: '', headers: BROWSER });
    expectPage(done, 200, 'Your account is disabled');
    expect(done.body).toContain('<strong>demo-clean</strong>');
    expect((await h.ctx.app.platform.facts('demo-clean'))?.status).toBe('disabled');

    const again = await h.call('POST', `/v1/disable-links/${link}`, { raw: '', headers: BROWSER });
    expectPage(again, 400, 'This link cannot be used');
  });

  it('shows a forged link as a page to a browser and as JSON to an API client', async () => {
    expectPage(
      await h.call('POST', '/v1/disable-links/forged.1.2.3', { raw: '', headers: BROWSER }),
      400,
      'This link cannot be used',
    );
    const api = await h.call('POST', '/v1/disable-links/forged.1.2.3', {
      headers: { accept: 'application/json' },
    });
    expect(api.status).toBe(400);
    expect(api.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_INVALID_LINK' } });
  });

  it('answers JSON to a client that asks for it', async () => {
    const link = await freshLink('demo-whale');
    const answer = await h.call('POST', `/v1/disable-links/${link}`, {
      headers: { accept: 'application/json, text/html;q=0.5' },
    });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(answer.json()).toMatchObject({ accountId: 'demo-whale', alreadyDisabled: false });
  });

  it('leaves the link unused when the account is closed, and says so on the page', async () => {
    const link = await freshLink('demo-dust', { sweepDust: true });
    await h.ctx.app.platform.markClosed('demo-dust', 'test:close-demo-dust');
    expect(await linkUsed('demo-dust')).not.toContain(true);

    expectPage(
      await h.call('POST', `/v1/disable-links/${link}`, { raw: '', headers: BROWSER }),
      409,
      'This account is closed',
    );
    // Not used up by the failure: the API says why again, rather than "already used".
    const api = await h.call('POST', `/v1/disable-links/${link}`);
    expect(api.status).toBe(409);
    expect(api.json()).toMatchObject({ error: { code: 'OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE' } });
    expect(await linkUsed('demo-dust')).not.toContain(true);
  });

  it('uses a link up once when two presses race', async () => {
    const link = await freshLink('demo-open-order', { cancelOrders: true });
    const answers = await Promise.all(
      [0, 1, 2].map(() => h.call('POST', `/v1/disable-links/${link}`)),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
  });
});
