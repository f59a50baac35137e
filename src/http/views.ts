// Renders the pug screens. Templates compile once and are cached; every page gets the common frame's locals, the
// message catalogue in the request's language (`t`, `lang`, `dir`, the language switch: src/i18n/) and, in French,
// French typography.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Pug from 'pug';
import { VIEWS_DIR } from '../package-paths.js';
import { withFrenchTypography } from './typography.js';
import { catalogue } from '../i18n/catalogue.js';
import { currentLanguage, currentPage } from '../i18n/request-language.js';
import { LANGUAGE_SWITCH_PATH } from './language.js';
import { ACCESSIBILITY_STATUSES } from '../config-legal.js';

const cache = new Map<string, Pug.compileTemplate>();

/**
 * pug's compiler (with its parser, code generator and @babel/types: some 150 modules) is loaded by the first page
 * compiled, not at start: an instance that only answers tokens, userinfo or the admin API never renders a page, and
 * loading it at start cost idle memory (docs/performance.md, «Idle memory»). A CommonJS package, so `require` keeps
 * rendering synchronous.
 */
let compiler: typeof Pug | undefined;
function pug(): typeof Pug {
  return (compiler ??= createRequire(import.meta.url)('pug') as typeof Pug);
}

export interface PageLocals {
  title: string;
  /** The relying application the person is on their way to, shown in the header ("pour accéder à Pronote"). */
  clientName?: string | undefined;
  csrf?: string | undefined;
  /** Where the language switch leads back to, when not this page's own address (src/http/language.ts). */
  switchBackTo?: string | undefined;
  [key: string]: unknown;
}

/**
 * What the frame of every page says about the service itself (the footer's declared accessibility status). Set once
 * from the configuration at start (`setFrameFacts`), like the template cache: every renderer (our screens, the
 * provider's pages, the error pages) shares the frame, and threading one setting through each would not make it
 * any less global. A page's own locals win.
 */
let frameFacts: Record<string, unknown> = { accessibilityStatus: 'non conforme' };

export function setFrameFacts(facts: { accessibilityStatus: string }): void {
  frameFacts = { ...facts };
}

/** The catalogue's name for the declared status (`common:footer.status.<totale|partielle|non>`). */
function statusKey(status: unknown): string {
  return Object.entries(ACCESSIBILITY_STATUSES).find(([, french]) => french === status)?.[0] ?? 'non';
}

/** The frame's locals for the request's language: `t`, `lang`, `dir`, and the switch to each other language. */
function languageLocals(switchBackTo: unknown): Record<string, unknown> {
  const cat = catalogue();
  const lang = currentLanguage();
  const here = typeof switchBackTo === 'string' ? switchBackTo : currentPage();
  return {
    t: cat.fixedT(lang),
    lang,
    dir: cat.dir(lang),
    otherLanguages: cat.languages
      .filter((other) => other !== lang)
      .map((other) => ({ lang: other, name: cat.nameOf(other), dir: cat.dir(other), href: `${LANGUAGE_SWITCH_PATH}?lang=${encodeURIComponent(other)}&next=${encodeURIComponent(here)}` })),
  };
}

export function renderView(view: string, locals: PageLocals): string {
  let template = cache.get(view);
  if (!template) {
    template = pug().compileFile(path.join(VIEWS_DIR, `${view}.pug`), { basedir: VIEWS_DIR });
    cache.set(view, template);
  }
  const language = languageLocals(locals.switchBackTo);
  const html = template({ ...language, ...frameFacts, accessibilityStatusKey: statusKey(frameFacts.accessibilityStatus), ...locals });
  // French no-break spaces once, here, for every French page and every message it shows (src/http/typography.ts);
  // other languages have their own rules, and French ones would be wrong there.
  return language.lang === 'fr' ? withFrenchTypography(html) : html;
}
