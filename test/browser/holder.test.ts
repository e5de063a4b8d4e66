import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExportDir } from '../../src/adapters/statements/manifest.js';
import { workOnce } from '../../src/app/worker.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';
import { withGrace } from '../web/support.js';
import { axeViolations, launchBrowser } from './support/chromium.js';
import type { Browser } from './support/chromium.js';

/*
 * The holder's journeys in a real Chromium against the service listening on 127.0.0.1
 * (SQLite file, the scenario accounts seeded, a clock the test moves, a one-minute grace
 * period so a closure can be watched to its end within one session).
 */

const GRACE_MS = 60_000;

describe('the holder’s page in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  const scratch = mkdtempSync(join(tmpdir(), 'offboard-browser-'));

  beforeAll(async () => {
    h = await openHarness('sqlite', { transport: 'http', policy: withGrace(GRACE_MS) });
    base = h.base!;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A new browser context signed in as `accountId` through the sign-in route. */
  async function signedIn(
    accountId: string,
    options: { locale?: string; javaScript?: boolean; mobile?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.context(options);
    const page = await context.newPage();
    await page.goto(`${base}/account/sign-in?token=${h.holder(accountId)}`);
    await pressSignIn(page);
    expect(new URL(page.url()).pathname).toBe('/account');
    return page;
  }

  /** Presses the sign-in page's button: opening a sign-in link only shows it. */
  async function pressSignIn(page: Page): Promise<void> {
    await page.locator('form[action="/account/sign-in"] button').click();
    await page.waitForLoadState();
  }

  /** Presses Tab until the element matching `selector` has the focus: the page works by keyboard. */
  async function tabTo(page: Page, selector: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.locator(selector).evaluate((el) => el === el.ownerDocument.activeElement))
        return;
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  it('closes demo-dust with consent and watches it close', async () => {
    const page = await signedIn('demo-dust');
    await page.locator('#state[data-state=\"active\"]').waitFor();
    await page.getByRole('link', { name: 'Consent to sweep this dust' }).click();
    expect(await page.getByRole('checkbox').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue: send me a one-time code' }).click();
    await page.getByLabel('One-time code').fill(await h.code('demo-dust'));
    await page.getByRole('button', { name: 'Close my account' }).click();
    expect(new URL(page.url()).pathname).toBe('/account/closure');
    const reference = await page.locator('.reference').innerText();
    expect(reference).toMatch(/\S+/);
    await page.locator('#state[data-state=\"grace\"]').waitFor();

    // The grace period passes; the worker finalizes; the page, polling, shows it closed.
    h.clock.advance(GRACE_MS + 1000);
    await workOnce(h.ctx.app, h.ctx.rules, { owner: 'browser', leaseMs: 60_000, concurrency: 2 });
    await h.ctx.afterWorkerPass('browser');
    await page.locator('#state[data-state=\"closed\"]').waitFor();
    await page.goto(`${base}/account`);
    expect(await page.locator('#state').innerText()).toContain('Your account is closed.');
    expect(await page.getByRole('button', { name: 'Prepare my statements' }).isVisible()).toBe(
      true,
    );
    expect(await page.getByRole('button', { name: 'Disable my account' }).count()).toBe(0);
    await page.context().close();
  });

  it('shows every blocker of demo-everything in zh-CN, and no hold kind or reason', async () => {
    const page = await signedIn('demo-everything', { locale: 'zh-CN', mobile: true });
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    // Eleven kinds of blocker, two holds among them: the legal one and the review.
    expect(await page.locator('li.blocker').count()).toBe(13);
    expect(await page.locator('#blockers').innerText()).toContain(
      '您的账户需要经过我们团队的审核后才能注销。',
    );
    expect(await page.locator('#blockers').innerText()).toContain('Streamly subscription');
    const html = await page.content();
    for (const secret of ['合规', 'compliance', 'EDD-512', 'enhanced due diligence', 'court order'])
      expect(html).not.toContain(secret);
    // Nothing wider than a 360 px phone: no sideways scrolling.
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(360);
    await page.context().close();
  });

  it('disables the account in one step and shows the disabled state', async () => {
    const page = await signedIn('demo-linked-app');
    expect(await page.locator('#disable').innerText()).toContain('reversible');
    await page.getByRole('button', { name: 'Disable my account' }).click();
    expect(new URL(page.url()).pathname).toBe('/account/disabled');
    expect(await page.locator('[data-state="disabled"]').innerText()).toContain(
      'Your money is safe',
    );
    expect((await h.ctx.app.platform.facts('demo-linked-app'))?.status).toBe('disabled');
    await page.goto(`${base}/account`);
    // Disabling signed this browser out too: back to the sign-in page.
    expect(new URL(page.url()).pathname).toBe('/account/sign-in');
    await page.context().close();
  });

  it('downloads the statements as a zip whose signature verifies', async () => {
    const page = await signedIn('demo-balance');
    await page.getByRole('button', { name: 'Prepare my statements' }).click();
    expect(await page.locator('.export').innerText()).toContain('Preparing them took');
    const fingerprint = await page.locator('.fingerprint').innerText();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download everything (zip)' }).click(),
    ]);
    const zipPath = join(scratch, 'statements.zip');
    await download.saveAs(zipPath);
    const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const dir = mkdtempSync(join(scratch, 'unzipped-'));
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    expect(Object.keys(files).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'statement.csv',
      'statement.jsonl',
      'statement.pdf',
    ]);
    const verified = await verifyExportDir(dir, h.signingKey.publicKey);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    expect(createHash('sha256').update(files['manifest.json']!).digest('hex')).toBe(fingerprint);
    await page.context().close();
  });

  it('closes with JavaScript off, by keyboard only, then cancels', async () => {
    const page = await signedIn('demo-clean', { javaScript: false });
    await tabTo(page, 'a[href="/account/close"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account/close`);
    await tabTo(page, 'form[action="/account/close"] button');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account/close/code`);
    await tabTo(page, '#code');
    await page.keyboard.type(await h.code('demo-clean'));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account/closure`);
    await page.locator('#state[data-state=\"grace\"]').waitFor();
    await tabTo(page, 'form[action="/account/closure/cancel"] button');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/account?done=cancelled`);
    expect(await page.getByRole('status').innerText()).toContain('The closure is cancelled');
    await page.locator('#state[data-state=\"active\"]').waitFor();
    await page.context().close();
  });

  it('passes axe (WCAG 2.2 AA) on every holder page in both languages', async () => {
    // Each language once, one at desktop width and one at a phone's.
    for (const [locale, mobile] of [
      ['en-US', false],
      ['zh-CN', true],
    ] as const) {
      {
        const context = await browser.context({ locale, mobile });
        const page = await context.newPage();
        const checked: string[] = [];
        const check = async (what: string) => {
          await page.locator('main').waitFor();
          const violations = await axeViolations(page);
          expect(violations, `${what} (${locale}${mobile ? ', mobile' : ''})`).toEqual([]);
          checked.push(what);
        };
        await page.goto(`${base}/account/sign-in`);
        await check('sign-in');
        await page.goto(`${base}/account/sign-in?token=not-a-token`);
        await check('sign-in link opened');
        await pressSignIn(page);
        await check('sign-in refused');
        await page.goto(`${base}/account/sign-in?token=${h.holder('demo-everything')}`);
        await pressSignIn(page);
        await check('account with every blocker');
        await page.goto(`${base}/account/support`);
        await check('support');
        await page.goto(`${base}/account/close`);
        await check('close, blocked');
        await page.goto(`${base}/account/statements/exp_00000000-0000-0000-0000-000000000000`);
        await check('error page');
        await page.goto(`${base}/account/sign-in?token=${h.holder('demo-open-order')}`);
        await pressSignIn(page);
        await page.goto(`${base}/account/close?consent=cancelOrders`);
        await check('close with consents');
        await page.getByRole('button', { name: /./ }).last().waitFor();
        await page.locator('form[action="/account/close"] input[type=checkbox]').check();
        await page.locator('form[action="/account/close"] button').click();
        await page.waitForLoadState();
        expect(page.url(), await page.locator('main').innerText()).toBe(
          `${base}/account/close/code`,
        );
        await check('one-time code');
        await page.locator('#code').fill(await h.code('demo-open-order'));
        await page.locator('form[action="/account/close/confirm"] button').click();
        await page.waitForURL(`${base}/account/closure`);
        await check('closure confirmation');
        await page.locator('form[action="/account/closure/cancel"] button').first().click();
        await page.waitForURL(`${base}/account?done=cancelled`);
        await check('account after cancel');
        await page.locator('form[action="/account/statements"] button').click();
        await page.waitForURL(/\/account\/statements\/exp_/);
        await check('statements');
        await page.goto(`${base}/account/disabled`);
        await check('disabled');
        expect(checked).toHaveLength(13);
        await context.close();
      }
    }
  });
});
