// The writes of the provider's sign-in steps are stored in one statement just before the answer
// (src/oidc/deferred-writes.ts). When that statement fails, the person gets the French fault page, never the redirect
// to the relying party with a code nor the step's cookies, and none of those writes is stored (the interaction
// itself was taken at the start of the step, as without a batch); once the fault is gone, signing in again from the
// relying party works. The fault is a trigger of the test's refusing new sessions, as a full disk would.
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

describe('a sign-in step whose records cannot be stored', () => {
  let database: TestDatabase;
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let username: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sesame = await startTestSesame(database);
    client = await registerClient(sesame);
    config = await discover(sesame, client);
    username = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await database?.drop();
  });

  const count = async (model: string) =>
    Number((await database.db.selectFrom('oidc_payloads').select((eb) => eb.fn.countAll().as('n')).where('model', '=', model).executeTakeFirstOrThrow()).n);

  test('answers the fault page without a code or cookies, stores none of the step\'s writes, and a new sign-in works', async () => {
    const form = await openLoginForm(sesame, config, client);
    await sql`create function refuse_sessions() returns trigger language plpgsql as $$
      begin if new.model = 'Session' then raise exception 'refused by the test'; end if; return new; end $$`.execute(database.db);
    await sql`create trigger refuse_sessions before insert or update on oidc_payloads for each row execute function refuse_sessions()`.execute(database.db);
    const before = { sessions: await count('Session'), grants: await count('Grant') };
    let failed;
    try {
      // The login is stored (its interaction's result); the resume that follows must store the session: refused.
      failed = await postLogin(sesame, form, { username, password: PASSWORD });
    } finally {
      await sql`drop trigger refuse_sessions on oidc_payloads`.execute(database.db);
      await sql`drop function refuse_sessions()`.execute(database.db);
    }
    expect(failed.location).toBeUndefined();
    expectFrenchPage(failed, 503);
    expect(failed.headers.get('set-cookie')).toBeNull();
    expect(visibleText(failed.html)).not.toMatch(/code=/);
    // The grant the resume wrote before the session is not stored either: one statement, all or nothing.
    expect({ sessions: await count('Session'), grants: await count('Grant') }).toEqual(before);

    // The fault gone, the relying party starts again: the person signs in and the relying party gets its tokens.
    const again = await openLoginForm(sesame, config, client, { browser: form.browser });
    const signedIn = await postLogin(sesame, again, { username, password: PASSWORD });
    expect(signedIn.location).toBeDefined();
    const tokens = await oidc.authorizationCodeGrant(config, new URL(signedIn.location!), { pkceCodeVerifier: again.start.verifier, expectedState: again.start.state });
    expect(tokens.claims()?.sub).toEqual(expect.any(String));
  });
});
