// «Mon compte» as a person reaches it: open /compte, go through Sésame's own sign-in, come back; then post its forms
// with the page's CSRF token.
import { Browser, formAction, inputValue, type Page } from './browser.js';
import type { TestSesame } from './sesame.js';

/** Opens `path` of «Mon compte» in `browser`, signing in on the way when asked. Returns the page shown at the end. */
export async function openAccount(sesame: TestSesame, browser: Browser, credentials: { username: string; password: string }, path = '/compte'): Promise<Page> {
  const first = await browser.navigate(`${sesame.issuer}${path}`, {}, sesame.issuer);
  if (!/\/interaction\//.test(first.url)) return first;
  const form = await browser.request(`${first.url}?profil=responsable`);
  const action = formAction(form.html, /\/login$/);
  if (!action) throw new Error(`no login form on the way to «Mon compte» (${form.status})`);
  return browser.navigate(new URL(action, sesame.issuer).toString(), {
    form: { _csrf: inputValue(form.html, '_csrf')!, profil: 'responsable', ...credentials },
  }, sesame.issuer);
}

/** Posts a form of «Mon compte» from the page it is on (its CSRF token), following redirects on Sésame. */
export async function postAccountForm(sesame: TestSesame, browser: Browser, page: Page, path: string, fields: Record<string, string>): Promise<Page> {
  const csrf = inputValue(page.html, '_csrf');
  return browser.navigate(`${sesame.issuer}${path}`, { form: { ...(csrf ? { _csrf: csrf } : {}), ...fields } }, sesame.issuer);
}

export { Browser };
