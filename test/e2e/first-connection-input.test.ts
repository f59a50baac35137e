// Everything a person (or someone hostile) can type into the first connection's forms, on PGlite and PostgreSQL:
// empty, too long, malformed, control characters, markup — each gets a French sentence beside its field, never a
// 500, and nothing changes on the account until the journey's last step succeeds.
import { Browser } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { post } from '../support/activation-journey.js';
import { pupilRow } from '../support/directory-csv.js';
import { importDirectory, letterFor } from '../support/first-connection.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const HOSTILE = ['<script>alert(1)</script>', "' or 1=1 --", '\u0000', '\u202e12/03/2011', 'x'.repeat(10_000)];

describe.each(STORES)('first connection: bad input (%s store)', (store) => {
  let sesame: TestSesame;
  let letter: { accountId: string; identifiant: string; password: string };

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    await importDirectory(sesame, [pupilRow({ uai: '0770001A', etablissement: 'Collège Jean-Moulin', ine: '', eleve_id: 'B1', eleve_prenom: 'Rose', eleve_nom: 'Bertin', eleve_naissance: '2011-03-12', resp_nom: 'Bertin', resp_prenom: 'Paul', resp_mobile: '', resp_email: '' })]);
    letter = await letterFor(sesame.sesame.db, { givenName: 'Rose', familyName: 'Bertin', kind: 'eleve' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  const snapshot = () => sesame.sesame.db.selectFrom('accounts').select(['state', 'password_hash', 'email', 'email_verified', 'provisional_password_hash'])
    .where('id', '=', letter.accountId).executeTakeFirstOrThrow();

  test('every field of every step refuses bad input in French, and the account stays as it was', async () => {
    const before = await snapshot();
    const browser = new Browser();
    const letterPage = await browser.navigate(`${sesame.issuer}/premiere-connexion/courrier`);
    for (const fields of [{ username: '', password: '' }, { username: letter.identifiant, password: '' }, ...HOSTILE.map((h) => ({ username: h, password: h }))]) {
      const page = await post(browser, sesame.issuer, letterPage, '/premiere-connexion/courrier', fields);
      expect(page.status).toBeGreaterThanOrEqual(400);
      expect(page.status).toBeLessThan(500);
      expect(expectFrenchPage(page)).toMatch(/Indiquez votre identifiant|L’identifiant ou le mot de passe est incorrect/);
    }
    let page = await post(browser, sesame.issuer, letterPage, '/premiere-connexion/courrier', { username: ` ${letter.identifiant.toUpperCase()} `, password: letter.password });
    expect(visibleText(page.html)).toContain('Première connexion Étape 1 sur 3');

    const passwords: [Record<string, string>, RegExp][] = [
      [{ password: '', password_confirm: '' }, /Choisissez un mot de passe/],
      [{ password: PASSWORD, password_confirm: '' }, /Confirmez votre mot de passe en le tapant une seconde fois/],
      [{ password: PASSWORD, password_confirm: `${PASSWORD}x` }, /ne sont pas identiques/],
      [{ password: 'court', password_confirm: 'court' }, /Le mot de passe doit contenir au moins 12 caractères/],
      [{ password: 'x'.repeat(129), password_confirm: 'x'.repeat(129) }, /trop long/],
      [{ password: 'Rose-Bertin-2024!', password_confirm: 'Rose-Bertin-2024!' }, /Le mot de passe contient votre nom ou votre prénom/],
      [{ password: 'Velo!12032011', password_confirm: 'Velo!12032011' }, /ne doit pas contenir de date de naissance/],
      [{ password: letter.password, password_confirm: letter.password }, /différent du mot de passe provisoire|au moins 12 caractères/],
      [{ password: 'Cartable\u0000rouge26', password_confirm: 'Cartable\u0000rouge26' }, /caractère invisible/],
    ];
    for (const [fields, message] of passwords) {
      const refused = await post(browser, sesame.issuer, page, '/premiere-connexion/mot-de-passe', fields);
      expect(expectFrenchPage(refused, 400)).toMatch(message);
      expect(refused.html).toMatch(/aria-describedby="[^"]*password(_confirm)?-error/);
    }
    page = await post(browser, sesame.issuer, page, '/premiere-connexion/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    expect(visibleText(page.html)).toContain('Première connexion Étape 2 sur 3');

    for (const email of ['pas-une-adresse', 'a@b', `${'x'.repeat(250)}@example.org`, ...HOSTILE]) {
      const refused = await post(browser, sesame.issuer, page, '/premiere-connexion/courriel', { email });
      expect(expectFrenchPage(refused, 400)).toMatch(/L’adresse électronique (n’est pas valide|est trop longue)/);
    }
    page = await post(browser, sesame.issuer, page, '/premiere-connexion/courriel', { email: '', passer: '1' });
    expect(visibleText(page.html)).toContain('Première connexion Étape 3 sur 3');

    for (const birthdate of ['', '31/02/2011', '12/03/2999', 'demain', ...HOSTILE]) {
      const refused = await post(browser, sesame.issuer, page, '/premiere-connexion/identite', { birthdate });
      expect(expectFrenchPage(refused, 400)).toMatch(/Indiquez la date de naissance|Cette date n’est pas valide/);
    }
    // Malformed dates spend no try: the right one still works after all of them.
    expect(await snapshot()).toEqual(before);
    const done = await post(browser, sesame.issuer, page, '/premiere-connexion/identite', { birthdate: '2011-03-12' });
    expect(done.html).toContain('Votre compte est prêt');
    expect(await snapshot()).toMatchObject({ state: 'active', provisional_password_hash: null });
  });

  test('steps posted without a journey, out of order, or without the form’s token are refused politely', async () => {
    const stranger = new Browser();
    const home = await stranger.navigate(`${sesame.issuer}/premiere-connexion/courrier`);
    for (const step of ['mot-de-passe', 'courriel', 'identite', 'renvoyer', 'corriger']) {
      const page = await post(stranger, sesame.issuer, home, `/premiere-connexion/${step}`, { email: 'a@example.org', password: PASSWORD, password_confirm: PASSWORD, birthdate: '12/03/2011' });
      expect(expectFrenchPage(page, 400)).toContain('Votre première connexion a expiré');
    }
    const noCsrf = await stranger.request(`${sesame.issuer}/premiere-connexion/courrier`, { form: { username: 'x', password: 'y' } });
    expect(expectFrenchPage(noCsrf, 403)).toContain('Cette page a expiré');
    const continued = await post(stranger, sesame.issuer, home, '/interaction/inconnu/premiere-connexion', {});
    expect(expectFrenchPage(continued, 400)).toContain('expiré');
    // Without a journey, /premiere-connexion leads to the letter form.
    const start = await stranger.navigate(`${sesame.issuer}/premiere-connexion`);
    expect(start.html).toContain('Première connexion avec le courrier de l’établissement');
  });
});
