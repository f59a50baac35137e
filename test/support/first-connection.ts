// The first connection as a person walks it: a directory imported through the admin API, letters' provisional
// passwords issued, the steps posted with each page's CSRF token, and the activation link read from the SMTP server.
import { resetProvisionalPassword } from '../../src/directory/provisional-passwords.js';
import type { Db } from '../../src/store/database.js';
import { post } from './activation-journey.js';
import { Browser, type Page } from './browser.js';
import { csvText, type CsvRow } from './directory-csv.js';
import type { ReceivedMail } from './smtp-server.js';
import type { TestSesame } from './sesame.js';

export async function importDirectory(sesame: TestSesame, rows: CsvRow[]): Promise<void> {
  const response = await fetch(`${sesame.adminUrl}/admin/api/v1/directory/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, 'content-type': 'text/csv' },
    body: csvText(rows),
  });
  const text = await response.text();
  if (response.status !== 200 || !/"rejected_rows":0\b/.test(text)) throw new Error(`import failed: ${response.status} ${text}`);
}

/** A letter's provisional password for the account (issued `at`, by default now), as a school reset issues it. */
export async function letterFor(db: Db, where: { givenName: string; familyName: string; kind: 'eleve' | 'responsable' }, at = new Date()) {
  const account = await db.selectFrom('accounts').select(['id', 'identifiant']).where('kind', '=', where.kind)
    .where('given_name', '=', where.givenName).where('family_name', '=', where.familyName).executeTakeFirstOrThrow();
  const issued = await resetProvisionalPassword(db, account.identifiant, { now: at });
  if (!issued.ok) throw new Error(`no provisional password for ${account.identifiant}: ${issued.reason}`);
  return { accountId: account.id, identifiant: account.identifiant, password: issued.password };
}

export interface JourneyInput {
  password: string;
  /** null: «Continuer sans adresse électronique». */
  email: string | null;
  birthdates: Record<string, string>;
}

/** Steps 1 to 3 from the page the sign-in (or the letter form) led to; returns each page seen. */
export async function walkFirstConnection(browser: Browser, base: string, first: Page, input: JourneyInput) {
  const emailPage = await post(browser, base, first, '/premiere-connexion/mot-de-passe', { password: input.password, password_confirm: input.password });
  const identity = await post(browser, base, emailPage, '/premiere-connexion/courriel', input.email === null ? { email: '', passer: '1' } : { email: input.email });
  const done = await post(browser, base, identity, '/premiere-connexion/identite', input.birthdates);
  return { passwordPage: first, emailPage, identity, done };
}

/** The activation link of the last mail sent to `to`. */
export function linkIn(mails: ReceivedMail[], to: string): string {
  const mail = mails.filter((m) => m.to.includes(to)).at(-1);
  const link = /(http:\/\/\S+jeton=[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
  if (!link) throw new Error(`no activation link sent to ${to}`);
  return link;
}

/** Opens the link like a person and presses «Confirmer mon adresse». */
export async function followLink(link: string, base: string, browser = new Browser()) {
  const page = await browser.navigate(link);
  if (page.status !== 200) return { page, confirmed: page };
  const confirmed = await post(browser, base, page, '/premiere-connexion/courriel/confirmer', { jeton: new URL(link).searchParams.get('jeton')! });
  return { page, confirmed };
}
