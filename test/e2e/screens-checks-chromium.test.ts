// Every screen state (test/support/screen-states.ts) in one Chromium against one Sésame, on a 320 px screen in the
// light and dark colour schemes and with text-only zoom at 200 %: 0 axe-core WCAG 2.1 A/AA violations, no line
// starting with `: ; » ? !` and no split phone number, a next action on every page, no sideways scrolling. The same
// states and checks as `npm run screens` (which adds 1280 px and screenshots); docs/screens.md.
import { describeInChromium } from '../support/chromium.js';
import type { Variant } from '../support/screen-checks.js';
import { failures, runScreens, STATE_NAMES } from '../support/screen-run.js';

const VARIANTS: Variant[] = [
  { width: 320, scheme: 'light', textZoom: false },
  { width: 320, scheme: 'dark', textZoom: false },
  { width: 320, scheme: 'light', textZoom: true },
];

describeInChromium('every screen state in Chromium: accessibility, typography, next action, no sideways scroll', () => {
  test('passes every check at 320 px, light and dark, and with text-only zoom at 200 %', async () => {
    const run = await runScreens({ variants: VARIANTS });
    expect(failures(run)).toEqual([]);
    // Every listed state was looked at, in every variant.
    expect(run.results.length).toBe(STATE_NAMES.length * VARIANTS.length);
    // The run walks some sixty states three times each, one after the other, on a shared 2-core machine.
  }, 20 * 60_000);
});
