// Walks a sign-in up to the usage charter screen and answers it, like a person: the relying party starts the
// authorization, the person signs in, then ticks (or not) «J'ai lu et j'accepte la charte».
import type * as oidc from 'openid-client';
import { Browser, formAction, inputValue, type Page } from './browser.js';
import { passLogin, startAuthorization, type AuthorizationStart, type TestClient } from './relying-party.js';
import type { TestSesame } from './sesame.js';

export interface CharterScreen {
  browser: Browser;
  start: AuthorizationStart;
  /** Set when the sign-in went straight to the relying party (no charter asked). */
  callback?: URL;
  /** The page where the sign-in stopped (the charter screen when one is asked). */
  page?: { status: number; html: string };
  /** Absolute URL the charter form posts to (/interaction/:uid/charte). */
  action?: string;
  csrf?: string;
}

export async function openCharter(
  sesame: TestSesame,
  config: oidc.Configuration,
  client: TestClient,
  credentials: { username: string; password: string },
  options: { browser?: Browser; scope?: string } = {},
): Promise<CharterScreen> {
  const browser = options.browser ?? new Browser();
  const start = await startAuthorization(config, client, options.scope ?? 'openid');
  const { callback, page } = await passLogin(browser, sesame, start, credentials);
  const action = page ? formAction(page.html, /\/charte$/) : undefined;
  return {
    browser,
    start,
    ...(callback ? { callback } : {}),
    ...(page ? { page } : {}),
    ...(action ? { action: new URL(action, sesame.issuer).toString(), csrf: inputValue(page!.html, '_csrf')! } : {}),
  };
}

/** Posts the charter form (the CSRF token is added unless given) and follows redirects while they stay on Sésame. */
export function answerCharter(sesame: TestSesame, screen: CharterScreen, fields: Record<string, string>): Promise<Page & { location?: string }> {
  if (!screen.action) throw new Error(`no charter form: ${screen.callback ? `went straight to ${screen.callback}` : screen.page?.html.slice(0, 300)}`);
  return screen.browser.navigate(screen.action, { form: { _csrf: screen.csrf!, ...fields } }, sesame.issuer);
}
