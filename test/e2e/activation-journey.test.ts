// The headline journey over HTTP, on PGlite and PostgreSQL: a parent declared by the school activates their account
// alone (names, SMS code, children's birth dates, password), directly and from a relying party's sign-in, which
// then ends at the relying party's callback without a second login.
import { Browser, formAction, inputValue } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { activate, post, shownIdentifiant } from '../support/activation-journey.js';
import { addChild, addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { discover, oidc, registerClient, startAuthorization } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { visibleText } from '../support/http.js';

const PASSWORD = 'Cartable-rouge-2026';

describe.each(STORES)('activation journey (%s store)', (store) => {
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame(store, { ACTIVATION_MIN_RESPONSE_MS: '50' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  /** A guardian declared by the school, and a relying party «Pronote» whose sign-in a browser has opened. */
  async function signInOpened(guardian: { family: string; given: string }, child: { given: string; birthdate: string }, scope: string) {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { ...guardian, mobile: mobile.e164 }, [{ ...child, family: guardian.family }]);
    const client = await registerClient(sesame, { name: 'Pronote', scope });
    const config = await discover(sesame, client);
    const browser = new Browser();
    const start = await startAuthorization(config, client, scope);
    const profile = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    return { mobile, client, config, browser, start, profile };
  }

  test('a parent typed differently from the school activates alone and ends active, linked, with an identifiant', async () => {
    const db = sesame.sesame.db;
    const mobile = uniqueMobile();
    const { guardianId } = await addFamily(db, { family: 'LE GOFF-NGUYEN', given: 'Claire', mobile: mobile.e164 }, [
      { given: 'Jules', family: 'LE GOFF-NGUYEN', birthdate: '2014-03-14', schoolName: 'Collège Jean-Moulin' },
    ]);
    await addChild(db, { given: 'Léa Marie', family: 'Le Goff-Nguyen', birthdate: '2018-09-02', uai: '0750002B', schoolName: 'École Victor-Hugo' }, [guardianId]);

    const browser = new Browser();
    const pages = await activate(browser, sesame.issuer, sesame.dataDir, {
      identity: { family_name: 'Le Goff Nguyễn', given_name: ' claire ', mobile: `+33 ${mobile.typed.slice(1)}` },
      to: mobile.e164,
      birthdates: ['14/03/2014', '2/9/2018'],
      password: PASSWORD,
    });
    expect(visibleText(pages.form.html)).toContain('Activer mon compte Étape 1 sur 4');
    expect(visibleText(pages.codePage.html)).toContain('Activer mon compte Étape 2 sur 4');
    expect(visibleText(pages.codePage.html)).toContain('le SMS contient un code à 6 chiffres, valable 10 minutes');
    expect(visibleText(pages.children.html)).toContain('Activer mon compte Étape 3 sur 4');
    expect(pages.children.html).toContain('Date de naissance de Jules LE GOFF-NGUYEN (Collège Jean-Moulin)');
    expect(pages.children.html).toContain('Date de naissance de Léa LE GOFF-NGUYEN (École Victor-Hugo)');
    expect(visibleText(pages.password.html)).toContain('Activer mon compte Étape 4 sur 4');
    expect(pages.password.html.indexOf('au moins 12 caractères')).toBeLessThan(pages.password.html.indexOf('name="password"'));
    expect(pages.done.status).toBe(200);
    expect(pages.done.html).toContain('Votre compte est activé.');
    const identifiant = shownIdentifiant(pages.done.html);
    expect(identifiant).toBe('claire.legoff-nguyen');

    const account = await db.selectFrom('accounts').selectAll().where('identifiant', '=', identifiant!).executeTakeFirstOrThrow();
    expect(account).toMatchObject({ state: 'active', origin: 'responsable', kind: 'responsable', mobile: mobile.e164, mobile_verified: true, family_name: 'LE GOFF-NGUYEN' });
    const guardian = await db.selectFrom('guardians').select('account_id').where('id', '=', guardianId).executeTakeFirstOrThrow();
    expect(guardian.account_id).toBe(account.id);
    expect(await sesame.sesame.accounts.authenticate(identifiant!, PASSWORD)).toMatchObject({ id: account.id });

    // The SMS was one GSM-7 segment with the code, and the code works once only.
    // The done page is shown once: on a shared computer the next person starts afresh (the identifiant is not shown).
    const reload = await browser.navigate(`${sesame.issuer}/activation`);
    expect(visibleText(reload.html)).toContain('Activer mon compte Étape 1 sur 4');
  });

  test('a school-created account (not yet notified) is taken over, not duplicated', async () => {
    const db = sesame.sesame.db;
    const mobile = uniqueMobile();
    const school = await sesame.sesame.accounts.create({ kind: 'responsable', givenName: 'Karim', familyName: 'Benali' });
    expect(school.state).toBe('non_notifie');
    await addFamily(db, { family: 'Benali', given: 'Karim', mobile: mobile.e164, accountId: school.id }, [{ given: 'Yanis', family: 'Benali', birthdate: '2012-01-31' }]);
    const { done } = await activate(new Browser(), sesame.issuer, sesame.dataDir, {
      identity: { family_name: 'BENALI', given_name: 'Karim', mobile: mobile.typed },
      to: mobile.e164,
      birthdates: ['31/01/2012'],
      password: PASSWORD,
    });
    expect(shownIdentifiant(done.html)).toBe(school.identifiant);
    const rows = await db.selectFrom('accounts').select(['id', 'state', 'origin', 'mobile_verified']).where('family_name', '=', 'Benali').execute();
    expect(rows).toEqual([{ id: school.id, state: 'active', origin: 'responsable', mobile_verified: true }]);
  });

  test('started from a relying party’s sign-in, «Continuer» returns to it signed in, and the code exchange works', async () => {
    const db = sesame.sesame.db;
    const { mobile, client, config, browser, start, profile } = await signInOpened({ family: 'Moreau', given: 'Sophie' }, { given: 'Hugo', birthdate: '2013-06-05' }, 'openid profile');
    const login = await browser.navigate(`${profile.url}?profil=responsable`);
    const link = /href="(\/activation\?interaction=[^"]+)"[^>]*>Je n’ai pas de compte/.exec(login.html)?.[1];
    expect(link).toBeDefined();

    const pages = await activate(browser, sesame.issuer, sesame.dataDir, {
      start: link!,
      identity: { family_name: 'moreau', given_name: 'SOPHIE', mobile: mobile.typed },
      to: mobile.e164,
      birthdates: ['05/06/2013'],
      password: PASSWORD,
    });
    expect(pages.form.html).toContain('pour accéder à Pronote');
    expect(pages.done.html).toContain('Votre compte est activé.');
    expect(pages.done.html).toContain('Continuer vers Pronote');
    const identifiant = shownIdentifiant(pages.done.html)!;

    const back = await post(browser, sesame.issuer, pages.done, formAction(pages.done.html, /^\/interaction\/[^/]+\/activation$/)!, {});
    expect(back.location).toBeDefined();
    const callback = new URL(back.location!);
    expect(callback.origin + callback.pathname).toBe(client.redirect_uris[0]);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
    const account = await db.selectFrom('accounts').select('id').where('identifiant', '=', identifiant).executeTakeFirstOrThrow();
    expect(tokens.claims()!.sub).toBe(account.id);
    expect(tokens.claims()!.amr).toEqual(['sms']);
    const info = await oidc.fetchUserInfo(config, tokens.access_token, account.id);
    expect(info).toMatchObject({ preferred_username: identifiant, family_name: 'Moreau', given_name: 'Sophie' });
  });

  test('a sign-in’s uid copied into another browser cannot be finished there: «Continuer» is refused', async () => {
    const { mobile, profile } = await signInOpened({ family: 'Petit', given: 'Anne' }, { given: 'Tom', birthdate: '2015-02-02' }, 'openid');
    const uid = new URL(profile.url).pathname.split('/').pop()!;

    // Someone else, with their own guardian record, activates «inside» the victim's sign-in.
    const stranger = new Browser();
    const pages = await activate(stranger, sesame.issuer, sesame.dataDir, {
      start: `/activation?interaction=${uid}`,
      identity: { family_name: 'Petit', given_name: 'Anne', mobile: mobile.typed },
      to: mobile.e164,
      birthdates: ['02/02/2015'],
      password: PASSWORD,
    });
    expect(pages.done.html).toContain('Continuer vers Pronote');
    const refused = await post(stranger, sesame.issuer, pages.done, `/interaction/${uid}/activation`, {});
    expect(refused.status).toBe(400);
    expect(refused.location).toBeUndefined();
    expect(refused.html).toContain('Cette page a expiré');

    // An unknown or malformed uid is an expired page from the start.
    for (const bad of ['inconnu', '%3Cx%3E']) {
      const page = await new Browser().navigate(`${sesame.issuer}/activation?interaction=${bad}`);
      expect(page.status).toBe(400);
      expect(page.html).toContain('Cette page a expiré');
    }
  });
});
