// Walks every screen state (screen-states.ts) in one Chromium against one Sésame, sequentially, and looks at each
// state in every variant asked for (width, colour scheme, text-only zoom) without reloading it: the state is reached
// once, then resized, recoloured and zoomed in place. Used by `npm run screens` (all variants, screenshots) and by
// the jest test (the narrow screen, light and dark, and zoom).
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { Clock } from '../../src/clock.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.js';
import { applyVariant, checkPage, rootFontSize, screenshot, variantName, type CheckResults, type Variant } from './screen-checks.js';
import { JOURNEYS, KNOWN_PROBLEMS, SCREENS_ENV, STATE_NAMES, type StateContext } from './screen-states.js';
import { freePort, startTestSesame, type TestSesame } from './sesame.js';

export interface StateResult {
  state: string;
  variant: Variant;
  /** The page's h1, so that a report shows which page the state is. */
  heading: string;
  checks: CheckResults;
  /** Relative to the screenshots folder, when screenshots are taken. */
  screenshot?: string;
}

export interface RunResult {
  results: StateResult[];
  /** Journeys that stopped before their last state, with the reason; their missing states count as failures. */
  broken: { journey: string; missing: string[]; error: string }[];
}

export interface RunOptions {
  variants: Variant[];
  /** A folder for PNG screenshots (`<state>-<variant>.png`); none taken when unset. */
  screenshots?: string;
  /** Only the states whose name matches (their journeys are still walked from the start). */
  only?: RegExp;
  /** Called after each state, for progress output. */
  onState?: (state: string, results: StateResult[]) => void;
}

/** A clock that is the real one until moved: codes and flows expire without waiting. */
function movableClock(): { clock: Clock; advance(seconds: number): void } {
  let offset = 0;
  return {
    clock: { now: () => Date.now() + offset, sleepUntil: async () => undefined },
    advance: (seconds) => void (offset += seconds * 1000),
  };
}

export async function runScreens(options: RunOptions): Promise<RunResult> {
  const { clock, advance } = movableClock();
  let sesame: TestSesame | undefined;
  let browser: Browser | undefined;
  let callback: Server | undefined;
  const results: StateResult[] = [];
  const broken: RunResult['broken'] = [];
  try {
    sesame = await startTestSesame('embedded', SCREENS_ENV, { clock });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    if (options.screenshots) await mkdir(options.screenshots, { recursive: true });
    const port = await freePort();
    callback = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à l’application</p>')).listen(port, '127.0.0.1');
    const ctx: StateContext = { sesame, advance, callbackUrl: `http://127.0.0.1:${port}/callback` };
    for (const journey of JOURNEYS) {
      if (options.only && !journey.states.some((s) => options.only!.test(s))) continue;
      // bypassCSP: axe is injected as a script, which the pages' Content-Security-Policy rightly refuses.
      const context = await browser.newContext({ locale: 'fr-FR', bypassCSP: true, viewport: { width: 320, height: 640 }, ...journey.context });
      // tsx (esbuild) names functions with a `__name` helper, also inside functions sent to the page to evaluate.
      await context.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
      const page = await context.newPage();
      const seen: string[] = [];
      const at = async (state: string) => {
        if (!journey.states.includes(state)) throw new Error(`state ${state} is not listed in journey «${journey.name}»`);
        seen.push(state);
        if (options.only && !options.only.test(state)) return;
        const mine: StateResult[] = [];
        const heading = ((await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim().replace(/\s+/g, ' ');
        for (const variant of options.variants) {
          await applyVariant(page, variant);
          const checks = await checkPage(page, variant);
          if (variant.textZoom && (await rootFontSize(page)) < 32) checks['no-sideways-scroll'].push('text-only zoom did not take effect');
          const result: StateResult = { state, variant, heading, checks };
          if (options.screenshots) {
            result.screenshot = `${state}-${variantName(variant)}.png`;
            await screenshot(page, variant, path.join(options.screenshots, result.screenshot));
          }
          mine.push(result);
        }
        // Back to where journeys expect to be (a narrow light screen), so that what they press is laid out as usual.
        await applyVariant(page, { width: 320, scheme: 'light', textZoom: false });
        results.push(...mine);
        options.onState?.(state, mine);
      };
      try {
        await journey.walk(page, ctx, at);
      } catch (error) {
        const heading = await page.locator('h1').first().textContent({ timeout: 1000 }).catch(() => null);
        broken.push({ journey: journey.name, missing: journey.states.filter((s) => !seen.includes(s)), error: `${(error as Error).message.split('\n')[0]} (at ${page.url()}, «${heading?.trim()}»)` });
      }
      const missing = journey.states.filter((s) => !seen.includes(s));
      if (missing.length && !broken.some((b) => b.journey === journey.name)) broken.push({ journey: journey.name, missing, error: 'the journey ended before these states' });
      await context.close();
    }
  } finally {
    await browser?.close();
    callback?.close();
    await sesame?.shutdown();
  }
  return { results, broken };
}

/** The state list, for reports. */
export { STATE_NAMES };

const isKnown = (state: string, check: string) => KNOWN_PROBLEMS.some((k) => k.state === state && k.check === check);

/**
 * Every problem of a run as lines «state variant check: problem»; empty when everything passed. Known problems
 * (KNOWN_PROBLEMS) are left out while they are still seen, and become a failure once they are not.
 */
export function failures(run: RunResult): string[] {
  const lines = run.broken.map((b) => `journey «${b.journey}» broke: ${b.error}; states not reached: ${b.missing.join(', ')}`);
  for (const r of run.results) {
    for (const [check, problems] of Object.entries(r.checks)) {
      if (isKnown(r.state, check)) continue;
      for (const p of problems) lines.push(`${r.state} ${variantName(r.variant)} ${check}: ${p}`);
    }
  }
  for (const k of KNOWN_PROBLEMS) {
    const mine = run.results.filter((r) => r.state === k.state);
    if (mine.length && mine.every((r) => !r.checks[k.check as keyof CheckResults].length)) {
      lines.push(`${k.state} ${k.check}: listed in KNOWN_PROBLEMS but no longer seen — remove it from test/support/screen-states.ts`);
    }
  }
  return lines;
}

/** The known problems a run saw, as lines for a report. */
export function knownProblems(run: RunResult): string[] {
  return KNOWN_PROBLEMS.filter((k) => run.results.some((r) => r.state === k.state && r.checks[k.check as keyof CheckResults].length)).map((k) => `${k.state} ${k.check}: ${k.reason}`);
}
