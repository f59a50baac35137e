// What every screen state must pass in a real Chromium (issue 11, docs/screens.md «Checking every screen»):
// axe-core's WCAG 2.1 A/AA rules, French typography as laid out (no line starting with `: ; » ? !`, no split phone
// number) and as written (no breakable space where one is forbidden), a next action on the page, and nothing
// wider than the screen. Shared by `npm run screens` (scripts/screens.ts) and its jest test.
import { createRequire } from 'node:module';
import type { CDPSession, Page } from 'playwright-core';
import { badLineBreaks } from './chromium.js';
import { typographyProblems } from './typography.js';

/**
 * How a state is looked at: the window's width, the colour scheme, text-only zoom (200 %: fonts doubled), and
 * forced colours (Windows' contrast themes).
 */
export interface Variant {
  width: number;
  scheme: 'light' | 'dark';
  textZoom: boolean;
  forcedColors?: boolean;
}

export const variantName = (v: Variant) => `${v.width}-${v.scheme}${v.textZoom ? '-zoom200' : ''}${v.forcedColors ? '-forced' : ''}`;

export type CheckName = 'axe' | 'typography' | 'next-action' | 'no-sideways-scroll' | 'focus-visible' | 'colour-scheme';
export const CHECKS: CheckName[] = ['axe', 'typography', 'next-action', 'no-sideways-scroll', 'focus-visible', 'colour-scheme'];

/** Problems found per check; an empty list is a pass. */
export type CheckResults = Record<CheckName, string[]>;

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_21_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Chromium's default font sizes (16 px standard, 13 px fixed) doubled: what a person gets with «text only» zoom at
// 200 % (Firefox's setting, Chromium's font-size setting), unlike page zoom, which only narrows the layout viewport.
const DEFAULT_FONTS = { standard: 16, fixed: 13 };
const ZOOMED_FONTS = { standard: 32, fixed: 26 };

const sessions = new WeakMap<Page, CDPSession>();

/** Puts the page in the variant's width, colour scheme and font sizes, without reloading it (the state stays). */
export async function applyVariant(page: Page, variant: Variant, height = variant.width < 600 ? 640 : 800): Promise<void> {
  await page.setViewportSize({ width: variant.width, height });
  await page.emulateMedia({ colorScheme: variant.scheme, forcedColors: variant.forcedColors ? 'active' : 'none' });
  // The session stays open with the page: Chromium drops a session's font sizes when it detaches.
  let cdp = sessions.get(page);
  if (!cdp) sessions.set(page, (cdp = await page.context().newCDPSession(page)));
  await cdp.send('Page.setFontSizes', { fontSizes: variant.textZoom ? ZOOMED_FONTS : DEFAULT_FONTS });
  // Lay the page out again before anything is measured.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/**
 * A PNG of the whole page as the variant shows it. Not Playwright's `fullPage`: resizing the window for it makes
 * Chromium forget the font sizes set for text-only zoom, so the window is made as tall as the page and the variant
 * applied again.
 */
export async function screenshot(page: Page, variant: Variant, file: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await applyVariant(page, variant, Math.min(Math.max(height, 100), 30000));
  await page.screenshot({ path: file });
}

/** The root font size actually used: proves text-only zoom took effect (32 px at 200 %). */
export const rootFontSize = (page: Page) => page.evaluate(() => Number.parseFloat(getComputedStyle(document.documentElement).fontSize));

async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  }, WCAG_21_A_AA);
  return violations;
}

/** Links and buttons a person can use to go on, outside the skip link, the header's brand and the footer. */
async function nextActions(page: Page): Promise<string[]> {
  const found = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('a[href], button, input[type=submit], input[type=button]')]
      .filter((el) => !el.closest('footer, .skip-link, .site-header') && el.getClientRects().length > 0)
      .map((el) => (el.textContent ?? (el as HTMLInputElement).value ?? '').trim())
      .slice(0, 3),
  );
  return found.length ? [] : ['no link or button to go on (outside the skip link, header and footer)'];
}

async function sidewaysScroll(page: Page): Promise<string[]> {
  const { scroll, client, widest } = await page.evaluate(() => {
    const root = document.documentElement;
    // Name the elements sticking out, so a failure says what to fix.
    const widest = [...document.body.querySelectorAll<HTMLElement>('*')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5 || (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible' && el.children.length === 0))
      .slice(0, 4)
      .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return { scroll: root.scrollWidth, client: root.clientWidth, widest };
  });
  return scroll <= client ? [] : [`scrolls sideways: ${scroll} px of content in ${client} px (${widest.join('; ')})`];
}

/**
 * The keyboard focus ring of the page's first control in `main`: drawn (an outline of at least 2 px) and standing
 * out from the page's background (3:1, WCAG 1.4.11), in whatever scheme the page is in.
 */
async function focusRing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const control = [...document.querySelectorAll<HTMLElement>('main a[href], main button, main input:not([type=hidden]), main summary')].find((el) => el.getClientRects().length > 0);
    if (!control) return [];
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((c) => {
        const v = Number(c) / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const before = document.activeElement as HTMLElement | null;
    control.focus();
    const style = getComputedStyle(control);
    const problems: string[] = [];
    const name = `${control.tagName.toLowerCase()} «${(control.textContent ?? '').trim().slice(0, 30)}»`;
    if (!control.matches(':focus-visible')) problems.push(`${name}: focus not shown as visible`);
    else if (style.outlineStyle === 'none' || Number.parseFloat(style.outlineWidth) < 2) problems.push(`${name}: no focus outline`);
    else {
      const [a, b] = [luminance(style.outlineColor), luminance(getComputedStyle(document.body).backgroundColor)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 3) problems.push(`${name}: focus outline contrast ${ratio.toFixed(2)}:1 against the page (3:1 needed)`);
    }
    control.blur();
    before?.focus?.();
    return problems;
  });
}

/**
 * The page follows the scheme asked for: it declares both schemes (`<meta name="color-scheme">`), and in the dark
 * one its background is dark — otherwise axe's contrast rule would pass a dark variant that is the light page.
 */
async function colourScheme(page: Page, variant: Variant): Promise<string[]> {
  const { meta, background } = await page.evaluate(() => ({
    meta: document.querySelector('meta[name="color-scheme"]')?.getAttribute('content') ?? '',
    background: getComputedStyle(document.body).backgroundColor,
  }));
  const problems: string[] = [];
  if (!/\blight\b/.test(meta) || !/\bdark\b/.test(meta)) problems.push(`<meta name="color-scheme"> says «${meta}», not «light dark»`);
  const [r, g, b] = (background.match(/[\d.]+/g) ?? ['255', '255', '255']).map(Number);
  const dark = (r! + g! + b!) / 3 < 64;
  if (!variant.forcedColors && dark !== (variant.scheme === 'dark')) problems.push(`background ${background} in the ${variant.scheme} scheme`);
  return problems;
}

/** Every check on the page as it is now, seen in `variant`. */
export async function checkPage(page: Page, variant: Variant, options: { axe: boolean } = { axe: true }): Promise<CheckResults> {
  const typography = [...(await badLineBreaks(page)), ...typographyProblems(await page.content())];
  return {
    axe: options.axe ? await axeViolations(page) : [],
    typography,
    'next-action': await nextActions(page),
    'no-sideways-scroll': await sidewaysScroll(page),
    'focus-visible': await focusRing(page),
    'colour-scheme': await colourScheme(page, variant),
  };
}
