// A real Chromium for screen tests (playwright-core, the system's /usr/bin/chromium): launched once per test file,
// a fresh context (cookies, viewport, JavaScript on or off) per test, closed after the file.
// Outside CI a machine without Chromium skips these tests with the reason said; in CI (CI set) they always run.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why Chromium tests cannot run here, or undefined when they can (and must). */
export const chromiumSkipReason: string | undefined =
  existsSync(CHROMIUM_PATH) || process.env.CI ? undefined : `Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH); skipped outside CI`;

/** `describe`, or `describe.skip` with the reason in the title and on the console when Chromium is missing. */
export function describeInChromium(name: string, body: () => void): void {
  if (chromiumSkipReason) {
    console.warn(`skipping "${name}": ${chromiumSkipReason}`);
    describe.skip(`${name} — ${chromiumSkipReason}`, body);
  } else {
    describe(name, body);
  }
}

export interface ChromiumHandle {
  browser(): Browser;
  /** A new isolated context (French locale by default), closed with the browser in afterAll. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/** Call inside a describe: launches Chromium in beforeAll and closes it (and every context) in afterAll. */
export function useChromium(): ChromiumHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
  });
  return {
    browser() {
      if (!browser) throw new Error('Chromium is not launched yet: use it inside a test');
      return browser;
    },
    async newContext(options = {}) {
      const context = await this.browser().newContext({ locale: 'fr-FR', ...options });
      contexts.push(context);
      return context;
    },
  };
}
