// The first connection with a school letter over HTTP, on PGlite and PostgreSQL: a pupil and a parent (children in
// two schools) sign in at a real relying party with the letter's provisional password, choose a password, give an
// email, confirm their identity, and come back to the relying party in the same sign-in; the email link then makes
// the account *activé*, and the statistics count it.
import { Browser, formAction } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { post } from '../support/activation-journey.js';
import { pupilRow } from '../support/directory-csv.js';
import { followLink, importDirectory, letterFor, linkIn, walkFirstConnection } from '../support/first-connection.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const PASSWORD = 'Cartable-rouge-2026';
const WRONG = 'L’identifiant ou le mot de passe est incorrect.';

let schools = 0;
/** A school of its own per test: an import replaces a school's whole list. */
function school(name: string) {
  schools += 1;
  return { uai: `07${String(Date.now() % 10000).padStart(4, '0')}${schools}`.slice(0, 7) + 'ABCDEFGHJK'[schools % 10], etablissement: name };
}

describe.each(STORES)('first connection with a school letter (%s store)', (store) => {
  let sesame: TestSesame;
  let smtp: TestSmtpServer;
  let client: TestClient;
  let config: oidc.Configuration;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sesame = await startTestSesame(store, { SMTP_URL: smtp.url, MAIL_PER_ACCOUNT_HOUR: '3' });
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile email' });
    config = await discover(sesame, client);
  });
  afterAll(async () => {
    await sesame?.shutdown();
    await smtp?.close();
  });

  const db = () => sesame.sesame.db;
  const account = (id: string) => db().selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** A pupil (with one guardian) imported in a school of their own, and their letter. */
  async function pupilWithLetter(given: string, family: string, birthdate: string, at?: Date) {
    const s = school('Collège Jean-Moulin');
    await importDirectory(sesame, [pupilRow({ ...s, ine: '', eleve_id: `P${schools}`, eleve_prenom: given, eleve_nom: family, eleve_naissance: birthdate, resp_nom: family, resp_prenom: 'Parent', resp_mobile: '', resp_email: '' })]);
    return { ...(await letterFor(db(), { givenName: given, familyName: family, kind: 'eleve' }, at)), uai: s.uai };
  }

  async function signInWithLetter(identifiant: string, password: string, profil: 'eleve' | 'responsable') {
    const form = await openLoginForm(sesame, config, client, { profil, scope: 'openid profile email' });
    const page = await postLogin(sesame, form, { profil, username: identifiant, password });
    return { form, page };
  }

  async function tokensFrom(form: Awaited<ReturnType<typeof openLoginForm>>, location: string | undefined) {
    expect(location).toBeDefined();
    const callback = new URL(location!);
    expect(callback.origin + callback.pathname).toBe(client.redirect_uris[0]);
    return oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
  }

  test('a pupil goes from the relying party through the three steps back to its callback; the link makes the account activé', async () => {
    const pupil = await pupilWithLetter('Inès', 'Garnier', '2011-05-17');
    expect((await account(pupil.accountId)).state).toBe('notifie');
    const { form, page } = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    expect(visibleText(page.html)).toContain('Première connexion Étape 1 sur 3');
    // The rules come before the field.
    expect(page.html).toMatch(/au moins 12\scaractères[\s\S]*name="password"/);

    const pages = await walkFirstConnection(form.browser, sesame.issuer, page, {
      password: PASSWORD, email: 'ines.garnier@example.org', birthdates: { birthdate: '17/05/2011' },
    });
    expect(visibleText(pages.emailPage.html)).toContain('Première connexion Étape 2 sur 3');
    expect(pages.emailPage.html).toContain('Continuer sans adresse électronique');
    expect(pages.identity.html).toContain('Votre date de naissance');
    expect(pages.done.html).toContain('Votre compte est prêt');
    expect(pages.done.html).toContain(pupil.identifiant);
    expect(pages.done.html).toContain('Renvoyer le courriel');
    expect(pages.done.html).toContain('Continuer vers Pronote');

    // En cours d'activation: the new password works, the letter's does not any more (one first connection only).
    const written = await account(pupil.accountId);
    expect(written).toMatchObject({ state: 'en_cours', email: 'ines.garnier@example.org', email_verified: false, origin: 'etablissement', provisional_password_hash: null });

    const back = await post(form.browser, sesame.issuer, pages.done, formAction(pages.done.html, /^\/interaction\/[^/]+\/premiere-connexion$/)!, {});
    const tokens = await tokensFrom(form, back.location);
    expect(tokens.claims()!.sub).toBe(pupil.accountId);
    // The letter's password opened the journey: a password sign-in for the relying party.
    expect(tokens.claims()!.amr).toEqual(['pwd']);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, pupil.accountId);
    expect(info).toMatchObject({ preferred_username: pupil.identifiant, email: 'ines.garnier@example.org', email_verified: false });

    const mail = smtp.mails.filter((m) => m.to.includes('ines.garnier@example.org')).at(-1)!;
    expect(mail.subject).toBe('Activez votre compte Sésame');
    expect(mail.html).toContain('Activer mon compte Sésame');
    const link = linkIn(smtp.mails, 'ines.garnier@example.org');
    expect(link).not.toContain(pupil.identifiant);
    const { page: confirm, confirmed } = await followLink(link, sesame.issuer);
    expect(confirm.html).toContain('Confirmer mon adresse');
    expect(confirmed.html).toContain('Votre compte est activé');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'active', email_verified: true });
    const stats = await admin(sesame, 'GET', `/directory/stats?uai=${pupil.uai}`);
    expect(stats.json.schools[0].accounts.eleve.active).toBe(1);

    // Reused link, reused letter.
    const again = await followLink(link, sesame.issuer);
    expect(expectFrenchPage(again.page, 410)).toContain('Ce lien a déjà été utilisé');
    const reused = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    expect(reused.page.status).toBe(401);
    expect(reused.page.html).toContain(WRONG);
    const normal = await signInWithLetter(pupil.identifiant, PASSWORD, 'eleve');
    await tokensFrom(normal.form, normal.page.location);
  });

  test('a parent with children in two schools confirms both birth dates; the email is mandatory', async () => {
    const a = school('Collège Jean-Moulin');
    const b = school('École Louise-Michel');
    const parent = { resp_nom: 'Roussel', resp_prenom: 'Nadia', resp_mobile: '06 44 55 66 77', resp_email: 'nadia.roussel@example.org' };
    await importDirectory(sesame, [pupilRow({ ...a, ...parent, ine: '', eleve_id: 'R1', eleve_prenom: 'Malo', eleve_nom: 'Roussel', eleve_naissance: '2012-02-29' })]);
    await importDirectory(sesame, [pupilRow({ ...b, ...parent, ine: '', eleve_id: 'R2', eleve_prenom: 'Zoé', eleve_nom: 'Roussel', eleve_naissance: '2018-11-03', niveau: '1115', classe: 'CP' })]);
    const letter = await letterFor(db(), { givenName: 'Nadia', familyName: 'Roussel', kind: 'responsable' });

    const { form, page } = await signInWithLetter(letter.identifiant, letter.password, 'responsable');
    const emailPage = await post(form.browser, sesame.issuer, page, '/premiere-connexion/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    expect(emailPage.html).toContain('value="nadia.roussel@example.org"');
    expect(emailPage.html).not.toContain('Continuer sans adresse électronique');
    const skipped = await post(form.browser, sesame.issuer, emailPage, '/premiere-connexion/courriel', { email: '', passer: '1' });
    expect(expectFrenchPage(skipped, 400)).toContain('Indiquez votre adresse électronique');
    const identity = await post(form.browser, sesame.issuer, skipped, '/premiere-connexion/courriel', { email: 'nadia@example.org' });
    expect(identity.html).toContain('Date de naissance de Malo ROUSSEL (Collège Jean-Moulin)');
    expect(identity.html).toContain('Date de naissance de Zoé ROUSSEL (École Louise-Michel)');
    const done = await post(form.browser, sesame.issuer, identity, '/premiere-connexion/identite', { birthdate_1: '29/02/2012', birthdate_2: '3/11/2018' });
    expect(done.html).toContain('Votre compte est prêt');
    const back = await post(form.browser, sesame.issuer, done, formAction(done.html, /\/premiere-connexion$/)!, {});
    const tokens = await tokensFrom(form, back.location);
    expect(tokens.claims()!.sub).toBe(letter.accountId);

    const { confirmed } = await followLink(linkIn(smtp.mails, 'nadia@example.org'), sesame.issuer);
    expect(confirmed.html).toContain('Votre compte est activé');
    expect(await account(letter.accountId)).toMatchObject({ state: 'active', email: 'nadia@example.org', email_verified: true, origin: 'etablissement' });
    const stats = await admin(sesame, 'GET', `/directory/stats?uai=${b.uai}`);
    expect(stats.json.schools[0].accounts.responsable.active).toBe(1);
  });

  test('a pupil may skip the optional email: activé at once, and never asked again at sign-in', async () => {
    const pupil = await pupilWithLetter('Théo', 'Marchand', '2010-01-09');
    const { form, page } = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    const pages = await walkFirstConnection(form.browser, sesame.issuer, page, { password: PASSWORD, email: null, birthdates: { birthdate: '09012010' } });
    expect(pages.done.html).toContain('Votre compte est prêt');
    expect(pages.done.html).not.toContain('Renvoyer le courriel');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'active', provisional_password_hash: null });
    const later = await signInWithLetter(pupil.identifiant, PASSWORD, 'eleve');
    await tokensFrom(later.form, later.page.location);
  });

  test('started from the home page, it ends on «Votre compte est prêt» with the identifiant', async () => {
    const pupil = await pupilWithLetter('Léna', 'Caron', '2012-12-24');
    const browser = new Browser();
    const home = await browser.navigate(`${sesame.issuer}/`);
    const href = /href="([^"]+)"[^>]*>Première connexion avec le courrier/.exec(home.html)?.[1];
    expect(href).toBe('/premiere-connexion/courrier');
    const letterPage = await browser.navigate(`${sesame.issuer}${href}`);
    const first = await post(browser, sesame.issuer, letterPage, '/premiere-connexion/courrier', { username: pupil.identifiant, password: pupil.password });
    expect(visibleText(first.html)).toContain('Première connexion Étape 1 sur 3');
    const { done } = await walkFirstConnection(browser, sesame.issuer, first, { password: PASSWORD, email: null, birthdates: { birthdate: '24/12/2012' } });
    expect(done.html).toContain('Votre compte est prêt');
    expect(done.html).toContain(`<p class="identifiant">${pupil.identifiant}</p>`);
    expect(done.html).not.toContain('Continuer vers');
  });

  test('an expired letter gets its own page, never «incorrect»; for a parent, «Je n’ai pas de compte»', async () => {
    const fourMonthsAgo = new Date(Date.now() - 120 * 24 * 3600 * 1000);
    const pupil = await pupilWithLetter('Noé', 'Lefort', '2011-03-03', fourMonthsAgo);
    const { page } = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    const text = expectFrenchPage(page, 401);
    expect(text).toContain('Votre mot de passe provisoire a expiré');
    expect(text).toContain('Demandez un nouveau courrier');
    expect(text).not.toContain('incorrect');
    // What the page suggests follows whose letter it is, not the profile button chosen.
    const pupilAsParent = await signInWithLetter(pupil.identifiant, pupil.password, 'responsable');
    expect(pupilAsParent.page.html).toContain('Votre mot de passe provisoire a expiré');
    expect(pupilAsParent.page.html).not.toContain('Je n’ai pas de compte</a>');
    const parent = await letterFor(db(), { givenName: 'Parent', familyName: 'Lefort', kind: 'responsable' }, fourMonthsAgo);
    const asParent = await signInWithLetter(parent.identifiant, parent.password, 'responsable');
    expect(asParent.page.html).toMatch(/href="\/activation\?interaction=[^"]+"[^>]*>Je n’ai pas de compte/);
    // A wrong password for the same account is the neutral answer, as ever.
    const wrong = await signInWithLetter(pupil.identifiant, 'abcdEFGH', 'eleve');
    expect(wrong.page.html).toContain(WRONG);
    expect((await account(pupil.accountId)).state).toBe('notifie');
  });

  test('three wrong birth dates end the journey, and the letter stops working', async () => {
    const pupil = await pupilWithLetter('Adam', 'Perrin', '2011-07-07');
    const { form, page } = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    const emailPage = await post(form.browser, sesame.issuer, page, '/premiere-connexion/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    let current = await post(form.browser, sesame.issuer, emailPage, '/premiere-connexion/courriel', { email: '', passer: '1' });
    const answers = ['Il vous reste 2 essais.', 'Il vous reste 1 essai.'];
    for (const expected of answers) {
      current = await post(form.browser, sesame.issuer, current, '/premiere-connexion/identite', { birthdate: '08/07/2011' });
      expect(expectFrenchPage(current, 400)).toContain(expected);
    }
    const ended = await post(form.browser, sesame.issuer, current, '/premiere-connexion/identite', { birthdate: '08/07/2011' });
    expect(ended.html).toContain('Nous n’avons pas pu confirmer votre identité');
    expect(ended.html).toContain('Contactez le secrétariat de l’établissement');
    expect(await account(pupil.accountId)).toMatchObject({ state: 'notifie', password_hash: null, provisional_password_hash: null });
    const again = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    expect(again.page.html).toContain(WRONG);
  });

  test('signing in again with the same letter does not give fresh birth-date tries', async () => {
    const pupil = await pupilWithLetter('Lilou', 'Barbier', '2012-03-03');
    const toIdentity = async () => {
      const { form, page } = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
      const emailPage = await post(form.browser, sesame.issuer, page, '/premiere-connexion/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
      return { form, page: await post(form.browser, sesame.issuer, emailPage, '/premiere-connexion/courriel', { email: '', passer: '1' }) };
    };
    const first = await toIdentity();
    const wrong = await post(first.form.browser, sesame.issuer, first.page, '/premiere-connexion/identite', { birthdate: '04/03/2012' });
    expect(expectFrenchPage(wrong, 400)).toContain('Il vous reste 2 essais.');
    // A new sign-in with the same letter: a new journey, the same letter's tries.
    const second = await toIdentity();
    const wrongAgain = await post(second.form.browser, sesame.issuer, second.page, '/premiere-connexion/identite', { birthdate: '05/03/2012' });
    expect(expectFrenchPage(wrongAgain, 400)).toContain('Il vous reste 1 essai.');
    const third = await toIdentity();
    const ended = await post(third.form.browser, sesame.issuer, third.page, '/premiere-connexion/identite', { birthdate: '06/03/2012' });
    expect(ended.html).toContain('Nous n’avons pas pu confirmer votre identité');
    expect(await account(pupil.accountId)).toMatchObject({ provisional_password_hash: null });
    expect((await signInWithLetter(pupil.identifiant, pupil.password, 'eleve')).page.html).toContain(WRONG);
  });

  test('an active account with a new letter (reset without --revoke): the old password signs in, the letter starts the first connection and then ends the old sign-ins', async () => {
    const pupil = await pupilWithLetter('Sacha', 'Vidal', '2010-10-10');
    await sesame.sesame.accounts.setPassword(pupil.accountId, 'Ancien-mot-de-passe-42');
    await db().updateTable('accounts').set({ state: 'active' }).where('id', '=', pupil.accountId).execute();
    const old = await signInWithLetter(pupil.identifiant, 'Ancien-mot-de-passe-42', 'eleve');
    const oldTokens = await tokensFrom(old.form, old.page.location);
    await expect(oidc.fetchUserInfo(config, oldTokens.access_token, oldTokens.claims()!.sub)).resolves.toBeDefined();
    const letter = await signInWithLetter(pupil.identifiant, pupil.password, 'eleve');
    expect(visibleText(letter.page.html)).toContain('Première connexion Étape 1 sur 3');
    const { done } = await walkFirstConnection(letter.form.browser, sesame.issuer, letter.page, { password: PASSWORD, email: null, birthdates: { birthdate: '10/10/2010' } });
    expect(done.html).toContain('Votre compte est prêt');
    expect(await sesame.sesame.accounts.authenticate(pupil.identifiant, 'Ancien-mot-de-passe-42')).toBeUndefined();
    expect(await sesame.sesame.accounts.authenticate(pupil.identifiant, PASSWORD)).toMatchObject({ id: pupil.accountId });
    // Whoever held the replaced password is signed out: its access token no longer opens anything.
    await expect(oidc.fetchUserInfo(config, oldTokens.access_token, oldTokens.claims()!.sub)).rejects.toBeDefined();
  });
});
