// A process killed (SIGKILL) in the middle of an import on PostgreSQL leaves every school either fully as before
// or fully as in the file, never half; running the file again completes it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { importDirectory } from '../../src/directory/import.js';
import { migrate } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { csvText, pupilRow, type CsvRow } from '../support/directory-csv.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/directory-import-child.ts');
const SCHOOLS = ['0440001A', '0440002B', '0440003C', '0440004D'];

function school(uai: string, classe: string, pupils: number): CsvRow[] {
  return Array.from({ length: pupils }, (_, i) =>
    pupilRow({ uai, etablissement: `Collège ${uai}`, eleve_id: `${uai}-${i}`, ine: '', eleve_nom: `NOM${i}`, eleve_prenom: 'Élève', classe, resp_nom: `NOM${i}`, resp_prenom: 'Parent', resp_mobile: `06${String(10_000_000 + i).slice(-8)}`, resp_email: '' }),
  );
}

describe('an import killed mid-way (postgres store)', () => {
  let database: TestDatabase;
  // The next file (names and mobiles, made up) is written here; removed after, like everything a test makes.
  let dir: string | undefined;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    await migrate(database.db);
  });
  afterAll(async () => {
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('each school is all old or all new, never half; the same file again finishes the job', async () => {
    await importDirectory(database.db, Readable.from([csvText(SCHOOLS.flatMap((uai) => school(uai, 'OLD', 300)))]), { identifierStyle: 'prenom.nom' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-crash-'));
    const file = path.join(dir, 'next.csv');
    // Every pupil moves to class NEW and each school gets 300 newcomers.
    await writeFile(file, csvText(SCHOOLS.flatMap((uai) => school(uai, 'NEW', 600))));

    // The child holds each school's transaction open until it reads a line: the first two schools are let through,
    // the third is killed while its changes are written but not committed.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { env: { ...process.env, DATABASE_URL: database.url! }, stdio: ['pipe', 'pipe', 'inherit'] });
    const killedAt = await new Promise<string>((resolve, reject) => {
      let seen = '';
      let answered = 0;
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        seen += d;
        const applying = [...seen.matchAll(/applying (\S+)\n/g)].map((x) => x[1]!);
        if (applying.length >= 3) {
          child.kill('SIGKILL');
          resolve(applying[2]!);
          return;
        }
        for (; answered < applying.length; answered += 1) child.stdin.write('next\n');
      });
      child.on('exit', () => reject(new Error(`child ended before it could be killed: ${seen}`)));
    });
    await new Promise((r) => child.once('exit', r));
    expect(killedAt).toBe(SCHOOLS[2]);

    const byClass = await database.db.selectFrom('pupils').select(['uai', 'class_name']).select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy(['uai', 'class_name']).orderBy('uai').execute();
    const state = (uai: string) => byClass.filter((r) => r.uai === uai).map((r) => `${r.class_name}:${Number(r.n)}`).sort();
    expect(state(SCHOOLS[0]!)).toEqual(['NEW:600']);
    expect(state(SCHOOLS[1]!)).toEqual(['NEW:600']);
    expect(state(SCHOOLS[2]!)).toEqual(['OLD:300']);
    expect(state(SCHOOLS[3]!)).toEqual(['OLD:300']);
    const accounts = await database.db.selectFrom('accounts').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'eleve').executeTakeFirstOrThrow();
    expect(Number(accounts.n)).toBe(300 * 2 + 600 * 2);

    const summary = await importDirectory(database.db, Readable.from([csvText(SCHOOLS.flatMap((uai) => school(uai, 'NEW', 600)))]), { identifierStyle: 'prenom.nom' });
    expect(summary.details.pupils).toEqual({ added: 600, updated: 600, unchanged: 1200, detached: 0 });
    const after = await database.db.selectFrom('pupils').select('class_name').distinct().execute();
    expect(after.map((r) => r.class_name)).toEqual(['NEW']);
  }, 120_000);
});
