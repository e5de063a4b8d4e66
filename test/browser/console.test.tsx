import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { requestHoldLift } from '../../src/app/agent-decisions.js';
import { createAgentSignInLink } from '../../src/app/agent-sign-in.js';
import type { AgentRole } from '../../src/adapters/http/tokens.js';
import { openHarness } from '../http/harness.js';
import type { Harness } from '../http/harness.js';
import { axeViolations, launchBrowser } from './support/chromium.js';
import type { Browser } from './support/chromium.js';

/*
 * The agent console in a real Chromium, served by the app with its real page modules over
 * a SQLite file: two agents lift a hold together (one proposes, a different one approves
 * what they read), and every console page passes axe's WCAG 2.2 AA rules in English and
 * Simplified Chinese, under the strict CSP.
 */

describe('the agent console in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    h = await openHarness('sqlite', { transport: 'http' });
    base = h.base!;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.dispose();
  });

  /** A one-time sign-in link, as `offboard demo` prints it. */
  const link = async (agentId: string, roles: AgentRole[]) =>
    `${base}/console/sign-in?link=${(await createAgentSignInLink(h.ctx.app, { agentId, roles, ttlMs: 3_600_000 })).token}`;

  /** A proposal waiting for a second agent on demo-hold-legal. */
  const proposeLegalLift = () =>
    requestHoldLift(h.ctx.app, {
      accountId: 'demo-hold-legal',
      holdId: 'demo-hold-legal-1',
      note: 'order withdrawn (synthetic)',
      agentId: 'agent-bo',
    });

  /** Signs in with a link in a fresh context; the page ends on the queue. */
  async function signedIn(
    agentId: string,
    roles: AgentRole[],
    options: { locale?: string; refusals?: string[] } = {},
  ): Promise<Page> {
    const context = await browser.context({ locale: options.locale });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) options.refusals?.push(m.text());
    });
    await page.goto(await link(agentId, roles));
    await page.locator('form[action="/console/sign-in"] button[type="submit"]').click();
    await page.waitForURL(`${base}/console`);
    return page;
  }

  it('lifts a hold with two agents: one proposes, a different one approves', async () => {
    const refusals: string[] = [];
    const bo = await signedIn('agent-bo', ['compliance'], { refusals });
    await bo.getByLabel('Open an account by id').fill('demo-hold-compliance');
    await bo.getByRole('button', { name: 'Open', exact: true }).click();
    await bo.waitForURL(`${base}/console/accounts/demo-hold-compliance`);
    // Agents see what holders are never told: the hold's kind and reason.
    expect(await bo.locator('#main').innerText()).toContain(
      'suspicious activity review SAR-7781 (synthetic)',
    );
    await bo.getByLabel('Note for the second agent').fill('review closed, no finding');
    await bo.getByRole('button', { name: 'Propose lifting this hold' }).click();
    await bo.getByText('Proposed: a second agent must approve it.').waitFor();
    // The proposer is not offered the approval.
    expect(await bo.getByRole('button', { name: 'Approve as second agent' }).count()).toBe(0);

    const cy = await signedIn('agent-cy', ['compliance', 'admin'], { refusals });
    const row = cy.locator('tr', { hasText: 'Override awaiting a second agent' });
    await row.getByRole('link', { name: 'demo-hold-compliance' }).click();
    await cy.waitForURL(`${base}/console/accounts/demo-hold-compliance`);
    expect(await cy.locator('#main').innerText()).toContain('Proposed by agent-bo');
    await cy.getByRole('button', { name: 'Approve as second agent' }).click();
    await cy.getByText('Approved: it is done.').waitFor();
    const main = await cy.locator('#main').innerText();
    expect(main).toContain('Approved by agent-cy');
    expect(main).toContain('agent:agent-cy · hold.lift');
    expect((await h.ctx.app.platform.facts('demo-hold-compliance'))!.holds).toEqual([]);
    expect(refusals).toEqual([]);
    await bo.context().close();
    await cy.context().close();
  });

  it('refreshes the queue in place with htmx, under the CSP', async () => {
    const refusals: string[] = [];
    const ana = await signedIn('agent-ana', ['support'], { refusals });
    await ana.goto(`${base}/console?kind=approval`);
    expect(await ana.locator('#queue').innerText()).toContain('Nothing waits for an agent.');
    await ana.evaluate('window.offboardMarker = 1');
    await proposeLegalLift();
    await ana.locator('#refresh').click();
    await ana.locator('#queue tr', { hasText: 'demo-hold-legal' }).waitFor();
    // Swapped in place: the page (and what it holds) is the same one.
    expect(await ana.evaluate('window.offboardMarker')).toBe(1);
    expect(refusals).toEqual([]);
    await ana.context().close();
  });

  it('passes axe (WCAG 2.2 AA) on every console page in English and Simplified Chinese', async () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const lang = locale === 'zh-CN' ? 'zh-CN' : 'en';
      const context = await browser.context({ locale });
      const page = await context.newPage();
      const check = async (what: string) => {
        expect(await page.getAttribute('html', 'lang'), what).toBe(lang);
        expect(await axeViolations(page), `${what} (${locale})`).toEqual([]);
      };
      await page.goto(`${base}/console/sign-in`);
      await check('the token sign-in page');
      await page.goto(`${base}/console/sign-in?refused=1`);
      await check('the refused sign-in page');
      await page.goto(await link('agent-cy', ['compliance', 'admin']));
      await check('the link sign-in page');
      await page.locator('form[action="/console/sign-in"] button[type="submit"]').click();
      await page.waitForURL(`${base}/console`);
      await check('the queue');
      await page.goto(`${base}/console?kind=escalated`);
      await check('the empty queue');
      for (const account of ['demo-everything', 'demo-hold-legal', 'demo-clean']) {
        await page.goto(`${base}/console/accounts/${account}`);
        await check(`the case page of ${account}`);
      }
      await page.goto(`${base}/console/accounts/demo-hold-legal?error=OFFBOARD_ERR_FOUR_EYES`);
      await check('a refused decision');
      await page.goto(`${base}/console/accounts/nobody-here`);
      await check('the error page');
      await context.close();
    }
  });
});
