// The language of the request being answered, chosen once at the HTTP edge (src/http/language.ts) and read by every
// renderer: our screens, oidc-provider's pages (its own Koa context never sees ours), error pages, and the SMS and
// mail a request sends. In the request's async context for the same reason as the request id (src/request-id.ts). No Koa here.
import { currentRequestStore, withRequestValues } from '../request-id.js';
import { catalogue, REFERENCE_LANGUAGE } from './catalogue.js';
import { fromUiLocales } from './negotiate.js';

interface LanguageChoice {
  lang: string;
  /** Chosen by the person with the language switch: nothing else overrides it. */
  explicit: boolean;
  /** Came from `ui_locales` already. */
  fromUiLocales: boolean;
  /** This page's same-site address, where the language switch leads back to. */
  here: string;
}

// Kept in the request's own store (src/request-id.ts): one AsyncLocalStorage per request, not one per value.
const storage = { getStore: () => currentRequestStore()?.language as LanguageChoice | undefined };

export function runInLanguage<T>(choice: LanguageChoice, fn: () => T): T {
  const store = currentRequestStore();
  if (!store) return withRequestValues({ language: { ...choice } }, fn);
  store.language = { ...choice };
  return fn();
}

/** Where the language switch on this page leads back to; the home page outside a request. */
export function currentPage(): string {
  return storage.getStore()?.here ?? '/';
}

/** The current request's language; French outside a request (jobs, the CLI). */
export function currentLanguage(): string {
  return storage.getStore()?.lang ?? REFERENCE_LANGUAGE;
}

/**
 * The sign-in's `ui_locales`, once a flow has read the interaction (src/http/interaction.ts): it comes after the
 * switch and before `Accept-Language`. Read where the interaction is read anyway, so no request reads it twice.
 */
export function preferUiLocales(uiLocales: unknown): void {
  const choice = storage.getStore();
  if (!choice || choice.explicit || choice.fromUiLocales) return;
  const lang = fromUiLocales(uiLocales, catalogue().languages);
  if (lang) Object.assign(choice, { lang, fromUiLocales: true });
}

/** `t` in the current request's language. */
export function tr(key: string, values?: Record<string, unknown>): string {
  return catalogue().t(currentLanguage(), key, values);
}
