// The directory import against PGlite and PostgreSQL: idempotence, snapshots per school, bad rows, file formats,
// sibling grouping across schools, and nothing half-written when an import dies or the file is unreadable.
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { migrate } from '../../src/store/database.js';
import { DirectoryFileError, importDirectory, type ImportSummary } from '../../src/directory/import.js';
import { nameKey } from '../../src/directory/name-key.js';
import { STORES, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { csvStream, csvText, pupilRow, SCHOOL_A, SCHOOL_B, type CsvRow } from '../support/directory-csv.js';

describe.each(STORES)('directory import (%s store)', (store) => {
  let database: TestDatabase;
  const run = (rows: CsvRow[] | string, options: Parameters<typeof csvText>[1] = {}, onProgress?: Parameters<typeof importDirectory>[2]['onProgress']) =>
    importDirectory(database.db, csvStream(typeof rows === 'string' ? rows : csvText(rows, options)), {
      identifierStyle: 'prenom.nom',
      today: '2026-11-28',
      ...(onProgress ? { onProgress } : {}),
    });

  /** Everything an import may write, with row versions: equal snapshots mean nothing was written. */
  async function snapshot(uai?: string) {
    const q = async (text: string) => (await sql.raw(text).execute(database.db)).rows;
    const where = uai ? `where uai = '${uai}'` : '';
    return {
      schools: await q(`select xmin::text, * from schools ${where} order by uai`),
      pupils: await q(`select xmin::text, * from pupils ${where} order by uai, local_id`),
      guardians: await q(`select xmin::text, * from guardians order by id`),
      links: await q(`select xmin::text, * from pupil_guardians order by pupil_id, guardian_id`),
      accounts: await q(`select xmin::text, * from accounts order by id`),
      identifiants: await q(`select * from identifiants order by identifiant`),
    };
  }

  const pupil = (uai: string, localId: string) =>
    database.db.selectFrom('pupils').selectAll().where('uai', '=', uai).where('local_id', '=', localId).executeTakeFirstOrThrow();
  const accountOf = (id: string | null) => database.db.selectFrom('accounts').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
  const guardiansNamed = (family: string, given: string) =>
    database.db.selectFrom('guardians').selectAll().where('name_key', '=', nameKey(family, given)).execute();

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('a first import creates pupils, guardians, links and accounts; the same file again changes nothing', async () => {
    const rows = [
      pupilRow({ uai: '0100001A', eleve_id: 'A1', eleve_prenom: 'Jules' }),
      pupilRow({ uai: '0100001A', eleve_id: 'A1', eleve_prenom: 'Jules', resp_civilite: 'M.', resp_prenom: 'Marc', resp_mobile: '+33 6 98 76 54 32', resp_email: '', resp_lien: 'père' }),
      pupilRow({ uai: '0100001A', eleve_id: 'A2', ine: '1234567890B', eleve_prenom: 'Inès', eleve_naissance: '03/09/2015', niveau: '2117', classe: '6eA' }),
    ];
    const first = await run(rows);
    expect(first.rejected).toEqual([]);
    expect(first.details.pupils).toEqual({ added: 2, updated: 0, unchanged: 0, detached: 0 });
    expect(first.details.guardians).toEqual({ added: 2, updated: 0, unchanged: 0 });
    expect(first.details.links).toEqual({ added: 3, updated: 0, unchanged: 0, removed: 0 });
    expect(first).toMatchObject({ added: 7, updated: 0, unchanged: 0, detached: 0 });
    expect(first.details.accounts.created).toBe(4);

    const ines = await pupil('0100001A', 'A2');
    expect(ines).toMatchObject({ birthdate: '2015-09-03', level: '2117', class_name: '6eA', detached_at: null });
    const account = await accountOf(ines.account_id);
    expect(account).toMatchObject({ kind: 'eleve', state: 'non_notifie', origin: 'etablissement', identifiant: 'ines.moreau', birthdate: '2015-09-03' });
    const [claire] = await guardiansNamed('MOREAU', 'Claire');
    expect(claire).toMatchObject({ mobile: '+33612345678', email: 'claire.moreau@example.org', civilite: 'Mme' });
    expect(await accountOf(claire!.account_id)).toMatchObject({ kind: 'responsable', identifiant: 'claire.moreau', state: 'non_notifie' });

    const before = await snapshot();
    const second = await run(rows);
    expect(second).toMatchObject({ added: 0, updated: 0, detached: 0, unchanged: 7, rejected: [] });
    expect(await snapshot()).toEqual(before);
  });

  test('an import is a snapshot of each school: changes are applied, missing pupils detached, lone accounts disabled', async () => {
    const uai = '0100002B';
    const base = [
      pupilRow({ uai, eleve_id: 'S1', ine: '2000000001A', eleve_nom: 'PETIT', eleve_prenom: 'Lou', resp_nom: 'PETIT', resp_prenom: 'Anne', resp_mobile: '0611000001', resp_email: '' }),
      pupilRow({ uai, eleve_id: 'S2', ine: '2000000002A', eleve_nom: 'GRAND', eleve_prenom: 'Max', resp_nom: 'GRAND', resp_prenom: 'Paul', resp_mobile: '0611000002', resp_email: '' }),
      pupilRow({ uai, eleve_id: 'S3', ine: '', eleve_nom: 'GRAND', eleve_prenom: 'Zoé', resp_nom: 'GRAND', resp_prenom: 'Paul', resp_mobile: '0611000002', resp_email: '' }),
    ];
    await run(base);
    const max = await pupil(uai, 'S2');
    const [paul] = await guardiansNamed('GRAND', 'Paul');
    const [anne] = await guardiansNamed('PETIT', 'Anne');

    // Lou changes class, Max leaves, Anne's mobile changes: she stays the same guardian with the same account.
    const next = [
      { ...base[0]!, classe: '3eA', resp_mobile: '07 81 00 00 09' },
      base[2]!,
    ];
    const summary = await run(next);
    expect(summary.details.pupils).toEqual({ added: 0, updated: 1, unchanged: 1, detached: 1 });
    expect(summary.details.guardians).toEqual({ added: 0, updated: 1, unchanged: 1 });
    expect(summary.details.links).toMatchObject({ added: 0, removed: 0, unchanged: 2 });
    expect(summary.detached).toBe(1);
    expect((await pupil(uai, 'S1')).class_name).toBe('3eA');
    expect((await pupil(uai, 'S2')).detached_at).not.toBeNull();
    expect((await accountOf(max.account_id)).state).toBe('disabled');
    // Paul still has Zoé: his account stays as it was.
    expect((await accountOf(paul!.account_id)).state).toBe('non_notifie');
    const [anneNow, ...others] = await guardiansNamed('PETIT', 'Anne');
    expect(others).toEqual([]);
    expect(anneNow).toMatchObject({ id: anne!.id, mobile: '+33781000009', account_id: anne!.account_id });

    // Zoé leaves too: Paul has no child left, his account is disabled, never deleted.
    await run([next[0]!]);
    expect((await accountOf(paul!.account_id)).state).toBe('disabled');

    // Max and Zoé come back: their accounts get back the state they had.
    await database.db.updateTable('accounts').set({ state: 'notifie' }).where('id', '=', max.account_id).execute();
    await database.db.updateTable('accounts').set({ disabled_by_import_from: 'notifie' }).where('id', '=', max.account_id).execute();
    await database.db.updateTable('accounts').set({ state: 'disabled' }).where('id', '=', max.account_id).execute();
    const back = await run(base);
    expect(back.details.pupils).toMatchObject({ added: 0, updated: 3, detached: 0 });
    expect((await pupil(uai, 'S2')).detached_at).toBeNull();
    expect((await accountOf(max.account_id)).state).toBe('notifie');
    expect((await accountOf(paul!.account_id)).state).toBe('non_notifie');
  });

  test('a guardian removed from a pupil loses the link; the school name follows the file', async () => {
    const uai = '0100003C';
    const two = [
      pupilRow({ uai, etablissement: 'Lycée A', eleve_id: 'L1', ine: '', eleve_nom: 'ROUX', eleve_prenom: 'Léo', resp_nom: 'ROUX', resp_prenom: 'Eva', resp_mobile: '0612000001', resp_email: '' }),
      pupilRow({ uai, etablissement: 'Lycée A', eleve_id: 'L1', ine: '', eleve_nom: 'ROUX', eleve_prenom: 'Léo', resp_nom: 'BLANC', resp_prenom: 'Hugo', resp_mobile: '0612000002', resp_email: '', resp_lien: 'père' }),
    ];
    await run(two);
    const summary = await run([{ ...two[0]!, etablissement: 'Lycée Ada-Lovelace', resp_lien: 'tutrice', resp_legal: 'non' }]);
    expect(summary.details.links).toEqual({ added: 0, updated: 1, unchanged: 0, removed: 1 });
    const [hugo] = await guardiansNamed('BLANC', 'Hugo');
    expect((await accountOf(hugo!.account_id)).state).toBe('disabled');
    const school = await database.db.selectFrom('schools').selectAll().where('uai', '=', uai).executeTakeFirstOrThrow();
    expect(school.name).toBe('Lycée Ada-Lovelace');
    const links = await database.db.selectFrom('pupil_guardians').selectAll().where('pupil_id', '=', (await pupil(uai, 'L1')).id).execute();
    expect(links).toEqual([expect.objectContaining({ relation: 'tutrice', legal: false })]);
  });

  test('every kind of bad row is reported with line, column and a French reason; good rows are applied', async () => {
    const uai = '0100004D';
    const good = pupilRow({ uai, eleve_id: 'G1', ine: '', eleve_nom: 'BON', eleve_prenom: 'Ali', resp_nom: 'BON', resp_prenom: 'Sara', resp_mobile: '0613000001', resp_email: '' });
    await run([good, pupilRow({ uai, eleve_id: 'G2', ine: '', eleve_nom: 'GARDE', eleve_prenom: 'Tom', resp_nom: 'GARDE', resp_prenom: 'Rémi', resp_mobile: '0613000002', resp_email: '' })]);
    const bad: Array<[CsvRow, string | null, RegExp]> = [
      [{ uai: '' }, 'uai', /UAI manquant/],
      [{ uai: '12345' }, 'uai', /UAI invalide/],
      [{ eleve_id: '' }, 'eleve_id', /identifiant de l’élève manquant/],
      [{ eleve_id: 'a b<c>' }, 'eleve_id', /invalide/],
      [{ ine: 'ABC' }, 'ine', /INE invalide/],
      [{ eleve_nom: '' }, 'eleve_nom', /nom de l’élève manquant/],
      [{ eleve_prenom: '<script>alert(1)</script>' }, 'eleve_prenom', /illisible/],
      [{ eleve_prenom: 'x'.repeat(101) }, 'eleve_prenom', /trop long/],
      [{ eleve_naissance: '2013-02-30' }, 'eleve_naissance', /date de naissance invalide/],
      [{ eleve_naissance: '12.04.2013' }, 'eleve_naissance', /AAAA-MM-JJ ou JJ\/MM\/AAAA/],
      [{ eleve_naissance: '2030-01-01' }, 'eleve_naissance', /futur/],
      [{ eleve_naissance: '' }, 'eleve_naissance', /manquante/],
      [{ niveau: '4e B!' }, 'niveau', /niveau invalide/],
      [{ classe: 'a\u0007b' }, 'classe', /illisible/],
      [{ resp_civilite: 'Dr' }, 'resp_civilite', /civilité inconnue/],
      [{ resp_nom: '' }, 'resp_nom', /nom du responsable manquant/],
      [{ resp_prenom: '1234' }, 'resp_prenom', /illisible/],
      [{ resp_mobile: '01 23 45 67 89' }, 'resp_mobile', /pas un numéro de portable/],
      [{ resp_mobile: '06 12 34' }, 'resp_mobile', /invalide/],
      [{ resp_mobile: 'appeler le soir' }, 'resp_mobile', /illisible/],
      [{ resp_email: 'claire@' }, 'resp_email', /e-mail invalide/],
      [{ resp_legal: 'peut-être' }, 'resp_legal', /responsabilité légale/],
    ];
    const rows = bad.map(([o], i) => pupilRow({ uai, eleve_id: `B${i}`, ine: '', eleve_nom: 'FAUX', eleve_prenom: 'Test', resp_nom: 'FAUX', resp_prenom: 'Parent', resp_mobile: '0613000099', resp_email: '', ...o }));
    // G2 has a bad guardian mobile this time: Tom stays, and keeps Rémi (his links cannot be known from a bad row).
    rows.push(pupilRow({ uai, eleve_id: 'G2', ine: '', eleve_nom: 'GARDE', eleve_prenom: 'Tom', resp_nom: 'GARDE', resp_prenom: 'Rémi', resp_mobile: '06', resp_email: '' }));
    rows.push({ ...good, classe: '5eZ' });
    const text = `${csvText(rows)}${uai};short\n`;
    const summary = await run(text);
    bad.forEach(([, column, reason], i) => {
      expect(summary.rejected).toContainEqual({ line: i + 2, column, reason: expect.stringMatching(reason) });
    });
    expect(summary.rejected).toContainEqual({ line: bad.length + 2, column: 'resp_mobile', reason: expect.any(String) });
    expect(summary.rejected).toContainEqual({ line: bad.length + 4, column: null, reason: expect.stringMatching(/ligne incomplète/) });
    expect(summary.rejected_rows).toBe(bad.length + 2);
    // The good row was applied; Tom (whose only row was refused for the guardian part) is neither detached nor unlinked.
    expect((await pupil(uai, 'G1')).class_name).toBe('5eZ');
    const tom = await pupil(uai, 'G2');
    expect(tom.detached_at).toBeNull();
    const tomLinks = await database.db.selectFrom('pupil_guardians').selectAll().where('pupil_id', '=', tom.id).execute();
    expect(tomLinks).toHaveLength(1);
    // Rows whose pupil part was fine but guardian part bad still create the pupil (B14…B21); others create nothing.
    const created = await database.db.selectFrom('pupils').select('local_id').where('uai', '=', uai).where('local_id', 'like', 'B%').execute();
    expect(created.map((p) => p.local_id).sort()).toEqual(['B14', 'B15', 'B16', 'B17', 'B18', 'B19', 'B20', 'B21']);
  });

  test('BOM, comma separator, quoted fields, French dates and mobile formats are all read', async () => {
    const uai = '0100005E';
    const rows = [
      pupilRow({ uai, etablissement: 'École «Les Tilleuls», Saint-Denis', eleve_id: 'F1', ine: '', eleve_nom: 'N\'DIAYE', eleve_prenom: 'Awa', eleve_naissance: '5/1/2016', resp_nom: 'N\'DIAYE', resp_prenom: 'Fatou', resp_mobile: '+33 (0)6 14 00 00 01'.replace('(0)', ''), resp_email: 'FATOU@Example.ORG' }),
      pupilRow({ uai, etablissement: 'École «Les Tilleuls», Saint-Denis', eleve_id: 'F2', ine: '', eleve_nom: 'HOARAU', eleve_prenom: 'Kévin', classe: 'CM2 "bleu"\nannexe', resp_nom: 'HOARAU', resp_prenom: 'Marie-Josée', resp_mobile: '0692 12 34 56', resp_email: '' }),
      pupilRow({ uai, etablissement: 'École «Les Tilleuls», Saint-Denis', eleve_id: 'F3', ine: '', eleve_nom: 'LEBON', eleve_prenom: 'Noa', resp_nom: 'LEBON', resp_prenom: 'Jade', resp_mobile: '0033614000003', resp_email: '' }),
      pupilRow({ uai, etablissement: 'École «Les Tilleuls», Saint-Denis', eleve_id: 'F4', ine: '', eleve_nom: 'X', eleve_naissance: '2016-13-01', resp_mobile: '0614000004' }),
    ];
    const summary = await run(rows, { sep: ',', bom: true });
    // Line numbers count physical lines: F2's class spans two, so F4 sits on line 6.
    expect(summary.rejected).toEqual([{ line: 6, column: 'eleve_naissance', reason: expect.any(String) }]);
    expect((await pupil(uai, 'F1')).birthdate).toBe('2016-01-05');
    expect((await pupil(uai, 'F2')).class_name).toBe('CM2 "bleu" annexe');
    expect((await guardiansNamed('NDIAYE', 'fatou'))[0]).toMatchObject({ mobile: '+33614000001', email: 'fatou@example.org' });
    expect((await guardiansNamed('Hoarau', 'Marie Josée'))[0]).toMatchObject({ mobile: '+262692123456' });
    expect((await guardiansNamed('LEBON', 'Jade'))[0]).toMatchObject({ mobile: '+33614000003' });
    const school = await database.db.selectFrom('schools').selectAll().where('uai', '=', uai).executeTakeFirstOrThrow();
    expect(school.name).toBe('École «Les Tilleuls», Saint-Denis');
  });

  test('a guardian with children in two schools is one guardian with one account (names + mobile, or names + email)', async () => {
    const rows = [
      pupilRow({ ...SCHOOL_A, eleve_id: 'SIB1', ine: '3000000001A', eleve_nom: 'LE GOFF-NGUYEN', eleve_prenom: 'Léa', resp_nom: 'LE GOFF-NGUYEN', resp_prenom: 'Yann', resp_mobile: '06 15 00 00 01', resp_email: '' }),
      pupilRow({ ...SCHOOL_B, eleve_id: 'SIB2', ine: '3000000002A', eleve_nom: 'Le Goff Nguyen', eleve_prenom: 'Malo', resp_nom: 'Le Goff Nguyễn', resp_prenom: 'YANN', resp_mobile: '+33615000001', resp_email: 'yann@example.org' }),
      // Same names and email, another mobile: still Yann.
      pupilRow({ ...SCHOOL_B, eleve_id: 'SIB3', ine: '', eleve_nom: 'LE GOFF', eleve_prenom: 'Anna', resp_nom: 'le goff-nguyen', resp_prenom: 'yann', resp_mobile: '0615000002', resp_email: 'Yann@Example.org' }),
      // Same names, different mobile and no email: somebody else.
      pupilRow({ ...SCHOOL_B, eleve_id: 'SIB4', ine: '', eleve_nom: 'AUTRE', eleve_prenom: 'Eli', resp_nom: 'LE GOFF-NGUYEN', resp_prenom: 'Yann', resp_mobile: '0615000009', resp_email: '' }),
    ];
    const summary = await run(rows);
    expect(summary.rejected).toEqual([]);
    expect(summary.details.guardians.added).toBe(2);
    const yanns = await guardiansNamed('LE GOFF-NGUYEN', 'Yann');
    expect(yanns).toHaveLength(2);
    const children = await database.db.selectFrom('pupil_guardians').innerJoin('pupils', 'pupils.id', 'pupil_guardians.pupil_id')
      .select(['pupils.local_id', 'pupil_guardians.guardian_id']).where('pupil_guardians.guardian_id', 'in', yanns.map((y) => y.id)).execute();
    const byGuardian = new Map<string, string[]>();
    for (const c of children) byGuardian.set(c.guardian_id, [...(byGuardian.get(c.guardian_id) ?? []), c.local_id].sort());
    expect([...byGuardian.values()].sort()).toEqual([['SIB1', 'SIB2', 'SIB3'], ['SIB4']]);
    const accounts = await database.db.selectFrom('accounts').select('identifiant').where('id', 'in', yanns.map((y) => y.account_id!)).execute();
    expect(accounts.map((a) => a.identifiant).sort()).toEqual(['yann.legoff-nguyen', 'yann.legoff-nguyen2']);

    // Importing school B alone later still finds the same Yann (through the links), no new guardian.
    const again = await run(rows.slice(1));
    expect(again.details.guardians.added).toBe(0);
    expect(await guardiansNamed('LE GOFF-NGUYEN', 'Yann')).toHaveLength(2);
  });

  test('a file that cannot be read changes nothing', async () => {
    const before = await snapshot();
    const latin1 = Buffer.from(csvText([pupilRow({ uai: '0100006F', eleve_prenom: 'Hélène' })]), 'latin1');
    const cases: Array<[string | Buffer, RegExp]> = [
      [latin1, /UTF-8/],
      ['', /vide/],
      ['\uFEFF\n\n', /vide/],
      [`${csvText([pupilRow({ uai: '0100006F' })])}0100006F;"jamais fermé\n`, /guillemet/],
      ['nom;prenom\nDupont;Jean\n', /il manque : uai, etablissement, eleve_id/],
      [`${csvText([pupilRow({ uai: '0100006F' })]).split('\n')[0]}\n0100006F;${'x'.repeat(70_000)}\n`, /dépasse/],
    ];
    for (const [text, message] of cases) {
      const attempt = importDirectory(database.db, csvStream(text, 4096), { identifierStyle: 'prenom.nom' });
      await expect(attempt).rejects.toBeInstanceOf(DirectoryFileError);
      await expect(importDirectory(database.db, csvStream(text, 4096), { identifierStyle: 'prenom.nom' })).rejects.toThrow(message);
    }
    expect(await snapshot()).toEqual(before);
    expect((await database.db.selectFrom('directory_import_rows').select('line').execute()).length).toBe(0);
  });

  test('an import that dies while applying a school leaves that school as it was; schools already done stay done', async () => {
    const rows = [
      pupilRow({ uai: '0100007G', eleve_id: 'C1', ine: '', eleve_nom: 'PREMIER', eleve_prenom: 'Ana', resp_nom: 'PREMIER', resp_prenom: 'Bea', resp_mobile: '0616000001', resp_email: '' }),
      pupilRow({ uai: '0100008H', eleve_id: 'C2', ine: '', eleve_nom: 'SECOND', eleve_prenom: 'Cal', resp_nom: 'SECOND', resp_prenom: 'Dan', resp_mobile: '0616000002', resp_email: '' }),
    ];
    await run(rows);
    const before = await snapshot('0100008H');
    const changed: CsvRow[] = rows.map((r) => ({ ...r, classe: '3eZ' }));
    changed.push(pupilRow({ uai: '0100008H', eleve_id: 'C3', ine: '', eleve_nom: 'NOUVEAU', eleve_prenom: 'Eve', resp_nom: 'NOUVEAU', resp_prenom: 'Fred', resp_mobile: '0616000003', resp_email: '' }));
    const identifiantsBefore = await database.db.selectFrom('identifiants').select('identifiant').execute();
    await expect(run(changed, {}, async (p) => {
      if (p.phase === 'apply' && p.uai === '0100008H') throw new Error('process killed');
    })).rejects.toThrow('process killed');
    expect((await pupil('0100007G', 'C1')).class_name).toBe('3eZ');
    const after = await snapshot('0100008H');
    expect(after.pupils).toEqual(before.pupils);
    expect(after.guardians).toEqual(before.guardians);
    expect(after.links).toEqual(before.links);
    expect(await guardiansNamed('NOUVEAU', 'Fred')).toEqual([]);
    expect(await database.db.selectFrom('identifiants').select('identifiant').execute()).toHaveLength(identifiantsBefore.length);
    expect((await database.db.selectFrom('directory_import_rows').select('line').execute()).length).toBe(0);
  });

  test('the documented sample file imports without a rejected row', async () => {
    const sample = await readFile(new URL('../../docs/samples/annuaire-exemple.csv', import.meta.url));
    const summary = await importDirectory(database.db, csvStream(sample, 64), { identifierStyle: 'prenom.nom', today: '2026-11-28' });
    expect(summary.rejected).toEqual([]);
    // Claire Moreau has a child in each school: one guardian.
    expect(await guardiansNamed('MOREAU', 'Claire')).toHaveLength(1);
    expect((await pupil('0750002B', 'E2024-0108')).class_name).toBe('CM1 "les Tilleuls"');
  });

  test('homonyms get the smallest free number; an identifiant is never given twice', async () => {
    const rows = ['H1', 'H2', 'H3'].map((id, i) =>
      pupilRow({ uai: '0100009J', eleve_id: id, ine: '', eleve_nom: 'Dupont', eleve_prenom: 'Céline', resp_nom: `PARENT${'ABC'[i]}`, resp_prenom: 'Zed', resp_mobile: `061700000${i}`, resp_email: '' }),
    );
    await run(rows);
    const ids = await database.db.selectFrom('accounts').select('identifiant').where('identifiant', 'like', 'celine.dupont%').orderBy('identifiant').execute();
    expect(ids.map((r) => r.identifiant)).toEqual(['celine.dupont', 'celine.dupont2', 'celine.dupont3']);
  });
});

export type { ImportSummary };
