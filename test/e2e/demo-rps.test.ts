// The demo relying parties of `npm run demo` against a real Sésame with its demo data: sign in at I-Cart, open
// Pronote without typing the password again, sign out at Pronote and find I-Cart signed out too (back-channel).
import * as jose from 'jose';
import { startDemoRps, type RunningDemoRps } from '../../scripts/demo-rp/start.js';
import { DEMO_PARENT, DEMO_PUPIL } from '../../src/demo/seed.js';
import { Browser, formAction, inputValue, type Page } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

/** A person's browser across every origin: follows all redirects, whoever sends them. */
function go(browser: Browser, url: string, form?: Record<string, string>): Promise<Page & { location?: string }> {
  return browser.navigate(url, form ? { form } : {});
}

/** From Sésame's profile choice to the relying party's page: picks the profile and posts the login form. */
async function typePassword(browser: Browser, sesame: TestSesame, profilePage: Page, credentials: { identifiant: string; password: string }, profil = 'responsable') {
  const form = await browser.request(`${profilePage.url}?profil=${profil}`);
  const action = formAction(form.html, /\/login$/)!;
  return go(browser, new URL(action, sesame.issuer).toString(), {
    _csrf: inputValue(form.html, '_csrf')!, profil, username: credentials.identifiant, password: credentials.password,
  });
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe.each(STORES)('demo relying parties (%s store)', (store) => {
  let sesame: TestSesame;
  let demo: RunningDemoRps;
  let icart: string;
  let pronote: string;
  let teleservices: string;

  beforeAll(async () => {
    const urls = [];
    for (let i = 0; i < 3; i += 1) urls.push(`http://127.0.0.1:${await freePort()}`);
    [icart, pronote, teleservices] = urls as [string, string, string];
    sesame = await startTestSesame(store, { SEED_DEMO: 'true', DEMO_RP_URLS: urls.join(','), BACKCHANNEL_ALLOWED_ORIGINS: urls.join(',') });
    demo = await startDemoRps({ issuer: sesame.issuer, urls });
  });

  afterAll(async () => {
    await demo?.stop();
    await sesame?.shutdown();
  });

  test('sign in at I-Cart, open Pronote without a password, sign out at Pronote: I-Cart is signed out too', async () => {
    const browser = new Browser();
    const home = await go(browser, `${icart}/`);
    expect(home.html).toContain('lang="fr"');
    expect(text(home.html)).toContain('Vous n’êtes pas connecté.');
    expect(home.html).toContain('href="/login">Se connecter avec Sésame</a>');

    const profile = await go(browser, `${icart}/login`);
    expect(profile.url.startsWith(`${sesame.issuer}/interaction/`)).toBe(true);
    const signedIn = await typePassword(browser, sesame, profile, DEMO_PARENT);
    expect(signedIn.url).toBe(`${icart}/`);
    expect(text(signedIn.html)).toContain('Bonjour Claire Moreau');
    expect(text(signedIn.html)).toContain(`Identifiant ${DEMO_PARENT.identifiant}`);
    expect(text(signedIn.html)).toContain('Vous êtes connecté à I-Cart avec Sésame.');
    // The scolarite scope: the children the school's directory lists for this parent.
    expect(text(signedIn.html)).toMatch(/Enfants .*Prénom : Jules, Nom : MOREAU, UAI : 0750001A, Établissement : Collège Jean-Moulin/);

    // "Mes applications" leads to Pronote, which signs in through Sésame's session: no form on the way.
    const apps = await go(browser, `${icart}/applications`);
    const link = /href="([^"]+)"><span class="application-name">Pronote</.exec(apps.html)?.[1];
    expect(link).toBe(`${pronote}/login`);
    expect(apps.html).toContain(`href="${teleservices}/login"`);
    const atPronote = await go(browser, link!);
    expect(atPronote.url).toBe(`${pronote}/`);
    expect(atPronote.html).not.toContain('name="password"');
    expect(text(atPronote.html)).toContain('Vous êtes connecté à Pronote avec Sésame.');
    expect(text(atPronote.html)).toContain('Bonjour Claire Moreau');

    // Signing out at Pronote goes through Sésame's confirmation and comes back to Pronote, signed out.
    const confirm = await go(browser, `${pronote}/logout`, {});
    expect(confirm.url.startsWith(sesame.issuer)).toBe(true);
    expect(text(confirm.html)).toContain('Voulez-vous vous déconnecter ?');
    const action = formAction(confirm.html, /session\/end\/confirm/)!;
    const back = await go(browser, new URL(action, sesame.issuer).toString(), { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' });
    expect(back.url).toBe(`${pronote}/`);
    expect(text(back.html)).toContain('Vous n’êtes pas connecté.');

    // I-Cart heard about it by back-channel: its next page shows the person signed out.
    const icartAgain = await go(browser, `${icart}/`);
    expect(text(icartAgain.html)).toContain('Vous n’êtes pas connecté.');
    expect(icartAgain.html).not.toContain('Bonjour Claire');

    // And Sésame's session is gone: Téléservices asks for the password.
    const tele = await go(browser, `${teleservices}/login`);
    expect(tele.url.startsWith(`${sesame.issuer}/interaction/`)).toBe(true);
    expect(text(tele.html)).toContain('Vous êtes :');
  });

  test('claims carrying markup are shown as text, never as HTML', async () => {
    await sesame.sesame.db.updateTable('accounts').set({ given_name: '<script>alert(1)</script>' }).where('identifiant', '=', DEMO_PUPIL.identifiant).execute();
    const browser = new Browser();
    const profile = await go(browser, `${teleservices}/login`);
    const page = await typePassword(browser, sesame, profile, DEMO_PUPIL, 'eleve');
    expect(page.url).toBe(`${teleservices}/`);
    expect(page.html).not.toContain('<script>alert(1)</script>');
    expect(page.html).toContain('Bonjour &lt;script&gt;alert(1)&lt;/script&gt; Moreau');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'none'");
  });

  test('the back-channel endpoint refuses what Sésame did not sign, with a JSON error', async () => {
    const missing = await fetch(`${teleservices}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'invalid_request' });

    const { privateKey } = await jose.generateKeyPair('RS256');
    const forged = await new jose.SignJWT({ sid: 'x', events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
      .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: 'forged' })
      .setIssuer(sesame.issuer).setAudience('teleservices').setIssuedAt().setJti('forged-1').sign(privateKey);
    for (const body of [`logout_token=${forged}`, 'logout_token=pas.un.jeton', `logout_token=${'a'.repeat(20_000)}`, 'logout_token=%3Cscript%3E']) {
      const answer = await fetch(`${teleservices}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect([400, 413]).toContain(answer.status);
      expect(await answer.json()).toHaveProperty('error');
    }
    const json = await fetch(`${teleservices}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"logout_token":1}' });
    expect(json.status).toBe(400);
  });

  test('a callback nobody asked for, or with a wrong state, gets a French page and signs nobody in', async () => {
    const browser = new Browser();
    const stray = await go(browser, `${pronote}/callback?code=abc&state=xyz`);
    expect(stray.status).toBe(400);
    expect(text(stray.html)).toContain('Cette demande de connexion a expiré ou a déjà servi.');

    const profile = await go(browser, `${pronote}/login`);
    expect(profile.url.startsWith(sesame.issuer)).toBe(true);
    const wrongState = await go(browser, `${pronote}/callback?code=abc&state=${'<b>'.repeat(3)}`);
    expect(wrongState.status).toBe(400);
    expect(text(wrongState.html)).toContain('La réponse de Sésame n’a pas pu être vérifiée.');
    const home = await go(browser, `${pronote}/`);
    expect(text(home.html)).toContain('Vous n’êtes pas connecté.');
  });
});

test('when Sésame does not answer, the demo applications say so in French', async () => {
  const closed = await freePort();
  const urls = [await freePort(), await freePort(), await freePort()].map((p) => `http://127.0.0.1:${p}`);
  const demo = await startDemoRps({ issuer: `http://127.0.0.1:${closed}`, urls });
  try {
    const page = await new Browser().navigate(`${urls[0]}/login`);
    expect(page.status).toBe(503);
    expect(text(page.html)).toContain(`I-Cart n’arrive pas à joindre Sésame à l’adresse http://127.0.0.1:${closed}.`);
    const home = await new Browser().navigate(`${urls[1]}/`);
    expect(home.status).toBe(200);
  } finally {
    await demo.stop();
  }
});
