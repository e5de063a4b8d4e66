import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { langOf, sendFragment, sendPage } from '../../src/adapters/web/kit.js';
import { Layout } from '../../src/adapters/web/layout.js';
import type { PageModule } from '../../src/adapters/web/plugin.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';
import { axeViolations, launchBrowser } from './support/chromium.js';
import type { Browser } from './support/chromium.js';

/*
 * The web infrastructure in a real Chromium: the page CSP lets the app's own htmx and
 * stylesheet load and nothing else, htmx swaps a fragment under it, and the layout passes
 * axe's WCAG 2.2 AA rules in both languages.
 */

const demo: PageModule = (web) => {
  web.get('/account/infra', async (request, reply) => {
    const lang = langOf(request);
    return sendPage(
      reply,
      200,
      <Layout lang={lang} title="Infrastructure" path="/account/infra" audience="holder">
        <h1>Infrastructure</h1>
        <div id="slot">
          <p>before</p>
        </div>
        <button type="button" hx-get="/account/infra/fragment" hx-target="#slot">
          Load
        </button>
      </Layout>,
    );
  });
  web.get('/account/infra/fragment', async (_request, reply) =>
    sendFragment(reply, <p id="swapped">after</p>),
  );
};

describe('the web infrastructure in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    h = await openHarness('sqlite', { transport: 'http', deps: { web: [demo] } });
    base = h.base!;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.dispose();
  });

  it('runs the app’s htmx under the strict CSP, with no CSP violation', async () => {
    const context = await browser.context();
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refusals.push(m.text());
    });
    await page.goto(`${base}/account/infra`);
    await page.getByRole('button', { name: 'Load' }).click();
    await page.locator('#swapped').waitFor();
    expect(await page.locator('#slot').innerText()).toBe('after');
    const styled = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('.notice')).borderLeftStyle",
    );
    expect(styled).toBe('solid'); // the stylesheet loaded
    expect(refusals).toEqual([]);
    await context.close();
  });

  it('passes axe (WCAG 2.2 AA) in both languages, mobile width', async () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const context = await browser.context({ mobile: true, locale });
      const page = await context.newPage();
      await page.goto(`${base}/account/infra`);
      expect(await page.getAttribute('html', 'lang')).toBe(locale === 'zh-CN' ? 'zh-CN' : 'en');
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    }
  });
});
