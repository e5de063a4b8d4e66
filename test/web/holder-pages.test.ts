import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSignInLink } from '../../src/app/sign-in-links.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { PAGE_MODULES } from '../../src/adapters/web/modules.js';
import { DAY, openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';
import { form, kitProbe, postSignIn, setCookies, signIn } from './support.js';

/*
 * The holder's page through Fastify's inject over a real SQLite database: sign-in both
 * ways, the page in both languages, escaping, CSRF refusals, redirects after POST, and the
 * tipping-off rule (a compliance hold's kind and reason never reach the holder's HTML).
 */

const FORM = 'application/x-www-form-urlencoded';
const probe = kitProbe();

describe('the holder’s page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite', { deps: { web: [probe.module, ...PAGE_MODULES] } });
    await h.app.ready();
  });
  afterAll(async () => h.dispose());

  const get = (path: string, cookie: string, headers: Record<string, string> = {}) =>
    h.call('GET', path, { headers: { cookie, ...headers } });
  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    h.call('POST', path, { headers: { cookie, 'content-type': FORM }, raw: form(fields) });

  it('sends a visitor without a session to the sign-in page', async () => {
    const page = await h.call('GET', '/account');
    expect(page.status).toBe(303);
    expect(page.headers['location']).toBe('/account/sign-in');
    const signInPage = await h.call('GET', '/account/sign-in');
    expect(signInPage.status).toBe(200);
    expect(signInPage.body).toContain('Open the sign-in link your platform gave you');
  });

  it('signs in with a platform holder token, into an HttpOnly SameSite=Lax cookie', async () => {
    const token = h.holder('demo-clean');
    const opened = await h.call('GET', `/account/sign-in?token=${token}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toContain('<form method="post" action="/account/sign-in">');
    expect(opened.body).toContain(`name="token" value="${token}"`);
    expect(setCookies(opened).filter((c) => c.startsWith('offboard_holder='))).toEqual([]);
    const answer = await postSignIn(h, token);
    expect(answer.status).toBe(303);
    expect(answer.headers['location']).toBe('/account');
    const cookie = setCookies(answer).find((c) => c.startsWith('offboard_holder='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    const page = await get('/account', cookie.split(';')[0]!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Account demo-clean');
    expect(page.body).toContain('Your account is active.');
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const tls = await openHarness('sqlite', { deps: { trustProxy: true } });
    try {
      const answer = await postSignIn(tls, tls.holder('demo-clean'), {
        'x-forwarded-proto': 'https',
      });
      expect(setCookies(answer).find((c) => c.startsWith('offboard_holder='))).toMatch(/Secure/);
    } finally {
      await tls.dispose();
    }
  });

  it('refuses a forged or expired token with a page, not a session', async () => {
    const forged = await postSignIn(h, 'eyJhbGciOiJIUzI1NiJ9.e30.AAAA');
    expect(forged.status).toBe(401);
    expect(forged.body).toContain('invalid, expired or already used');
    expect(setCookies(forged).filter((c) => c.startsWith('offboard_holder='))).toEqual([]);
    const expired = h.holder('demo-clean', 1000);
    h.clock.advance(120_000);
    const late = await postSignIn(h, expired);
    expect(late.status).toBe(401);
  });

  it('signs in once with a sandbox sign-in link, never twice', async () => {
    const { token } = await issueSignInLink(h.ctx.app, 'demo-balance', h.clock.now(), DAY);
    const first = await postSignIn(h, token);
    expect(first.status).toBe(303);
    const again = await postSignIn(h, token);
    expect(again.status).toBe(401);
    const { token: stale } = await issueSignInLink(h.ctx.app, 'demo-balance', h.clock.now(), 1000);
    h.clock.advance(2000);
    expect((await postSignIn(h, stale)).status).toBe(401);
    expect((await postSignIn(h, '')).status).toBe(401);
  });

  it('leaves a sign-in link unspent when it is only opened, as a mail scanner would', async () => {
    const { token } = await issueSignInLink(h.ctx.app, 'demo-balance', h.clock.now(), DAY);
    for (let i = 0; i < 3; i++) {
      const opened = await h.call('GET', `/account/sign-in?token=${token}`);
      expect(opened.status).toBe(200);
      expect(setCookies(opened).filter((c) => c.startsWith('offboard_holder='))).toEqual([]);
    }
    expect((await postSignIn(h, token)).status).toBe(303);
  });

  it('shows every blocker of demo-everything and never a compliance hold’s kind or reason, in both languages', async () => {
    const { cookie } = await signIn(h, probe.kit(), 'demo-everything');
    for (const lang of ['en', 'zh-CN']) {
      const page = await get('/account', cookie, { 'accept-language': lang });
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<html lang="${lang}">`);
      const codes = [...page.body.matchAll(/data-code="([a-z_]+)"/g)].map((m) => m[1]);
      expect(new Set(codes)).toEqual(
        new Set([
          'account_hold',
          'open_dispute',
          'funds_locked',
          'negative_balance',
          'balance_remaining',
          'pending_withdrawal',
          'pending_deposit',
          'open_orders',
          'linked_authorization',
          'dust_remaining',
          'cooling_off',
        ]),
      );
      for (const secret of [
        'compliance',
        '合规',
        'enhanced due diligence',
        'EDD-512',
        'demo-everything-hold-2',
        'court order',
        '2026/0099',
      ])
        expect(page.body).not.toContain(secret);
      // The exact things the blockers concern: the order, the app, an amount.
      expect(page.body).toContain('demo-everything-order-1');
      expect(page.body).toContain('Streamly subscription');
      expect(page.body).toContain('500.00 EUR');
    }
    const zh = await get('/account', cookie, { 'accept-language': 'zh-CN,zh;q=0.9' });
    expect(zh.body).toContain('您的账户需要经过我们团队的审核后才能注销。');
    expect(zh.body).toContain('注销前需要处理的事项');
  });

  it('escapes what the platform says: a hostile app name is text, not markup', async () => {
    const ledger = new BuiltinLedger(h.ctx.database, h.clock);
    await ledger.grantAuthorization('demo-cooling-off', {
      id: 'auth-hostile',
      kind: 'oauth',
      name: '<script>alert("x")</script><img src=x onerror=alert(1)>',
    });
    const { cookie } = await signIn(h, probe.kit(), 'demo-cooling-off');
    const page = await get('/account', cookie);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script>alert(&#34;x&#34;)&lt;/script>&lt;img src=x');
  });

  it('takes the language from the cookie before Accept-Language', async () => {
    const { cookie } = await signIn(h, probe.kit(), 'demo-clean');
    const page = await get('/account', `${cookie}; offboard_lang=zh-CN`, {
      'accept-language': 'en',
    });
    expect(page.body).toContain('<html lang="zh-CN">');
    expect(page.body).toContain('我们的客服绝不会索要您的密码');
  });

  it('refuses every POST without the session’s CSRF token', async () => {
    const { cookie } = await signIn(h, probe.kit(), 'demo-clean');
    for (const path of [
      '/account/disable',
      '/account/close',
      '/account/close/confirm',
      '/account/closure/cancel',
      '/account/statements',
    ]) {
      const refused = await post(path, cookie, { _csrf: 'forged' });
      expect(refused.status, path).toBe(403);
      expect(refused.body, path).toContain('OFFBOARD_ERR_FORBIDDEN');
    }
    const page = await get('/account', cookie);
    expect(page.body).toContain('Your account is active.'); // nothing was disabled
  });

  it('closes demo-dust: consent, code, confirmation with the reference and the grace end', async () => {
    const { cookie, csrf } = await signIn(h, probe.kit(), 'demo-dust');
    const closePage = await get('/account/close', cookie);
    expect(closePage.body).toContain('name="sweepDust"');
    expect(closePage.body).toContain('What closing means');

    const withoutConsent = await post('/account/close', cookie, { _csrf: csrf });
    expect(withoutConsent.status).toBe(303);
    expect(withoutConsent.headers['location']).toBe(
      '/account/close?error=OFFBOARD_ERR_CONSENT_REQUIRED',
    );
    const told = await get('/account/close?error=OFFBOARD_ERR_CONSENT_REQUIRED', cookie);
    expect(told.body).toContain('Closing needs your consent');

    const requested = await post('/account/close', cookie, { _csrf: csrf, sweepDust: 'yes' });
    expect(requested.headers['location']).toBe('/account/close/code');
    const codePage = await get('/account/close/code', cookie);
    expect(codePage.body).toContain('Close my account');

    const wrong = await post('/account/close/confirm', cookie, { _csrf: csrf, code: '000000' });
    expect(wrong.headers['location']).toBe('/account/close/code?error=OFFBOARD_ERR_BAD_CODE');

    const code = await h.code('demo-dust');
    const confirmed = await post('/account/close/confirm', cookie, { _csrf: csrf, code });
    expect(confirmed.headers['location']).toBe('/account/closure');
    const closure = await get('/account/closure', cookie);
    const status = await h.call('GET', '/v1/me/closure', { token: h.holder('demo-dust') });
    const id = status.json<{ closure: { id: string } }>().closure.id;
    expect(closure.body).toContain(id);
    expect(closure.body).toContain('Your account is closing.');
    expect(closure.body).toContain('Cancel the closure');

    const cancelled = await post('/account/closure/cancel', cookie, { _csrf: csrf });
    expect(cancelled.headers['location']).toBe('/account?done=cancelled');
    expect((await get('/account?done=cancelled', cookie)).body).toContain(
      'The closure is cancelled',
    );
  });

  it('disables at once, signs the holder out, and the old session stays dead', async () => {
    const { cookie, csrf } = await signIn(h, probe.kit(), 'demo-open-order');
    const disabled = await post('/account/disable', cookie, { _csrf: csrf });
    expect(disabled.status).toBe(303);
    expect(disabled.headers['location']).toBe('/account/disabled');
    expect(setCookies(disabled).some((c) => /^offboard_holder=;/.test(c))).toBe(true);
    const page = await get('/account/disabled', '');
    expect(page.body).toContain('Your account is disabled');
    const facts = await h.ctx.app.platform.facts('demo-open-order');
    expect(facts?.status).toBe('disabled');
    const again = await get('/account', cookie);
    expect(again.status).toBe(303);
    expect(again.headers['location']).toBe('/account/sign-in?problem=revoked');
  });

  it('prepares statements and serves each file and a zip, with the manifest fingerprint', async () => {
    const { cookie, csrf } = await signIn(h, probe.kit(), 'demo-balance');
    const made = await post('/account/statements', cookie, { _csrf: csrf });
    expect(made.status).toBe(303);
    const location = String(made.headers['location']);
    expect(location).toMatch(/^\/account\/statements\/exp_[0-9a-f-]{36}$/);
    const page = await get(location, cookie);
    expect(page.body).toContain('Preparing them took');
    const manifest = await get(`${location}/manifest.json`, cookie);
    expect(manifest.status).toBe(200);
    const { createHash } = await import('node:crypto');
    const fingerprint = createHash('sha256').update(manifest.body).digest('hex');
    expect(page.body).toContain(fingerprint);
    const zip = await h.app.inject({
      method: 'GET',
      url: `${location}/statements.zip`,
      headers: { cookie },
    });
    expect(zip.statusCode).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.rawPayload.subarray(0, 4).toString('hex')).toBe('504b0304');
    // Another holder's session cannot reach this export.
    const other = await signIn(h, probe.kit(), 'demo-clean');
    expect((await get(`${location}/manifest.json`, other.cookie)).status).toBe(404);
  });
});
