// «S'identifier avec FranceConnect» end to end: a relying party's sign-in goes through Sésame to a second
// oidc-provider playing the upstream and back. First link (children's birth dates), later sign-ins without a
// question, no match, wrong birth dates, and the upstream's refusals and absence, each a French page.
import { Browser, formAction, inputValue, type Page } from '../support/browser.js';
import { addChild, addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { discover, oidc, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
import { hashPassword } from '../../src/accounts/passwords.js';
import { startUpstream, type TestUpstream } from '../support/upstream-provider.js';

describe('upstream federation (FranceConnect-style)', () => {
  let sesame: TestSesame;
  let upstream: TestUpstream;
  let client: TestClient;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    upstream = await startUpstream({ redirectUri: `${issuer}/federation/retour`, postLogoutRedirectUri: `${issuer}/federation/deconnexion` });
    sesame = await startTestSesame('embedded', {
      PORT: String(port),
      ISSUER: issuer,
      UPSTREAM_ISSUER: upstream.issuer,
      UPSTREAM_CLIENT_ID: upstream.clientId,
      UPSTREAM_CLIENT_SECRET: upstream.clientSecret,
    });
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    rp = await discover(sesame, client);
  });
  afterAll(async () => {
    await sesame?.shutdown();
    await upstream?.close();
  });

  /** A parent at the RP's sign-in, on Sésame's parent login page. */
  async function loginPage(browser: Browser) {
    const start = await startAuthorization(rp, client, 'openid profile');
    const first = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const page = await browser.request(`${first.url}?profil=responsable`);
    return { start, page };
  }

  /** Clicks the button, signs in at the upstream as `sub` (or cancels), and follows Sésame's answer. */
  async function throughUpstream(browser: Browser, page: Page, sub: string | null): Promise<Page & { location?: string }> {
    const action = formAction(page.html, /\/federation$/);
    expect(action).toBeDefined();
    const left = await browser.navigate(new URL(action!, sesame.issuer).toString(), { form: { _csrf: inputValue(page.html, '_csrf')! } }, sesame.issuer);
    expect(left.location?.startsWith(`${upstream.issuer}/auth?`)).toBe(true);
    const upstreamPage = await browser.navigate(left.location!, {}, upstream.issuer);
    const login = formAction(upstreamPage.html, /\/login$/)!;
    const back = await browser.navigate(new URL(login, upstream.issuer).toString(), { form: sub ? { account: sub } : { cancel: '1' } }, upstream.issuer);
    expect(back.location?.startsWith(`${sesame.issuer}/federation/retour?`)).toBe(true);
    return browser.navigate(back.location!, {}, sesame.issuer);
  }

  async function confirm(browser: Browser, page: Page, dates: string[]) {
    const form: Record<string, string> = { _csrf: inputValue(page.html, '_csrf')! };
    dates.forEach((d, i) => { form[`birthdate_${i + 1}`] = d; });
    return browser.navigate(`${sesame.issuer}/federation/enfants`, { form }, sesame.issuer);
  }

  async function tokensAt(location: string, start: { verifier: string; state: string }) {
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(location), { pkceCodeVerifier: start.verifier, expectedState: start.state });
    return oidc.fetchUserInfo(rp, tokens.access_token, tokens.claims()!.sub);
  }

  function person(sub: string, given: string, family: string, usage?: string) {
    upstream.accounts.set(sub, { sub, given_name: given, family_name: family, ...(usage ? { preferred_username: usage } : {}), birthdate: '1984-05-02' });
  }

  test('the parent login page shows the button with its explanation link; the pupil page does not', async () => {
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const text = visibleText(page.html);
    expect(text).toContain('S’identifier avec FranceConnect');
    expect(text).toContain('Qu’est-ce que FranceConnect ?');
    const pupil = await browser.request(page.url.replace('profil=responsable', 'profil=eleve'));
    expect(pupil.html).not.toContain('/federation');
  });

  test('first link: matched by birth and usage names, confirmed by birth dates, then on to the relying party; later sign-ins ask nothing', async () => {
    const db = sesame.sesame.db;
    const { guardianId } = await addFamily(db, { family: 'MOREAU', given: 'Claire', mobile: uniqueMobile().e164 }, [
      { given: 'Jules', family: 'MOREAU', birthdate: '2014-03-14' },
    ]);
    await addChild(db, { given: 'Léa', family: 'Moreau', birthdate: '2018-09-02', uai: '0750002B', schoolName: 'École Victor-Hugo' }, [guardianId]);
    // FranceConnect: family_name is the birth name, preferred_username the usage name, given_name all given names.
    person('fc-claire', 'Claire Anne', 'Dupont', 'Moreau');

    const browser = new Browser();
    const { start, page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-claire');
    const asked = upstream.lastAuthorization()!;
    expect(asked.get('acr_values')).toBe('eidas1');
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('nonce')).toBeTruthy();
    expect(children.status).toBe(200);
    const text = expectFrenchPage(children, 200);
    expect(text).toContain('Date de naissance de Jules MOREAU (Collège Jean-Moulin)');
    expect(text).toContain('Date de naissance de Léa MOREAU (École Victor-Hugo)');

    const done = await confirm(browser, children, ['14/03/2014', '02/09/2018']);
    expect(done.location?.startsWith(client.redirect_uris[0]!)).toBe(true);
    const info = await tokensAt(done.location!, start);
    expect(info.given_name).toBe('Claire');
    expect(info.family_name).toBe('MOREAU');

    const account = await db.selectFrom('guardians as g').innerJoin('accounts as a', 'a.id', 'g.account_id')
      .select(['a.id', 'a.state', 'a.origin', 'a.password_hash']).where('g.id', '=', guardianId).executeTakeFirstOrThrow();
    expect(account).toEqual(expect.objectContaining({ state: 'active', origin: 'franceconnect', password_hash: null }));
    // The link, not the data: issuer, sub, account and date only.
    const links = await db.selectFrom('upstream_links').selectAll().where('account_id', '=', account.id).execute();
    expect(links).toEqual([expect.objectContaining({ issuer: upstream.issuer, sub: 'fc-claire' })]);
    expect(Object.keys(links[0]!).sort()).toEqual(['account_id', 'created_at', 'issuer', 'sub']);
    await sesame.sesame.audit.flush();
    const events = await db.selectFrom('audit_events').select(['kind', 'details']).where('account_id', '=', account.id).orderBy('at').execute();
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['federation.linked', 'signin.success']));
    expect(JSON.stringify(events)).not.toMatch(/Dupont|Claire Anne/);

    // Another day, another browser: straight back to the relying party, the same account.
    const later = new Browser();
    const again = await loginPage(later);
    const back = await throughUpstream(later, again.page, 'fc-claire');
    expect(back.location?.startsWith(client.redirect_uris[0]!)).toBe(true);
    const laterInfo = await tokensAt(back.location!, again.start);
    expect(laterInfo.sub).toBe(info.sub);
  });

  test('a school-created account (letter not used) is taken over rather than doubled', async () => {
    const db = sesame.sesame.db;
    const created = await sesame.sesame.accounts.insert(db, { kind: 'responsable', givenName: 'Paul', familyName: 'Martin' }, null);
    await addFamily(db, { family: 'Martin', given: 'Paul', mobile: uniqueMobile().e164, accountId: created.id }, [{ given: 'Zoé', family: 'Martin', birthdate: '2016-01-20' }]);
    person('fc-paul', 'Paul', 'Martin');
    const browser = new Browser();
    const { start, page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-paul');
    const done = await confirm(browser, children, ['20/01/2016']);
    expect(done.location?.startsWith(client.redirect_uris[0]!)).toBe(true);
    await tokensAt(done.location!, start);
    const account = await db.selectFrom('accounts').select(['state', 'origin']).where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(account).toEqual({ state: 'active', origin: 'franceconnect' });
    expect(await db.selectFrom('upstream_links').select('sub').where('account_id', '=', created.id).execute()).toEqual([{ sub: 'fc-paul' }]);
  });

  /** «Mon compte» at `path`, signed in through the upstream as `sub` (already linked) unless the browser already is. */
  async function accountThroughUpstream(browser: Browser, sub: string, path: string) {
    const first = await browser.navigate(`${sesame.issuer}${path}`, {}, sesame.issuer);
    if (!/\/interaction\//.test(first.url)) return first;
    const page = await browser.request(`${first.url}?profil=responsable`);
    return throughUpstream(browser, page, sub);
  }

  test('«Mon compte»: unlinking is refused while the account has no password, then allowed; an account in use is never linked again by birth dates', async () => {
    const db = sesame.sesame.db;
    await addFamily(db, { family: 'Roche', given: 'Yves', mobile: uniqueMobile().e164 }, [{ given: 'Maël', family: 'Roche', birthdate: '2017-08-08' }]);
    person('fc-yves', 'Yves', 'Roche');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-yves');
    const linked = await confirm(browser, children, ['08/08/2017']);
    expect(linked.location?.startsWith(client.redirect_uris[0]!)).toBe(true);

    // A new browser: «Mon compte»'s own sign-in goes through the upstream too.
    const mine = new Browser();
    const info = await accountThroughUpstream(mine, 'fc-yves', '/compte');
    expect(expectFrenchPage(info, 200)).toContain('Voir ou délier FranceConnect');
    const settings = await mine.request(`${sesame.issuer}/compte/franceconnect`);
    const text = expectFrenchPage(settings, 200);
    expect(text).toContain('Votre compte n’a pas de mot de passe');
    expect(settings.html).not.toContain('Délier FranceConnect de mon compte');
    // Posted anyway (an old page): refused, nothing removed.
    const withForm = await mine.request(`${sesame.issuer}/compte/courriel`);
    const refused = await mine.request(`${sesame.issuer}/compte/franceconnect`, { form: { _csrf: inputValue(withForm.html, '_csrf')! } });
    expect(expectFrenchPage(refused, 409)).toContain('Votre compte n’a pas de mot de passe');
    const link = await db.selectFrom('upstream_links').select('account_id').where('sub', '=', 'fc-yves').executeTakeFirstOrThrow();

    // With a password, the account keeps a way in: unlinking is offered and done.
    await db.updateTable('accounts').set({ password_hash: await hashPassword('Cartable-rouge-2026') }).where('id', '=', link.account_id).execute();
    const offered = await mine.request(`${sesame.issuer}/compte/franceconnect`);
    expect(visibleText(offered.html)).toContain('Délier FranceConnect de mon compte');
    expect(visibleText(offered.html)).toMatch(/identité FranceConnect depuis le\s\d{1,2}\s\p{L}+\s\d{4}\./u);
    // The same page in English says the date in English too.
    await mine.request(`${sesame.issuer}/langue?lang=en&next=/compte/franceconnect`);
    const english = await mine.request(`${sesame.issuer}/compte/franceconnect`);
    expect(visibleText(english.html)).toMatch(/FranceConnect identity since (January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}\./);
    await mine.request(`${sesame.issuer}/langue?lang=fr&next=/compte/franceconnect`);
    const noCsrf = await mine.request(`${sesame.issuer}/compte/franceconnect`, { form: {} });
    expect(noCsrf.status).toBe(403);
    const done = await mine.request(`${sesame.issuer}/compte/franceconnect`, { form: { _csrf: inputValue(offered.html, '_csrf')! } });
    expect(expectFrenchPage(done, 200)).toContain('FranceConnect n’est plus relié à votre compte.');
    expect(await db.selectFrom('upstream_links').select('sub').where('sub', '=', 'fc-yves').execute()).toEqual([]);

    // The account is in use now: names and birth dates never link it again (a namesake could); the upstream
    // sign-in gets the neutral page, which names no child.
    const later = new Browser();
    const again = await loginPage(later);
    const asked = await throughUpstream(later, again.page, 'fc-yves');
    expect(visibleText(asked.html)).toContain('Nous n’avons pas pu retrouver votre compte');
    expect(visibleText(asked.html)).not.toContain('Maël');
  });

  test('signing out of Sésame signs out of the upstream too (id_token_hint), then lands on the signed-out page', async () => {
    await addFamily(sesame.sesame.db, { family: 'Colin', given: 'Éric', mobile: uniqueMobile().e164 }, [{ given: 'Lou', family: 'Colin', birthdate: '2016-10-10' }]);
    person('fc-eric', 'Éric', 'Colin');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-eric');
    const signedIn = await confirm(browser, children, ['10/10/2016']);
    expect(signedIn.location?.startsWith(client.redirect_uris[0]!)).toBe(true);

    const ask = await browser.request(`${sesame.issuer}/session/end`);
    const action = new URL(formAction(ask.html, /session\/end\/confirm/)!, sesame.issuer).toString();
    const left = await browser.navigate(action, { form: { xsrf: inputValue(ask.html, 'xsrf')!, logout: 'yes' } }, sesame.issuer);
    const toUpstream = new URL(left.location!);
    expect(toUpstream.origin + toUpstream.pathname).toBe(`${upstream.issuer}/session/end`);
    expect(toUpstream.searchParams.get('id_token_hint')).toBeTruthy();
    expect(toUpstream.searchParams.get('post_logout_redirect_uri')).toBe(`${sesame.issuer}/federation/deconnexion`);
    // The upstream asks its own confirmation; the person confirms there too.
    const upstreamAsk = await browser.navigate(toUpstream.toString(), {}, upstream.issuer);
    const upstreamAction = new URL(formAction(upstreamAsk.html, /session\/end\/confirm/)!, upstream.issuer).toString();
    const back = await browser.navigate(upstreamAction, { form: { xsrf: inputValue(upstreamAsk.html, 'xsrf')!, logout: 'yes' } }, upstream.issuer);
    expect(back.location).toBe(`${sesame.issuer}/federation/deconnexion`);
    const end = await browser.navigate(back.location!, {}, sesame.issuer);
    expect(expectFrenchPage(end, 200)).toContain('Vous êtes déconnecté');
    // Signed out at the upstream: its sign-in page shows again.
    const again = await loginPage(browser);
    const button = formAction(again.page.html, /\/federation$/)!;
    const out = await browser.navigate(new URL(button, sesame.issuer).toString(), { form: { _csrf: inputValue(again.page.html, '_csrf')! } }, sesame.issuer);
    const upstreamLogin = await browser.navigate(out.location!, {}, upstream.issuer);
    expect(formAction(upstreamLogin.html, /\/login$/)).toBeDefined();
  });

  test('wrong birth dates: tries counted as in activation, then the journey ends with what to do, and nothing linked', async () => {
    await addFamily(sesame.sesame.db, { family: 'Bernard', given: 'Sophie', mobile: uniqueMobile().e164 }, [{ given: 'Hugo', family: 'Bernard', birthdate: '2013-11-05' }]);
    person('fc-sophie', 'Sophie', 'Bernard');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-sophie');
    const first = await confirm(browser, children, ['05/11/2012']);
    expect(expectFrenchPage(first, 400)).toContain('Il vous reste 2 essais.');
    expect(first.html).toMatch(/aria-describedby="[^"]*birthdate_1/);
    const second = await confirm(browser, first, ['05/11/2011']);
    expect(visibleText(second.html)).toContain('Il vous reste 1 essai.');
    const last = await confirm(browser, second, ['05/11/2010']);
    const text = expectFrenchPage(last, 403);
    expect(text).toContain('Nous n’avons pas pu confirmer les dates de naissance');
    expect(text).toContain('Contactez le secrétariat');
    expect(await sesame.sesame.db.selectFrom('upstream_links').select('sub').where('sub', '=', 'fc-sophie').execute()).toEqual([]);
    // The flow is over: posting again finds nothing to confirm.
    const after = await browser.request(`${sesame.issuer}/federation/enfants`, { form: { _csrf: inputValue(second.html, '_csrf')!, birthdate_1: '05/11/2013' } });
    expectFrenchPage(after, 400);
  });

  test('no guardian with these names: a neutral page offering activation by SMS, inside the same sign-in', async () => {
    person('fc-nobody', 'Inconnu', 'Personne');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const uid = /\/interaction\/([\w-]+)\/federation/.exec(page.html)![1]!;
    const answer = await throughUpstream(browser, page, 'fc-nobody');
    const text = expectFrenchPage(answer, 200);
    expect(text).toContain('Nous n’avons pas pu retrouver votre compte');
    expect(answer.html).toContain(`/activation?interaction=${uid}`);
    expect(text).toContain('Activer mon compte par SMS');
  });

  test('homonyms with different numbers are not told apart by name: the same neutral page, no birth dates asked', async () => {
    await addFamily(sesame.sesame.db, { family: 'Petit', given: 'Marie', mobile: uniqueMobile().e164 }, [{ given: 'Léo', family: 'Petit', birthdate: '2015-02-02' }]);
    await addFamily(sesame.sesame.db, { family: 'PETIT', given: 'Marie', mobile: uniqueMobile().e164 }, [{ given: 'Inès', family: 'Petit', birthdate: '2012-06-06' }]);
    person('fc-marie', 'Marie', 'Petit');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const answer = await throughUpstream(browser, page, 'fc-marie');
    expect(expectFrenchPage(answer, 200)).toContain('Nous n’avons pas pu retrouver votre compte');
    expect(answer.html).not.toContain('Date de naissance');
  });

  test('the person cancels at the upstream (access_denied): a French page back to the login page', async () => {
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const answer = await throughUpstream(browser, page, null);
    const text = expectFrenchPage(answer, 400);
    expect(text).toContain('Connexion avec FranceConnect annulée');
    expect(answer.html).toMatch(/href="\/interaction\/[\w-]+\?profil=responsable"/);
  });

  test('a tampered state, a replayed callback and a callback without its cookie: French pages, never 500', async () => {
    person('fc-state', 'Jeanne', 'Roux');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const action = formAction(page.html, /\/federation$/)!;
    const left = await browser.navigate(new URL(action, sesame.issuer).toString(), { form: { _csrf: inputValue(page.html, '_csrf')! } }, sesame.issuer);
    const upstreamPage = await browser.navigate(left.location!, {}, upstream.issuer);
    const back = await browser.navigate(new URL(formAction(upstreamPage.html, /\/login$/)!, upstream.issuer).toString(), { form: { account: 'fc-state' } }, upstream.issuer);
    const tampered = new URL(back.location!);
    tampered.searchParams.set('state', 'not-the-state');
    const refused = await browser.navigate(tampered.toString(), {}, sesame.issuer);
    expect(expectFrenchPage(refused, 400)).toContain('Nous n’avons pas pu vérifier la réponse de FranceConnect');
    // The start cookie was single use: the genuine callback, replayed, finds nothing to check against.
    const replay = await browser.navigate(back.location!, {}, sesame.issuer);
    expect(expectFrenchPage(replay, 400)).toContain('Cette page a expiré');
    const stranger = await new Browser().request(`${sesame.issuer}/federation/retour?code=x&state=y`);
    expectFrenchPage(stranger, 400);
    const junk = await new Browser().request(`${sesame.issuer}/federation/retour?${'a='.repeat(2000)}`);
    expect(junk.status).toBeLessThan(500);
  });

  test('an ID token carrying another nonce is refused: a French page, nothing linked, no sign-in', async () => {
    await addFamily(sesame.sesame.db, { family: 'Faure', given: 'Alice', mobile: uniqueMobile().e164 }, [{ given: 'Tom', family: 'Faure', birthdate: '2015-05-05' }]);
    person('fc-nonce', 'Alice', 'Faure');
    upstream.tamper.nonce = true;
    try {
      const browser = new Browser();
      const { page } = await loginPage(browser);
      const answer = await throughUpstream(browser, page, 'fc-nonce');
      expect(expectFrenchPage(answer, 400)).toContain('Nous n’avons pas pu vérifier la réponse de FranceConnect');
      expect(answer.html).not.toContain('Date de naissance');
    } finally {
      upstream.tamper.nonce = false;
    }
  });

  test('the birth-date form refuses empty, malformed, huge and hostile values with French sentences', async () => {
    await addFamily(sesame.sesame.db, { family: 'Garnier', given: 'Luc', mobile: uniqueMobile().e164 }, [{ given: 'Emma', family: 'Garnier', birthdate: '2014-04-04' }]);
    person('fc-luc', 'Luc', 'Garnier');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const children = await throughUpstream(browser, page, 'fc-luc');
    for (const value of ['', '31/02/2014', 'x'.repeat(5000), '<script>alert(1)</script>', '2014-04-04\u0000']) {
      const answer = await confirm(browser, children, [value]);
      expect(expectFrenchPage(answer, 400)).toMatch(/date/i);
      expect(answer.html).not.toContain('<script>alert(1)</script>');
    }
    // Bad input spends no try: the right dates still pass.
    const done = await confirm(browser, children, ['04/04/2014']);
    expect(done.location?.startsWith(client.redirect_uris[0]!)).toBe(true);
    // Without the flow's cookie, or without CSRF: French pages.
    expectFrenchPage(await new Browser().request(`${sesame.issuer}/federation/enfants`), 400);
    const noCsrf = await new Browser().request(`${sesame.issuer}/federation/enfants`, { form: { birthdate_1: '04/04/2014' } });
    expect(noCsrf.status).toBeGreaterThanOrEqual(400);
    expect(noCsrf.status).toBeLessThan(500);
  });

  test('the upstream gone between the two legs: a French page (503) with the way back, never a 500', async () => {
    person('fc-late', 'Anne', 'Lefèvre');
    const browser = new Browser();
    const { page } = await loginPage(browser);
    const action = formAction(page.html, /\/federation$/)!;
    const left = await browser.navigate(new URL(action, sesame.issuer).toString(), { form: { _csrf: inputValue(page.html, '_csrf')! } }, sesame.issuer);
    const upstreamPage = await browser.navigate(left.location!, {}, upstream.issuer);
    const back = await browser.navigate(new URL(formAction(upstreamPage.html, /\/login$/)!, upstream.issuer).toString(), { form: { account: 'fc-late' } }, upstream.issuer);
    await upstream.close();
    const answer = await browser.navigate(back.location!, {}, sesame.issuer);
    const text = expectFrenchPage(answer, 503);
    expect(text).toContain('FranceConnect ne répond pas pour le moment');
    expect(answer.html).toMatch(/href="\/interaction\/[\w-]+\?profil=responsable"/);
  });
});
