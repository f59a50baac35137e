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

/**
 * Call inside a describe: launches Chromium in beforeAll and closes it (and every context) in afterAll. `args` are
 * added to the usual ones (passkey tests map localhost to 127.0.0.1).
 */
export function useChromium(options: { args?: string[] } = {}): ChromiumHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
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

/**
 * Where the laid-out page breaks a line wrongly (SCREENS.md «French typography»): a line starting with `:`, `;`, `»`,
 * `?` or `!`, or a phone number on two lines. Measured on the rendered text, so it holds at any width and zoom.
 */
export async function badLineBreaks(page: import('playwright-core').Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const rectOf = (node: Text, i: number) => {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      return range.getClientRects()[0];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
      const text = node.data;
      for (let i = 1; i < text.length; i += 1) {
        if (!':;»?!'.includes(text[i]!)) continue;
        const here = rectOf(node, i);
        const before = rectOf(node, i - 1);
        if (here && before && here.top >= before.bottom - 1) bad.push(`line starts with «${text.slice(i, i + 20)}»`);
      }
      for (const m of text.matchAll(/0\d(?:\s\d\d){4}/g)) {
        const first = rectOf(node, m.index);
        const last = rectOf(node, m.index + m[0].length - 1);
        if (first && last && last.top >= first.bottom - 1) bad.push(`phone number split: «${m[0]}»`);
      }
    }
    return bad;
  });
}
