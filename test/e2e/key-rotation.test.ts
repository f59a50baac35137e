// Signing key rotation, as relying parties live it: tokens signed before a rotation keep validating, new tokens
// carry the new key, and that key was published before it signed anything (publish-then-sign).
import * as jose from 'jose';
import { STORES } from '../support/databases.js';
import { call } from '../support/http.js';
import { discover, oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe.each(STORES)('signing key rotation (%s store)', (store) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  let sub: string;

  const publishedKeys = async (): Promise<jose.JWK[]> => {
    const response = await call(`${sesame.issuer}/jwks`);
    expect(response.status).toBe(200);
    return response.json.keys as jose.JWK[];
  };
  // A fresh key set each time, as a relying party that re-fetches the JWKS when it meets an unknown kid.
  const verify = async (jwt: string) =>
    jose.jwtVerify(jwt, jose.createLocalJWKSet({ keys: await publishedKeys() }), { issuer: sesame.issuer, audience: client.client_id });
  const rotate = async (): Promise<string[]> => {
    const response = await admin(sesame, 'POST', '/keys/rotate');
    expect(response.status).toBe(200);
    return response.json.current as string[];
  };

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    identifiant = created.json.identifiant;
    sub = created.json.sub;
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('tokens issued before a rotation keep working; new ID tokens carry the key that was published in advance', async () => {
    const before = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid profile offline_access' });
    const oldKid = jose.decodeProtectedHeader(before.tokens.id_token!).kid!;
    const jwksBefore = await publishedKeys();
    expect(jwksBefore.map((k) => k.kid)).toContain(oldKid);

    const promoted = await rotate();
    const newRsKid = promoted.find((kid) => jwksBefore.find((k) => k.kid === kid)?.alg === 'RS256');
    // Publish-then-sign: every key that became current was already in the JWKS relying parties had cached.
    expect(promoted.length).toBeGreaterThanOrEqual(2);
    for (const kid of promoted) expect(jwksBefore.map((k) => k.kid)).toContain(kid);
    expect(newRsKid).toBeDefined();
    expect(newRsKid).not.toBe(oldKid);

    // The old ID token still verifies against the published keys: the retired key stays published.
    const jwksAfter = await publishedKeys();
    expect(jwksAfter.map((k) => k.kid)).toContain(oldKid);
    const { payload } = await verify(before.tokens.id_token!);
    expect(payload.sub).toBe(sub);
    // The access token issued before the rotation still opens userinfo.
    const info = await oidc.fetchUserInfo(config, before.tokens.access_token, sub);
    expect(info.given_name).toBe('Claire');

    // A new sign-in and a refresh of the old grant are signed with the new current key.
    const after = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    expect(jose.decodeProtectedHeader(after.tokens.id_token!).kid).toBe(newRsKid);
    expect((await verify(after.tokens.id_token!)).payload.sub).toBe(sub);
    const refreshed = await oidc.refreshTokenGrant(config, before.tokens.refresh_token!);
    expect(jose.decodeProtectedHeader(refreshed.id_token!).kid).toBe(newRsKid);

    // The next rotation's key is already published now.
    const nextKids = (await admin(sesame, 'GET', '/keys')).json.keys.filter((k: { status: string }) => k.status === 'next').map((k: { kid: string }) => k.kid);
    expect(nextKids).toHaveLength(2);
    for (const kid of nextKids) expect(jwksAfter.map((k) => k.kid)).toContain(kid);
  });

  test('a token signed two rotations ago still validates while it can be presented', async () => {
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: 'openid' });
    await rotate();
    await rotate();
    expect((await verify(tokens.id_token!)).payload.sub).toBe(sub);
    expect((await oidc.fetchUserInfo(config, tokens.access_token, sub)).sub).toBe(sub);
  });

  test('the JWKS publishes public keys only, each with a kid, alg and use', async () => {
    const keys = await publishedKeys();
    expect(keys.length).toBeGreaterThanOrEqual(4);
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key).toEqual(expect.objectContaining({ kid: expect.any(String), use: 'sig' }));
      expect(['RS256', 'ES256']).toContain(key.alg);
    }
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
  });

  test('rotation needs the admin token', async () => {
    const response = await call(`${sesame.adminUrl}/admin/api/v1/keys/rotate`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
    expect(response.status).toBe(401);
    expect(response.json.error).toBe('unauthorized');
  });
});
