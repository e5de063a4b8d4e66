import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/*
 * A real Chromium for the journeys: Debian's `chromium` package, driven by playwright-core
 * (which downloads no browser). Without it the browser tests fail with the line that
 * installs it: they never skip.
 */

export const INSTALL_LINE = 'sudo apt-get update && sudo apt-get install -y chromium';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium to drive: OFFBOARD_CHROMIUM, else Debian's. Throws with the install line when none is found. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const named = env['OFFBOARD_CHROMIUM'];
  const found = named ? (existsSync(named) ? named : null) : CANDIDATES.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `the browser tests need Chromium and found none (${named ? `OFFBOARD_CHROMIUM=${named} does not exist` : `looked at ${CANDIDATES.join(', ')}`}). Install Debian's package: ${INSTALL_LINE}`,
    );
  return found;
}

/** Flags for a closed network: without them Chromium stalls on its background fetches. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface Browser {
  /** A new context (its own cookies): a phone-sized one with `mobile`, scripts off with `javaScript: false`. */
  context(options?: {
    mobile?: boolean;
    javaScript?: boolean;
    locale?: string;
  }): Promise<BrowserContext>;
  close(): Promise<void>;
}

export const MOBILE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

/** Chromium; playwright-core gives each launch a fresh, temporary profile. */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ARGS,
    headless: true,
  });
  return {
    context: (options = {}) =>
      browser.newContext({
        ...(options.mobile ? MOBILE : DESKTOP),
        javaScriptEnabled: options.javaScript ?? true,
        locale: options.locale ?? 'en-US',
      }),
    close: () => browser.close(),
  };
}

/** The WCAG 2.2 AA rules axe checks (and every level below them). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's violations on the page as it stands, one line each (empty when it passes). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
