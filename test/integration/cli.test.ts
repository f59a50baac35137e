// The `sesame` command as an operator runs it: the real bin/sesame.js in a child process, talking to a real server
// through the admin API, against PGlite and PostgreSQL; and `sesame migrate` straight against a database.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as jose from 'jose';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { migrations } from '../../src/store/migrations/index.js';
import { cliEnv, runCli, type CliResult } from '../support/cli.js';
import { STORES, createPostgresDatabase, type StoreKind, type TestDatabase } from '../support/databases.js';
import { discover, signIn, type TestClient } from '../support/relying-party.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const REDIRECT = 'http://127.0.0.1:9/callback';

/** The command failed the way an operator can read: exit 1, nothing on stdout, one line `sesame: …` on stderr. */
function expectOneLineFailure(result: CliResult, ...fragments: (string | RegExp)[]): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
  expect(result.stderr).toMatch(/^sesame: [^\n]+\n$/);
  for (const fragment of fragments) expect(result.stderr).toMatch(fragment);
}

function parseJson(result: CliResult): any {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

/** A database the test can close and open again, as a restarted server does (PGlite on disk, or PostgreSQL). */
async function reopenableStore(kind: StoreKind) {
  if (kind === 'postgres') {
    const created = await createPostgresDatabase();
    return {
      open: async (): Promise<TestDatabase> => {
        const db = await openDatabase({ databaseUrl: created.url, dataDir: 'memory://' });
        return { kind, url: created.url, db, drop: () => db.destroy() };
      },
      remove: created.drop,
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-cli-pglite-'));
  return {
    open: async (): Promise<TestDatabase> => {
      const db = await openDatabase({ databaseUrl: undefined, dataDir: dir });
      return { kind, url: undefined, db, drop: () => db.destroy() };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

describe.each(STORES)('the sesame command (%s store)', (store) => {
  let handle: Awaited<ReturnType<typeof reopenableStore>>;
  let database: TestDatabase;
  let sesame: TestSesame;
  let env: Record<string, string>;
  let account: { identifiant: string; sub: string };
  let client: TestClient;

  async function boot(): Promise<void> {
    database = await handle.open();
    // A fixed admin port, so that one test can find the API from ADMIN_LISTEN as the server itself reads it.
    sesame = await startTestSesame(database, { ADMIN_LISTEN: `127.0.0.1:${await freePort()}` });
    env = cliEnv(sesame);
  }

  async function halt(): Promise<void> {
    await sesame.shutdown();
    await database.drop();
  }

  beforeAll(async () => {
    handle = await reopenableStore(store);
    await boot();
    const [addedClient, addedAccount] = await Promise.all([
      runCli(['clients', 'add', '--name', 'Cahier de textes', '--redirect-uri', REDIRECT, '--redirect-uri', 'http://127.0.0.1:9/other', '--post-logout-redirect-uri', 'http://127.0.0.1:9/', '--first-party'], { env }),
      runCli(['accounts', 'add', '--kind', 'responsable', '--given-name', 'Claire', '--family-name', 'Moreau', '--email', 'claire@example.org'], { env, input: `${PASSWORD}\n` }),
    ]);
    client = parseJson(addedClient);
    account = parseJson(addedAccount);
  });

  afterAll(async () => {
    if (sesame) await halt();
    await handle?.remove();
  });

  test('clients add prints a usable client and accounts add takes the password from stdin: the person signs in', async () => {
    expect(client).toMatchObject({ client_id: expect.any(String), client_secret: expect.any(String), client_name: 'Cahier de textes', redirect_uris: [REDIRECT, 'http://127.0.0.1:9/other'], first_party: true });
    expect(Object.keys(account).sort()).toEqual(['identifiant', 'sub']);
    expect(account.identifiant).toMatch(/^claire\.moreau/);

    const config = await discover(sesame, client);
    const { tokens } = await signIn(sesame, config, client, { username: account.identifiant, password: PASSWORD });
    expect(tokens.claims()!.sub).toBe(account.sub);
  });

  test('accounts add refuses a weak password in one line, and creates nobody', async () => {
    const result = await runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', 'Léo', '--family-name', 'Faible'], { env, input: 'abc\n' });
    expectOneLineFailure(result, /password: Le mot de passe doit contenir au moins 12 caractères/);
    const rows = await database.db.selectFrom('accounts').select('id').where('family_name', '=', 'Faible').execute();
    expect(rows).toHaveLength(0);
  });

  test('accounts add with nothing on stdin creates an account that has no password yet', async () => {
    const created = parseJson(await runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', 'Inès', '--family-name', 'Sans-Mot', '--birthdate', '2014-03-09', '--json'], { env }));
    const row = await database.db.selectFrom('accounts').select(['password_hash', 'kind', 'birthdate']).where('id', '=', created.sub).executeTakeFirstOrThrow();
    expect(row).toEqual({ password_hash: null, kind: 'eleve', birthdate: '2014-03-09' });
  });

  test('accounts add explains bad arguments in one line', async () => {
    const [kind, missing, date, email, twoLines] = await Promise.all([
      runCli(['accounts', 'add', '--kind', 'parent', '--given-name', 'A', '--family-name', 'B'], { env }),
      runCli(['accounts', 'add', '--kind', 'eleve', '--family-name', 'B'], { env }),
      runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', 'A', '--family-name', 'B', '--birthdate', '2014-13-45'], { env }),
      runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', '<b>A</b>', '--family-name', 'B', '--email', 'not an email'], { env }),
      runCli(['accounts', 'add', '--kind', 'eleve', '--given-name', 'A', '--family-name', 'B'], { env, input: 'first line\nsecond line\n' }),
    ]);
    expectOneLineFailure(kind, "option '--kind <kind>' argument 'parent' is invalid", 'responsable, eleve');
    expectOneLineFailure(missing, "required option '--given-name <name>' not specified");
    expectOneLineFailure(date, /birthdate/);
    expectOneLineFailure(email, /given_name|email/);
    expectOneLineFailure(twoLines, 'single line');
  });

  test('clients list, show and remove, readable and as JSON; a removed client is gone', async () => {
    const added = parseJson(await runCli(['clients', 'add', '--name', 'Appli mobile', '--redirect-uri', 'http://127.0.0.1:9/mobile', '--public', '--pairwise', '--scope', 'openid profile'], { env }));
    expect(added).toMatchObject({ token_endpoint_auth_method: 'none', subject_type: 'pairwise', scope: 'openid profile' });
    expect(added.client_secret).toBeUndefined();

    const [listJson, listText, showJson, showText] = await Promise.all([
      runCli(['clients', 'list', '--json'], { env }),
      runCli(['clients', 'list'], { env }),
      runCli(['clients', 'show', added.client_id, '--json'], { env }),
      runCli(['clients', 'show', added.client_id], { env }),
    ]);
    const listed = parseJson(listJson) as Record<string, unknown>[];
    expect(listed.map((c) => c.client_id)).toEqual(expect.arrayContaining([client.client_id, added.client_id]));
    expect(listed.every((c) => c.client_secret === undefined)).toBe(true);
    expect(listText.stdout).toMatch(new RegExp(`${client.client_id}\\s+Cahier de textes\\s+first-party, confidential`));
    expect(listText.stdout).toMatch(new RegExp(`${added.client_id}\\s+Appli mobile\\s+third-party, public`));
    expect(parseJson(showJson)).toMatchObject({ client_id: added.client_id, client_name: 'Appli mobile', redirect_uris: ['http://127.0.0.1:9/mobile'] });
    expect(showText.stdout).toContain('client_name:');
    expect(showText.stdout).toContain('Appli mobile');

    const authorize = () => {
      const query = new URLSearchParams({ client_id: added.client_id, response_type: 'code', scope: 'openid', redirect_uri: 'http://127.0.0.1:9/mobile', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
      return fetch(`${sesame.issuer}/auth?${query}`, { redirect: 'manual' });
    };
    expect((await authorize()).status).toBe(303);

    const removed = await runCli(['clients', 'remove', added.client_id], { env });
    expect(removed).toMatchObject({ code: 0, stdout: `Client ${added.client_id} removed.\n` });
    const [again, show] = await Promise.all([runCli(['clients', 'remove', added.client_id], { env }), runCli(['clients', 'show', added.client_id], { env })]);
    expectOneLineFailure(again, `no client with client_id "${added.client_id}"`);
    expectOneLineFailure(show, 'no client with client_id');
    // The provider no longer knows it: a sign-in it starts stops at Sésame's error page.
    expect((await authorize()).status).toBe(400);
  });

  test('clients add explains bad arguments and refused metadata in one line', async () => {
    const [noUri, badUri, emptyName, badScope] = await Promise.all([
      runCli(['clients', 'add', '--name', 'X'], { env }),
      runCli(['clients', 'add', '--name', 'X', '--redirect-uri', 'not a url'], { env }),
      runCli(['clients', 'add', '--name', '   ', '--redirect-uri', REDIRECT], { env }),
      runCli(['clients', 'add', '--name', 'X', '--redirect-uri', REDIRECT, '--scope', 'openid <script>'], { env }),
    ]);
    expectOneLineFailure(noUri, "required option '--redirect-uri <uri>' not specified");
    expectOneLineFailure(badUri, /redirect_uris/);
    expectOneLineFailure(emptyName, /name/);
    expectOneLineFailure(badScope, /scope/);
  });

  test('keys rotate: new ID tokens carry the new kid, and a token signed before still verifies', async () => {
    const config = await discover(sesame, client);
    const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const before = await signIn(sesame, config, client, { username: account.identifiant, password: PASSWORD }, { scope: 'openid' });
    const oldKid = jose.decodeProtectedHeader(before.tokens.id_token!).kid;

    const rotated = parseJson(await runCli(['keys', 'rotate', '--json'], { env }));
    expect(rotated.current).toEqual(expect.arrayContaining([expect.any(String)]));
    expect(rotated.current).not.toContain(oldKid);

    const after = await signIn(sesame, config, client, { username: account.identifiant, password: PASSWORD }, { scope: 'openid' });
    const newKid = jose.decodeProtectedHeader(after.tokens.id_token!).kid;
    expect(rotated.current).toContain(newKid);
    await expect(jose.jwtVerify(before.tokens.id_token!, jwks)).resolves.toBeDefined();

    const readable = await runCli(['keys', 'rotate'], { env });
    expect(readable.code).toBe(0);
    expect(readable.stdout).toMatch(/^Keys rotated\. New tokens are signed with: /);
  });

  test('initial-access-token create gives a token that dynamic registration accepts', async () => {
    const created = parseJson(await runCli(['initial-access-token', 'create', '--expires-in', '600', '--json'], { env }));
    expect(created).toEqual({ initial_access_token: expect.any(String), expires_in: 600 });
    const readable = await runCli(['initial-access-token', 'create'], { env });
    expect(readable.code).toBe(0);
    const [token, note] = readable.stdout.trim().split('\n');
    expect(note).toMatch(/valid 7 day/);

    for (const iat of [created.initial_access_token, token]) {
      const response = await fetch(`${sesame.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${iat}`, 'content-type': 'application/json' },
        body: JSON.stringify({ client_name: 'Cantine en ligne', redirect_uris: [REDIRECT] }),
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ client_id: expect.any(String), client_name: 'Cantine en ligne' });
    }

    const [notNumber, tooShort] = await Promise.all([
      runCli(['initial-access-token', 'create', '--expires-in', 'soon'], { env }),
      runCli(['initial-access-token', 'create', '--expires-in', '10'], { env }),
    ]);
    expectOneLineFailure(notNumber, "option '--expires-in <seconds>' argument 'soon' is invalid");
    expectOneLineFailure(tooShort, /expires_in/);
  });

  test('the token: a wrong one is refused in one line; without ADMIN_TOKEN it is read from DATA_DIR/admin-token', async () => {
    const wrong = await runCli(['clients', 'list'], { env: { ...env, ADMIN_TOKEN: 'not-the-admin-token-at-all-000000' } });
    expectOneLineFailure(wrong, `the admin API at ${sesame.adminUrl} refused the admin token from ADMIN_TOKEN`);

    // What an operator does on the server's machine: same ADMIN_LISTEN and DATA_DIR as the server, nothing else.
    const local = { ADMIN_LISTEN: `127.0.0.1:${new URL(sesame.adminUrl).port}`, DATA_DIR: sesame.dataDir };
    const found = parseJson(await runCli(['clients', 'list', '--json'], { env: local }));
    expect(found.map((c: { client_id: string }) => c.client_id)).toContain(client.client_id);

    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'sesame-cli-empty-'));
    try {
      const missing = await runCli(['clients', 'list'], { env: { ...local, DATA_DIR: elsewhere } });
      expectOneLineFailure(missing, 'no admin token', path.join(elsewhere, 'admin-token'));
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('migrate next to a running server', async () => {
    const result = await runCli(['migrate', '--json'], {
      env: { ADMIN_LISTEN: `127.0.0.1:${new URL(sesame.adminUrl).port}`, DATA_DIR: sesame.dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}) },
    });
    if (store === 'postgres') {
      // The server migrated at start; PostgreSQL is shared, so migrate just finds nothing to do.
      expect(parseJson(result)).toEqual({ store: 'postgresql', applied: [] });
    } else {
      // The embedded database belongs to the running server's process: migrate refuses rather than open it twice.
      expectOneLineFailure(result, 'Sésame is running on the embedded database');
    }
  });

  test('a client added with the command survives a restart and still signs people in', async () => {
    const added = parseJson(await runCli(['clients', 'add', '--name', 'Vie scolaire', '--redirect-uri', REDIRECT], { env }));
    await halt();
    await boot();
    const shown = parseJson(await runCli(['clients', 'show', added.client_id, '--json'], { env }));
    expect(shown).toMatchObject({ client_id: added.client_id, client_name: 'Vie scolaire', redirect_uris: [REDIRECT] });
    // A third-party client: the person also passes the consent screen.
    const config = await discover(sesame, added);
    const { tokens } = await signIn(sesame, config, added, { username: account.identifiant, password: PASSWORD }, { scope: 'openid' });
    expect(tokens.claims()!.sub).toBe(account.sub);
  });
});

describe('the sesame command without a server', () => {
  const COMMANDS = [[], ['clients'], ['clients', 'add'], ['clients', 'list'], ['clients', 'show'], ['clients', 'remove'], ['accounts'], ['accounts', 'add'], ['keys'], ['keys', 'rotate'], ['initial-access-token'], ['initial-access-token', 'create'], ['migrate']];

  test('--help works for every command and exits 0', async () => {
    const results = await Promise.all(COMMANDS.map((args) => runCli([...args, '--help'])));
    results.forEach((result, i) => {
      expect({ args: COMMANDS[i], code: result.code, stderr: result.stderr }).toEqual({ args: COMMANDS[i], code: 0, stderr: '' });
      expect(result.stdout).toContain(`Usage: sesame ${COMMANDS[i]!.join(' ')}`.trimEnd());
    });
    expect(results[2]!.stdout).toContain('--redirect-uri <uri>');
    expect(results[7]!.stdout).toMatch(/password is read\s+from standard\s+input/);
  });

  test('unknown commands and options get one line', async () => {
    const [command, option, subcommand] = await Promise.all([runCli(['clientz']), runCli(['clients', 'list', '--verbose']), runCli(['keys', 'spin'])]);
    expectOneLineFailure(command, "unknown command 'clientz'", 'Did you mean clients?');
    expectOneLineFailure(option, "unknown option '--verbose'");
    expectOneLineFailure(subcommand, "unknown command 'spin'");
  });

  test('a server that is not running is named in one line', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['clients', 'list'], { env: { ADMIN_URL: url, ADMIN_TOKEN: 'x'.repeat(32) } });
    expectOneLineFailure(result, `the admin API at ${url} is not reachable; is Sésame running (npm start)?`);
    const bad = await runCli(['clients', 'list'], { env: { ADMIN_URL: 'localhost:3001', ADMIN_TOKEN: 'x'.repeat(32) } });
    expectOneLineFailure(bad, /ADMIN_URL/);
  });

  test('migrate brings a fresh PostgreSQL database up to date, then finds nothing to do', async () => {
    const fresh = await createPostgresDatabase({ empty: true });
    const env = { DATABASE_URL: fresh.url, DATA_DIR: os.tmpdir(), ADMIN_LISTEN: `127.0.0.1:${await freePort()}` };
    try {
      const first = parseJson(await runCli(['migrate', '--json'], { env }));
      expect(first).toEqual({ store: 'postgresql', applied: Object.keys(migrations) });
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      try {
        const { rows } = await client.query("select count(*)::int as n from information_schema.tables where table_name in ('accounts', 'oidc_payloads', 'signing_keys')");
        expect(rows[0].n).toBe(3);
      } finally {
        await client.end();
      }
      const second = await runCli(['migrate'], { env });
      expect(second).toEqual({ code: 0, stdout: 'The postgresql store is up to date; no migration to apply.\n', stderr: '' });
    } finally {
      await fresh.drop();
    }
  });

  test('migrate creates the embedded database in DATA_DIR before the server ever ran', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-cli-migrate-'));
    try {
      const result = await runCli(['migrate'], { env: { DATA_DIR: dir, ADMIN_LISTEN: `127.0.0.1:${await freePort()}` } });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout.split('\n')).toEqual([`Applied ${Object.keys(migrations).length} migration(s) to the embedded store:`, ...Object.keys(migrations).map((m) => `  ${m}`), '']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('migrate names an unreachable database in one line', async () => {
    const result = await runCli(['migrate'], { env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nothing`, DATA_DIR: os.tmpdir() } });
    expectOneLineFailure(result, /^sesame: migration failed: .*ECONNREFUSED/);
  });
});
