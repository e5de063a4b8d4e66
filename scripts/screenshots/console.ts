import { requestHoldLift } from '../../src/app/agent-decisions.js';
import { createAgentSignInLink } from '../../src/app/agent-sign-in.js';
import type { Shooter } from '../screenshots.js';

/*
 * The agent console's case page as the second agent sees it: a compliance hold whose lift
 * agent-bo proposed, waiting for agent-cy's approval, in English and Simplified Chinese;
 * and the queue it came from.
 */
export default async function consoleScreenshots(s: Shooter): Promise<string[]> {
  const account = 'demo-hold-compliance';
  await requestHoldLift(s.ctx.app, {
    accountId: account,
    holdId: 'demo-hold-compliance-1',
    note: 'review closed, no finding (synthetic)',
    agentId: 'agent-bo',
  });
  const written: string[] = [];
  for (const [locale, suffix] of [
    ['en-US', 'en'],
    ['zh-CN', 'zh-CN'],
  ] as const) {
    const context = await s.browser.context({ locale });
    const page = await context.newPage();
    const link = await createAgentSignInLink(s.ctx.app, {
      agentId: 'agent-cy',
      roles: ['compliance', 'admin'],
      ttlMs: 3_600_000,
    });
    await page.goto(`${s.base}/console/sign-in?link=${link.token}`);
    await page.locator('form[action="/console/sign-in"] button[type="submit"]').click();
    await page.waitForURL(`${s.base}/console`);
    const queue = s.out(`console-queue-${suffix}.png`);
    await page.screenshot({ path: queue, fullPage: true });
    await page.goto(`${s.base}/console/accounts/${account}`);
    const casePage = s.out(`console-case-${suffix}.png`);
    await page.screenshot({ path: casePage, fullPage: true });
    written.push(queue, casePage);
    await context.close();
  }
  return written;
}
