// Merging two parent accounts («Ajouter des élèves depuis un autre compte») as the domain sees it, on PGlite and
// PostgreSQL, with the directory written by the real import: two schools gave Claire different mobiles and emails,
// so she holds two accounts. After the merge the surviving account carries both schools' children, the other is
// disabled, and the nightly import of both schools keeps it that way (and brings new children to the survivor).
import { Readable } from 'node:stream';
import { createAccounts, type Account } from '../../src/accounts/accounts.js';
import { childrenOfAccount } from '../../src/directory/account-children.js';
import { createAccountMerge } from '../../src/directory/account-merge.js';
import { createDirectoryClaims } from '../../src/directory/claims.js';
import { importDirectory, type ImportSummary } from '../../src/directory/import.js';
import { migrate } from '../../src/store/database.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { csvText, pupilRow, SCHOOL_A, SCHOOL_B, type CsvRow } from '../support/directory-csv.js';
import { addChild, addGuardian, uniqueMobile } from '../support/directory-fixtures.js';

const CLAIRE_A = { resp_nom: 'MOREAU', resp_prenom: 'Claire', resp_mobile: '0612345678', resp_email: 'claire@example.org' };
const CLAIRE_B = { resp_nom: 'MOREAU', resp_prenom: 'Claire', resp_mobile: '0698765432', resp_email: 'c.moreau@example.net' };
const JULES = pupilRow({ ...SCHOOL_A, eleve_id: 'J1', ine: '0123456789J', eleve_nom: 'MOREAU', eleve_prenom: 'Jules', eleve_naissance: '2013-04-12', classe: '4eB', ...CLAIRE_A });
const LEA = pupilRow({ ...SCHOOL_B, eleve_id: 'L1', ine: '0123456789L', eleve_nom: 'MOREAU', eleve_prenom: 'Léa', eleve_naissance: '2016-09-01', niveau: '1113', classe: 'CE2', ...CLAIRE_B });
const HUGO = pupilRow({ ...SCHOOL_B, eleve_id: 'H1', ine: '0123456789H', eleve_nom: 'MOREAU', eleve_prenom: 'Hugo', eleve_naissance: '2018-02-02', niveau: '1111', classe: 'CP', ...CLAIRE_B });

