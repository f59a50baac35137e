// What an integrator may give itself through dynamic registration: identity scopes yes; school data and the INE
// only through an operator. Registration management cannot widen a client afterwards either.
import { call, expectJsonError, jsonBody } from '../support/http.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

describe('scopes through dynamic registration', () => {
  let sesame: TestSesame;
  let iat: string;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    iat = (await admin(sesame, 'POST', '/initial-access-tokens', {})).json.initial_access_token;
  });
  afterAll(() => sesame?.shutdown());

  const register = (body: unknown) => call(`${sesame.issuer}/reg`, jsonBody(body, { authorization: `Bearer ${iat}` }));

  test.each(['openid scolarite', 'openid ine', 'openid profile ine scolarite'])('«%s» is refused with invalid_client_metadata', async (scope) => {
    const response = await register({ client_name: 'Appli tierce', redirect_uris: [REDIRECT], scope });
    expect(expectJsonError(response, 400)).toBe('invalid_client_metadata');
    expect(response.json.error_description).toMatch(/operator/);
  });

  test('identity scopes are accepted, and an update cannot add school scopes later', async () => {
    const created = await register({ client_name: 'Appli tierce', redirect_uris: [REDIRECT], scope: 'openid profile email' });
    expect(created.status).toBe(201);
    const { client_id, client_secret, registration_access_token, registration_client_uri } = created.json;
    const update = await call(registration_client_uri, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registration_access_token}` },
      body: JSON.stringify({ client_id, client_secret, client_name: 'Appli tierce', redirect_uris: [REDIRECT], scope: 'openid profile scolarite' }),
    });
    expect(expectJsonError(update, 400)).toBe('invalid_client_metadata');
    const stored = await admin(sesame, 'GET', `/clients/${client_id}`);
    expect(stored.json.scope).toBe('openid profile email');
  });

  test('an operator can still register a client with school scopes', async () => {
    const created = await admin(sesame, 'POST', '/clients', { name: 'ENT académique', redirect_uris: [REDIRECT], scope: 'openid profile scolarite ine' });
    expect(created.status).toBe(201);
    expect(created.json.scope).toBe('openid profile scolarite ine');
  });
});
