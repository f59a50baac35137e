// What a parent reads on the shared screens (issue 11, items 5 to 7), over HTTP: French no-break spaces on every
// page (the test Browser checks each one it receives), error pages titled by what happened, the step indicator and
// what to have at hand, and the password step (its rules tied to the field, the real reason for a refusal, the
// identifiant for password managers, password fields never filled again). Wording does not depend on the store:
// the embedded one is enough here.
import { Browser, inputValue, type Page } from '../support/browser.js';
import { lastCode, post } from '../support/activation-journey.js';
import { openAccount, postAccountForm } from '../support/account.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { visibleText } from '../support/http.js';
import { newAccount, PASSWORD } from '../support/recovery.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { typographyProblems } from '../support/typography.js';

/** The opening tag of the input named `name`. */
const inputTag = (html: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? '';
const title = (page: Page) => /<title>([^<]*)<\/title>/.exec(page.html)?.[1]?.replace(/\s/g, ' ');

describe('screens: words, typography and steps', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    // A one-minute code: the page must say «1 minute», not «1 minutes».
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '50', ACTIVATION_CODE_TTL_SECONDS: '60' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  /** A parent declared with a child named Jules, walked to the password step. */
  async function atPasswordStep() {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'MOREAU', given: 'Claire', mobile: mobile.e164 }, [
      { given: 'Jules', family: 'MOREAU', birthdate: '2014-03-14', schoolName: 'Collège Jean-Moulin' },
    ]);
    const browser = new Browser();
    const identity = await browser.navigate(`${sesame.issuer}/activation`);
    const code = await post(browser, sesame.issuer, identity, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    const children = await post(browser, sesame.issuer, code, '/activation/code', { code: await lastCode(sesame.dataDir, mobile.e164) });
    const password = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014' });
    return { browser, identity, code, children, password };
  }

  test('activation shows «Étape n sur 4», the next step and a progress bar; its first page says what to have at hand', async () => {
    const { identity, code, children, password } = await atPasswordStep();
    const text = visibleText(identity.html);
    expect(text).toContain('Activer mon compte Étape 1 sur 4 — Vos informations');
    expect(text).toContain('Étape suivante : code reçu par SMS');
    expect(text).toContain('Avant de commencer, ayez sous la main');
    expect(text).toMatch(/le téléphone portable dont vous avez donné le numéro à l’établissement/);
    expect(text).toContain('la date de naissance de chacun de vos enfants');

    expect(code.html).toMatch(/<h1 class="stepper__title"><span class="stepper__state">Étape 2\u00A0sur 4<\/span> — Code reçu par SMS<\/h1>/);
    expect(code.html).toMatch(/role="progressbar"[^>]*aria-valuemax="4"[^>]*aria-valuenow="2"[^>]*aria-valuetext="Étape 2 sur 4"/);
    expect(visibleText(code.html)).toContain('Étape suivante : vos enfants');
    expect(title(code)).toBe('Code reçu par SMS – Étape 2 sur 4 – Activer mon compte – Sésame');
    expect(code.html).not.toContain('(2/4)');
    expect(visibleText(children.html)).toContain('Étape 3 sur 4 — Vos enfants');
    expect(visibleText(password.html)).toContain('Étape 4 sur 4 — Votre mot de passe');
    expect(visibleText(password.html)).not.toContain('Étape suivante');
  });

  test('typography: no-break spaces in phone numbers, before «:» and inside « », and plurals by count', async () => {
    const { identity, code } = await atPasswordStep();
    expect(identity.html).toContain('Exemple\u00A0: 06\u00A012\u00A034\u00A056\u00A078');
    expect(code.html).toContain('valable 1\u00A0minute');
    expect(typographyProblems(identity.html)).toEqual([]);
    expect(typographyProblems(code.html)).toEqual([]);
    // Every other page of the service a parent can open without an account.
    const browser = new Browser();
    for (const path of ['/', '/aide', '/accessibilite', '/mentions-legales', '/donnees-personnelles', '/mot-de-passe-oublie', '/identifiant-oublie', '/premiere-connexion/courrier']) {
      const page = await browser.navigate(`${sesame.issuer}${path}`);
      expect(typographyProblems(page.html)).toEqual([]);
    }
  });

  test('error pages are titled by what happened, and a technical reference is marked as English', async () => {
    const browser = new Browser();
    const missing = await browser.request(`${sesame.issuer}/nulle-part`);
    expect(missing.status).toBe(404);
    expect(title(missing)).toBe('Page introuvable – Sésame');
    expect(missing.html).toMatch(/<h1>Page introuvable<\/h1>/);

    const expired = await browser.request(`${sesame.issuer}/activation?interaction=inconnue`);
    expect(expired.status).toBe(400);
    expect(title(expired)).toBe('Page expirée – Sésame');
    expect(expired.html).toMatch(/<h1>Page expirée<\/h1>/);

    const protocol = await browser.request(`${sesame.issuer}/auth?client_id=inconnu&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Fx.example%2Fcb`);
    expect(visibleText(protocol.html)).toMatch(/Référence de l’erreur pour l’assistance : \w+/);
    expect(protocol.html).toMatch(/<span lang="en">[a-z_]+<\/span>/);
    expect(title(protocol)).not.toMatch(/^Erreur/);
  });

  test('activation’s password step: one sentence of rules tied to the field, no identifiant named, labels, kept fields', async () => {
    const { browser, password } = await atPasswordStep();
    const rules = /<p class="password-rules" id="password-rules">([^<]*)<\/p>/.exec(password.html)?.[1] ?? '';
    expect(rules).toMatch(/^Votre mot de passe doit compter au moins 12\u00A0caractères[^.]*\.$/);
    expect(rules).not.toContain('identifiant');
    expect(inputTag(password.html, 'password')).toMatch(/aria-describedby="password-rules password-hint"/);
    expect(password.html).toMatch(/<label for="password_confirm">Confirmez votre mot de passe<\/label>/);
    expect(password.html).toMatch(/<label for="password_confirm-show">Afficher la confirmation<\/label>/);
    // The identifiant is given at the end of the activation: nothing to hand a password manager yet.
    expect(inputTag(password.html, 'username')).toBe('');

    const refused = await post(browser, sesame.issuer, password, '/activation/mot-de-passe', { password: 'Jules-et-son-cartable', password_confirm: 'Jules-et-son-cartable' });
    expect(refused.status).toBe(400);
    expect(visibleText(refused.html)).toContain('Le mot de passe contient un prénom de votre famille.');
    expect(refused.html).not.toContain('Jules-et-son-cartable');
    expect(inputTag(refused.html, 'password')).not.toMatch(/value=/);
    expect(inputTag(refused.html, 'password')).toMatch(/aria-describedby="password-rules password-hint password-error"/);
  });

  test('«Mon compte» hands the identifiant to password managers in a hidden field, and names it in the rules', async () => {
    const person = await newAccount(sesame, { kind: 'responsable' });
    const browser = new Browser();
    const page = await openAccount(sesame, browser, { username: person.identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    const username = inputTag(page.html, 'username');
    expect(username).toContain(`value="${person.identifiant}"`);
    expect(username).toContain('autocomplete="username"');
    expect(page.html).toMatch(/<div class="visually-hidden" aria-hidden="true"><label for="username">/);
    expect(/id="password-rules">([^<]*)</.exec(page.html)?.[1]).toContain('ni votre identifiant');

    const refused = await postAccountForm(sesame, browser, page, '/compte/mot-de-passe', { current_password: PASSWORD, password: 'court', password_confirm: 'court' });
    expect(refused.status).toBe(400);
    expect(inputTag(refused.html, 'username')).toContain(`value="${person.identifiant}"`);
    for (const field of ['current_password', 'password', 'password_confirm']) expect(inputTag(refused.html, field)).not.toMatch(/value=/);
  });
});
