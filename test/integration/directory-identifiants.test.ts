// Identifiants stay unique under concurrency: 200 accounts created at once for the same name get 200 different
// identifiants (single creations and bulk import allocations mixed), on PGlite and PostgreSQL.
import { createAccounts } from '../../src/accounts/accounts.js';
import { allocateIdentifiants } from '../../src/accounts/identifiants.js';
import { migrate } from '../../src/store/database.js';
import { STORES, createTestDatabase, type TestDatabase } from '../support/databases.js';

const CREATIONS = 200;

describe.each(STORES)('identifiant allocation under concurrency (%s store)', (store) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  // 200, not 1 000: still twenty times the PostgreSQL pool (10 connections), so creations queue for connections and
  // meet on the name's lock, and the numbers still pass from one to two and three digits (…9, …10, …100), where a
  // text ordering of the numbers would go wrong. Each creation reads every homonym taken so far: the cost grows with
  // the square of the count.
  test('200 concurrent creations of «Céline Dupont» give 200 distinct identifiants, the smallest numbers first', async () => {
    const accounts = createAccounts(database.db, { identifierStyle: 'prenom.nom' });
    const created = await Promise.all(
      Array.from({ length: CREATIONS }, () => accounts.create({ kind: 'responsable', givenName: 'Céline', familyName: 'Dupont' })),
    );
    const ids = created.map((a) => a.identifiant);
    expect(new Set(ids).size).toBe(CREATIONS);
    const expected = ['celine.dupont', ...Array.from({ length: CREATIONS - 1 }, (_, i) => `celine.dupont${i + 2}`)];
    expect([...ids].sort()).toEqual([...expected].sort());
  }, 120_000);

  test('bulk allocations racing single creations never hand out an identifiant twice', async () => {
    const accounts = createAccounts(database.db, { identifierStyle: 'p.nom' });
    const bulk = async () =>
      database.db.transaction().execute((trx) =>
        allocateIdentifiants(trx, Array.from({ length: 100 }, () => ({ givenName: 'Lætitia', familyName: 'Le Bihan' })), 'p.nom'),
      );
    const results = await Promise.all([
      bulk(),
      ...Array.from({ length: 200 }, () => accounts.create({ kind: 'eleve', givenName: 'Louis', familyName: 'LE BIHAN' }).then((a) => [a.identifiant])),
      bulk(),
      bulk(),
    ]);
    const all = results.flat();
    expect(all).toHaveLength(500);
    expect(new Set(all).size).toBe(500);
    expect(all.every((id) => /^l\.lebihan([2-9]|[1-9][0-9]+)?$/.test(id))).toBe(true);
    const recorded = await database.db.selectFrom('identifiants').select('identifiant').where('identifiant', 'like', 'l.lebihan%').execute();
    expect(recorded).toHaveLength(500);
  }, 120_000);
});
