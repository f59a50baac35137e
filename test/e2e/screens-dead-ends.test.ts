// Every page offers the next useful action (issue 11, item 3): the birth-date refusals of both journeys, an expired
// activation, the done page outside a sign-in, the 404, and «Aide» opened from a sign-in each link somewhere that
// answers 200; the home page lists the services an operator configured («Mes services»).
import { Browser, type Page } from '../support/browser.js';
import { activate, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { pupilRow } from '../support/directory-csv.js';
import { importDirectory, letterFor } from '../support/first-connection.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import type * as oidc from 'openid-client';
import { cliEnv, runCli } from '../support/cli.js';

const PASSWORD = 'Cartable-rouge-2026';

/** The href of the link whose text is `label`, decoded as a browser would. */
function linkTo(html: string, label: string): string | undefined {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`<a[^>]*href="([^"]+)"[^>]*>${escaped}</a>`).exec(html)?.[1]?.replace(/&amp;/g, '&');
}

describe('next actions on every page', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '0' });
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    config = await discover(sesame, client);
  });
  afterAll(() => sesame?.shutdown());
  beforeEach(async () => {
    await sesame.sesame.db.deleteFrom('rate_limits').execute();
  });

  async function follow(browser: Browser, from: Page, label: string): Promise<Page> {
    const href = linkTo(from.html, label);
    expect({ label, href }).toEqual({ label, href: expect.any(String) });
    const page = await browser.navigate(new URL(href!, sesame.issuer).toString());
    expect({ label, status: page.status }).toEqual({ label, status: 200 });
    return page;
  }

  async function family() {
    const mobile = uniqueMobile();
    const given = `Claire${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 5)}`;
    await addFamily(sesame.sesame.db, { family: 'Moreau', given, mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    return { mobile, identity: { family_name: 'Moreau', given_name: given, mobile: mobile.typed } };
  }

  test('activation: the birth-date refusal leads back to the sign-in and to «Recommencer l’activation»', async () => {
    const f = await family();
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    const profile = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const uid = /\/interaction\/([^/?]+)/.exec(profile.url)![1]!;
    const pages = await activate(browser, sesame.issuer, sesame.dataDir, {
      identity: f.identity, to: f.mobile.e164, birthdates: ['01/01/2014'], password: PASSWORD, start: `/activation?interaction=${uid}`,
    });
    let page = pages.password;
    for (let i = 0; i < 2 && !page.html.includes('Nous n’avons pas pu confirmer'); i += 1) {
      page = await post(browser, sesame.issuer, page, '/activation/enfants', { birthdate_1: '01/01/2014' });
    }
    expect(expectFrenchPage(page)).toContain('Nous n’avons pas pu confirmer les dates de naissance');
    const back = await follow(browser, page, 'Revenir à la connexion');
    expect(back.url).toContain(`/interaction/${uid}`);
    expect(visibleText(back.html)).toContain('Vous êtes :');
    const restart = await follow(browser, page, 'Recommencer l’activation');
    expect(visibleText(restart.html)).toContain('Activer mon compte Étape 1 sur 4');
  });

  test('an expired activation offers «Recommencer l’activation»', async () => {
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    const expired = await post(browser, sesame.issuer, form, '/activation/code', { code: '123456' });
    expect(expectFrenchPage(expired, 400)).toContain('Votre demande d’activation a expiré.');
    const restart = await follow(browser, expired, 'Recommencer l’activation');
    expect(visibleText(restart.html)).toContain('Activer mon compte Étape 1 sur 4');
  });

  test('the done page outside a sign-in leads to the home page, which lists the operator’s services', async () => {
    const listed = await admin(sesame, 'PATCH', `/clients/${client.client_id}`, { home_url: 'https://pronote.example.org/', home_description: 'Notes, emploi du temps et absences.' });
    expect(listed.status).toBe(200);
    const f = await family();
    const browser = new Browser();
    const { done } = await activate(browser, sesame.issuer, sesame.dataDir, { identity: f.identity, to: f.mobile.e164, birthdates: ['14/03/2014'], password: PASSWORD });
    expect(done.html).toContain('Votre compte est activé.');
    const home = await follow(browser, done, 'Voir les services de l’école');
    const text = expectFrenchPage(home, 200);
    expect(text).toContain('Mes services');
    expect(home.html).toMatch(/<a href="https:\/\/pronote\.example\.org\/">Pronote<\/a>\s*<p>Notes, emploi du temps et absences\.<\/p>/);
    expect((await admin(sesame, 'PATCH', `/clients/${client.client_id}`, { home_url: null, home_description: null })).status).toBe(200);
    expect(visibleText((await browser.request(`${sesame.issuer}/`)).html)).not.toContain('Mes services');
  });

  test('first connection: the birth-date refusal leads back to the sign-in', async () => {
    const uai = `07${String(Date.now() % 100000).padStart(5, '0')}X`;
    await importDirectory(sesame, [pupilRow({ uai, etablissement: 'Collège Jean-Moulin', ine: '', eleve_id: 'PDE1', eleve_prenom: 'Adam', eleve_nom: 'Perrin', eleve_naissance: '2011-07-07', resp_nom: 'Perrin', resp_prenom: 'Parent', resp_mobile: '', resp_email: '' })]);
    const letter = await letterFor(sesame.sesame.db, { givenName: 'Adam', familyName: 'Perrin', kind: 'eleve' });
    const form = await openLoginForm(sesame, config, client, { profil: 'eleve' });
    const first = await postLogin(sesame, form, { profil: 'eleve', username: letter.identifiant, password: letter.password });
    const emailPage = await post(form.browser, sesame.issuer, first, '/premiere-connexion/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    let page = await post(form.browser, sesame.issuer, emailPage, '/premiere-connexion/courriel', { email: '', passer: '1' });
    for (let i = 0; i < 3; i += 1) page = await post(form.browser, sesame.issuer, page, '/premiere-connexion/identite', { birthdate: '08/07/2011' });
    expect(expectFrenchPage(page)).toContain('Nous n’avons pas pu confirmer votre identité');
    const back = await follow(form.browser, page, 'Revenir à la connexion');
    expect(back.url).toContain(`/interaction/${form.uid}`);
  });

  test('the 404 is «Page introuvable» and links to the home page it names', async () => {
    const missing = await new Browser().request(`${sesame.issuer}/nulle-part`);
    const text = expectFrenchPage(missing, 404);
    expect(missing.html).toContain('<title>Page introuvable – Sésame</title>');
    expect(missing.html).toContain('<h1>Page introuvable</h1>');
    expect(text).toContain('allez à l’accueil de Sésame');
    expect(text).not.toContain('page de connexion');
    expect(linkTo(missing.html, 'Aller à l’accueil de Sésame')).toBe('/');
  });

  test('«Aide» opened from the login page leads back to that sign-in; an unknown or forged one does not', async () => {
    const form = await openLoginForm(sesame, config, client);
    const aideHref = linkTo(form.html, 'Aide');
    expect(aideHref).toBe(`/aide?interaction=${form.uid}`);
    const aide = await form.browser.navigate(new URL(aideHref!, sesame.issuer).toString());
    expect(expectFrenchPage(aide, 200)).toContain('Aide');
    // The footer of the help page keeps the way back too.
    expect(linkTo(aide.html, 'Mentions légales')).toBe(`/mentions-legales?interaction=${form.uid}`);
    const back = await follow(form.browser, aide, 'Revenir à la connexion');
    expect(visibleText(back.html)).toContain('Vous êtes :');

    for (const forged of ['unknown-uid', '%22%3E%3Cscript%3E', 'a'.repeat(65), '']) {
      const page = await new Browser().request(`${sesame.issuer}/aide?interaction=${forged}`);
      expect(page.status).toBe(200);
      expect(page.html).not.toContain('Revenir à la connexion');
      expect(page.html).not.toContain('<script>');
      expect(page.html).not.toContain('interaction=');
    }
  });

  test('the home listing is set by an operator only, validated, and escaped', async () => {
    const other = await registerClient(sesame, { name: 'ENT <b>test</b>', scope: 'openid' });
    const bad: unknown[] = [
      { home_url: 'javascript:alert(1)' }, { home_url: 'https://user:pw@ent.example.org/' }, { home_url: 'ftp://ent.example.org/' },
      { home_url: 42 }, { home_url: 'x'.repeat(3000) }, { home_description: 'a\u0000b', home_url: 'https://ent.example.org/' },
      { home_description: '\u202Eevil', home_url: 'https://ent.example.org/' }, { home_description: 'x'.repeat(201), home_url: 'https://ent.example.org/' },
      { home_description: '   ', home_url: 'https://ent.example.org/' }, { home_description: 'Sans adresse' }, { unknown: true }, [],
    ];
    for (const body of bad) {
      const answer = await admin(sesame, 'PATCH', `/clients/${other.client_id}`, body);
      expect({ body, status: answer.status, error: answer.json?.error }).toEqual({ body, status: 400, error: expect.any(String) });
    }
    expect((await admin(sesame, 'PATCH', '/clients/nobody', { home_url: 'https://ent.example.org/' })).status).toBe(404);
    const ok = await admin(sesame, 'PATCH', `/clients/${other.client_id}`, { home_url: 'https://ent.example.org/?a=1&b=<2>', home_description: '<script>alert(1)</script>' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ home_url: 'https://ent.example.org/?a=1&b=<2>', home_description: '<script>alert(1)</script>' });
    expect(ok.json.client_secret).toBeUndefined();
    const home = await new Browser().request(`${sesame.issuer}/`);
    expect(home.html).not.toContain('<script>alert(1)');
    expect(home.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(home.html).toContain('ENT &lt;b&gt;test&lt;/b&gt;');
    // The listed client still signs people in (its metadata stays valid for the provider).
    const signIn = await openLoginForm(sesame, await discover(sesame, other), other);
    expect(signIn.html).toContain('Connexion');
    expect((await admin(sesame, 'DELETE', `/clients/${other.client_id}`)).status).toBe(204);

    // Dynamic registration cannot put an application on our home page.
    const iat = await admin(sesame, 'POST', '/initial-access-tokens', {});
    for (const listing of [{ home_url: 'https://phishing.example.org/' }, { home_description: 'Pronote officiel' }]) {
      const registered = await fetch(`${sesame.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat.json.initial_access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['https://rp.example.org/cb'], client_name: 'Intrus', ...listing }),
      });
      expect(registered.status).toBe(400);
      expect(await registered.json()).toMatchObject({ error: 'invalid_client_metadata' });
    }
  });

  test('`sesame clients update` lists an application on the home page and removes it', async () => {
    const env = cliEnv(sesame);
    const listed = await runCli(['clients', 'update', client.client_id, '--home-url', 'https://ent.example.org/', '--description', 'L’ENT de l’établissement.', '--json'], { env });
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toMatchObject({ client_id: client.client_id, home_url: 'https://ent.example.org/', home_description: 'L’ENT de l’établissement.' });
    expect((await new Browser().request(`${sesame.issuer}/`)).html).toContain('<a href="https://ent.example.org/">Pronote</a>');
    const refused = await runCli(['clients', 'update', client.client_id, '--home-url', 'javascript:alert(1)'], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('home_url');
    const nothing = await runCli(['clients', 'update', client.client_id], { env });
    expect(nothing.code).not.toBe(0);
    expect(nothing.stderr).toContain('--home-url');
    const removed = await runCli(['clients', 'update', client.client_id, '--no-home'], { env });
    expect(removed.code).toBe(0);
    expect(visibleText((await new Browser().request(`${sesame.issuer}/`)).html)).not.toContain('Mes services');
  });
});
