// Dynamic client registration (RFC 7591) and its management (RFC 7592), as an integrator uses them: an initial
// access token from the operator, a client that signs people in, updates, removal, and no way around consent.
import { STORES, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { call, expectJsonError, jsonBody } from '../support/http.js';
import { discover, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const REDIRECT = 'http://127.0.0.1:9/callback';

describe.each(STORES)('dynamic client registration (%s store)', (store) => {
  let database: TestDatabase;
  let sesame: TestSesame;
  let iat: string;
  let identifiant: string;
  const reg = () => `${sesame.issuer}/reg`;
  const withIat = (body: unknown, headers: Record<string, string> = {}) => jsonBody(body, { authorization: `Bearer ${iat}`, ...headers });

  async function countClients(): Promise<number> {
    const rows = await database.db.selectFrom('oidc_payloads').select('id').where('model', '=', 'Client').execute();
    return rows.length;
  }

  beforeAll(async () => {
    database = await createTestDatabase(store);
    sesame = await startTestSesame(database);
    iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    identifiant = created.json.identifiant;
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await database?.drop();
  });

  test('without an initial access token registration is refused with invalid_token', async () => {
    const before = await countClients();
    const response = await call(reg(), jsonBody({ redirect_uris: [REDIRECT] }));
    expect(expectJsonError(response, 401)).toBe('invalid_token');
    const wrong = await call(reg(), jsonBody({ redirect_uris: [REDIRECT] }, { authorization: 'Bearer not-a-real-token' }));
    expect(expectJsonError(wrong, 401)).toBe('invalid_token');
    expect(await countClients()).toBe(before);
  });

  test('with one, a client is registered, signs a person in, is read, updated and deleted through its registration token', async () => {
    const created = await call(reg(), withIat({ client_name: 'Cantine en ligne', redirect_uris: [REDIRECT], scope: 'openid profile' }));
    expect(created.status).toBe(201);
    expect(created.json).toEqual(expect.objectContaining({
      client_id: expect.any(String),
      client_secret: expect.any(String),
      registration_access_token: expect.any(String),
      registration_client_uri: expect.stringContaining(`${sesame.issuer}/reg/`),
    }));
    const client = created.json as TestClient & { registration_access_token: string; registration_client_uri: string };
    // Not first-party: the person is asked for consent (passLogin answers «Autoriser»).
    expect(client.first_party).toBeUndefined();

    const config = await discover(sesame, client);
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid profile' });
    expect(tokens.claims()?.aud).toBe(client.client_id);

    const read = await call(client.registration_client_uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ client_id: client.client_id, client_name: 'Cantine en ligne', redirect_uris: [REDIRECT] });
    // The operator's token is not the client's: it cannot read the registration.
    expectJsonError(await call(client.registration_client_uri, { headers: { authorization: `Bearer ${iat}` } }), 401);

    const newRedirect = 'http://127.0.0.1:9/nouveau-retour';
    const updated = await call(client.registration_client_uri, {
      method: 'PUT',
      headers: { authorization: `Bearer ${client.registration_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: client.client_id, client_secret: client.client_secret, client_name: 'Cantine en ligne', redirect_uris: [newRedirect], scope: 'openid profile' }),
    });
    expect(updated.status).toBe(200);
    expect(updated.json.redirect_uris).toEqual([newRedirect]);
    const rotated = updated.json.registration_access_token as string;
    expect(rotated).toEqual(expect.any(String));
    expect(rotated).not.toBe(client.registration_access_token);
    // The old registration token stopped working; the new one works.
    expectJsonError(await call(client.registration_client_uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } }), 401);
    expect((await call(client.registration_client_uri, { headers: { authorization: `Bearer ${rotated}` } })).status).toBe(200);

    const removed = await call(client.registration_client_uri, { method: 'DELETE', headers: { authorization: `Bearer ${rotated}` } });
    expect(removed.status).toBe(204);
    expect(await sesame.sesame.clients.get(client.client_id)).toBeUndefined();
    expectJsonError(await call(client.registration_client_uri, { headers: { authorization: `Bearer ${rotated}` } }), 401);
  });

  test('a registration cannot make itself first-party (that would skip consent), neither at creation nor by update', async () => {
    const before = await countClients();
    for (const value of [true, false, 'yes']) {
      const refused = await call(reg(), withIat({ redirect_uris: [REDIRECT], first_party: value }));
      expect(expectJsonError(refused, 400)).toBe('invalid_client_metadata');
    }
    expect(await countClients()).toBe(before);

    const created = await call(reg(), withIat({ redirect_uris: [REDIRECT] }));
    const { client_id, client_secret, registration_client_uri, registration_access_token } = created.json;
    const update = await call(registration_client_uri, {
      method: 'PUT',
      headers: { authorization: `Bearer ${registration_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id, client_secret, redirect_uris: [REDIRECT], first_party: true }),
    });
    expect(expectJsonError(update, 400)).toBe('invalid_client_metadata');
    expect((await sesame.sesame.clients.get(client_id))?.first_party).toBeFalsy();
  });

  test.each<[string, RequestInit]>([
    ['malformed JSON', { body: '{"redirect_uris": [' }],
    ['a JSON array', { body: '[]' }],
    ['JSON null', { body: 'null' }],
    ['an empty body', { body: '' }],
    ['a form instead of JSON', { body: `redirect_uris=${encodeURIComponent(REDIRECT)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
    ['plain text', { body: 'bonjour', headers: { 'content-type': 'text/plain' } }],
    ['a 2 MB body', { body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'x'.repeat(2 * 1024 * 1024) }) }],
    ['redirect_uris as a string', { body: JSON.stringify({ redirect_uris: REDIRECT }) }],
    ['redirect_uris as a number', { body: JSON.stringify({ redirect_uris: 42 }) }],
    ['redirect_uris with a number', { body: JSON.stringify({ redirect_uris: [42] }) }],
    ['no redirect_uris', { body: JSON.stringify({ client_name: 'Sans retour' }) }],
    ['a javascript: redirect URI', { body: JSON.stringify({ redirect_uris: ['javascript:alert(1)'] }) }],
    ['a data: redirect URI', { body: JSON.stringify({ redirect_uris: ['data:text/html,<script>alert(1)</script>'] }) }],
    ['a redirect URI with a fragment', { body: JSON.stringify({ redirect_uris: [`${REDIRECT}#x`] }) }],
    ['client_name as a number', { body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 12 }) }],
    ['grant_types as a string', { body: JSON.stringify({ redirect_uris: [REDIRECT], grant_types: 'authorization_code' }) }],
    ['an implicit response type', { body: JSON.stringify({ redirect_uris: [REDIRECT], response_types: ['id_token token'], grant_types: ['implicit'] }) }],
    ['an unknown auth method', { body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'magie' }) }],
    ['a javascript: logout URI', { body: JSON.stringify({ redirect_uris: [REDIRECT], post_logout_redirect_uris: ['javascript:alert(1)'] }) }],
    ['a NUL byte in the name', { body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'a\u0000b' }) }],
  ])('%s is refused with a JSON error, nothing registered', async (_label, init) => {
    const before = await countClients();
    const response = await call(reg(), {
      method: 'POST',
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}`, ...(init.headers as Record<string, string>) },
    });
    expectJsonError(response);
    expect(await countClients()).toBe(before);
  });

  test('dynamically registered clients survive a restart on the same database', async () => {
    const created = await call(reg(), withIat({ client_name: 'Agenda scolaire', redirect_uris: [REDIRECT] }));
    expect(created.status).toBe(201);
    const client = created.json as TestClient & { registration_access_token: string; registration_client_uri: string };
    // Same database, same address: what an operator's restart looks like.
    const port = new URL(sesame.issuer).port;
    await sesame.shutdown();
    sesame = await startTestSesame(database, { PORT: port, ISSUER: `http://127.0.0.1:${port}` });
    const config = await discover(sesame, client);
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    expect(tokens.claims()?.aud).toBe(client.client_id);
    // Its registration token is stored too.
    const read = await call(client.registration_client_uri, { headers: { authorization: `Bearer ${client.registration_access_token}` } });
    expect(read.status).toBe(200);
    expect(read.json.client_name).toBe('Agenda scolaire');
  });
});
