// The passkey endpoints over real HTTP, with a software authenticator standing in for the browser's: a key added
// in «Mon compte» signs in to a relying party (its callback, `amr`, the audit trail); a disabled account's key is
// refused in French; failures are limited per address without touching the password lockout; and bad input on
// every new endpoint gets JSON `{ error, error_description }`, never a 500.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { Browser, inputValue } from '../support/browser.js';
import { openAccount } from '../support/account.js';
import { openLoginForm } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { createSoftwareAuthenticator } from '../support/software-authenticator.js';

const PASSWORD = 'Cartable-rouge-2026';
/** Passkey failures allowed per address and hour (LOGIN_ADDRESS_MAX_IDENTIFIANTS); options four times that. */
const LIMIT = 10;

describe('passkeys over HTTP (embedded store)', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let authenticator: ReturnType<typeof createSoftwareAuthenticator>;
  const people: Record<'claire' | 'lucas', { identifiant: string; sub: string }> = {} as never;
  let nextAddress = 10;
  /** A browser behind its own address (TRUST_PROXY): each test's counters start at zero. */
  const newBrowser = () => new Browser({ 'x-forwarded-for': `203.0.113.${(nextAddress += 1)}` });

  async function postJson(browser: Browser, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const page = await browser.request(`${sesame.issuer}${path}`, { form: fields, headers: { accept: 'application/json', ...headers } });
    return { status: page.status, json: JSON.parse(page.html) as Record<string, any>, headers: page.headers };
  }

  /** «Mon compte» → «Mes clés d'accès» → «Ajouter une clé d'accès», as public/passkeys.js does it. */
  async function addKey(who: 'claire' | 'lucas', keyHolder = authenticator) {
    const browser = newBrowser();
    const page = await openAccount(sesame, browser, { username: people[who].identifiant, password: PASSWORD }, '/compte/cles-d-acces');
    const csrf = inputValue(page.html, '_csrf')!;
    const options = await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf, current_password: PASSWORD });
    expect(options.status).toBe(200);
    const credential = JSON.stringify(keyHolder.register(options.json as never));
    const added = await postJson(browser, '/compte/cles-d-acces/ajouter', { _csrf: csrf, name: `Téléphone de ${who}`, credential });
    expect(added).toMatchObject({ status: 200, json: { location: '/compte/cles-d-acces?cle=ajoutee' } });
    return keyHolder.ids().at(-1)!;
  }

  /** The login form's passkey path: options, the authenticator's answer, the verification. */
  async function passkeySignIn(credentialId: string, options: { browser?: Browser; overrides?: Record<string, unknown> } = {}) {
    const form = await openLoginForm(sesame, config, client, { browser: options.browser ?? newBrowser() });
    const asked = await postJson(form.browser, `/interaction/${form.uid}/cle-d-acces/options`, { _csrf: form.csrf });
    expect(asked.status).toBe(200);
    const credential = JSON.stringify(authenticator.authenticate(asked.json as never, credentialId, options.overrides));
    const verified = await postJson(form.browser, `/interaction/${form.uid}/cle-d-acces`, { _csrf: form.csrf, credential });
    return { form, verified };
  }

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { TRUST_PROXY: 'true', LOGIN_ADDRESS_MAX_IDENTIFIANTS: String(LIMIT) }, { issuerHost: 'localhost' });
    for (const [key, given, kind] of [['claire', 'Claire', 'responsable'], ['lucas', 'Lucas', 'eleve']] as const) {
      const { json } = await admin(sesame, 'POST', '/accounts', { kind, given_name: given, family_name: 'Moreau', password: PASSWORD });
      people[key] = { identifiant: json.identifiant, sub: json.sub };
    }
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    config = await discover(sesame, client);
    authenticator = createSoftwareAuthenticator({ rpId: 'localhost', origin: sesame.issuer });
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('a key added in «Mon compte» signs in to the relying party, recorded in the audit trail without secrets', async () => {
    const credentialId = await addKey('claire');
    const { form, verified } = await passkeySignIn(credentialId);
    expect(form.html).toContain('Se connecter avec une clé d’accès');
    expect(form.html).toContain('autocomplete="username webauthn"');
    expect(verified.status).toBe(200);
    const end = await form.browser.navigate(new URL(verified.json.location, sesame.issuer).toString(), {}, sesame.issuer);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(end.location!), { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
    expect(tokens.claims()).toMatchObject({ sub: people.claire.sub, amr: ['pop', 'mfa'] });

    await sesame.sesame.audit.flush();
    const events = await sesame.database.db.selectFrom('audit_events').select(['kind', 'outcome', 'details', 'client_id'])
      .where('account_id', '=', people.claire.sub).where('kind', 'in', ['passkey.registered', 'signin.success']).orderBy('id').execute();
    expect(events.map((e) => [e.kind, e.details])).toEqual([
      ['signin.success', { via: 'password' }],
      ['passkey.registered', { count: 1 }],
      ['signin.success', { via: 'passkey' }],
    ]);
    expect(events.at(-1)!.client_id).toBe(client.client_id);
  });

  let lucasKey: string;

  test('a disabled account’s key is refused with a French sentence', async () => {
    const credentialId = (lucasKey = await addKey('lucas'));
    await sesame.database.db.updateTable('accounts').set({ state: 'disabled' }).where('id', '=', people.lucas.sub).execute();
    const { verified } = await passkeySignIn(credentialId);
    expect(verified).toMatchObject({ status: 403, json: { error: 'account_disabled', message: expect.stringContaining('Ce compte est désactivé') } });
    await sesame.database.db.updateTable('accounts').set({ state: 'active' }).where('id', '=', people.lucas.sub).execute();
  });

  test('an account still waiting for its email link gets the reminder, as after a password', async () => {
    await sesame.database.db.updateTable('accounts').set({ state: 'en_cours', email: 'lucas.moreau@example.fr' }).where('id', '=', people.lucas.sub).execute();
    const { form, verified } = await passkeySignIn(lucasKey);
    expect(verified).toMatchObject({ status: 200, json: { location: '/premiere-connexion' } });
    expect(verified.headers.get('location')).toBeNull();
    const reminder = await form.browser.navigate(`${sesame.issuer}/premiere-connexion`, {}, sesame.issuer);
    expect(reminder.html).toContain('Confirmez votre adresse électronique');
    await sesame.database.db.updateTable('accounts').set({ state: 'active' }).where('id', '=', people.lucas.sub).execute();
  });

  test('failures are limited per address, apart from the password lockout', async () => {
    const browser = newBrowser();
    const stranger = createSoftwareAuthenticator({ rpId: 'localhost', origin: sesame.issuer });
    stranger.register({ challenge: 'x', user: { id: 'AAAA' } });
    const unknownKey = stranger.ids()[0]!;
    authenticator.keys.set(unknownKey, stranger.keys.get(unknownKey)!);
    for (let i = 0; i < LIMIT; i += 1) {
      const { verified } = await passkeySignIn(unknownKey, { browser });
      expect(verified).toMatchObject({ status: 401, json: { error: 'passkey_refused', message: expect.stringContaining('n’est pas reconnue') } });
    }
    const { verified } = await passkeySignIn(unknownKey, { browser });
    expect(verified).toMatchObject({ status: 429, json: { error: 'rate_limited', message: expect.stringMatching(/^Trop de tentatives/) } });
    expect(Number(verified.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same address still signs in with a password: passkey failures are not password failures.
    const form = await openLoginForm(sesame, config, client, { browser });
    const after = await form.browser.navigate(form.action, { form: { _csrf: form.csrf, profil: 'responsable', username: people.claire.identifiant, password: PASSWORD } }, sesame.issuer);
    expect(after.location).toBeDefined();
  });

  test('bad input on the sign-in endpoints: JSON 400 (403 without the CSRF token), never a 500', async () => {
    const form = await openLoginForm(sesame, config, client, { browser: newBrowser() });
    const verify = `/interaction/${form.uid}/cle-d-acces`;
    const bad: Record<string, string>[] = [
      {},
      { credential: '' },
      { credential: '{' },
      { credential: 'null' },
      { credential: '[]' },
      { credential: JSON.stringify({ id: 1, rawId: [], type: 'public-key', response: 'x' }) },
      { credential: JSON.stringify({ id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: '!!', authenticatorData: 'a', signature: 'a' } }) },
      { credential: 'x'.repeat(40_000) },
    ];
    for (const fields of bad) {
      const answer = await postJson(form.browser, verify, { _csrf: form.csrf, ...fields });
      expect(answer).toMatchObject({ status: 400, json: { error: 'invalid_request', error_description: expect.any(String) } });
    }
    // A well-formed answer with no options asked first: the challenge is missing, said as expired.
    const orphan = authenticator.authenticate({ challenge: 'AAAA' }, authenticator.ids()[0]!);
    expect(await postJson(form.browser, verify, { _csrf: form.csrf, credential: JSON.stringify(orphan) })).toMatchObject({ status: 400, json: { error: 'passkey_expired' } });
    expect(await postJson(form.browser, verify, { credential: '{}' })).toMatchObject({ status: 403, json: { error: 'invalid_csrf' } });
    expect(await postJson(form.browser, `/interaction/nimportequoi/cle-d-acces/options`, { _csrf: form.csrf })).toMatchObject({ status: 400, json: { error: 'interaction_expired' } });
    const huge = await postJson(form.browser, verify, { _csrf: form.csrf, credential: 'x'.repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(huge.json.error).toBe('request_too_large');
    // JSON instead of a form: the CSRF token cannot be read from it.
    const raw = await fetch(`${sesame.issuer}${verify}`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', cookie: form.browser.cookieHeader() }, body: '{"_csrf":' });
    expect(raw.status).toBeLessThan(500);
    expect(await raw.json()).toHaveProperty('error');
  });

  test('bad input when adding a key in «Mon compte»: JSON 400, nothing stored', async () => {
    const browser = newBrowser();
    const page = await openAccount(sesame, browser, { username: people.claire.identifiant, password: PASSWORD }, '/compte/cles-d-acces');
    const csrf = inputValue(page.html, '_csrf')!;
    const before = await sesame.database.db.selectFrom('passkeys').select('id').execute();
    // No options without the current password: an open «Mon compte» on a shared computer adds no stranger's key.
    expect(await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf })).toMatchObject({ status: 400, json: { error: 'current_password_required' } });
    expect(await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf, current_password: 'pas-le-bon' })).toMatchObject({
      status: 400, json: { error: 'wrong_current_password', message: expect.stringContaining('n’est pas votre mot de passe actuel') },
    });
    const bad: Record<string, string>[] = [
      {}, { credential: '{' }, { credential: '{"id":"a"}' }, { credential: 'x'.repeat(40_000) }, { name: 'x'.repeat(61), credential: '{}' }, { name: 'Clé\u202eevil', credential: '{}' },
    ];
    for (const fields of bad) {
      const answer = await postJson(browser, '/compte/cles-d-acces/ajouter', { _csrf: csrf, ...fields });
      expect(answer.status).toBe(400);
      expect(answer.json).toMatchObject({ error: expect.any(String), error_description: expect.any(String) });
    }
    // A genuine answer to a challenge never asked for.
    const unasked = authenticator.register({ challenge: 'AAAA', user: { id: 'AAAA' } });
    expect(await postJson(browser, '/compte/cles-d-acces/ajouter', { _csrf: csrf, credential: JSON.stringify(unasked) })).toMatchObject({ status: 400, json: { error: 'passkey_expired' } });
    expect((await sesame.database.db.selectFrom('passkeys').select('id').execute()).length).toBe(before.length);
    // Renaming and removing are forms: a French page, never a 500.
    const rename = await browser.request(`${sesame.issuer}/compte/cles-d-acces/renommer`, { form: { _csrf: csrf, id: 'nimportequoi', name: 'x' } });
    expect(rename.status).toBe(400);
    expect(rename.html).toContain('n’est plus enregistrée');
    const remove = await browser.request(`${sesame.issuer}/compte/cles-d-acces/supprimer`, { form: { _csrf: csrf, id: "'; drop table passkeys; --" } });
    expect(remove.status).toBe(400);
    const confirm = await browser.request(`${sesame.issuer}/compte/cles-d-acces/supprimer?id=inconnu`);
    expect(confirm.status).toBe(303);
  });

  test('adding a key mails the owner; an account without a password must have signed in within 10 minutes', async () => {
    const email = `nina.${Date.now()}@example.fr`;
    const { json } = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Nina', family_name: 'Moreau', password: PASSWORD });
    await sesame.database.db.updateTable('accounts').set({ email, email_verified: true }).where('id', '=', json.sub).execute();
    const browser = newBrowser();
    const page = await openAccount(sesame, browser, { username: json.identifiant, password: PASSWORD }, '/compte/cles-d-acces');
    const csrf = inputValue(page.html, '_csrf')!;
    const options = await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf, current_password: PASSWORD });
    const credential = JSON.stringify(authenticator.register(options.json as never));
    expect((await postJson(browser, '/compte/cles-d-acces/ajouter', { _csrf: csrf, name: 'Tablette', credential })).status).toBe(200);
    // The owner learns of it, with what to do if it was not them.
    const mails = (await readFile(path.join(sesame.dataDir, 'outbox.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.to === email);
    expect(mails.at(-1)).toMatchObject({ channel: 'mail', subject: 'Une clé d’accès a été ajoutée à votre compte Sésame' });
    expect(mails.at(-1).text).toContain('« Tablette »');
    expect(mails.at(-1).text).toContain('Mot de passe oublié');

    // Without a password (an account opened through the upstream), a fresh sign-in stands in for it…
    await sesame.database.db.updateTable('accounts').set({ password_hash: null }).where('id', '=', json.sub).execute();
    expect((await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf })).status).toBe(200);
    // … and an old one does not: whoever finds «Mon compte» open on a shared computer adds no key.
    await sql`update oidc_payloads set payload = jsonb_set(payload, '{loginTs}', to_jsonb(extract(epoch from now())::int - 3600))
      where model = 'Session' and payload->>'accountId' = ${json.sub}`.execute(sesame.database.db);
    const stale = await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf });
    expect(stale).toMatchObject({ status: 403, json: { error: 'login_required', message: expect.stringContaining('reconnectez-vous d’abord') } });
  });

  test('in English: the page, its dates, the script’s sentences and the JSON refusals', async () => {
    await addKey('claire');
    const english = () => new Browser({ 'x-forwarded-for': `203.0.113.${(nextAddress += 1)}`, 'accept-language': 'en' });
    const browser = english();
    const page = await openAccount(sesame, browser, { username: people.claire.identifiant, password: PASSWORD }, '/compte/cles-d-acces');
    expect(page.html).toContain('<h1>My passkeys</h1>');
    expect(page.html).toMatch(/Added on (January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4}\./);
    expect(page.html).toContain('data-message-cancelled="You cancelled, or the time ran out.');
    expect(page.html).toContain('data-message-duplicate="This device already has a passkey for your account."');
    // The name is optional: the browser must let the form go without one (the key is then named after the day).
    expect(page.html).toMatch(/<input id="passkey-name" name="passkey-name" type="text" autocomplete="off" maxlength="60" aria-describedby/);
    const csrf = inputValue(page.html, '_csrf')!;
    expect(await postJson(browser, '/compte/cles-d-acces/options', { _csrf: csrf })).toMatchObject({ status: 400, json: { message: 'Enter your current password.' } });
    expect(await postJson(browser, '/compte/cles-d-acces/ajouter', { _csrf: csrf, credential: '{' })).toMatchObject({ status: 400, json: { message: 'Your device’s answer could not be read. Try again.' } });

    const form = await openLoginForm(sesame, config, client, { browser: english() });
    expect(form.html).toContain('Sign in with a passkey');
    expect(form.html).toContain('data-message-failed="The passkey could not be used.');
    const verified = await postJson(form.browser, `/interaction/${form.uid}/cle-d-acces`, { _csrf: form.csrf, credential: '{' });
    expect(verified).toMatchObject({ status: 400, json: { message: 'Your passkey’s answer could not be read. Try again, or sign in with your password.' } });
  });
});

describe('passkeys turned off (PASSKEYS_ENABLED=false)', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { PASSKEYS_ENABLED: 'false' }, { issuerHost: 'localhost' });
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('no button, no suggestions, no endpoint; «Mes clés d’accès» says keys are not offered', async () => {
    const { json } = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    const form = await openLoginForm(sesame, await discover(sesame, client), client);
    expect(form.html).not.toContain('clé d’accès');
    expect(form.html).toContain('autocomplete="username"');
    const options = await form.browser.request(`${sesame.issuer}/interaction/${form.uid}/cle-d-acces/options`, { form: { _csrf: form.csrf }, headers: { accept: 'application/json' } });
    expect(options.status).toBe(404);
    const page = await openAccount(sesame, new Browser(), { username: json.identifiant, password: PASSWORD }, '/compte/cles-d-acces');
    expect(page.html).toContain('Les clés d’accès ne sont pas proposées par ce service pour le moment.');
    expect(page.html).not.toContain('Ajouter une clé d’accès');
  });
});
