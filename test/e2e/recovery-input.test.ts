// Bad input on every field of «Mot de passe oublié» and «Identifiant oublié»: empty, huge, NUL, hostile text,
// repeated fields (arrays), other types in a JSON body, a forged link token — always a French page saying what to
// do, never a 500, and nothing sent or changed.
import pino from 'pino';
import { Browser, inputValue } from '../support/browser.js';
import { uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { codeIn, newAccount, PASSWORD, steppingClock, submit } from '../support/recovery.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

const HOSTILE = ['', '   ', '\u0000', 'a\u0000b', '<script>alert(1)</script>', "' or 1=1 --", '\u202eabc', 'x'.repeat(10_000)];

describe('bad input on the recovery forms', () => {
  let sesame: TestSesame;
  let twilio: TwilioStandIn;
  const time = steppingClock();

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    sesame = await startTestSesame('embedded', { RECOVERY_MIN_RESPONSE_MS: '0', RECOVERY_PER_IDENTIFIANT_HOUR: '1000', SMS_PER_ADDRESS_HOUR: '100000' }, {
      sms: twilio.sender(pino({ level: 'silent' })), clock: time.clock,
    });
    // PGlite starting on a machine shared with other runs can take longer than the default minute.
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
    await twilio?.close();
  });

  /** Posts a raw urlencoded body (repeated keys make arrays) or a JSON body, with this browser's cookies and CSRF token. */
  async function post(browser: Browser, path: string, body: string | Record<string, unknown>): Promise<Response> {
    const page = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`);
    const csrf = inputValue(page.html, '_csrf')!;
    const json = typeof body !== 'string';
    return fetch(`${sesame.issuer}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded', cookie: browser.cookieHeader() },
      body: json ? JSON.stringify({ _csrf: csrf, ...body }) : `_csrf=${encodeURIComponent(csrf)}&${body}`,
    });
  }

  async function expectSentence(response: Response, pattern?: RegExp) {
    const html = await response.text();
    expect(response.status).toBeLessThan(500);
    const text = expectFrenchPage({ status: response.status, headers: response.headers, html });
    if (pattern) expect(text).toMatch(pattern);
    expect(html).not.toContain('<script>alert');
    return text;
  }

  test('the identifiant: empty, huge, control characters, hostile, arrays, other types', async () => {
    const browser = new Browser();
    for (const value of HOSTILE) {
      const response = await post(browser, '/mot-de-passe-oublie', `identifiant=${encodeURIComponent(value)}`);
      if (response.status === 303) continue; // hostile but plain text: the neutral answer, like any unknown identifiant
      await expectSentence(response, /identifiant/i);
    }
    await expectSentence(await post(browser, '/mot-de-passe-oublie', 'identifiant=a&identifiant=b'), /Indiquez votre identifiant/);
    for (const shape of ['identifiant[]=a', 'identifiant[a]=1', 'identifiant[0][b]=x']) {
      await expectSentence(await post(browser, '/mot-de-passe-oublie', shape), /Indiquez votre identifiant/);
    }
    // Only forms are read here: a JSON body (numbers, booleans, null) carries no form, so not its CSRF token either.
    const json = await post(browser, '/mot-de-passe-oublie', { identifiant: 5 });
    expect(json.status).toBe(403);
    await expectSentence(json, /Cette page a expiré/);
    // A forged or unknown sign-in is dropped, never echoed.
    const forged = await post(browser, '/mot-de-passe-oublie', `identifiant=x&interaction=${encodeURIComponent('"><script>alert(1)</script>')}`);
    expect(forged.status).toBe(303);
    const page = await browser.request(`${sesame.issuer}/mot-de-passe-oublie?interaction=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E`);
    await expectSentence(new Response(page.html, { status: page.status, headers: page.headers }));
  });

  test('the code and the password steps', async () => {
    const mobile = uniqueMobile().e164;
    const { identifiant } = await newAccount(sesame, { kind: 'responsable', mobile });
    const browser = new Browser();
    const start = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`);
    const codePage = await submit(sesame, browser, start, /^\/mot-de-passe-oublie$/, { identifiant });
    for (const value of HOSTILE) {
      await expectSentence(await post(browser, '/mot-de-passe-oublie/code', `code=${encodeURIComponent(value)}`), /code/i);
    }
    await expectSentence(await post(browser, '/mot-de-passe-oublie/code', 'code=123456&code=654321'), /Indiquez le code/);
    for (const shape of ['code[]=123456', 'code[a]=1']) {
      await expectSentence(await post(browser, '/mot-de-passe-oublie/code', shape), /Indiquez le code/);
    }
    // None of those spent a try: the right code still opens the password step.
    await sesame.sesame.smsQueue.drain();
    const passwordPage = await submit(sesame, browser, codePage, /\/code$/, { code: codeIn(twilio.messages, mobile) });
    expect(passwordPage.html).toContain('Votre nouveau mot de passe</h1>');

    const cases: [string | Record<string, unknown>, RegExp][] = [
      ['password=&password_confirm=', /Choisissez un mot de passe/],
      [`password=${'x'.repeat(10_000)}&password_confirm=${'x'.repeat(10_000)}`, /trop long/],
      ['password=Cartable%00rouge-2026&password_confirm=Cartable%00rouge-2026', /invisible ou de contrôle/],
      ['password=Trousse-verte-et-cahier-9&password_confirm=autre-chose', /pas identiques/],
      ['password=court&password_confirm=court', /./],
      [`password=${encodeURIComponent(identifiant)}-2026-Abc&password_confirm=${encodeURIComponent(identifiant)}-2026-Abc`, /identifiant/],
      ['password=a&password=b&password_confirm=a', /Choisissez un mot de passe/],
      ['password[a]=1&password_confirm[a]=1', /Choisissez un mot de passe/],
      ['password[]=Trousse-verte-et-cahier-9&password_confirm=Trousse-verte-et-cahier-9', /Choisissez un mot de passe/],
    ];
    for (const [body, pattern] of cases) {
      const response = await post(browser, '/mot-de-passe-oublie/mot-de-passe', body);
      expect(response.status).toBe(400);
      await expectSentence(response, pattern);
    }
    // Nothing changed: the old password still signs in (the account row untouched).
    const row = await sesame.sesame.db.selectFrom('accounts').select('password_changed_at').where('identifiant', '=', identifiant).executeTakeFirstOrThrow();
    const fresh = await sesame.sesame.accounts.authenticate(identifiant, PASSWORD);
    expect(fresh?.identifiant).toBe(identifiant);
    expect(row.password_changed_at).not.toBeNull();
  });

  test('a step posted without a request in progress, and forged link tokens', async () => {
    const browser = new Browser();
    for (const path of ['/mot-de-passe-oublie/code', '/mot-de-passe-oublie/mot-de-passe', '/mot-de-passe-oublie/renvoyer', '/mot-de-passe-oublie/courriel']) {
      const response = await post(browser, path, 'code=123456');
      expect(response.status).toBe(400);
      await expectSentence(response, /Votre demande a expiré/);
    }
    for (const token of ['', 'abc', '\u0000', 'x'.repeat(10_000), 'A'.repeat(43)]) {
      const opened = await browser.request(`${sesame.issuer}/mot-de-passe-oublie/lien?jeton=${encodeURIComponent(token)}`);
      expect(opened.status).toBe(404);
      expect(visibleText(opened.html)).toContain('Ce lien n’est pas valable');
      await expectSentence(await post(browser, '/mot-de-passe-oublie/lien', `jeton=${encodeURIComponent(token)}`), /Ce lien n’est pas valable/);
    }
    await expectSentence(await post(browser, '/mot-de-passe-oublie/lien', `jeton[]=${'A'.repeat(43)}`), /Ce lien n’est pas valable/);
  });

  test('«Identifiant oublié»: every field', async () => {
    const browser = new Browser();
    const valid = { family_name: 'Moreau', given_name: 'Claire', mobile: '06 12 34 56 78' };
    const encode = (o: Record<string, string>) => new URLSearchParams(o).toString();
    for (const field of ['family_name', 'given_name', 'mobile'] as const) {
      for (const value of HOSTILE) {
        const response = await post(browser, '/identifiant-oublie', encode({ ...valid, [field]: value }));
        expect(response.status).toBe(400);
        await expectSentence(response);
      }
    }
    for (const value of ['pas-une-adresse', '\u0000@exemple.fr', `${'x'.repeat(300)}@exemple.fr`]) {
      const response = await post(browser, '/identifiant-oublie', encode({ family_name: 'Moreau', given_name: 'Claire', email: value }));
      expect(response.status).toBe(400);
      await expectSentence(response, /adresse électronique/);
    }
    await expectSentence(await post(browser, '/identifiant-oublie', encode({ family_name: 'Moreau', given_name: 'Claire' })), /portable ou votre adresse/);
    await expectSentence(await post(browser, '/identifiant-oublie', encode({ ...valid, email: 'a@exemple.fr' })), /pas les deux/);
    await expectSentence(await post(browser, '/identifiant-oublie', 'family_name=a&family_name=b&given_name=c&mobile=0612345678'), /Indiquez votre nom/);
    await expectSentence(await post(browser, '/identifiant-oublie', 'family_name[a]=5&given_name[]=x&mobile[]=0612345678'), /Indiquez votre nom/);
    await expectSentence(await post(browser, '/identifiant-oublie', encode({ ...valid, mobile: '01 23 45 67 89' })), /téléphone fixe/);
  });
});
