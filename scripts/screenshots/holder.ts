import { mintHolderToken } from '../../src/adapters/http/tokens.js';
import type { Shooter } from '../screenshots.js';

/*
 * The holder's page of demo-everything (every blocker at once), in English and Simplified
 * Chinese, at a desktop and a phone width.
 */
export default async function holderScreenshots(s: Shooter): Promise<string[]> {
  const account = 'demo-everything';
  const written: string[] = [];
  for (const [locale, suffix] of [
    ['en-US', 'en'],
    ['zh-CN', 'zh-CN'],
  ] as const) {
    for (const mobile of [false, true]) {
      const context = await s.browser.context({ locale, mobile });
      const page = await context.newPage();
      const token = mintHolderToken(s.tokenSecret, account, s.ctx.clock.now(), 3_600_000).token;
      await page.goto(`${s.base}/account/sign-in?token=${token}`);
      await page.locator('form[action="/account/sign-in"] button').click();
      await page.waitForURL(`${s.base}/account`);
      await page.evaluate('document.fonts.ready');
      const file = s.out(`holder-${suffix}-${mobile ? 'mobile' : 'desktop'}.png`);
      await page.screenshot({ path: file, fullPage: true });
      written.push(file);
      await context.close();
    }
  }
  return written;
}
