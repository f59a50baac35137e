// The writes of the provider's sign-in steps are stored in one statement just before the answer
// (src/oidc/deferred-writes.ts). When that statement fails, the person gets the French fault page, never the redirect
// to the relying party with a code nor the step's cookies, and none of those writes is stored (the interaction
// itself was taken at the start of the step, as without a batch); once the fault is gone, signing in again from the
// relying party works. The fault is a trigger of the test's refusing new sessions, as a full disk would.
import { sql } from 'kysely';
import { formAction, inputValue } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { clientAndParent, oidc, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
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
    ({ client, config, username } = await clientAndParent(sesame, PASSWORD));
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await database?.drop();
  });

  /** Runs `fn` while the table refuses `operation` on `model`'s rows (a trigger of the test's), as a full disk would. */
  async function refusing<T>(operation: 'insert or update' | 'delete', model: string, fn: () => Promise<T>): Promise<T> {
    const row = operation === 'delete' ? 'old' : 'new';
    await sql.raw(`create function refuse_rows() returns trigger language plpgsql as $$
      begin if ${row}.model = '${model}' then raise exception 'refused by the test'; end if; return ${row}; end $$`).execute(database.db);
    await sql.raw(`create trigger refuse_rows before ${operation} on oidc_payloads for each row execute function refuse_rows()`).execute(database.db);
    try {
      return await fn();
    } finally {
      await sql`drop trigger refuse_rows on oidc_payloads`.execute(database.db);
      await sql`drop function refuse_rows()`.execute(database.db);
    }
  }

  const logouts = async () => (await admin(sesame, 'GET', '/audit?kind=logout&limit=100')).json.events as unknown[];

  const count = async (model: string) =>
    Number((await database.db.selectFrom('oidc_payloads').select((eb) => eb.fn.countAll().as('n')).where('model', '=', model).executeTakeFirstOrThrow()).n);

  test('answers the fault page without a code or cookies, stores none of the step\'s writes, and a new sign-in works', async () => {
    const form = await openLoginForm(sesame, config, client);
    const before = { sessions: await count('Session'), grants: await count('Grant') };
    // The login is stored (its interaction's result); the resume that follows must store the session: refused.
    const failed = await refusing('insert or update', 'Session', () => postLogin(sesame, form, { username, password: PASSWORD }));
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

  test('a logout whose session cannot be removed answers the fault page, keeps the person signed in and audits no logout', async () => {
    const { browser } = await signIn(sesame, config, client, { username, password: PASSWORD });
    const logOut = async () => {
      const confirm = await browser.request(`${sesame.issuer}/session/end`);
      const action = new URL(formAction(confirm.html, /session\/end\/confirm/)!, sesame.issuer).toString();
      return browser.request(action, { form: { xsrf: inputValue(confirm.html, 'xsrf')!, logout: 'yes' } });
    };
    const failed = await refusing('delete', 'Session', logOut);
    expectFrenchPage(failed, 503);
    expect(failed.headers.get('location')).toBeNull();
    // Still signed in: a new authorization goes straight back to the relying party, no login form.
    const again = await startAuthorization(config, client, 'openid');
    expect((await browser.navigate(again.url.toString(), {}, sesame.issuer)).location).toContain('code=');

    // The fault gone, the logout works. The trail writes its events in order: once the second logout's is there, a
    // first one recorded for the failed request would be there too (events carry their request's id).
    const done = await logOut();
    expect(done.status).toBe(303);
    const ids = async () => (await logouts()).map((e) => (e as { request_id: string }).request_id);
    let recorded = await ids();
    for (let i = 0; i < 100 && !recorded.includes(done.headers.get('x-request-id')!); i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      recorded = await ids();
    }
    expect(recorded).toContain(done.headers.get('x-request-id'));
    expect(recorded).not.toContain(failed.headers.get('x-request-id'));
  });
});
