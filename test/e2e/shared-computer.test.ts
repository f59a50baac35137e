// Sessions on shared computers: the sign-in cookie outlives the browser only when the person ticks «Rester connecté
// sur cet appareil», and an activation's cookie ends with the flow, so the next person at the computer finds neither.
import { Browser, formAction, inputValue, type Page } from '../support/browser.js';
import { activate, lastCode, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { openLoginForm } from '../support/login-form.js';
import { discover, registerClient, startAuthorization } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { visibleText } from '../support/http.js';

const PASSWORD = 'Cartable-rouge-2026';
const FLOW_TTL = 900;

/** Follows redirects within Sésame like Browser.navigate, keeping every Set-Cookie line seen on the way. */
async function walk(browser: Browser, base: string, url: string, form?: Record<string, string>): Promise<{ page: Page; location?: string; setCookies: string[] }> {
  const setCookies: string[] = [];
  let page = await browser.request(url, form ? { form } : {});
  setCookies.push(...page.headers.getSetCookie());
  for (let hops = 0; hops < 20 && page.status >= 300 && page.status < 400; hops += 1) {
    const location = new URL(page.headers.get('location')!, page.url).toString();
    if (!location.startsWith(base)) return { page, location, setCookies };
    page = await browser.request(location);
    page.url = location;
    setCookies.push(...page.headers.getSetCookie());
  }
  return { page, setCookies };
}

const cookieLine = (lines: string[], name: string) => lines.filter((l) => l.startsWith(`${name}=`));
const persistent = (line: string) => /;\s*(expires|max-age)=/i.test(line);

describe('sessions on shared computers', () => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '0', ACTIVATION_FLOW_TTL_SECONDS: String(FLOW_TTL) });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  async function person() {
    const given = `Marie${Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'x')}`;
    const account = await sesame.sesame.accounts.create({ kind: 'responsable', givenName: given, familyName: 'Martin', password: PASSWORD, state: 'active' });
    return account.identifiant;
  }

  test('the login form offers «Rester connecté sur cet appareil», unticked, with a hint about shared computers', async () => {
    const client = await registerClient(sesame);
    const form = await openLoginForm(sesame, await discover(sesame, client), client);
    const box = /<input[^>]*name="remember"[^>]*>/.exec(form.html)?.[0];
    expect(box).toBeDefined();
    expect(box).toContain('type="checkbox"');
    expect(box).not.toContain('checked');
    expect(box).toContain('aria-describedby="remember-hint"');
    expect(form.html).toMatch(/<label for="remember">Rester connecté sur cet appareil<\/label>/);
    expect(form.html).toMatch(/id="remember-hint">[^<]*ordinateur partagé/);
  });

  test('without the box ticked the session cookie dies with the browser; ticked, it is kept', async () => {
    const client = await registerClient(sesame);
    const config = await discover(sesame, client);
    const username = await person();

    const shared = await openLoginForm(sesame, config, client);
    const left = await walk(shared.browser, sesame.issuer, shared.action, { _csrf: shared.csrf, profil: 'responsable', username, password: PASSWORD });
    expect(left.location).toContain('code=');
    const transient = cookieLine(left.setCookies, '_session');
    expect(transient.length).toBeGreaterThan(0);
    for (const line of transient) expect(persistent(line)).toBe(false);

    const own = await openLoginForm(sesame, config, client);
    const kept = await walk(own.browser, sesame.issuer, own.action, { _csrf: own.csrf, profil: 'responsable', username, password: PASSWORD, remember: 'oui' });
    expect(kept.location).toContain('code=');
    const lasting = cookieLine(kept.setCookies, '_session');
    expect(lasting.length).toBeGreaterThan(0);
    for (const line of lasting) expect(persistent(line)).toBe(true);
  });

  test('a refused password keeps the box as the person left it', async () => {
    const client = await registerClient(sesame);
    const form = await openLoginForm(sesame, await discover(sesame, client), client);
    const again = await walk(form.browser, sesame.issuer, form.action, { _csrf: form.csrf, profil: 'responsable', username: 'personne.inconnue', password: 'faux', remember: 'oui' });
    expect(again.page.status).toBe(401);
    expect(/<input[^>]*name="remember"[^>]*>/.exec(again.page.html)?.[0]).toContain('checked');
  });

  test('the activation cookie lives as long as the flow, and the done page ends it: the next person starts afresh', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Roux', given: 'Nadia', mobile: mobile.e164 }, [{ given: 'Lina', family: 'Roux', birthdate: '2014-05-06' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    const started = await walk(browser, sesame.issuer, `${sesame.issuer}/activation`, {
      _csrf: inputValue(form.html, '_csrf')!, family_name: 'Roux', given_name: 'Nadia', mobile: mobile.typed,
    });
    const flowCookie = cookieLine(started.setCookies, 'sesame.activation')[0]!;
    expect(flowCookie).toMatch(new RegExp(`max-age=${FLOW_TTL}\\b|expires=`, 'i'));
    const expires = Date.parse(/expires=([^;]+)/i.exec(flowCookie)![1]!);
    expect(expires).toBeLessThanOrEqual(Date.now() + FLOW_TTL * 1000 + 1000);

    const { done } = await activate(browser, sesame.issuer, sesame.dataDir, {
      identity: { family_name: 'Roux', given_name: 'Nadia', mobile: mobile.typed }, to: mobile.e164, birthdates: ['06/05/2014'], password: PASSWORD,
    });
    expect(done.html).toContain('Votre compte est activé.');
    expect(browser.cookieHeader()).not.toContain('sesame.activation=');
    const next = await browser.navigate(`${sesame.issuer}/activation`);
    expect(visibleText(next.html)).toContain('Activer mon compte Étape 1 sur 4');
    expect(next.html).not.toContain('Votre identifiant est');
  });

  test('an ended flow ends its cookie too', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Blanc', given: 'Zoé', mobile: mobile.e164 }, [{ given: 'Eva', family: 'Blanc', birthdate: '2013-02-03' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    let page: Page = await post(browser, sesame.issuer, form, '/activation', { family_name: 'Blanc', given_name: 'Zoé', mobile: mobile.typed });
    const codePage = page;
    const code = await lastCode(sesame.dataDir, mobile.e164);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) page = await post(browser, sesame.issuer, codePage, '/activation/code', { code: wrong });
    expect(page.html).toContain('Cette demande d’activation est annulée');
    expect(browser.cookieHeader()).not.toContain('sesame.activation=');
  });

  test('an activation inside a sign-in continues once, and signs in for this browser session only', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Garcia', given: 'Inès', mobile: mobile.e164 }, [{ given: 'Léo', family: 'Garcia', birthdate: '2012-07-08' }]);
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    const config = await discover(sesame, client);
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid profile');
    const profile = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const uid = new URL(profile.url).pathname.split('/').pop()!;
    const { done } = await activate(browser, sesame.issuer, sesame.dataDir, {
      start: `/activation?interaction=${uid}`,
      identity: { family_name: 'Garcia', given_name: 'Inès', mobile: mobile.typed }, to: mobile.e164, birthdates: ['08/07/2012'], password: PASSWORD,
    });
    expect(done.html).toContain('Continuer vers Pronote');
    // Only the path «Continuer» posts to still carries the flow.
    const doneCookies = done.headers.getSetCookie().filter((l) => l.startsWith('sesame.activation='));
    expect(doneCookies.some((l) => /path=\/;/i.test(`${l};`) && /expires=Thu, 01 Jan 1970/i.test(l))).toBe(true);
    expect(doneCookies.some((l) => l.includes(`path=/interaction/${uid}/activation`) && !/1970/.test(l))).toBe(true);

    const action = formAction(done.html, /^\/interaction\/[^/]+\/activation$/)!;
    const back = await walk(browser, sesame.issuer, new URL(action, sesame.issuer).toString(), { _csrf: inputValue(done.html, '_csrf')! });
    expect(back.location).toContain('code=');
    const session = cookieLine(back.setCookies, '_session');
    expect(session.length).toBeGreaterThan(0);
    for (const line of session) expect(persistent(line)).toBe(false);
    const twice = await post(browser, sesame.issuer, done, action, {});
    expect(twice.status).toBe(400);
  });
});
