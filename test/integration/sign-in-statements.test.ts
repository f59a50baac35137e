// How many SQL statements one whole sign-in costs (authorize → profile → login → consent → code → token →
// userinfo, through a real openid-client relying party), on PostgreSQL alone and with Redis. A count, not a
// duration: stable on a loaded machine. The bounds are what docs/performance.md records; a change that adds a
// statement to the sign-in path fails here and prints which ones were sent, request by request.
import { redisEnv } from '../support/env.js';
import { oidc, registerClient, signIn, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { createCountedDatabase, type CountedDatabase } from '../support/statement-counter.js';

const PASSWORD = 'Cartable-rouge-2026';

// Before this work: 47 and 7 (docs/performance.md lists each statement).
const MODES: [string, () => Record<string, string>, number][] = [
  ['postgres', () => ({}), 42],
  ['postgres+redis', redisEnv, 5],
];

/** The audit trail writes its buffer on a timer, many requests' events in one insert: not a sign-in's own cost. */
const isAuditBatch = (text: string) => text.startsWith('insert into "audit_events"');

const shape = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  const model = flat.indexOf(' -- ');
  return flat.slice(0, 70) + (model === -1 ? '' : flat.slice(model));
};

describe.each(MODES)('statements per sign-in (%s)', (mode, extraEnv, bound) => {
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
});
