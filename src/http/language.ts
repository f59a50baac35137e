// The language of each request, chosen once here at the edge: the person's own choice (the switch's cookie), then
// the sign-in's `ui_locales` (on the request, or once a flow has read the interaction: preferUiLocales), then the
// browser's Accept-Language, then French. And the switch itself: GET /langue?lang=en&next=/activation sets the
// cookie and goes back to the same address; journeys keep their state on the server, so the step is kept.
import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { catalogue, REFERENCE_LANGUAGE } from '../i18n/catalogue.js';
import { fromAcceptLanguage, fromUiLocales, MAX_ACCEPT_LANGUAGE } from '../i18n/negotiate.js';
import { runInLanguage, tr } from '../i18n/request-language.js';
import { AppError } from './app-error.js';

export const LANGUAGE_COOKIE = 'sesame_lang';
export const LANGUAGE_SWITCH_PATH = '/langue';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * A path of this site to go back to: starts with one `/` (not `//host` nor `/\host`, which browsers read as another
 * site), printable, bounded. Anything else is refused: the switch is no open redirect.
 */
export function sameSitePath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  if (!/^\/(?![/\\])[\x21-\x7E]*$/.test(value)) return undefined;
  return value;
}

/**
 * Where the switch leads back to: this page's address for a GET; after a POST (a form answered with an error), the
 * page the form was on (same-site Referer), whose GET shows the journey's current step again.
 */
function currentPage(ctx: Context): string {
  if (ctx.method === 'GET') return sameSitePath(ctx.originalUrl) ?? '/';
  const header = ctx.get('Referer');
  // Machines' POSTs (token, introspection) send none: answered without `new URL('')` throwing on each of them.
  if (!header) return '/';
  try {
    const referer = new URL(header);
    if (referer.host === ctx.host) return sameSitePath(referer.pathname + referer.search) ?? '/';
  } catch {
    // No Referer, or not a URL: the home page.
  }
  return '/';
}

/**
 * Every request (tokens and userinfo too) is given a language, and browsers send a handful of distinct
 * Accept-Language headers: each header's answer is kept instead of splitting and sorting it again. Bounded (emptied
 * when full), and tied to the catalogue's language list it was computed for (tests install other catalogues).
 */
const ACCEPT_LANGUAGE_MEMO_SIZE = 256;
let acceptLanguageMemo: { available: readonly string[]; answers: Map<string, string | undefined> } | undefined;

function rememberedAcceptLanguage(header: string, available: readonly string[]): string | undefined {
  // A header past what fromAcceptLanguage reads (it answers undefined at once) is not worth a place in the memo.
  if (header.length > MAX_ACCEPT_LANGUAGE) return undefined;
  if (acceptLanguageMemo?.available !== available) acceptLanguageMemo = { available, answers: new Map() };
  const { answers } = acceptLanguageMemo;
  if (answers.has(header)) return answers.get(header);
  const lang = fromAcceptLanguage(header, available);
  if (answers.size >= ACCEPT_LANGUAGE_MEMO_SIZE) answers.clear();
  answers.set(header, lang);
  return lang;
}

export function chooseLanguage() {
  return function language(ctx: Context, next: Next): Promise<void> {
    const available = catalogue().languages;
    const cookie = ctx.cookies.get(LANGUAGE_COOKIE);
    const chosen = cookie && available.includes(cookie) ? cookie : undefined;
    const fromRequest = chosen ? undefined : fromUiLocales(ctx.query.ui_locales, available);
    const lang = chosen ?? fromRequest ?? rememberedAcceptLanguage(ctx.get('Accept-Language'), available) ?? REFERENCE_LANGUAGE;
    // The same address answers in another language for another browser: caches must not mix them. Both names in
    // one call: the Vary header is read and written once (the same «Accept-Language, Cookie» as two calls).
    ctx.vary(['Accept-Language', 'Cookie']);
    return runInLanguage({ lang, explicit: Boolean(chosen), fromUiLocales: Boolean(fromRequest), here: currentPage(ctx) }, next);
  };
}

export function mountLanguageSwitch(router: Router, deps: { https: boolean }): void {
  router.get(LANGUAGE_SWITCH_PATH, (ctx) => {
    const lang = typeof ctx.query.lang === 'string' ? ctx.query.lang : '';
    const next = ctx.query.next === undefined ? '/' : sameSitePath(ctx.query.next);
    if (!catalogue().languages.includes(lang) || !next) {
      throw new AppError('invalid_request', 400, tr('errors:badLanguageSwitch'), 'unknown language or off-site next');
    }
    ctx.cookies.set(LANGUAGE_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: deps.https, maxAge: ONE_YEAR_MS, signed: false, overwrite: true });
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(next);
  });
}
