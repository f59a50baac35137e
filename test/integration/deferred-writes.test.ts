// Within one of oidc-provider's routes, its writes wait in a batch and are stored in one statement before the answer
// (src/oidc/deferred-writes.ts). What a request reads is what it wrote before, whatever waits; what another
// connection sees is nothing until the store, then everything; single-use and replay records are written at once;
// a request without a batch (our screens, the admin API, jobs) writes at once.
import { sql } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { openWriteBatch, storeBatch } from '../../src/oidc/deferred-writes.js';
import { createSqlAdapter } from '../../src/oidc/sql-adapter.js';
import { runRequest } from '../../src/request-id.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';

const HOUR = 3600;

describe.each(STORES)('writes stored before the answer (%s store)', (store) => {
  let database: TestDatabase;
  let adapter: (model: string) => Adapter;
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase(store);
    const SqlAdapter = createSqlAdapter(database.db);
    adapter = (model) => new SqlAdapter(model);
  });

  afterAll(() => database?.drop());

  /** A request of a provider route: writes wait until `fn` is done, then are stored, as provider-middleware.ts does. */
  const siteRequest = <T>(fn: () => Promise<T>) =>
    runRequest(`test-${(n += 1)}`, async () => {
      const batch = openWriteBatch()!;
      const result = await fn();
      await storeBatch(batch);
      return result;
    });

  /** The rows as a connection of its own sees them (not through the adapter, nor the request). */
  const stored = (model: string, id: string) =>
    database.db.selectFrom('oidc_payloads').select(['payload', 'consumed_at']).where('model', '=', model).where('id', '=', id).executeTakeFirst();

  test('nothing is stored until the request answers, then every write at once', async () => {
    const id = `s-${(n += 1)}`;
    const seenBefore = await siteRequest(async () => {
      await adapter('Session').upsert(id, { jti: id, uid: `u-${id}`, accountId: 'a' }, HOUR);
      await adapter('Grant').upsert(`g-${id}`, { jti: `g-${id}`, accountId: 'a' }, HOUR);
      await adapter('Session').destroy(`missing-${id}`);
      return { session: await stored('Session', id), grant: await stored('Grant', `g-${id}`) };
    });
    expect(seenBefore).toEqual({ session: undefined, grant: undefined });
    expect((await stored('Session', id))?.payload).toMatchObject({ jti: id, uid: `u-${id}` });
    expect((await stored('Grant', `g-${id}`))?.payload).toMatchObject({ jti: `g-${id}` });
  });

  test('what waits is the record as it was saved: a later change to the provider\'s object is not stored', async () => {
    const id = `s-${(n += 1)}`;
    const payload = { jti: id, authorizations: { portail: { sid: 'first' } } as Record<string, { sid: string }> };
    await siteRequest(async () => {
      await adapter('Session').upsert(id, payload, HOUR);
      payload.authorizations.portail!.sid = 'changed after saving';
    });
    expect((await stored('Session', id))?.payload).toMatchObject({ authorizations: { portail: { sid: 'first' } } });
  });

  test('a request reads what it wrote: by id, by uid, after an upsert, a destroy, and a destroy then an upsert', async () => {
    const [a, b, c] = [`a-${(n += 1)}`, `b-${n}`, `c-${n}`];
    await adapter('Session').upsert(b, { jti: b, uid: `u-${b}` }, HOUR);
    await adapter('Session').upsert(c, { jti: c, uid: `u-${c}`, version: 1 }, HOUR);
    await adapter('Session').consume(c);
    const seen = await siteRequest(async () => {
      await adapter('Session').upsert(a, { jti: a, uid: `u-${a}`, version: 1 }, HOUR);
      await adapter('Session').upsert(a, { jti: a, uid: `u-${a}`, version: 2 }, HOUR);
      const byUid = await adapter('Session').findByUid(`u-${a}`);
      await adapter('Session').destroy(b);
      const destroyed = await adapter('Session').find(b);
      await adapter('Session').destroy(c);
      await adapter('Session').upsert(c, { jti: c, uid: `u-${c}`, version: 2 }, HOUR);
      await adapter('Session').upsert(a, { jti: a, uid: `u-${a}`, version: 3 }, HOUR);
      await adapter('Session').destroy(a);
      return { byUid, destroyed, recreated: await adapter('Session').find(c) };
    });
    expect(seen.byUid).toMatchObject({ version: 2 });
    expect(seen.destroyed).toBeUndefined();
    // Recreated after a destroy: a new record, not the consumed one.
    expect(seen.recreated).toMatchObject({ version: 2 });
    expect(seen.recreated?.consumed).toBeUndefined();
    expect(await stored('Session', a)).toBeUndefined();
    expect(await stored('Session', b)).toBeUndefined();
    expect(await stored('Session', c)).toMatchObject({ payload: { version: 2 }, consumed_at: null });
  });

  test('a consumption is stored at once, and an upsert waiting for the same record first', async () => {
    const code = `code-${(n += 1)}`;
    const seen = await siteRequest(async () => {
      await adapter('AuthorizationCode').upsert(code, { jti: code, grantId: 'g' }, 60);
      await adapter('AuthorizationCode').consume(code);
      return stored('AuthorizationCode', code);
    });
    expect(seen?.payload).toMatchObject({ jti: code });
    expect(seen?.consumed_at).toBeInstanceOf(Date);
  });

  test('destructions (but a session\'s) and replay markers are written at once: an interaction taken, a grant revoked, a DPoP proof seen', async () => {
    const [interaction, grant, jti] = [`i-${(n += 1)}`, `g-${n}`, `jti-${n}`];
    await adapter('Interaction').upsert(interaction, { jti: interaction }, HOUR);
    await adapter('Grant').upsert(grant, { jti: grant }, HOUR);
    const seen = await siteRequest(async () => {
      await adapter('Interaction').upsert(interaction, { jti: interaction, changed: true }, HOUR);
      await adapter('Interaction').destroy(interaction);
      await adapter('Grant').destroy(grant);
      await adapter('ReplayDetection').upsert(jti, { jti }, 60);
      return { interaction: await stored('Interaction', interaction), grant: await stored('Grant', grant), replay: await stored('ReplayDetection', jti) };
    });
    // Gone at once, and the upsert that waited did not bring the interaction back.
    expect(seen.interaction).toBeUndefined();
    expect(seen.grant).toBeUndefined();
    expect(seen.replay?.payload).toMatchObject({ jti });
    expect(await stored('Interaction', interaction)).toBeUndefined();
  });

  test('a lookup that brings companions first stores what waits for them: the grant read is the one just written', async () => {
    const [grant, token] = [`g-${(n += 1)}`, `t-${n}`];
    await adapter('Grant').upsert(grant, { jti: grant, version: 1 }, HOUR);
    await adapter('AccessToken').upsert(token, { jti: token, grantId: grant }, HOUR);
    const seen = await siteRequest(async () => {
      await adapter('Grant').upsert(grant, { jti: grant, version: 2 }, HOUR);
      await adapter('AccessToken').find(token);
      return adapter('Grant').find(grant);
    });
    expect(seen).toMatchObject({ version: 2 });
  });

  test('a revocation, even several at once as oidc-provider sends them, comes after what waits', async () => {
    const [grant, token, refresh] = [`g-${(n += 1)}`, `t-${n}`, `r-${n}`];
    await siteRequest(async () => {
      await adapter('Grant').upsert(grant, { jti: grant }, HOUR);
      await adapter('AccessToken').upsert(token, { jti: token, grantId: grant }, HOUR);
      await adapter('RefreshToken').upsert(refresh, { jti: refresh, grantId: grant }, HOUR);
      await Promise.all([
        adapter('AccessToken').revokeByGrantId(grant),
        adapter('RefreshToken').revokeByGrantId(grant),
        adapter('Grant').destroy(grant),
      ]);
    });
    expect([await stored('Grant', grant), await stored('AccessToken', token), await stored('RefreshToken', refresh)]).toEqual([undefined, undefined, undefined]);
  });

  test('without a batch (our screens, the admin API, jobs), writes are stored at once', async () => {
    const id = `s-${(n += 1)}`;
    const inAdminRequest = await runRequest(`admin-${n}`, async () => {
      await adapter('Session').upsert(id, { jti: id }, HOUR);
      return stored('Session', id);
    });
    expect(inAdminRequest?.payload).toMatchObject({ jti: id });
    await adapter('Session').destroy(id);
    expect(await stored('Session', id)).toBeUndefined();
  });

  test('clients are written at once even in a batch (other modules read them directly)', async () => {
    const id = `client-${(n += 1)}`;
    const seen = await siteRequest(async () => {
      await adapter('Client').upsert(id, { client_id: id }, 0);
      return stored('Client', id);
    });
    expect(seen?.payload).toMatchObject({ client_id: id });
  });

  test('a request whose writes cannot be stored stores none of them', async () => {
    // The table refuses one record of the batch (a trigger of the test's), as a full disk or a lost connection would.
    await sql`create function refuse_marked() returns trigger language plpgsql as $$
      begin if new.payload->>'refuse' = 'yes' then raise exception 'refused by the test'; end if; return new; end $$`.execute(database.db);
    await sql`create trigger refuse_marked before insert or update on oidc_payloads for each row execute function refuse_marked()`.execute(database.db);
    try {
      const [session, grant, token] = [`s-${(n += 1)}`, `g-${n}`, `t-${n}`];
      await adapter('Grant').upsert(grant, { jti: grant, version: 1 }, HOUR);
      const attempt = siteRequest(async () => {
        await adapter('Grant').upsert(grant, { jti: grant, version: 2 }, HOUR);
        await adapter('Session').upsert(session, { jti: session }, HOUR);
        await adapter('AccessToken').upsert(token, { jti: token, refuse: 'yes' }, HOUR);
      });
      await expect(attempt).rejects.toThrow(/refused by the test/);
      expect((await stored('Grant', grant))?.payload).toMatchObject({ version: 1 });
      expect(await stored('Session', session)).toBeUndefined();
      expect(await stored('AccessToken', token)).toBeUndefined();
    } finally {
      await sql`drop trigger refuse_marked on oidc_payloads`.execute(database.db);
      await sql`drop function refuse_marked()`.execute(database.db);
    }
  });
});
