// Families who read little French (issue 11): the page language follows the relying party's ui_locales, then the
// browser's Accept-Language; a visible switch changes it and keeps the journey's step; the switch is no open
// redirect; an SMS asked for in English is English and GSM-7; discovery lists the languages that exist.
import { Browser } from '../support/browser.js';
import { outboxSms, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { visibleText } from '../support/http.js';
import { openLoginForm } from '../support/login-form.js';
import { discover, registerClient, startAuthorization } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { isGsm7, smsSegments } from '../../src/messaging/gsm7.js';

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];
const switchLinks = (html: string) => [...html.matchAll(/<a href="(\/langue\?[^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ tag: m[0], href: m[1]!.replace(/&amp;/g, '&'), name: m[2] }));

describe('languages', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '50', ACTIVATION_RESEND_AFTER_SECONDS: '0' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('discovery lists French and English for the pages and the claims', async () => {
    const response = await fetch(`${sesame.issuer}/.well-known/openid-configuration`);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.ui_locales_supported).toEqual(['fr', 'en']);
    expect(metadata.claims_locales_supported).toEqual(['fr', 'en']);
  });

  test('ui_locales=en gives the English sign-in pages, <html lang="en">; without it, French', async () => {
    const client = await registerClient(sesame);
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile');
    start.url.searchParams.set('ui_locales', 'de en');
    const browser = new Browser();
    const choice = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    expect(choice.status).toBe(200);
    expect(htmlTag(choice.html)).toBe('<html lang="en">');
    expect(visibleText(choice.html)).toContain('You are: A parent or legal guardian A pupil');
    const form = await browser.request(`${choice.url}?profil=responsable`);
    expect(htmlTag(form.html)).toBe('<html lang="en">');
    expect(form.html).toContain('<title>Sign in – Sésame</title>');
    expect(visibleText(form.html)).toContain('Forgot your password?');
    // The switch offers French, named in French, marked as French.
    const links = switchLinks(form.html);
    expect(links).toHaveLength(1);
    expect(links[0]!.name).toBe('Français');
    expect(links[0]!.tag).toMatch(/lang="fr" hreflang="fr"/);

    const french = await new Browser().navigate((await startAuthorization(config, client, 'openid profile')).url.toString(), {}, sesame.issuer);
    expect(htmlTag(french.html)).toBe('<html lang="fr">');
    expect(visibleText(french.html)).toContain('Vous êtes : Parent ou responsable légal Élève');
  });

  test('Accept-Language: English when the browser prefers it, French otherwise', async () => {
    const english = await new Browser({ 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' }).request(`${sesame.issuer}/`);
    expect(htmlTag(english.html)).toBe('<html lang="en">');
    expect(visibleText(english.html)).toContain('No account yet?');
    expect(english.headers.get('vary')).toMatch(/Accept-Language/i);
    const german = await new Browser({ 'accept-language': 'de-DE,de;q=0.9' }).request(`${sesame.issuer}/`);
    expect(htmlTag(german.html)).toBe('<html lang="fr">');
    expect(visibleText(german.html)).toContain('Pas encore de compte ?');
    // Error pages too.
    const missing = await new Browser({ 'accept-language': 'en' }).request(`${sesame.issuer}/nowhere`);
    expect(missing.status).toBe(404);
    expect(visibleText(missing.html)).toContain('Page not found');
  });

  test('after a refused sign-in (a page answering a POST), the switch leads back to that sign-in, not to the home page', async () => {
    const client = await registerClient(sesame);
    const form = await openLoginForm(sesame, await discover(sesame, client), client);
    const formPage = `/interaction/${form.uid}?profil=responsable`;
    // Browsers send the form's page as Referer to the same origin only (Referrer-Policy: same-origin).
    const refused = await form.browser.request(form.action, {
      form: { _csrf: form.csrf, profil: 'responsable', username: 'personne', password: 'pas-le-bon' },
      headers: { referer: new URL(formPage, sesame.issuer).toString() },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('referrer-policy')).toBe('same-origin');
    const toEnglish = switchLinks(refused.html).find((l) => l.name === 'English')!;
    expect(new URL(toEnglish.href, sesame.issuer).searchParams.get('next')).toBe(formPage);
    const switched = await form.browser.request(new URL(toEnglish.href, sesame.issuer).toString());
    expect(switched.headers.get('location')).toBe(formPage);
    const english = await form.browser.request(new URL(formPage, sesame.issuer).toString());
    expect(htmlTag(english.html)).toBe('<html lang="en">');
    expect(english.html).toContain(`action="/interaction/${form.uid}/login"`);
  });

  test('the switch keeps the step in the middle of an activation, and the person’s choice beats Accept-Language and ui_locales', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'MOREAU', given: 'Claire', mobile: mobile.e164 }, [
      { given: 'Jules', family: 'MOREAU', birthdate: '2014-03-14', schoolName: 'Collège Jean-Moulin' },
    ]);
    const browser = new Browser({ 'accept-language': 'fr-FR' });
    const identity = await browser.navigate(`${sesame.issuer}/activation`);
    const code = await post(browser, sesame.issuer, identity, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    expect(visibleText(code.html)).toContain('Étape 2 sur 4');
    // The page's own switch, posted from a form: it leads back to the step's address.
    const toEnglish = switchLinks(code.html).find((l) => l.name === 'English');
    expect(toEnglish?.tag).toMatch(/lang="en" hreflang="en"/);
    const switched = await browser.request(new URL(toEnglish!.href, sesame.issuer).toString());
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/activation');
    expect(switched.headers.get('set-cookie')).toMatch(/sesame_lang=en;.*httponly/i);
    const same = await browser.navigate(new URL('/activation', sesame.issuer).toString());
    expect(htmlTag(same.html)).toBe('<html lang="en">');
    expect(visibleText(same.html)).toContain('Activate my account Step 2 of 4 — Code received by SMS Next step: your children');
    expect(same.html).toContain('<title>Code received by SMS – Step 2 of 4 – Activate my account – Sésame</title>');
    // The English SMS asked for now (a new code) is English and GSM-7.
    await post(browser, sesame.issuer, same, '/activation/renvoyer', {});
    const last = (await outboxSms(sesame.dataDir, mobile.e164)).at(-1)!.body;
    expect(last).toMatch(/^Sésame: your code is \d{6}\. It expires in 10 minutes\./);
    expect(isGsm7(last)).toBe(true);
    expect(smsSegments(last)).toBe(1);
    // Back to French with the English page's own switch.
    const toFrench = switchLinks(same.html).find((l) => l.name === 'Français');
    const back = await browser.navigate(new URL(toFrench!.href, sesame.issuer).toString());
    expect(htmlTag(back.html)).toBe('<html lang="fr">');
    expect(visibleText(back.html)).toContain('Étape 2 sur 4');
    // A chosen language beats ui_locales too.
    const client = await registerClient(sesame);
    const start = await startAuthorization(await discover(sesame, client), client, 'openid profile');
    start.url.searchParams.set('ui_locales', 'en');
    const signIn = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    expect(htmlTag(signIn.html)).toBe('<html lang="fr">');
  });

  test.each([
    ['//evil.example/phish'],
    ['/\\evil.example'],
    ['https://evil.example/'],
    ['javascript:alert(1)'],
    ['/activation\r\nSet-Cookie: x=y'],
    ['activation'],
  ])('the switch refuses next=%j: no redirect, no cookie, a sentence', async (next) => {
    const page = await new Browser({ 'accept-language': 'en' }).request(`${sesame.issuer}/langue?lang=fr&next=${encodeURIComponent(next)}`);
    expect(page.status).toBe(400);
    expect(page.headers.get('location')).toBeNull();
    expect(page.headers.get('set-cookie') ?? '').not.toMatch(/sesame_lang/);
    expect(visibleText(page.html)).toContain('This language is not available, or the return address is not a Sésame page.');
  });

  test('the switch refuses an unknown language, and answers machines in JSON', async () => {
    const page = await new Browser().request(`${sesame.issuer}/langue?lang=xx&next=/`);
    expect(page.status).toBe(400);
    expect(visibleText(page.html)).toContain('Cette langue n’est pas proposée');
    const json = await fetch(`${sesame.issuer}/langue?lang[]=en`, { headers: { accept: 'application/json' }, redirect: 'manual' });
    expect(json.status).toBe(400);
    expect(await json.json()).toEqual({ error: 'invalid_request', error_description: 'unknown language or off-site next' });
  });
});

describe('a language an académie adds as files (LOCALES_DIR)', () => {
  let sesame: TestSesame;
  let dir: string;

  beforeAll(async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    dir = mkdtempSync(path.join(os.tmpdir(), 'sesame-locales-'));
    mkdirSync(path.join(dir, 'ar'));
    writeFileSync(path.join(dir, 'ar', 'common.json'), JSON.stringify({ language: { name: 'العربية' }, skipLink: 'انتقل إلى المحتوى' }));
    sesame = await startTestSesame('embedded', { LOCALES_DIR: dir });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('Arabic pages are right to left, say what Arabic has and French for the rest; discovery lists it', async () => {
    const page = await new Browser({ 'accept-language': 'ar' }).request(`${sesame.issuer}/`);
    expect(htmlTag(page.html)).toBe('<html lang="ar" dir="rtl">');
    expect(page.html).toContain('انتقل إلى المحتوى');
    expect(visibleText(page.html)).toContain('Pas encore de compte ?');
    const links = switchLinks(page.html).map((l) => l.name);
    expect(links).toEqual(['Français', 'English']);
    const french = await new Browser().request(`${sesame.issuer}/`);
    expect(switchLinks(french.html).find((l) => l.name === 'العربية')?.tag).toMatch(/lang="ar" hreflang="ar" dir="rtl"/);
    const metadata = (await (await fetch(`${sesame.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.ui_locales_supported).toEqual(['fr', 'ar', 'en']);
  });
});
