import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildApp } from '../src/adapters/http/app.js';
import type { App } from '../src/adapters/http/app.js';
import { agentKeys } from '../src/adapters/http/agent-keys.js';
import { tokenSecret } from '../src/adapters/http/tokens.js';
import { seedScenarios } from '../src/adapters/ledger/scenarios.js';
import { openContext } from '../src/main/context.js';
import type { Context } from '../src/main/context.js';
import { FixedClock } from '../src/ports/clock.js';
import { launchBrowser } from '../test/browser/support/chromium.js';
import type { Browser } from '../test/browser/support/chromium.js';

/*
 * `npm run screenshots`: the web pages as a reader sees them, into docs/screenshots/ (the
 * README shows them). A sandbox on a fresh SQLite file at a fixed instant, the app
 * listening on 127.0.0.1, Chromium driving it. Each module in scripts/screenshots/ takes
 * its own pictures (console.ts: the agent console), so pages add theirs without touching
 * this runner.
 */

export interface Shooter {
  ctx: Context;
  app: App;
  /** http://127.0.0.1:PORT */
  base: string;
  browser: Browser;
  /** The secret holder tokens are signed with (holder pages sign in with one). */
  tokenSecret: string;
  /** Where PNGs go: docs/screenshots/NAME. */
  out(name: string): string;
}

export const SCREENSHOT_INSTANT = new Date('2026-03-02T10:00:00.000Z');

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'docs', 'screenshots');
const modulesDir = join(root, 'scripts', 'screenshots');

/**
 * Chinese pages need a CJK font, which a server often lacks: Chromium's fontconfig is
 * given the Noto Sans SC files the PDF statements already ship (regular and bold).
 */
function withCjkFonts(dir: string): void {
  const require = createRequire(import.meta.url);
  const sc = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
  const fonts = ['400Regular', '700Bold'].map((w) => `<dir>${join(sc, w)}</dir>`);
  const conf = join(dir, 'fonts.conf');
  writeFileSync(
    conf,
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>${fonts.join('')}<cachedir>${join(dir, 'font-cache')}</cachedir></fontconfig>`,
  );
  process.env['FONTCONFIG_FILE'] = conf;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-screenshots-'));
  withCjkFonts(dir);
  const clock = new FixedClock(SCREENSHOT_INSTANT);
  const ctx = await openContext({ db: `sqlite:${join(dir, 'offboard.db')}`, env: {}, clock });
  let browser: Browser | null = null;
  let app: App | null = null;
  try {
    await seedScenarios(ctx.database, clock, { whaleTransactions: 20 });
    const secret = await tokenSecret(ctx.database, {});
    app = await buildApp({
      ctx,
      tokenSecret: secret,
      agentKeys: await agentKeys(ctx.database, {}),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    mkdirSync(outDir, { recursive: true });
    const shooter: Shooter = {
      ctx,
      app,
      base,
      browser,
      tokenSecret: secret,
      out: (name) => join(outDir, name),
    };
    for (const file of readdirSync(modulesDir)
      .filter((f) => f.endsWith('.ts'))
      .sort()) {
      const module = (await import(pathToFileURL(join(modulesDir, file)).href)) as {
        default: (shooter: Shooter) => Promise<string[]>;
      };
      for (const written of await module.default(shooter)) process.stdout.write(`${written}\n`);
    }
  } finally {
    await browser?.close();
    await app?.close();
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
