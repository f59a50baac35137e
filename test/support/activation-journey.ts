// The activation journey as a person's browser walks it: each step's form posted with the page's CSRF token, and
// the SMS read back from the outbox (DATA_DIR/outbox.jsonl) the way the parent reads their phone.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Browser, inputValue, type Page } from './browser.js';
import { drainSmsQueues } from './sms-queues.js';

export interface SmsLine {
  channel: string;
  to: string;
  body: string;
  at: string;
}

export async function outboxSms(dataDir: string, to?: string): Promise<SmsLine[]> {
  // SMS leave after the answer: the ones already asked for are let out before the phone is read.
  await drainSmsQueues();
  let content = '';
  try {
    content = await readFile(path.join(dataDir, 'outbox.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return content
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SmsLine)
    .filter((m) => m.channel === 'sms' && (!to || m.to === to));
}

export async function lastCode(dataDir: string, to: string): Promise<string> {
  // A Sésame in another process (the bench) sends from its own queue: give its first SMS a moment to arrive.
  for (let attempt = 0; ; attempt += 1) {
    const messages = await outboxSms(dataDir, to);
    const code = /\b(\d{6})\b/.exec(messages.at(-1)?.body ?? '')?.[1];
    if (code) return code;
    if (attempt >= 50) throw new Error(`no code sent to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Posts a form of the current page (its CSRF token) and follows redirects within the service. */
export async function post(browser: Browser, base: string, page: Page, action: string, fields: Record<string, string>): Promise<Page & { location?: string }> {
  const csrf = inputValue(page.html, '_csrf');
  if (!csrf) throw new Error(`no CSRF token on the page (${page.status}): ${page.html.slice(0, 300)}`);
  return browser.navigate(new URL(action, base).toString(), { form: { _csrf: csrf, ...fields } }, base);
}

export interface Identity {
  family_name: string;
  given_name: string;
  mobile: string;
}

/** Steps 1 to 4 from /activation; returns each page seen. */
export async function activate(
  browser: Browser,
  base: string,
  dataDir: string,
  input: { identity: Identity; to: string; birthdates: string[]; password: string; start?: string },
) {
  const form = await browser.navigate(new URL(input.start ?? '/activation', base).toString());
  const codePage = await post(browser, base, form, '/activation', { ...input.identity, ...(inputValue(form.html, 'interaction') ? { interaction: inputValue(form.html, 'interaction')! } : {}) });
  const code = await lastCode(dataDir, input.to);
  const children = await post(browser, base, codePage, '/activation/code', { code });
  const fields = Object.fromEntries(input.birthdates.map((d, i) => [`birthdate_${i + 1}`, d]));
  const password = await post(browser, base, children, '/activation/enfants', fields);
  const done = await post(browser, base, password, '/activation/mot-de-passe', { password: input.password, password_confirm: input.password });
  return { form, codePage, children, password, done };
}

/** The identifiant shown on the final page. */
export function shownIdentifiant(html: string): string | undefined {
  return /<p class="identifiant">([^<]+)<\/p>/.exec(html)?.[1];
}
