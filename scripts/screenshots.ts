/*
 * `npm run screenshots`: the holder's page (and, as they are added, the console's) in
 * Debian's Chromium, English and Chinese, desktop and phone widths, into docs/screenshots/.
 * A throwaway sandbox: a temporary SQLite file with the scenario accounts, a fixed clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/adapters/http/app.js';
import { mintHolderToken } from '../src/adapters/http/tokens.js';
import { seedScenarios } from '../src/adapters/ledger/scenarios.js';
import { generateSigningKey } from '../src/adapters/statements/signing-key.js';
import { openContext } from '../src/main/context.js';
import { FixedClock } from '../src/ports/clock.js';
import { launchBrowser } from '../test/browser/support/chromium.js';

const OUT = new URL('../docs/screenshots/', import.meta.url).pathname;
const SECRET = 'screenshots-token-secret-0123456789';
const NOW = new Date('2026-03-02T10:00:00.000Z');

interface Shot {
  name: string;
  account: string;
  path: string;
  locale: string;
  mobile: boolean;
}

const SHOTS: Shot[] = [
  {
    name: 'holder-en-desktop',
    account: 'demo-everything',
    path: '/account',
    locale: 'en-US',
    mobile: false,
  },
  {
    name: 'holder-zh-CN-desktop',
    account: 'demo-everything',
    path: '/account',
    locale: 'zh-CN',
    mobile: false,
  },
  {
    name: 'holder-en-mobile',
    account: 'demo-everything',
    path: '/account',
    locale: 'en-US',
    mobile: true,
  },
  {
    name: 'holder-zh-CN-mobile',
    account: 'demo-everything',
    path: '/account',
    locale: 'zh-CN',
    mobile: true,
  },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-screenshots-'));
  const clock = new FixedClock(NOW);
  const ctx = await openContext({ db: `sqlite:${join(dir, 'shots.db')}`, env: {}, clock });
  const browser = await launchBrowser();
  try {
    await seedScenarios(ctx.database, clock, { whaleTransactions: 5 });
    const signingKey = await generateSigningKey(join(dir, 'signing-key.pem'));
    const app = await buildApp({
      ctx,
      tokenSecret: SECRET,
      agentKeys: { key: signingKey.publicKey, algorithms: ['EdDSA'] },
      statements: { dir, signingKey: async () => signingKey },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    for (const shot of SHOTS) {
      const context = await browser.context({ locale: shot.locale, mobile: shot.mobile });
      const page = await context.newPage();
      const token = mintHolderToken(SECRET, shot.account, clock.now(), 3_600_000).token;
      await page.goto(`${base}/account/sign-in?token=${token}`);
      await page.goto(`${base}${shot.path}`);
      await page.evaluate('document.fonts.ready');
      const file = join(OUT, `${shot.name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${file}\n`);
      await context.close();
    }
    await app.close();
  } finally {
    await browser.close();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
