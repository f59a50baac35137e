// The first connection's email, on PGlite and PostgreSQL: the link tampered, expired or reused; an account *en cours
// d'activation* signing in meanwhile gets the reminder («Renvoyer le courriel», «Corriger l'adresse»), within the
// mail limits; a refusing or absent SMTP server gives a clear sentence and loses nothing.
import { Browser, formAction } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { post } from '../support/activation-journey.js';
import { pupilRow } from '../support/directory-csv.js';
import { followLink, importDirectory, letterFor, linkIn, walkFirstConnection } from '../support/first-connection.js';
import { expectFrenchPage } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const PASSWORD = 'Cartable-rouge-2026';

let n = 0;

describe.each(STORES)('first connection: the activation mail (%s store)', (store) => {
  let sesame: TestSesame;
  let smtp: TestSmtpServer;
  let client: TestClient;
  let config: oidc.Configuration;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sesame = await startTestSesame(store, { SMTP_URL: smtp.url, MAIL_PER_ACCOUNT_HOUR: '3', MAIL_TIMEOUT_MS: '2000' });
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile email' });
    config = await discover(sesame, client);
  });
  afterAll(async () => {
    await sesame?.shutdown();
    await smtp?.close();
  });

  const db = () => sesame.sesame.db;
  const account = (id: string) => db().selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A pupil of a school of their own who has finished the journey with `email`; returns the done page too. */
  async function pupilDone(email: string) {
    n += 1;
    const uai = `076${String(Date.now() % 1000).padStart(3, '0')}${n % 10}${'ABCDEFGHJK'[n % 10]}`;
    const family = `Famille${'abcdefghij'[n % 10]}${'klmnopqrst'[Math.floor(n / 10) % 10]}`;
    await importDirectory(sesame, [pupilRow({ uai, etablissement: 'Collège Jean-Moulin', ine: '', eleve_id: `M${n}`, eleve_prenom: 'Lou', eleve_nom: family, eleve_naissance: '2011-06-15', resp_nom: family, resp_prenom: 'Parent', resp_mobile: '', resp_email: '' })]);
    const letter = await letterFor(db(), { givenName: 'Lou', familyName: family, kind: 'eleve' });
    const form = await openLoginForm(sesame, config, client, { profil: 'eleve', scope: 'openid profile email' });
    const first = await postLogin(sesame, form, { profil: 'eleve', username: letter.identifiant, password: letter.password });
    const pages = await walkFirstConnection(form.browser, sesame.issuer, first, { password: PASSWORD, email, birthdates: { birthdate: '15/06/2011' } });
    return { ...letter, form, done: pages.done };
  }

  test('a tampered, an expired and a replaced link each get a French page and change nothing', async () => {
    const pupil = await pupilDone(`lien.${Date.now()}@example.org`);
    const link = linkIn(smtp.mails, (await account(pupil.accountId)).email!);
    const token = new URL(link).searchParams.get('jeton')!;
    const tampered = `${link.slice(0, -3)}${token.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    for (const bad of [tampered, link.replace(/jeton=.*/, 'jeton='), link.replace(/jeton=.*/, 'jeton=%3Cscript%3E'), `${link}${'x'.repeat(5000)}`]) {
      const { page } = await followLink(bad, sesame.issuer);
      expect(expectFrenchPage(page, 404)).toContain('Ce lien n’est pas valable');
    }
    // Posting a forged token straight to the button's action is no better.
    const browser = new Browser();
    const confirmPage = await browser.navigate(link);
    const forged = await post(browser, sesame.issuer, confirmPage, '/premiere-connexion/courriel/confirmer', { jeton: tampered.split('jeton=')[1]! });
    expect(expectFrenchPage(forged, 404)).toContain('Ce lien n’est pas valable');
    expect((await account(pupil.accountId)).state).toBe('en_cours');

    // Time passes (the row's expiry is moved, as 48 hours would): the link has expired.
    await db().updateTable('email_verifications').set({ expires_at: new Date(Date.now() - 1000) }).where('account_id', '=', pupil.accountId).execute();
    const { page: expired } = await followLink(link, sesame.issuer);
    expect(expectFrenchPage(expired, 410)).toContain('Ce lien a expiré');
    expect(expired.html).toContain('Renvoyer le courriel');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'en_cours', email_verified: false });
  });

  test('an account en cours d’activation signs in with a reminder; «Renvoyer le courriel» replaces the link, within the limits', async () => {
    const email = `rappel.${Date.now()}@example.org`;
    const pupil = await pupilDone(email);
    const firstLink = linkIn(smtp.mails, email);

    const form = await openLoginForm(sesame, config, client, { profil: 'eleve', scope: 'openid profile email' });
    const reminder = await postLogin(sesame, form, { profil: 'eleve', username: pupil.identifiant, password: PASSWORD });
    expect(reminder.html).toContain('Confirmez votre adresse électronique');
    expect(reminder.html).toContain(email);
    expect(reminder.html).toContain('Corriger l’adresse');

    const resent = await post(form.browser, sesame.issuer, reminder, '/premiere-connexion/renvoyer', {});
    expect(resent.status).toBe(200);
    expect(resent.html).toContain('Un nouveau courriel vient de partir');
    const secondLink = linkIn(smtp.mails, email);
    expect(secondLink).not.toBe(firstLink);
    // Limit: 3 mails an hour for one account (the first one counted): the next request is refused, in French.
    const third = await post(form.browser, sesame.issuer, resent, '/premiere-connexion/renvoyer', {});
    expect(third.status).toBe(200);
    const fourth = await post(form.browser, sesame.issuer, third, '/premiere-connexion/renvoyer', {});
    expect(expectFrenchPage(fourth, 429)).toContain('Trop de courriels demandés. Réessayez dans');
    expect(fourth.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(3);

    // The replaced link no longer works; the last one does. Continuing reaches the relying party.
    expect((await followLink(firstLink, sesame.issuer)).page.status).toBe(404);
    const back = await post(form.browser, sesame.issuer, fourth, formAction(fourth.html, /\/premiere-connexion$/)!, {});
    const callback = new URL(back.location!);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
    expect(tokens.claims()!.sub).toBe(pupil.accountId);
    const confirmed = (await followLink(linkIn(smtp.mails, email), sesame.issuer)).confirmed;
    expect(confirmed.html).toContain('Votre compte est activé');
    // Not a dead end: the home page's services (and its way to sign in) are one link away, as after an activation.
    expect(confirmed.html).toContain('<a class="button" href="/">Voir les services de l’école</a>');
    expect((await account(pupil.accountId)).state).toBe('active');
  });

  test('«Corriger l’adresse» sends a link to the new address; the old address’s link stops working', async () => {
    const pupil = await pupilDone(`ancienne.${Date.now()}@example.org`);
    const oldEmail = (await account(pupil.accountId)).email!;
    const oldLink = linkIn(smtp.mails, oldEmail);
    for (const bad of ['', 'pas-une-adresse', 'a@b', `${'x'.repeat(250)}@example.org`, '<script>@x.fr', 'a\u0000@example.org']) {
      const refused = await post(pupil.form.browser, sesame.issuer, pupil.done, '/premiere-connexion/corriger', { email: bad });
      expect(expectFrenchPage(refused, 400)).toMatch(/adresse électronique/);
    }
    expect((await account(pupil.accountId)).email).toBe(oldEmail);
    const newEmail = `nouvelle.${Date.now()}@example.org`;
    const corrected = await post(pupil.form.browser, sesame.issuer, pupil.done, '/premiere-connexion/corriger', { email: newEmail });
    expect(corrected.html).toContain('Votre adresse est corrigée');
    expect((await account(pupil.accountId)).email).toBe(newEmail);
    expect((await followLink(oldLink, sesame.issuer)).page.status).toBe(404);
    expect((await followLink(linkIn(smtp.mails, newEmail), sesame.issuer)).confirmed.html).toContain('Votre compte est activé');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'active', email: newEmail, email_verified: true });
  });

  test('a refusing SMTP server, then none at all: a clear sentence, the account kept, and a later try works', async () => {
    // 451 «try later» at the recipient: the journey still completes, the person is told and can ask again.
    const pupil = await pupilDone(`quelquun@later.test`);
    expect(expectFrenchPage(pupil.done, 503)).toContain('Le courriel n’a pas pu être envoyé pour le moment. Votre compte est bien enregistré');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'en_cours', email: 'quelquun@later.test', provisional_password_hash: null });
    const fixed = await post(pupil.form.browser, sesame.issuer, pupil.done, '/premiere-connexion/corriger', { email: `bon.${Date.now()}@example.org` });
    expect(fixed.status).toBe(200);

    // The server goes away altogether.
    await smtp.close();
    const down = await post(pupil.form.browser, sesame.issuer, fixed, '/premiere-connexion/renvoyer', {});
    expect(expectFrenchPage(down, 503)).toContain('réessayez dans quelques minutes');
    expect((await account(pupil.accountId)).state).toBe('en_cours');
  });
});
