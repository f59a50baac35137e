// Names that read one way and are another: bidirectional controls and zero-width characters are refused wherever a
// name is accepted (directory rows, admin API accounts and clients, dynamic registration), a self-registered
// application is shown as not run by the académie, and it cannot take the name of an operator's application.
import { Readable } from 'node:stream';
import { importDirectory } from '../../src/directory/import.js';
import { Browser } from '../support/browser.js';
import { cliEnv, runCli } from '../support/cli.js';
import { STORES } from '../support/databases.js';
import { csvText, pupilRow, SCHOOL_A } from '../support/directory-csv.js';
import { call, expectFrenchPage, expectJsonError, jsonBody } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const REDIRECT = 'http://127.0.0.1:9/callback';
const NOT_OURS = 'Cette application n’est pas gérée par l’académie.';
/** One of each family the issue names: RLO, LRI, LRM, ALM, ZWSP, ZWJ, WJ, BOM. */
const INVISIBLE = ['\u202e', '\u2066', '\u200e', '\u061c', '\u200b', '\u200d', '\u2060', '\ufeff'];

describe.each(STORES)('invisible characters in names (%s store)', (store) => {
  let sesame: TestSesame;
  let iat: string;
  let identifiant: string;
  const register = (metadata: Record<string, unknown>) =>
    call(`${sesame.issuer}/reg`, jsonBody({ redirect_uris: [REDIRECT], scope: 'openid profile', ...metadata }, { authorization: `Bearer ${iat}` }));

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
    await registerClient(sesame, { name: 'Pronote', first_party: false, redirect_uris: [REDIRECT] });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('the directory import refuses such a row with a French reason and keeps the others', async () => {
    const rows = [
      pupilRow({ ...SCHOOL_A, eleve_id: 'OK1', ine: '', eleve_nom: 'MOREAU', eleve_prenom: 'Jules' }),
      pupilRow({ ...SCHOOL_A, eleve_id: 'BAD1', ine: '', eleve_nom: 'MO\u202eUAER', eleve_prenom: 'Léa' }),
      pupilRow({ ...SCHOOL_A, eleve_id: 'BAD2', ine: '', eleve_nom: 'MARTIN', eleve_prenom: 'Noé', resp_prenom: 'Cla\u200bire' }),
      pupilRow({ ...SCHOOL_A, eleve_id: 'BAD3', ine: '', eleve_nom: 'PETIT', eleve_prenom: 'Eva', classe: '4e\ufeffB' }),
    ];
    const summary = await importDirectory(sesame.sesame.db, Readable.from([csvText(rows)]), { identifierStyle: 'prenom.nom' });
    const reasons = summary.rejected.map((p) => `${p.line}:${p.column}:${p.reason}`);
    expect(reasons).toEqual([
      expect.stringMatching(/^3:eleve_nom:nom de l’élève refusé : il contient un caractère invisible/),
      expect.stringMatching(/^4:resp_prenom:prénom du responsable refusé : il contient un caractère invisible/),
      expect.stringMatching(/^5:classe:nom de classe refusé : il contient un caractère invisible/),
    ]);
    const names = await sesame.sesame.db.selectFrom('accounts').select(['given_name', 'family_name']).execute();
    expect(JSON.stringify(names)).not.toMatch(/[\u202e\u200b\ufeff]/);
  });

  test.each(INVISIBLE.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0'), c]))(
    'U+%s is refused in an account created through the admin API and in a client name',
    async (_code, c) => {
      const account = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: `${c}Alice`, family_name: 'Durand' });
      expect(account.status).toBe(400);
      expect(account.json.error_description).toMatch(/bidirectional controls or zero-width characters/);
      const client = await admin(sesame, 'POST', '/clients', { name: `Cantine${c}`, redirect_uris: [REDIRECT] });
      expect(client.status).toBe(400);
      const registered = await register({ client_name: `Cantine ${c}Plus` });
      expect(expectJsonError(registered, 400)).toBe('invalid_client_metadata');
      expect(registered.json.error_description).toMatch(/client_name/);
    },
  );

  test('the sesame command refuses such a name too, and creates nothing', async () => {
    const result = await runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', 'L\u202eéo', '--family-name', 'Invisible'], { env: cliEnv(sesame) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/bidirectional controls or zero-width characters/);
    const rows = await sesame.sesame.db.selectFrom('accounts').select('id').where('family_name', '=', 'Invisible').execute();
    expect(rows).toEqual([]);
  });

  test('dynamic registration cannot take an operator’s application name, whatever the case and accents', async () => {
    for (const name of ['Pronote', 'PRONOTE', 'Prönote', 'pro-note']) {
      const refused = await register({ client_name: name });
      expect(expectJsonError(refused, 400)).toBe('invalid_client_metadata');
      expect(refused.json.error_description).toMatch(/registered by the operator/);
    }
    const clients = await admin(sesame, 'GET', '/clients');
    expect(clients.json.clients.filter((c: { client_name?: string }) => /pr.?o.?note/i.test(c.client_name ?? ''))).toHaveLength(1);
    // Nor rename itself so later (registration management).
    const own = await register({ client_name: 'Cahier de liaison' });
    expect(own.status).toBe(201);
    const renamed = await call(own.json.registration_client_uri, {
      method: 'PUT',
      headers: { authorization: `Bearer ${own.json.registration_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...own.json, client_name: 'PRONOTE', registration_access_token: undefined, registration_client_uri: undefined, client_id_issued_at: undefined, client_secret_expires_at: undefined }),
    });
    expect(expectJsonError(renamed, 400)).toBe('invalid_client_metadata');
  });

  async function consentPage(client: TestClient): Promise<string> {
    const config = await discover(sesame, client);
    const browser = new Browser();
    const form = await openLoginForm(sesame, config, client, { browser, scope: 'openid profile' });
    const page = await postLogin(sesame, form, { username: identifiant, password: PASSWORD });
    expect(page.url).toMatch(/\/consent$/);
    return expectFrenchPage(page, 200);
  }

  test('the consent page says a self-registered application is not run by the académie; an operator’s is not flagged', async () => {
    const own = await register({ client_name: 'Soutien scolaire en ligne', redirect_uris: [REDIRECT] });
    expect(own.status).toBe(201);
    const selfText = await consentPage(own.json as TestClient);
    expect(selfText).toContain('Soutien scolaire en ligne souhaite accéder à vos informations');
    expect(selfText).toContain(NOT_OURS);
    const operator = await registerClient(sesame, { name: 'Cantine Plus', first_party: false, redirect_uris: [REDIRECT], scope: 'openid profile' });
    const operatorText = await consentPage(operator);
    expect(operatorText).toContain('Cantine Plus souhaite accéder à vos informations');
    expect(operatorText).not.toContain(NOT_OURS);
  });
});
