// What an import skips (a school whose snapshot would write nothing, a file identical to the last one imported) must
// never change what it does: each skip is compared with the full import, and every case where something outside a
// school's rows changed since is imported again in full (docs/directory-format.md «Speed»).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { migrate } from '../../src/store/database.js';
import { importDirectory, type ImportProgress } from '../../src/directory/import.js';
import { nameKey } from '../../src/directory/name-key.js';
import { STORES, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { csvStream, csvText, pupilRow, type CsvRow } from '../support/directory-csv.js';

describe.each(STORES)('directory import skips (%s store)', (store) => {
  let database: TestDatabase;

  /** Imports the file and tells which schools' snapshots were written (a repeated file applies none). */
  async function run(rows: CsvRow[], today = '2026-11-28') {
    const applied: string[] = [];
    const summary = await importDirectory(database.db, csvStream(csvText(rows), 64), {
      identifierStyle: 'prenom.nom',
      today,
      onProgress: (p: ImportProgress) => {
        if (p.phase === 'apply') applied.push(p.uai);
      },
    });
    return { summary, applied };
  }

  async function snapshot() {
    const q = async (text: string) => (await sql.raw(text).execute(database.db)).rows;
    return {
      schools: await q('select xmin::text, * from schools order by uai'),
      pupils: await q('select xmin::text, * from pupils order by uai, local_id'),
      guardians: await q('select xmin::text, * from guardians order by id'),
      links: await q('select xmin::text, * from pupil_guardians order by pupil_id, guardian_id'),
      accounts: await q('select xmin::text, * from accounts order by id'),
    };
  }

  /** A write by someone else than the import (here a no-op one, as an operator's script might do). */
  const touchedOutside = (uai: string) => sql`update schools set name = name where uai = ${uai}`.execute(database.db);
  const pupil = (uai: string, localId: string) =>
    database.db.selectFrom('pupils').selectAll().where('uai', '=', uai).where('local_id', '=', localId).executeTakeFirstOrThrow();
  const guardianNamed = (family: string, given: string) =>
    database.db.selectFrom('guardians').selectAll().where('name_key', '=', nameKey(family, given)).executeTakeFirstOrThrow();

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  const family = (uai: string, n: number, overrides: CsvRow = {}): CsvRow[] => [
    pupilRow({ uai, eleve_id: `P${n}`, ine: '', eleve_nom: `NOM${'ABCDEFGH'[n]}`, eleve_prenom: 'Alix', resp_nom: `NOM${'ABCDEFGH'[n]}`, resp_prenom: 'Mère', resp_mobile: `06200000${n}0`, resp_email: '', ...overrides }),
    pupilRow({ uai, eleve_id: `P${n}`, ine: '', eleve_nom: `NOM${'ABCDEFGH'[n]}`, eleve_prenom: 'Alix', resp_nom: `NOM${'ABCDEFGH'[n]}`, resp_prenom: 'Père', resp_mobile: `06200000${n}1`, resp_email: '', resp_lien: 'père', ...overrides }),
  ];

  test('the same file again answers what a full import answers, writes nothing, and leaves no temporary file', async () => {
    const rows = [...family('0200001A', 1), ...family('0200001A', 2), ...family('0200002B', 3)];
    // The file is copied to a temporary folder while it is hashed: a folder of this test's own, to see it emptied.
    const spoolDir = await mkdtemp(join(tmpdir(), 'spool-test-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = spoolDir;
    const first = await run(rows);
    expect(first.applied).toEqual(['0200001A', '0200002B']);
    expect(first.summary.details.pupils.added).toBe(3);
    const before = await snapshot();

    // Someone wrote the directory since: the file is read and every school compared again.
    await touchedOutside('0200001A');
    const full = await run(rows);
    expect(full.applied).toEqual(['0200001A', '0200002B']);
    expect(full.summary).toMatchObject({ added: 0, updated: 0, detached: 0, unchanged: 3 + 6 + 6 });

    // Nothing since: the file is recognised, not read again; same answer.
    const again = await run(rows);
    expect(again.applied).toEqual([]);
    expect(again.summary).toEqual(full.summary);
    expect(await snapshot()).toEqual({ ...before, schools: expect.anything() });
    expect(await readdir(spoolDir)).toEqual([]);
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await rm(spoolDir, { recursive: true });
  });

  test('a change made outside the import since is undone by importing the same file again', async () => {
    const rows = [...family('0200003C', 1), ...family('0200004D', 2)];
    await run(rows);
    await run(rows);
    await sql`update pupils set class_name = 'changé' where uai = '0200003C'`.execute(database.db);
    await sql`update guardians set mobile = '+33799999999' where name_key = ${nameKey('NOMC', 'Mère')}`.execute(database.db);
    const again = await run(rows);
    expect(again.summary.details.pupils).toMatchObject({ updated: 1, unchanged: 1 });
    expect(again.summary.details.guardians.updated).toBe(1);
    expect((await pupil('0200003C', 'P1')).class_name).toBe('4eB');
    expect((await guardianNamed('NOMC', 'Mère')).mobile).toBe('+33620000020');
  });

  test('an unchanged school is skipped, and counted as unchanged, while the changed one is applied', async () => {
    const a = family('0200005E', 1);
    const b = family('0200006F', 2);
    await run([...a, ...b]);
    const before = await snapshot();
    const next = await run([...a, ...b.map((r) => ({ ...r, classe: '3eC' }))]);
    expect(next.summary.details.pupils).toEqual({ added: 0, updated: 1, unchanged: 1, detached: 0 });
    expect(next.summary.details.links).toEqual({ added: 0, updated: 0, unchanged: 4, removed: 0 });
    expect(next.summary.details.guardians).toEqual({ added: 0, updated: 0, unchanged: 4 });
    const after = await snapshot();
    const ofA = (s: typeof before) => s.pupils.filter((p) => (p as { uai: string }).uai === '0200005E');
    expect(ofA(after)).toEqual(ofA(before));
    expect((await pupil('0200006F', 'P2')).class_name).toBe('3eC');
  });

  test('a guardian whose last row moves into an unchanged school takes that row\'s data', async () => {
    // Same person (names and mobile) in two schools, with a different email: the last row in the file wins.
    const inA = pupilRow({ uai: '0200007G', eleve_id: 'Q1', ine: '', eleve_nom: 'DUVAL', eleve_prenom: 'Noé', resp_nom: 'DUVAL', resp_prenom: 'Rose', resp_mobile: '0630000001', resp_email: 'rose@a.example' });
    const inB = pupilRow({ uai: '0200008H', eleve_id: 'Q2', ine: '', eleve_nom: 'DUVAL', eleve_prenom: 'Mia', resp_nom: 'DUVAL', resp_prenom: 'Rose', resp_mobile: '0630000001', resp_email: 'rose@b.example' });
    await run([inA, inB]);
    expect((await guardianNamed('DUVAL', 'Rose')).email).toBe('rose@b.example');
    // School B now lists another guardian for Mia: school A's rows are as before, but its row is now Rose's last one.
    const next = await run([inA, { ...inB, resp_prenom: 'Jean', resp_mobile: '0630000002', resp_email: '' }]);
    expect(next.applied).toEqual(['0200007G', '0200008H']);
    expect((await guardianNamed('DUVAL', 'Rose')).email).toBe('rose@a.example');
    expect(next.summary.details.guardians).toMatchObject({ added: 1, updated: 1 });
  });

  test('a birth date refused as in the future is accepted when the same file is imported on a later day', async () => {
    const rows = [pupilRow({ uai: '0200009J', eleve_id: 'B1', ine: '', eleve_nom: 'NEUF', eleve_prenom: 'Léa', eleve_naissance: '2026-12-01', resp_nom: 'NEUF', resp_prenom: 'Ugo', resp_mobile: '0640000001', resp_email: '' }),
      ...family('0200009J', 5)];
    const first = await run(rows, '2026-11-28');
    expect(first.summary.rejected_rows).toBe(1);
    const later = await run(rows, '2026-12-02');
    expect(later.summary.rejected_rows).toBe(0);
    expect(later.summary.details.pupils).toMatchObject({ added: 1, unchanged: 1 });
    // … and the same file on an earlier day than the import it repeats is read again: the date is refused.
    await run(rows, '2026-12-02');
    const earlier = await run(rows, '2026-11-30');
    expect(earlier.summary.rejected_rows).toBe(1);
    expect(earlier.applied).toEqual(['0200009J']);
  });

  test('a file is only recognised when it was the last one imported', async () => {
    const f = family('0200010K', 6);
    const g = family('0200010K', 6, { classe: '5eD' });
    await run(f);
    await run(g);
    const back = await run(f);
    expect(back.applied).toEqual(['0200010K']);
    expect(back.summary.details.pupils.updated).toBe(1);
    expect((await pupil('0200010K', 'P6')).class_name).toBe('4eB');
  });

  test('a file is read again after an import that died half-way, even though the last finished import was that file', async () => {
    const f = [...family('0200013N', 1), ...family('0200014P', 2)];
    await run(f);
    const g = f.map((r) => ({ ...r, classe: '6eF' }));
    await expect(importDirectory(database.db, csvStream(csvText(g), 64), {
      identifierStyle: 'prenom.nom',
      today: '2026-11-28',
      onProgress: (p) => {
        if (p.phase === 'apply' && p.uai === '0200014P') throw new Error('process killed');
      },
    })).rejects.toThrow('process killed');
    expect((await pupil('0200013N', 'P1')).class_name).toBe('6eF');
    const back = await run(f);
    expect(back.applied).toEqual(['0200013N', '0200014P']);
    expect((await pupil('0200013N', 'P1')).class_name).toBe('4eB');
  });

  test('a file with a refused row, or a nameless guardian, is read again each time', async () => {
    const refused = [...family('0200011L', 7), pupilRow({ uai: '0200011L', eleve_id: 'R1', eleve_naissance: 'hier' })];
    await run(refused);
    expect((await run(refused)).applied).toEqual(['0200011L']);
    const nameless = [pupilRow({ uai: '0200012M', eleve_id: 'N1', ine: '', resp_nom: '---', resp_prenom: '***', resp_mobile: '0650000001', resp_email: '' })];
    const first = await run(nameless);
    if (first.summary.rejected_rows === 0) expect((await run(nameless)).applied).toEqual(['0200012M']);
  });
});
