import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disabledPage, disableLinkPage, escapeHtml } from '../../src/adapters/http/pages.js';
import { openHarness } from './harness.js';
import type { Harness } from './harness.js';

// The HTML the API serves to people: the landing page at `/` and the disable-link pages.

describe('the landing page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite');
  });
  afterAll(async () => h.dispose());

  it('answers / with a page that says what this is and links the docs, the contract and health', async () => {
    const answer = await h.call('GET', '/', { headers: { accept: 'text/html' } });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('text/html');
    expect(answer.body).toContain('offboard');
    for (const path of ['/docs', '/openapi.json', '/healthz']) {
      expect(answer.body).toContain(`href="${path}"`);
      // Each link leads somewhere.
      expect([200, 302]).toContain((await h.call('GET', path)).status);
    }
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});

describe('page escaping', () => {
  it('escapes everything that comes from outside', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const page = disabledPage({
      accountId: '<script>alert(1)</script>',
      disablementId: 1,
      alreadyDisabled: false,
      revokedCredentials: 0,
      cancelledOrders: 0,
      cancelledWithdrawals: 0,
      enableNotBefore: '"><img src=x>',
    });
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;');
    expect(disableLinkPage('a"b<c')).toContain('action="/v1/disable-links/a%22b%3Cc"');
  });
});
