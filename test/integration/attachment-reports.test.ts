// «Je ne suis pas le représentant légal de cet élève» as the domain sees it, on PGlite and PostgreSQL: a report is
// recorded once per link (a second one says so), only for a child the account is shown, the reporter stops receiving
// that child in claims while the child's other guardian still does, and the school lists the reports by UAI.
import { createAccounts } from '../../src/accounts/accounts.js';
import { childrenOfAccount } from '../../src/directory/account-children.js';
import { createAttachmentReports } from '../../src/directory/attachment-reports.js';
import { createDirectoryClaims } from '../../src/directory/claims.js';
import { migrate } from '../../src/store/database.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { addChild, addGuardian, uniqueMobile } from '../support/directory-fixtures.js';

describe.each(STORES)('wrong-attachment reports (%s store)', (store) => {
  let database: TestDatabase;
  let accounts: ReturnType<typeof createAccounts>;
  const id: Record<string, string> = {};

  const parent = async (given: string, family: string) => {
    const account = await accounts.create({ kind: 'responsable', givenName: given, familyName: family, password: 'Cartable-rouge-2026' });
    const guardian = await addGuardian(database.db, { family, given, mobile: uniqueMobile().e164, accountId: account.id });
    return { account: account.id, guardian };
  };
  // Claims carry only pupils with an account (the import gives every pupil one).
  const child = async (...args: Parameters<typeof addChild>) => {
    const pupil = await addChild(...args);
    const account = await accounts.create({ kind: 'eleve', givenName: args[1].given, familyName: args[1].family });
    await database.db.updateTable('pupils').set({ account_id: account.id }).where('id', '=', pupil).execute();
    return pupil;
  };
  const enfants = async (accountId: string, policy: 'legal' | 'all' = 'legal') => {
    const account = (await accounts.findById(accountId))!;
    const claims = await createDirectoryClaims(database.db, { guardianChildren: policy }).claims(account, (sub) => sub);
    return ((claims.enfants ?? []) as Array<{ given_name: string }>).map((c) => c.given_name).sort();
  };

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
    accounts = createAccounts(database.db, { identifierStyle: 'prenom.nom' });
    const claire = await parent('Claire', 'MOREAU');
    const marc = await parent('Marc', 'MOREAU');
    const other = await parent('Anne', 'DURAND');
    Object.assign(id, { claire: claire.account, claireGuardian: claire.guardian, marc: marc.account, other: other.account });
    // Jules has two legal guardians, Claire and Marc; Léa is Claire's in another school; Zoé is another family's;
    // Tom is linked to Claire without legal responsibility; Paul has left the school.
    id.jules = await child(database.db, { given: 'Jules', family: 'MOREAU', birthdate: '2013-04-12', className: '4eB' }, [claire.guardian, marc.guardian]);
    id.lea = await child(database.db, { given: 'Léa', family: 'MOREAU', birthdate: '2016-09-01', uai: '0750002B', schoolName: 'École Louise-Michel', className: 'CE2' }, [claire.guardian]);
    id.zoe = await child(database.db, { given: 'Zoé', family: 'DURAND', birthdate: '2014-01-01' }, [other.guardian]);
    id.tom = await child(database.db, { given: 'Tom', family: 'MARTIN', birthdate: '2012-01-01' }, [claire.guardian], false);
    id.paul = await child(database.db, { given: 'Paul', family: 'MOREAU', birthdate: '2011-01-01', detached: true }, [claire.guardian]);
  });

  afterAll(async () => {
    await database?.drop();
  });

  test('«Mes enfants» lists the children the account is shown, with school and class', async () => {
    const children = await childrenOfAccount(database.db, id.claire!, 'legal');
    expect(children.map((c) => [c.givenNames, c.schoolName, c.className, c.reported])).toEqual([
      ['Jules', 'Collège Jean-Moulin', '4eB', false],
      ['Léa', 'École Louise-Michel', 'CE2', false],
    ]);
    expect((await childrenOfAccount(database.db, id.claire!, 'all')).map((c) => c.givenNames)).toEqual(['Tom', 'Jules', 'Léa']);
  });

  test('a report is recorded once; the reporter stops receiving the child, the other guardian still does', async () => {
    const reports = createAttachmentReports(database.db, { guardianChildren: 'legal' });
    expect(await enfants(id.claire!)).toEqual(['Jules', 'Léa']);
    const first = await reports.report(id.claire!, id.jules!);
    expect(first.kind).toBe('recorded');
    const second = await reports.report(id.claire!, id.jules!.toUpperCase());
    expect(second).toEqual({ kind: 'already', reportedAt: (first as { reportedAt: Date }).reportedAt });
    expect(await enfants(id.claire!)).toEqual(['Léa']);
    expect(await enfants(id.marc!)).toEqual(['Jules']);
    expect((await childrenOfAccount(database.db, id.claire!, 'legal')).find((c) => c.givenNames === 'Jules')?.reported).toBe(true);
    const listed = await reports.list();
    expect(listed).toEqual([
      expect.objectContaining({
        status: 'open', uai: '0750001A', school_name: 'Collège Jean-Moulin', reported_by: expect.stringMatching(/^claire\.moreau/),
        pupil: expect.objectContaining({ id: id.jules, given_names: 'Jules', class_name: '4eB' }),
        guardian: expect.objectContaining({ id: id.claireGuardian, given_name: 'Claire' }),
      }),
    ]);
    expect(await reports.list({ uai: '0750002B' })).toEqual([]);
    expect(await reports.list({ uai: '0750001A' })).toHaveLength(1);
  });

  test('only a child the account is shown can be reported: anything else records nothing', async () => {
    const reports = createAttachmentReports(database.db, { guardianChildren: 'legal' });
    const before = await reports.list();
    for (const pupil of [id.zoe!, id.tom!, id.paul!, '', 'x', 'not-a-uuid', '0'.repeat(100_000), `${id.lea}\u0000`, '00000000-0000-0000-0000-000000000000', "' or 1=1 --"]) {
      expect(await reports.report(id.claire!, pupil)).toEqual({ kind: 'not_linked' });
    }
    expect(await reports.report('not-an-account', id.lea!)).toEqual({ kind: 'not_linked' });
    expect(await reports.report(id.other!, id.lea!)).toEqual({ kind: 'not_linked' });
    expect(await reports.list()).toEqual(before);
    // With GUARDIAN_CHILDREN=all, Tom is shown to Claire, so she may report him.
    expect((await createAttachmentReports(database.db, { guardianChildren: 'all' }).report(id.claire!, id.tom!)).kind).toBe('recorded');
    expect(await enfants(id.claire!, 'all')).toEqual(['Léa']);
  });

  test('two reports at once make one', async () => {
    const reports = createAttachmentReports(database.db, { guardianChildren: 'legal' });
    const outcomes = await Promise.all([reports.report(id.claire!, id.lea!), reports.report(id.claire!, id.lea!)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['already', 'recorded']);
    expect((await reports.list({ uai: '0750002B' }))).toHaveLength(1);
  });
});
