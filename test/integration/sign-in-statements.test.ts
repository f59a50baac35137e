// How many SQL statements one whole sign-in costs (authorize → profile → login → consent → code → token →
// userinfo, through a real openid-client relying party), on PostgreSQL alone and with Redis. A count, not a
// duration: stable on a loaded machine. The bounds are what docs/performance.md records; a change that adds a
// statement to the sign-in path fails here and prints which ones were sent, request by request.
import { redisEnv } from '../support/env.js';
import { oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { createCountedDatabase, type CountedDatabase } from '../support/statement-counter.js';

const PASSWORD = 'Cartable-rouge-2026';

// Sign-in before issue 13: 47 and 7 (docs/performance.md lists each statement); refresh, userinfo and introspection
// (without token_type_hint) on PostgreSQL were 6, 3 and 3 before a token's lookup brought its grant and account and
// a provider route's writes went in one statement.
const MODES: [string, () => Record<string, string>, number, { refresh: number; userinfo: number; introspection: number }][] = [
  ['postgres', () => ({}), 25, { refresh: 3, userinfo: 1, introspection: 2 }],
  ['postgres+redis', redisEnv, 5, { refresh: 1, userinfo: 1, introspection: 0 }],
];

/** The audit trail writes its buffer on a timer, many requests' events in one insert: not a sign-in's own cost. */
const isAuditBatch = (text: string) => text.startsWith('insert into "audit_events"');

const shape = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  const model = flat.indexOf(' -- ');
  return flat.slice(0, 70) + (model === -1 ? '' : flat.slice(model));
};

describe.each(MODES)('statements per sign-in (%s)', (mode, extraEnv, bound, others) => {
  let sesame: TestSesame;
  let database: CountedDatabase;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;

  beforeAll(async () => {
    database = await createCountedDatabase();
    sesame = await startTestSesame(database, extraEnv());
    client = await registerClient(sesame);
    config = await oidc.discovery(new URL(sesame.issuer), client.client_id, {}, oidc.ClientSecretBasic(client.client_secret!), { execute: [oidc.allowInsecureRequests] });
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    identifiant = created.json.identifiant;
    // A first sign-in warms what is kept across requests (the client for a few seconds, the keys), as in service.
    await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await database?.drop();
  });

  test(`one sign-in with consent, code, token and userinfo sends at most ${bound} statements`, async () => {
    database.take();
    // Each HTTP request the browser and the relying party make is written in the list, before its statements.
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      database.mark(`>>> ${init?.method ?? 'GET'} ${url.pathname}`);
      return realFetch(input, init);
    }) as typeof fetch;
    let sent: string[];
    try {
      const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
      await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    } finally {
      globalThis.fetch = realFetch;
      sent = database.take().filter((s) => !isAuditBatch(s));
    }
    const statements = sent.filter((s) => !s.startsWith('>>> '));
    if (statements.length > bound) process.stdout.write(`${mode}: ${statements.length} statements\n${sent.map(shape).join('\n')}\n`);
    expect(statements.length).toBeLessThanOrEqual(bound);
  });

  test(`refresh, userinfo and introspection each stay within ${others.refresh}, ${others.userinfo} and ${others.introspection} statements`, async () => {
    const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD });
    const counted = async (operation: () => Promise<unknown>) => {
      database.take();
      await operation();
      return database.take().filter((s) => !isAuditBatch(s));
    };
    const refresh = await counted(() => oidc.refreshTokenGrant(config, tokens.refresh_token!));
    const userinfo = await counted(() => oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub));
    const introspection = await counted(() => oidc.tokenIntrospection(config, tokens.access_token));
    const measured = { refresh: refresh.length, userinfo: userinfo.length, introspection: introspection.length };
    if (Object.entries(measured).some(([k, n]) => n > others[k as keyof typeof others])) {
      process.stdout.write(`${mode}: ${JSON.stringify(measured)}\n${[...refresh, '--', ...userinfo, '--', ...introspection].map(shape).join('\n')}\n`);
    }
    expect(measured.refresh).toBeLessThanOrEqual(others.refresh);
    expect(measured.userinfo).toBeLessThanOrEqual(others.userinfo);
    expect(measured.introspection).toBeLessThanOrEqual(others.introspection);
  });
});
