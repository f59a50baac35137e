// A token's lookup brings its grant and account along, an interaction's its grant and session
// (src/oidc/sql-companion-reads.ts): the reads oidc-provider makes next in the same request come from the request's
// memo, answering exactly what a separate read would have answered at that moment, and nothing outlives the request.
// The rows are changed behind the adapter's back to tell a remembered answer from a fresh read.
import { sql } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { createAccounts, type Account } from '../../src/accounts/accounts.js';
import { takeRememberedAccount } from '../../src/oidc/remembered-account.js';
import { createSqlAdapter } from '../../src/oidc/sql-adapter.js';
import { runRequest } from '../../src/request-id.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';

const HOUR = 3600;

describe.each(STORES)('a lookup and what it brings along (%s store)', (store) => {
  let database: TestDatabase;
  let adapter: (model: string) => Adapter;
  let account: Account;
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase(store);
    const SqlAdapter = createSqlAdapter(database.db);
    adapter = (model) => new SqlAdapter(model);
    account = await createAccounts(database.db, { identifierStyle: 'prenom.nom' }).create({
      kind: 'eleve', givenName: 'Inès', familyName: 'Lambert', birthdate: '2011-03-14', email: 'ines@example.org',
    });
  });

  afterAll(() => database?.drop());

  const request = <T>(fn: () => Promise<T>) => runRequest(`test-${(n += 1)}`, fn);
  const deleteRow = (model: string, id: string) => database.db.deleteFrom('oidc_payloads').where('model', '=', model).where('id', '=', id).execute();

  async function tokenWithGrant(accountId = account.id) {
    const grantId = `grant-${(n += 1)}`;
    const tokenId = `token-${n}`;
    await adapter('Grant').upsert(grantId, { jti: grantId, accountId, clientId: 'portail' }, HOUR);
    await adapter('AccessToken').upsert(tokenId, { jti: tokenId, grantId, accountId, clientId: 'portail' }, HOUR);
    return { grantId, tokenId };
  }

  test('a token brings its grant and account: the next reads in the request see them as they were', async () => {
    const { grantId, tokenId } = await tokenWithGrant();
    const seen = await request(async () => {
      const token = await adapter('AccessToken').find(tokenId);
      await deleteRow('Grant', grantId);
      await database.db.updateTable('accounts').set({ given_name: 'Changed' }).where('id', '=', account.id).execute();
      return { token, grant: await adapter('Grant').find(grantId), account: takeRememberedAccount(account.id), again: takeRememberedAccount(account.id) };
    });
    expect(seen.token).toMatchObject({ jti: tokenId, grantId });
    expect(seen.grant).toMatchObject({ jti: grantId, accountId: account.id });
    // The same account a lookup by id gives (same columns, same types), taken once.
    expect(seen.account).toEqual(account);
    expect(seen.again).toBeUndefined();
    await database.db.updateTable('accounts').set({ given_name: account.given_name }).where('id', '=', account.id).execute();
    // The next request reads afresh: the grant is gone.
    expect(await request(() => adapter('Grant').find(grantId))).toBeUndefined();
  });

  test('an expired or revoked grant is not brought along, and outside a request nothing is remembered', async () => {
    const expired = await tokenWithGrant();
    await database.db.updateTable('oidc_payloads').set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where('model', '=', 'Grant').where('id', '=', expired.grantId).execute();
    const revoked = await tokenWithGrant();
    expect(await request(async () => {
      await adapter('AccessToken').find(expired.tokenId);
      return adapter('Grant').find(expired.grantId);
    })).toBeUndefined();
    const afterRevocation = await request(async () => {
      await adapter('AccessToken').find(revoked.tokenId);
      // As oidc-provider revokes (lib/helpers/revoke.js): the grant's tokens, then the grant itself.
      await adapter('AccessToken').revokeByGrantId(revoked.grantId);
      await adapter('Grant').destroy(revoked.grantId);
      return { grant: await adapter('Grant').find(revoked.grantId), token: await adapter('AccessToken').find(revoked.tokenId) };
    });
    expect(afterRevocation).toEqual({ grant: undefined, token: undefined });

    const outside = await tokenWithGrant();
    await adapter('AccessToken').find(outside.tokenId);
    await deleteRow('Grant', outside.grantId);
    expect(await adapter('Grant').find(outside.grantId)).toBeUndefined();
    expect(takeRememberedAccount(account.id)).toBeUndefined();
  });

  test('a token naming no valid account id is found, and brings no account', async () => {
    const { tokenId } = await tokenWithGrant('------------------------------------');
    const seen = await request(async () => ({ token: await adapter('AccessToken').find(tokenId), account: takeRememberedAccount('------------------------------------') }));
    expect(seen.token).toMatchObject({ jti: tokenId });
    expect(seen.account).toBeUndefined();
  });

  test('an interaction brings its session (by id and by uid) and its grant; a write to the session forgets it', async () => {
    const { grantId } = await tokenWithGrant();
    const sessionId = `session-${(n += 1)}`;
    const [uid, interactionId, otherId] = [`uid-${n}`, `interaction-${n}`, `other-${n}`];
    await adapter('Session').upsert(sessionId, { jti: sessionId, uid, accountId: account.id }, HOUR);
    await adapter('Interaction').upsert(interactionId, { jti: interactionId, grantId, session: { accountId: account.id, uid, cookie: sessionId } }, HOUR);
    const seen = await request(async () => {
      await adapter('Interaction').find(interactionId);
      await deleteRow('Session', sessionId);
      await deleteRow('Grant', grantId);
      const remembered = { byId: await adapter('Session').find(sessionId), byUid: await adapter('Session').findByUid(uid), grant: await adapter('Grant').find(grantId) };
      await adapter('Session').upsert(otherId, { jti: otherId, uid: otherId }, HOUR);
      return { ...remembered, afterWrite: await adapter('Session').find(sessionId) };
    });
    expect(seen.byId).toMatchObject({ jti: sessionId, uid });
    expect(seen.byUid).toMatchObject({ jti: sessionId, uid });
    expect(seen.grant).toMatchObject({ jti: grantId });
    expect(seen.afterWrite).toBeUndefined();
  });

  test('a consumed code says so, and so does its lookup inside a request', async () => {
    const { grantId } = await tokenWithGrant();
    const code = `code-${(n += 1)}`;
    await adapter('AuthorizationCode').upsert(code, { jti: code, grantId, accountId: account.id }, 60);
    await adapter('AuthorizationCode').consume(code);
    const inside = await request(() => adapter('AuthorizationCode').find(code));
    const outside = await adapter('AuthorizationCode').find(code);
    expect(inside?.consumed).toEqual(expect.any(Number));
    expect(outside?.consumed).toEqual(inside?.consumed);
  });
});