describe.each(STORES)('merging two parent accounts (%s store)', (store) => {
  let database: TestDatabase;
  let accounts: ReturnType<typeof createAccounts>;
  let merge: ReturnType<typeof createAccountMerge>;
  const id: Record<string, string> = {};

  const importRows = async (rows: CsvRow[]): Promise<ImportSummary> => {
    const summary = await importDirectory(database.db, Readable.from([csvText(rows)]), { identifierStyle: 'prenom.nom' });
    expect(summary.rejected).toEqual([]);
    return summary;
  };
  const account = async (accountId: string) => database.db.selectFrom('accounts').select(['state', 'disabled_by_import_from']).where('id', '=', accountId).executeTakeFirstOrThrow();
  const guardianAccounts = async () =>
    (await database.db.selectFrom('guardians').select('account_id').where('name_key', '=', (await database.db.selectFrom('guardians').select('name_key').where('account_id', '=', id.a!).executeTakeFirstOrThrow()).name_key).execute()).map((g) => g.account_id);
  const enfants = async (accountId: string) => {
    const found = (await accounts.findById(accountId)) as Account;
    const claims = await createDirectoryClaims(database.db).claims(found, (sub) => sub);
    return ((claims.enfants ?? []) as Array<{ given_name: string; etablissement: string }>).map((c) => `${c.given_name} (${c.etablissement})`);
  };

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
    accounts = createAccounts(database.db, { identifierStyle: 'prenom.nom' });
    merge = createAccountMerge(database.db, { guardianChildren: 'legal' });
    await importRows([JULES, LEA]);
    for (const [key, identifiant] of [['a', 'claire.moreau'], ['b', 'claire.moreau2'], ['jules', 'jules.moreau']] as const) {
      id[key] = (await accounts.findByIdentifiant(identifiant))!.id;
    }
    // Claire took both accounts over (each school's letter, or an activation by SMS from each mobile).
    await database.db.updateTable('accounts').set({ state: 'active' }).where('id', 'in', [id.a!, id.b!]).execute();
    // A third account of Claire's with no child, and another parent's account.
    id.empty = (await accounts.create({ kind: 'responsable', givenName: 'Claire', familyName: 'Moreau', password: 'Cartable-rouge-2026' })).id;
    id.stranger = (await accounts.create({ kind: 'responsable', givenName: 'Anne', familyName: 'PETIT', password: 'Cartable-rouge-2026' })).id;
  });

  afterAll(async () => {
    await database?.drop();
  });

  test('the two schools made two accounts, each with its own child', async () => {
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)']);
    expect(await enfants(id.b!)).toEqual(['Léa (École Louise-Michel)']);
  });

  test('refusals: the same account, a pupil account, an account without children, a pupil account keeping the children, malformed ids; nothing changes', async () => {
    expect(await merge.preview(id.a!, id.a!)).toEqual({ ok: false, reason: 'same_account' });
    expect(await merge.merge(id.a!, id.a!)).toEqual({ ok: false, reason: 'same_account' });
    expect(await merge.merge(id.a!, id.jules!)).toEqual({ ok: false, reason: 'not_parent' });
    expect(await merge.merge(id.jules!, id.b!)).toEqual({ ok: false, reason: 'survivor_unusable' });
    expect(await merge.merge(id.a!, id.empty!)).toEqual({ ok: false, reason: 'no_children' });
    expect(await merge.preview(id.a!, id.stranger!)).toEqual({ ok: false, reason: 'other_person' });
    expect(await merge.merge(id.stranger!, id.b!)).toEqual({ ok: false, reason: 'other_person' });
    for (const bad of ['', 'x', '0'.repeat(10_000), `${id.b}\u0000`, '00000000-0000-0000-0000-000000000000']) {
      expect(await merge.merge(id.a!, bad)).toEqual({ ok: false, reason: 'disabled' });
    }
    expect((await account(id.b!)).state).toBe('active');
    expect((await account(id.empty!)).state).toBe('active');
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)']);
  });

  test('the merge moves the other account’s children and disables it; claims follow', async () => {
    expect(await merge.preview(id.a!, id.b!)).toEqual({ ok: true, children: [expect.objectContaining({ givenNames: 'Léa', schoolName: 'École Louise-Michel', className: 'CE2' })] });
    const outcome = await merge.merge(id.a!, id.b!);
    expect(outcome).toEqual({ ok: true, guardiansMoved: 1, children: [expect.objectContaining({ givenNames: 'Léa' })] });
    expect(await account(id.b!)).toEqual({ state: 'disabled', disabled_by_import_from: null });
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)', 'Léa (École Louise-Michel)']);
    expect(await enfants(id.b!)).toEqual([]);
    expect((await childrenOfAccount(database.db, id.a!, 'legal')).map((c) => c.givenNames)).toEqual(['Jules', 'Léa']);
    // A second confirmation (another tab) finds the account disabled and changes nothing.
    expect(await merge.merge(id.a!, id.b!)).toEqual({ ok: false, reason: 'disabled' });
    expect(await merge.preview(id.a!, id.b!)).toEqual({ ok: false, reason: 'disabled' });
  });

  test('the nightly import of both schools keeps the merge, and a new child at school B reaches the survivor', async () => {
    const again = await importRows([JULES, LEA]);
    expect(again.details.accounts).toEqual({ created: 0, disabled: 0, enabled: 0 });
    expect(await guardianAccounts()).toEqual([id.a, id.a]);
    expect(await account(id.b!)).toEqual({ state: 'disabled', disabled_by_import_from: null });
    expect((await account(id.a!)).state).toBe('active');
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)', 'Léa (École Louise-Michel)']);

    // School B alone, with a new child for Claire: the new link goes to her guardian row, on the surviving account.
    const withHugo = await importRows([LEA, HUGO]);
    expect(withHugo.details.accounts).toEqual({ created: 1, disabled: 0, enabled: 0 });
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)', 'Léa (École Louise-Michel)', 'Hugo (École Louise-Michel)']);
    expect(await account(id.b!)).toEqual({ state: 'disabled', disabled_by_import_from: null });

    // School B drops Léa and Hugo and lists them again: the disabled account is never re-linked nor given back.
    await importRows([pupilRow({ ...SCHOOL_B, eleve_id: 'X1', ine: '0123456789X', eleve_nom: 'AUTRE', eleve_prenom: 'Élève', resp_nom: 'AUTRE', resp_prenom: 'Parent', resp_mobile: '0611111111', resp_email: 'autre@example.org' })]);
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)']);
    expect((await account(id.a!)).state).toBe('active');
    await importRows([JULES, LEA, HUGO]);
    expect(await guardianAccounts()).toEqual([id.a, id.a]);
    expect(await enfants(id.a!)).toEqual(['Jules (Collège Jean-Moulin)', 'Léa (École Louise-Michel)', 'Hugo (École Louise-Michel)']);
    expect(await account(id.b!)).toEqual({ state: 'disabled', disabled_by_import_from: null });
  });

  test('two merges of one pair in opposite directions at once: exactly one happens', async () => {
    const pair: string[] = [];
    for (const given of ['Marc', 'Marc']) {
      const created = await accounts.create({ kind: 'responsable', givenName: given, familyName: 'LEROY', password: 'Cartable-rouge-2026' });
      const guardian = await addGuardian(database.db, { family: 'LEROY', given, mobile: uniqueMobile().e164, accountId: created.id });
      await addChild(database.db, { given: `Enfant${pair.length}`, family: 'LEROY', birthdate: '2015-01-01' }, [guardian]);
      pair.push(created.id);
    }
    const [x, y] = pair as [string, string];
    const outcomes = await Promise.all([merge.merge(x, y), merge.merge(y, x)]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.find((o) => !o.ok)).toEqual({ ok: false, reason: expect.stringMatching(/^(disabled|survivor_unusable)$/) });
    const states = (await Promise.all(pair.map(account))).map((a) => a.state).sort();
    expect(states).toEqual(['active', 'disabled']);
    const survivor = (await account(x)).state === 'active' ? x : y;
    expect((await childrenOfAccount(database.db, survivor, 'legal')).map((c) => c.givenNames).sort()).toEqual(['Enfant0', 'Enfant1']);
  });
});
