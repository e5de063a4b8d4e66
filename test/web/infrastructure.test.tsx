import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionOf, checkCsrf, sendPage, seeOther } from '../../src/adapters/web/kit.js';
import { Csrf, Layout } from '../../src/adapters/web/layout.js';
import type { PageModule } from '../../src/adapters/web/plugin.js';
import { WEB_CSP } from '../../src/adapters/http/security-headers.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';
import { form, holderCookie, kitProbe, setCookies } from './support.js';

/*
 * The web scope inside the API's Fastify app, through inject over a real SQLite database:
 * its headers, the assets it serves, the form parser, sessions, CSRF, the language switch.
 * A tiny page module stands in for the real pages.
 */

const probe = kitProbe();
const echo: PageModule = (web, kit) => {
  web.get('/account/probe', async (request, reply) => {
    const who: string = sessionOf(kit, request, 'holder')?.subject ?? 'nobody';
    return sendPage(
      reply,
      200,
      <Layout lang="en" title="<probe>" path="/account/probe" audience="holder">
        <p safe>{who}</p>
      </Layout>,
    );
  });
  web.post('/account/probe', async (request, reply) => {
    const session = sessionOf(kit, request, 'holder');
    if (!session) return seeOther(reply, '/account/sign-in');
    checkCsrf(kit, session, request);
    return seeOther(reply, '/account/probe?done=1');
  });
  web.get('/account/csrf-form', async (_request, reply) =>
    sendPage(reply, 200, <Csrf token={'"><script>'} />),
  );
};

describe('the web scope', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite', { deps: { web: [probe.module, echo] } });
    await h.app.ready();
  });
  afterAll(async () => h.dispose());

  it('answers pages with the strict page CSP and helmet’s page headers', async () => {
    const page = await h.call('GET', '/account/probe');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(WEB_CSP);
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).not.toContain('unsafe-inline');
    expect(page.headers['origin-agent-cluster']).toBe('?1');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body.startsWith('<!doctype html><html lang="en">')).toBe(true);
    // The title is escaped; the notice against impostors is on a holder page.
    expect(page.body).toContain('<title>&lt;probe></title>');
    expect(page.body).toContain('never ask for your password');
  });

  it('keeps the API’s own CSP on API routes', async () => {
    const health = await h.call('GET', '/v1/health');
    expect(health.headers['content-security-policy']).toContain("default-src 'none'");
    expect(health.headers['content-security-policy']).not.toContain("script-src 'self'");
  });

  it('serves the pinned htmx and the stylesheet itself', async () => {
    const htmx = await h.call('GET', '/assets/htmx-2.0.11.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(htmx.body).toContain('2.0.11');
    const css = await h.call('GET', '/assets/web.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('reads a signed session and nothing else', async () => {
    const { cookie } = holderCookie(probe.kit(), 'demo-clean', h.clock.now());
    const signedIn = await h.call('GET', '/account/probe', { headers: { cookie } });
    expect(signedIn.body).toContain('<p>demo-clean</p>');
    const forged = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await h.call('GET', '/account/probe', { headers: { cookie: forged } });
    expect(refused.body).toContain('<p>nobody</p>');
  });

  it('refuses a form POST without the session’s CSRF token, with a page and a code', async () => {
    const { cookie, csrf } = holderCookie(probe.kit(), 'demo-clean', h.clock.now());
    const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const missing = await h.call('POST', '/account/probe', { headers, raw: form({}) });
    expect(missing.status).toBe(403);
    expect(missing.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(missing.body).toContain('OFFBOARD_ERR_FORBIDDEN');
    expect(missing.body).toContain('came from another site');
    expect(missing.body).not.toContain('at '); // no stack trace
    const wrong = await h.call('POST', '/account/probe', {
      headers,
      raw: form({ _csrf: `${csrf}x` }),
    });
    expect(wrong.status).toBe(403);
    const right = await h.call('POST', '/account/probe', { headers, raw: form({ _csrf: csrf }) });
    expect(right.status).toBe(303);
    expect(right.headers['location']).toBe('/account/probe?done=1');
  });

  it('refuses a JSON body on a page route', async () => {
    const answer = await h.call('POST', '/account/probe', { body: { _csrf: 'x' } });
    expect(answer.status).toBe(415);
    expect(answer.body).toContain('OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('escapes attribute values: a quote cannot end the attribute', async () => {
    const page = await h.call('GET', '/account/csrf-form');
    expect(page.body).toBe(
      '<!doctype html><input type="hidden" name="_csrf" value="&#34;><script>"/>',
    );
  });

  it('remembers a language choice and goes back only to a path of this app', async () => {
    const chosen = await h.call('GET', '/language?to=zh-CN&back=%2Faccount%2Fprobe');
    expect(chosen.status).toBe(303);
    expect(chosen.headers['location']).toBe('/account/probe');
    const cookie = setCookies(chosen).find((c) => c.startsWith('offboard_lang=zh-CN'));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; Secure over TLS
    const away = await h.call('GET', '/language?to=en&back=%2F%2Fevil.example%2F');
    expect(away.headers['location']).toBe('/account');
    const unknown = await h.call('GET', '/language?to=fr&back=%2Faccount');
    expect(setCookies(unknown)).toEqual([]);
  });
});
