// «Mon compte»'s forms refuse what they should, in French, tied to the field, and change nothing: a missing CSRF
// token, empty, huge, malformed, wrong-type and hostile values in every field.
import { Browser, openAccount, postAccountForm } from '../support/account.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { inputValue } from '../support/browser.js';

const PASSWORD = 'Cartable-rouge-2026';
const NEW_PASSWORD = 'Trousse-verte-2027';

describe('«Mon compte»: bad input', () => {
  let sesame: TestSesame;
  let identifiant: string;
  let sub: string;
  const browser = new Browser();

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { MAIL_TRANSPORT: 'outbox', LOGIN_MAX_FAILURES: '1000' });
    const { json } = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD, email: 'claire@exemple.fr' });
    identifiant = json.identifiant;
    sub = json.sub;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  const hash = () => sesame.sesame.db.selectFrom('accounts').select(['password_hash', 'email']).where('id', '=', sub).executeTakeFirstOrThrow();

  test('a form posted without or with a wrong CSRF token is refused and changes nothing', async () => {
    // Signed in, so that only the missing token can explain the refusal.
    expect((await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe')).status).toBe(200);
    const before = await hash();
    for (const csrf of [undefined, 'x'.repeat(43)]) {
      const fields: Record<string, string> = { current_password: PASSWORD, password: NEW_PASSWORD, password_confirm: NEW_PASSWORD, ...(csrf ? { _csrf: csrf } : {}) };
      const page = await browser.request(`${sesame.issuer}/compte/mot-de-passe`, { form: fields });
      expect(expectFrenchPage(page, 403)).toMatch(/Cette page a expiré/);
    }
    for (const path of ['/compte/courriel', '/compte/applications/retirer']) {
      expect((await browser.request(`${sesame.issuer}${path}`, { form: { email: 'a@b.fr', client_id: 'x' } })).status).toBe(403);
    }
    expect(await hash()).toEqual(before);
  });

  test('password change: every field checked, each error tied to its field', async () => {
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    const before = await hash();
    const cases: [Record<string, string>, RegExp, string][] = [
      [{}, /Indiquez votre mot de passe actuel/, 'current_password'],
      [{ current_password: PASSWORD }, /Choisissez un mot de passe/, 'password'],
      [{ current_password: PASSWORD, password: NEW_PASSWORD }, /Confirmez votre mot de passe/, 'password_confirm'],
      [{ current_password: PASSWORD, password: NEW_PASSWORD, password_confirm: `${NEW_PASSWORD}x` }, /pas identiques/, 'password_confirm'],
      [{ current_password: PASSWORD, password: 'x'.repeat(10_000), password_confirm: 'x'.repeat(10_000) }, /trop long/, 'password'],
      [{ current_password: PASSWORD, password: 'abc\u0000defGHI123', password_confirm: 'abc\u0000defGHI123' }, /caractère invisible/, 'password'],
      [{ current_password: PASSWORD, password: 'court', password_confirm: 'court' }, /au moins 12 caractères/, 'password'],
      [{ current_password: PASSWORD, password: 'motdepasse123', password_confirm: 'motdepasse123' }, /trop courant|au moins/, 'password'],
      [{ current_password: PASSWORD, password: `${identifiant}-2026!`, password_confirm: `${identifiant}-2026!` }, /votre nom ou votre prénom|votre identifiant/, 'password'],
      [{ current_password: PASSWORD, password: PASSWORD, password_confirm: PASSWORD }, /différent de votre mot de passe actuel/, 'password'],
      [{ current_password: 'x'.repeat(5000), password: NEW_PASSWORD, password_confirm: NEW_PASSWORD }, /n’est pas votre mot de passe actuel/, 'current_password'],
      [{ current_password: '<script>alert(1)</script>', password: NEW_PASSWORD, password_confirm: NEW_PASSWORD }, /n’est pas votre mot de passe actuel/, 'current_password'],
    ];
    for (const [fields, message, field] of cases) {
      const page = await postAccountForm(sesame, browser, form, '/compte/mot-de-passe', fields);
      const text = expectFrenchPage(page, 400);
      expect(text).toMatch(message);
      expect(page.html).toMatch(new RegExp(`aria-describedby="[^"]*${field}-error"`));
      expect(page.html).not.toContain('<script>alert');
    }
    // Wrong types (a field sent twice arrives as an array) are answered like missing values.
    const raw = await fetch(`${sesame.issuer}/compte/mot-de-passe`, {
      method: 'POST', redirect: 'manual',
      headers: { cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: `_csrf=${inputValue(form.html, '_csrf')}&current_password=a&current_password=b&password=x&password=y`,
    });
    expect(raw.status).toBe(400);
    expect(await hash()).toEqual(before);
  });

  test('email change: every field checked', async () => {
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/courriel');
    const cases: [Record<string, string>, RegExp, number][] = [
      [{ current_password: PASSWORD }, /Indiquez votre adresse électronique/, 400],
      [{ email: 'pas-une-adresse', current_password: PASSWORD }, /n’est pas valide/, 400],
      [{ email: `${'a'.repeat(300)}@exemple.fr`, current_password: PASSWORD }, /trop longue/, 400],
      [{ email: 'a\u202e@exemple.fr', current_password: PASSWORD }, /n’est pas valide/, 400],
      [{ email: '"<img src=x>"@exemple.fr', current_password: PASSWORD }, /n’est pas valide/, 400],
      [{ email: 'nouvelle@exemple.fr' }, /Indiquez votre mot de passe actuel/, 400],
      [{ email: 'nouvelle@exemple.fr', current_password: 'faux' }, /n’est pas votre mot de passe actuel/, 400],
    ];
    for (const [fields, message, status] of cases) {
      const page = await postAccountForm(sesame, browser, form, '/compte/courriel', fields);
      expect(expectFrenchPage(page, status)).toMatch(message);
      expect(page.html).not.toContain('<img src=x>');
    }
    expect((await hash()).email).toBe('claire@exemple.fr');
  });

  test('the confirmation link: malformed, unknown and hostile tokens get a French page', async () => {
    for (const jeton of ['', 'abc', 'x'.repeat(43), '<script>', 'x'.repeat(5000)]) {
      const page = await browser.request(`${sesame.issuer}/compte/courriel/confirmer?jeton=${encodeURIComponent(jeton)}`);
      expect(expectFrenchPage(page, 404)).toMatch(/Ce lien ne fonctionne pas/);
    }
    const form = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/courriel');
    const posted = await postAccountForm(sesame, browser, form, '/compte/courriel/confirmer', { jeton: 'y'.repeat(43) });
    expect(posted.status).toBe(404);
  });

  test('«Retirer l’accès»: unknown, empty, huge and hostile client ids change nothing', async () => {
    // No application yet, so no form on the list: the token comes from another page of the same browser.
    const list = await openAccount(sesame, browser, { username: identifiant, password: PASSWORD }, '/compte/mot-de-passe');
    for (const clientId of ['', 'inconnu', 'x'.repeat(10_000), '\u0000', '<script>']) {
      const page = await postAccountForm(sesame, browser, list, '/compte/applications/retirer', { client_id: clientId });
      expect(visibleText(page.html)).toMatch(/n’a pas d’accès à votre compte/);
      expect(page.status).toBe(400);
    }
  });

  test('the callback: missing, repeated and hostile parameters get a French page', async () => {
    const fresh = new Browser();
    for (const query of ['', '?state=a', '?code=a&state=a&state=b', `?code=${'x'.repeat(5000)}&state=x`, '?error=access_denied']) {
      const page = await fresh.request(`${sesame.issuer}/compte/connexion${query}`);
      expectFrenchPage(page, 400);
    }
  });
});
