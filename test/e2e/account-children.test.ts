// «Mes enfants» over HTTP, as a parent and a relying party see it: the list (school, class), the wrong-attachment
// report (confirm, recorded once, gone from the claims, listed for the school), and «Ajouter des élèves depuis un
// autre compte» (credentials checked like a sign-in, confirmation, merge, back-channel logout of the other account,
// claims carrying both schools' children). Bad input everywhere gets a French sentence and changes nothing.
// Pages sit behind «Mon compte»'s guard (src/flows/account/guard.ts), which reads the session a real sign-in left
// in the browser.
import { Readable } from 'node:stream';
import * as jose from 'jose';
import { importDirectory } from '../../src/directory/import.js';
import { Browser, inputValue, type Page } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { csvText, pupilRow, SCHOOL_A, SCHOOL_B } from '../support/directory-csv.js';
import { discover, oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const SCOPE = 'openid profile scolarite';
const WRONG = 'L’identifiant ou le mot de passe est incorrect.';
const CLAIRE_A = { resp_nom: 'MOREAU', resp_prenom: 'Claire', resp_mobile: '0612345678', resp_email: 'claire@example.org' };
const CLAIRE_B = { resp_nom: 'MOREAU', resp_prenom: 'Claire', resp_mobile: '0698765432', resp_email: 'c.moreau@example.net' };
const ROWS = [
  pupilRow({ ...SCHOOL_A, eleve_id: 'J1', ine: '0123456789J', eleve_nom: 'MOREAU', eleve_prenom: 'Jules', eleve_naissance: '2013-04-12', classe: '4eB', ...CLAIRE_A }),
  // Zoé is linked to Claire by mistake: Claire reports it.
  pupilRow({ ...SCHOOL_A, eleve_id: 'Z1', ine: '0123456789Z', eleve_nom: 'DURAND', eleve_prenom: 'Zoé', eleve_naissance: '2012-06-06', classe: '5eC', ...CLAIRE_A }),
  pupilRow({ ...SCHOOL_B, eleve_id: 'L1', ine: '0123456789L', eleve_nom: 'MOREAU', eleve_prenom: 'Léa', eleve_naissance: '2016-09-01', niveau: '1113', classe: 'CE2', ...CLAIRE_B }),
  pupilRow({ ...SCHOOL_B, eleve_id: 'P1', ine: '0123456789P', eleve_nom: 'PETIT', eleve_prenom: 'Paul', eleve_naissance: '2016-01-01', niveau: '1113', classe: 'CE2', resp_nom: 'PETIT', resp_prenom: 'Anne', resp_mobile: '0677777777', resp_email: 'anne@example.org' }),
];

const text = (page: Page) => page.html.replace(/<[^>]+>/g, ' ').replace(/&#39;|&apos;/g, '’').replace(/\s+/g, ' ');

describe.each(STORES)('«Mes enfants» (%s store)', (store) => {
  let sesame: TestSesame;
  let backchannel: LogoutReceiver;
  let client: TestClient;
  let config: oidc.Configuration;
  let logoutTokens: string[] = [];
  const id: Record<string, string> = {};
  const pupil: Record<string, string> = {};

  const url = (path: string) => `${sesame.issuer}${path}`;
  /** A browser signed in to Sésame through a real relying party; returns it with the tokens. */
  const signedIn = async (username: string) => {
    const { browser, tokens } = await signIn(sesame, config, client, { username, password: PASSWORD }, { scope: SCOPE });
    return { browser, tokens };
  };
  const enfants = async (username: string) => {
    const { tokens } = await signedIn(username);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    return ((info.enfants ?? []) as Array<{ given_name: string }>).map((c) => c.given_name);
  };
  const post = async (browser: Browser, path: string, form: Record<string, string>, from = '/compte/enfants/ajouter') => {
    // The CSRF token is one per browser: any of our forms carries it.
    const page = await browser.request(url(from));
    return browser.request(url(path), { form: { _csrf: inputValue(page.html, '_csrf') ?? '', ...form } });
  };
  const reportCount = async () => (await admin(sesame, 'GET', '/reports')).json.reports.length as number;

  beforeAll(async () => {
    backchannel = await startLogoutReceiver();
    logoutTokens = backchannel.tokens;
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: `${backchannel.origin}` });
    const summary = await importDirectory(sesame.sesame.db, Readable.from([csvText(ROWS)]), { identifierStyle: 'prenom.nom' });
    expect(summary.rejected).toEqual([]);
    for (const [key, identifiant] of [['a', 'claire.moreau'], ['b', 'claire.moreau2'], ['jules', 'jules.moreau'], ['anne', 'anne.petit']] as const) {
      id[key] = (await sesame.sesame.accounts.findByIdentifiant(identifiant))!.id;
      await sesame.sesame.accounts.setPassword(id[key]!, PASSWORD);
    }
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('id', 'in', Object.values(id)).execute();
    for (const p of await sesame.sesame.db.selectFrom('pupils').select(['id', 'given_names']).execute()) pupil[p.given_names] = p.id;
    client = await registerClient(sesame, { name: 'ENT', scope: SCOPE, backchannel_logout_uri: `${backchannel.origin}/ent/logout` });
    config = await discover(sesame, client);
  });

  afterAll(async () => {
    await sesame?.shutdown();
    backchannel?.close();
  });

  test('a parent sees each child with school and class; a pupil is told the page is for parents; nobody else gets in', async () => {
    // A stranger is sent to sign in (through «Mon compte»'s own client), never shown the page.
    const stranger = await new Browser().request(url('/compte/enfants'));
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toMatch(/^\/auth\?.*client_id=sesame-compte/);
    const { browser } = await signedIn('claire.moreau');
    const page = await browser.request(url('/compte/enfants'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="fr">');
    expect(page.html).toContain('<title>Mes enfants – Mon compte – Sésame</title>');
    expect(text(page)).toMatch(/Zoé DURAND Collège Jean-Moulin, classe 5eC.*Jules MOREAU Collège Jean-Moulin, classe 4eB/);
    expect(text(page)).not.toContain('Léa');
    expect(page.html.match(/Je ne suis pas le représentant légal de cet élève/g)).toHaveLength(2);
    expect(page.html).toContain('href="/compte/enfants/ajouter"');

    const { browser: pupilBrowser } = await signedIn('jules.moreau');
    const forPupil = await pupilBrowser.request(url('/compte/enfants'));
    expect(forPupil.status).toBe(200);
    expect(text(forPupil)).toContain('Cette page est réservée aux parents ou responsables légaux');
    expect(text(forPupil)).not.toContain('Zoé');
    const pupilPost = await post(pupilBrowser, '/compte/enfants/signaler', { eleve: pupil['Jules']! });
    expect(pupilPost.status).toBe(403);
    expect(await reportCount()).toBe(0);
  });

  test('«Je ne suis pas le représentant légal»: confirm, recorded once, gone from the claims, listed for the school', async () => {
    expect(await enfants('claire.moreau')).toEqual(['Zoé', 'Jules']);
    const { browser } = await signedIn('claire.moreau');
    const confirm = await browser.request(url(`/compte/enfants/signaler?eleve=${pupil['Zoé']}`));
    expect(confirm.status).toBe(200);
    expect(text(confirm)).toContain('Vous allez signaler que vous n’êtes pas le représentant légal de Zoé DURAND (Collège Jean-Moulin, classe 5eC)');
    expect(await reportCount()).toBe(0);
    const form = { _csrf: inputValue(confirm.html, '_csrf')!, eleve: inputValue(confirm.html, 'eleve')! };
    const done = await browser.request(url('/compte/enfants/signaler'), { form });
    expect(done.status).toBe(200);
    expect(text(done)).toContain('Votre signalement pour Zoé DURAND est enregistré.');
    const again = await browser.request(url('/compte/enfants/signaler'), { form });
    expect(text(again)).toMatch(/Vous avez déjà signalé Zoé DURAND le \d{1,2} \p{L}+ \d{4} : ce signalement est bien enregistré/u);
    expect(await enfants('claire.moreau')).toEqual(['Jules']);
    const list = await browser.request(url('/compte/enfants'));
    expect(text(list)).toContain('Vous avez signalé que vous n’êtes pas le représentant légal de cet élève.');

    const school = await admin(sesame, 'GET', '/reports?uai=0750001a');
    expect(school.status).toBe(200);
    expect(school.json.reports).toEqual([expect.objectContaining({ uai: '0750001A', status: 'open', reported_by: 'claire.moreau', pupil: expect.objectContaining({ given_names: 'Zoé', class_name: '5eC' }) })]);
    expect((await admin(sesame, 'GET', '/reports?uai=0750002B')).json.reports).toEqual([]);
    for (const bad of ['?uai=75', '?uai=0750001A&uai=0750002B', `?uai=${'9'.repeat(5000)}`, '?uai=%00']) {
      const refused = await admin(sesame, 'GET', `/reports${bad}`);
      expect(refused.status).toBe(400);
      expect(refused.json.error).toBe('invalid_request');
    }
  });

  test('«Changer mon mot de passe» refuses a child’s first name or birth date, as activation and recovery do', async () => {
    const { browser } = await signedIn('anne.petit');
    const before = await sesame.sesame.db.selectFrom('accounts').select('password_hash').where('id', '=', id['anne']!).executeTakeFirstOrThrow();
    for (const [password, reason] of [
      ['Paul-aime-les-velos-9', 'Le mot de passe contient un prénom de votre famille.'],
      ['Velo-rouge-01012016', 'Le mot de passe ne doit pas contenir de date de naissance.'],
    ] as const) {
      const refused = await post(browser, '/compte/mot-de-passe', { current_password: PASSWORD, password, password_confirm: password }, '/compte/mot-de-passe');
      expect(refused.status).toBe(400);
      expect(text(refused)).toContain(reason);
    }
    const after = await sesame.sesame.db.selectFrom('accounts').select('password_hash').where('id', '=', id['anne']!).executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(before.password_hash);
  });

  test('a malformed, foreign, huge or hostile child id gets a French page and records nothing', async () => {
    const { browser } = await signedIn('claire.moreau');
    const before = await reportCount();
    const values = ['', 'abc', pupil['Léa']!, pupil['Paul']!, '00000000-0000-0000-0000-000000000000', '9'.repeat(20_000), `${pupil['Jules']}\u0000`, "' or 1=1 --", '<script>'];
    for (const value of values) {
      // Node itself refuses a request line over 16 KB (431) before Sésame sees it: the link tries 5 000 characters.
      const shown = await browser.request(url(`/compte/enfants/signaler?eleve=${encodeURIComponent(value.slice(0, 5000))}`));
      expect(shown.status).toBe(404);
      expect(text(shown)).toContain('Cet élève ne fait pas partie des élèves rattachés à votre compte. Aucun changement n’a été fait.');
      const posted = await post(browser, '/compte/enfants/signaler', { eleve: value });
      expect(posted.status).toBe(404);
    }
    const twice = await browser.request(url(`/compte/enfants/signaler?eleve=${pupil['Jules']}&eleve=${pupil['Jules']}`));
    expect(twice.status).toBe(404);
    const noCsrf = await browser.request(url('/compte/enfants/signaler'), { form: { eleve: pupil['Jules']! } });
    expect(noCsrf.status).toBe(403);
    expect(await reportCount()).toBe(before);
    expect(await enfants('claire.moreau')).toContain('Jules');
  });

  test('adding another account’s children: refusals say why and change nothing', async () => {
    const { browser } = await signedIn('claire.moreau');
    const form = await browser.request(url('/compte/enfants/ajouter'));
    expect(form.status).toBe(200);
    expect(form.html).toContain('<label for="username">Identifiant de l’autre compte</label>');
    const attempt = (username: string, password: string) => post(browser, '/compte/enfants/ajouter', { username, password }, '/compte/enfants/ajouter');
    const cases: Array<[string, string, number, string]> = [
      ['claire.moreau2', 'Mauvais-mot-de-passe-1', 401, WRONG],
      ['personne.inconnue', PASSWORD, 401, WRONG],
      ['x'.repeat(100_000).slice(0, 60_000), PASSWORD, 401, WRONG],
      ['claire.moreau2\u0000', PASSWORD, 401, WRONG],
      ['', '', 400, 'Indiquez votre identifiant et votre mot de passe.'],
      ['claire.moreau', PASSWORD, 400, 'Cet identifiant est celui du compte avec lequel vous êtes connecté.'],
      ['jules.moreau', PASSWORD, 400, 'Ce compte est un compte élève'],
      // Another parent's account, even with its password (phished, shared): two people are never merged.
      ['anne.petit', PASSWORD, 400, 'Ce compte est au nom d’une autre personne'],
    ];
    for (const [username, password, status, message] of cases) {
      const page = await attempt(username, password);
      expect({ username: username.slice(0, 20), status: page.status }).toEqual({ username: username.slice(0, 20), status });
      expect(text(page)).toContain(message);
      expect(page.html).toContain('aria-describedby');
    }
    // The sign-in's throttling applies: past LOGIN_MAX_FAILURES (10) from this address, «Trop de tentatives».
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await attempt('compte.devine', `Essai-${i}-incorrect`)).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const limited = await attempt('compte.devine', PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(text(limited)).toMatch(/Trop de tentatives\. Réessayez dans \d+ minutes?\./);
    // Confirming without a verified account (no pending merge) changes nothing.
    const blind = await post(browser, '/compte/enfants/ajouter/confirmer', {});
    expect(blind.status).toBe(400);
    expect(text(blind)).toContain('Cette demande a expiré');
    const b = await sesame.sesame.db.selectFrom('accounts').select('state').where('id', '=', id.b!).executeTakeFirstOrThrow();
    expect(b.state).toBe('active');
  });

  test('the merge: confirmation lists the children, the other account is disabled and signed out, claims follow', async () => {
    // Claire is signed in to the ENT with her second account too.
    const other = await signedIn('claire.moreau2');
    expect(other.tokens.claims()!.sub).toBe(id.b);
    logoutTokens.length = 0;

    const { browser } = await signedIn('claire.moreau');
    const verified = await post(browser, '/compte/enfants/ajouter', { username: 'Claire.Moreau2', password: PASSWORD }, '/compte/enfants/ajouter');
    expect(verified.status).toBe(303);
    expect(verified.headers.get('location')).toBe('/compte/enfants/ajouter/confirmer');
    const confirm = await browser.request(url('/compte/enfants/ajouter/confirmer'));
    expect(confirm.status).toBe(200);
    expect(text(confirm)).toContain('Ces élèves du compte claire.moreau2 seront rattachés au compte avec lequel vous êtes connecté : Léa MOREAU (École Louise-Michel, classe CE2)');
    // Nothing has moved yet.
    expect(await enfants('claire.moreau')).toEqual(['Jules']);

    const done = await browser.request(url('/compte/enfants/ajouter/confirmer'), { form: { _csrf: inputValue(confirm.html, '_csrf')! } });
    expect(done.status).toBe(200);
    expect(text(done)).toContain('Léa MOREAU est maintenant rattaché à ce compte.');
    expect(text(done)).toContain('Le compte claire.moreau2 est désactivé');
    const again = await browser.request(url('/compte/enfants/ajouter/confirmer'), { form: { _csrf: inputValue(confirm.html, '_csrf')! } });
    expect(text(again)).toContain('Cette demande a expiré');

    // The ENT heard that the other account's session ended, and its tokens are dead.
    expect(logoutTokens).toHaveLength(1);
    expect(jose.decodeJwt(logoutTokens[0]!).sub).toBe(id.b);
    await expect(oidc.fetchUserInfo(config, other.tokens.access_token, id.b!)).rejects.toThrow();
    const b = await sesame.sesame.db.selectFrom('accounts').select(['state', 'disabled_by_import_from']).where('id', '=', id.b!).executeTakeFirstOrThrow();
    expect(b).toEqual({ state: 'disabled', disabled_by_import_from: null });

    // One guardian from now on: the surviving account carries both schools' children (Zoé stays reported).
    expect(await enfants('claire.moreau')).toEqual(['Jules', 'Léa']);
    const list = await browser.request(url('/compte/enfants'));
    expect(text(list)).toMatch(/Jules MOREAU Collège Jean-Moulin, classe 4eB.*Léa MOREAU École Louise-Michel, classe CE2/);
    await expect(signedIn('claire.moreau2')).rejects.toThrow(/sign-in stopped/);

    // The disabled account can no longer be merged again.
    const anne = await signedIn('anne.petit');
    const refused = await post(anne.browser, '/compte/enfants/ajouter', { username: 'claire.moreau2', password: PASSWORD }, '/compte/enfants/ajouter');
    expect(refused.status).toBe(401);
    expect(text(refused)).toContain(WRONG);
  });
});
