// Every activation field given empty, too long, in a wrong format, of the wrong type, or with markup and control
// characters: a clear French message beside the field, a 4xx status, and nothing changed in the store.
import { Browser, inputValue, type Page } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { lastCode, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { drainSmsQueues } from '../support/sms-queues.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const CONTROL = 'Mor\u0000eau\u0007';
const MARKUP = '<script>alert(1)</script>';

describe.each(STORES)('activation input (%s store)', (store) => {
  let sesame: TestSesame;
  const db = () => sesame.sesame.db;

  beforeAll(async () => {
    sesame = await startTestSesame(store, { ACTIVATION_MIN_RESPONSE_MS: '0' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });
  beforeEach(async () => {
    await db().deleteFrom('rate_limits').execute();
  });

  /** Everything a refused answer must leave untouched. */
  async function snapshot() {
    const [flows, limits, accounts, guardians] = await Promise.all([
      db().selectFrom('activation_flows').select(['id', 'state']).orderBy('id').execute(),
      db().selectFrom('rate_limits').select(['key', 'points']).orderBy('key').execute(),
      db().selectFrom('accounts').select(['id', 'state', 'password_hash']).orderBy('id').execute(),
      db().selectFrom('guardians').select(['id', 'account_id']).orderBy('id').execute(),
    ]);
    return JSON.stringify({ flows, limits, accounts, guardians });
  }

  /** Posts raw form fields (repeated names, odd types) with the browser's cookies and CSRF token. */
  async function rawPost(browser: Browser, page: Page, path: string, body: string): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${sesame.issuer}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie: browser.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(inputValue(page.html, '_csrf')!)}&${body}`,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function expectRefused(answer: { status: number; headers: Headers; html?: string; text?: string }, field: string | null, message: string, before: string) {
    const text = expectFrenchPage(answer);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(text).toContain(message);
    const html = answer.html ?? answer.text ?? '';
    if (field) expect(html).toMatch(new RegExp(`<a href="#${field}">`));
    if (field) expect(html).toMatch(new RegExp(`aria-describedby="[^"]*${field}-error`));
    expect(html).not.toContain('<script>alert');
    expect(await snapshot()).toBe(before);
  }

  test('step 1: each field empty, too long, malformed, with markup or control characters, or repeated', async () => {
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    const ok = { family_name: 'Moreau', given_name: 'Claire', mobile: '06 12 34 56 78' };
    const cases: [Record<string, string>, string, string][] = [
      [{ family_name: '' }, 'family_name', 'Indiquez votre nom.'],
      [{ given_name: '   ' }, 'given_name', 'Indiquez votre prénom.'],
      [{ mobile: '' }, 'mobile', 'Indiquez votre numéro de téléphone portable.'],
      [{ family_name: 'a'.repeat(101) }, 'family_name', 'Le nom est trop long : 100 caractères au maximum.'],
      [{ given_name: 'é'.repeat(5000) }, 'given_name', 'Le prénom est trop long'],
      [{ mobile: '0'.repeat(40) }, 'mobile', 'Le numéro de téléphone n’est pas valide. Exemple : 06 12 34 56 78.'],
      [{ given_name: MARKUP }, 'given_name', 'Le prénom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.'],
      [{ family_name: CONTROL }, 'family_name', 'Le nom ne peut contenir que des lettres'],
      [{ family_name: 'Moreau3' }, 'family_name', 'Le nom ne peut contenir que des lettres'],
      [{ mobile: 'zéro six' }, 'mobile', 'Le numéro de téléphone n’est pas valide.'],
      [{ mobile: '06 12 34 56 7\u0000' }, 'mobile', 'Le numéro de téléphone n’est pas valide.'],
      [{ mobile: '06 12' }, 'mobile', 'Le numéro de téléphone n’est pas valide.'],
      [{ mobile: '01 23 45 67 89' }, 'mobile', 'Ce numéro est celui d’un téléphone fixe. Indiquez un numéro de téléphone portable'],
    ];
    const before = await snapshot();
    for (const [fields, field, message] of cases) {
      const page = await post(browser, sesame.issuer, form, '/activation', { ...ok, ...fields });
      expect(page.status).toBe(400);
      await expectRefused(page, field, message, before);
    }
    // The values typed are given back (escaped), so the person corrects rather than retypes.
    const kept = await post(browser, sesame.issuer, form, '/activation', { ...ok, family_name: '' });
    expect(inputValue(kept.html, 'given_name')).toBe('Claire');
    // Repeated fields (an array after parsing) are not a name.
    const repeated = await rawPost(browser, form, '/activation', 'family_name=Moreau&family_name=Durand&given_name=Claire&mobile=0612345678');
    await expectRefused(repeated, 'family_name', 'Indiquez votre nom.', before);
    // All empty: three messages, one per field, in the summary.
    const empty = await post(browser, sesame.issuer, form, '/activation', {});
    for (const message of ['Indiquez votre nom.', 'Indiquez votre prénom.', 'Indiquez votre numéro de téléphone portable.']) expect(empty.html).toContain(message);
    // Without the CSRF token: a French page, nothing done.
    const forged = await browser.request(`${sesame.issuer}/activation`, { form: ok });
    expect(forged.status).toBe(403);
    expectFrenchPage(forged);
    expect(await snapshot()).toBe(before);
    // A huge body: refused as too large, never a 500.
    const huge = await rawPost(browser, form, '/activation', `family_name=${'a'.repeat(100_000)}`);
    expect(huge.status).toBe(413);
    expectFrenchPage(huge);
  });

  test('steps 2 to 4: malformed codes, dates and passwords spend no try and change nothing', async () => {
    const mobile = uniqueMobile();
    await addFamily(db(), { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    const codePage = await post(browser, sesame.issuer, form, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    // The SMS leaves after the answer and records its outcome in the flow: let it, before taking the snapshot.
    await drainSmsQueues();

    let before = await snapshot();
    const codeCases: [string, string][] = [
      ['', 'Indiquez le code reçu par SMS.'],
      ['12345', 'Le code est fait de 6 chiffres.'],
      ['9'.repeat(5000), 'Le code est fait de 6 chiffres.'],
      ['<b>123456</b>', 'Le code est fait de 6 chiffres.'],
      ['12345\u0000', 'Le code est fait de 6 chiffres.'],
      ['abcdef', 'Le code est fait de 6 chiffres.'],
    ];
    for (const [code, message] of codeCases) {
      const page = await post(browser, sesame.issuer, codePage, '/activation/code', { code });
      expect(page.status).toBe(400);
      await expectRefused(page, 'code', message, before);
    }
    await expectRefused(await rawPost(browser, codePage, '/activation/code', 'code=123456&code=654321'), 'code', 'Indiquez le code reçu par SMS.', before);

    const code = await lastCode(sesame.dataDir, mobile.e164);
    const children = await post(browser, sesame.issuer, codePage, '/activation/code', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(visibleText(children.html)).toContain('Activer mon compte Étape 3 sur 4');

    before = await snapshot();
    const dateCases: [string, string][] = [
      ['', 'Indiquez la date de naissance, par exemple 14/03/2015.'],
      ['31/02/2014', 'Cette date n’est pas valide. Écrivez-la sous la forme JJ/MM/AAAA'],
      ['14/03/2999', 'Cette date n’est pas valide.'],
      ['1'.repeat(3000), 'Cette date n’est pas valide.'],
      [MARKUP, 'Cette date n’est pas valide.'],
      ['14/03/2014\u0000', 'Cette date n’est pas valide.'],
      ['mars 2014', 'Cette date n’est pas valide.'],
    ];
    for (const [date, message] of dateCases) {
      const page = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: date });
      expect(page.status).toBe(400);
      await expectRefused(page, 'birthdate_1', message, before);
    }
    const password = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14032014' });
    expect(visibleText(password.html)).toContain('Activer mon compte Étape 4 sur 4');

    before = await snapshot();
    const good = 'Cartable-rouge-2026';
    const passwordCases: [Record<string, string>, string, string][] = [
      [{ password: '', password_confirm: '' }, 'password', 'Choisissez un mot de passe.'],
      [{ password: good, password_confirm: '' }, 'password_confirm', 'Confirmez votre mot de passe en le tapant une seconde fois.'],
      [{ password: good, password_confirm: `${good}x` }, 'password_confirm', 'Les deux mots de passe ne sont pas identiques.'],
      [{ password: 'x'.repeat(129), password_confirm: 'x'.repeat(129) }, 'password', 'Le mot de passe est trop long : 128 caractères au maximum.'],
      [{ password: 'court', password_confirm: 'court' }, 'password', 'Le mot de passe doit contenir au moins 12 caractères'],
      [{ password: `${good}\u0000`, password_confirm: `${good}\u0000` }, 'password', 'Le mot de passe contient un caractère invisible ou de contrôle.'],
      [{ password: 'azerty123', password_confirm: 'azerty123' }, 'password', 'Le mot de passe doit contenir au moins 12 caractères'],
      [{ password: 'Jules-Moreau-1!', password_confirm: 'Jules-Moreau-1!' }, 'password', 'Le mot de passe contient votre nom ou votre prénom.'],
      [{ password: 'Vacances-14032014', password_confirm: 'Vacances-14032014' }, 'password', 'Le mot de passe ne doit pas contenir de date de naissance.'],
    ];
    for (const [fields, field, message] of passwordCases) {
      const page = await post(browser, sesame.issuer, password, '/activation/mot-de-passe', fields);
      expect(page.status).toBe(400);
      await expectRefused(page, field, message, before);
    }
    const done = await post(browser, sesame.issuer, password, '/activation/mot-de-passe', { password: good, password_confirm: good });
    expect(done.html).toContain('Votre compte est activé.');
  });

  test('a step posted without a flow, or a flow cookie that was tampered with, is a French «expired» page', async () => {
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    const before = await snapshot();
    for (const path of ['/activation/code', '/activation/renvoyer', '/activation/enfants', '/activation/mot-de-passe', '/interaction/abc/activation']) {
      const page = await post(browser, sesame.issuer, form, path, { code: '123456' });
      expect(page.status).toBe(400);
      expect(expectFrenchPage(page)).toContain('Votre demande d’activation a expiré.');
    }
    const forgedCookie = await fetch(`${sesame.issuer}/activation/code`, {
      method: 'POST',
      headers: { accept: 'text/html', cookie: `${browser.cookieHeader()}; sesame.activation=${'A'.repeat(43)}; sesame.activation.sig=xyz`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${inputValue(form.html, '_csrf')}&code=123456`,
    });
    expect(forgedCookie.status).toBe(400);
    expect(await snapshot()).toBe(before);
    const badUid = await browser.navigate(`${sesame.issuer}/activation?interaction=${encodeURIComponent('<x>')}`);
    expect(badUid.status).toBe(400);
    expect(expectFrenchPage(badUid)).toContain('Cette page a expiré.');
  });
});
