// `sesame reports` as a school's operator runs it (the real bin/sesame.js through the admin API): the reports of
// parents who say they are not a child's legal guardian, for one school or all, as a table or JSON; a bad --uai is
// one clear line and no request.
import { createAccounts } from '../../src/accounts/accounts.js';
import { cliEnv, runCli } from '../support/cli.js';
import { addChild, addGuardian, uniqueMobile } from '../support/directory-fixtures.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

describe('sesame reports (embedded store)', () => {
  let sesame: TestSesame;
  let env: Record<string, string>;
  const cli = (...args: string[]) => runCli(args, { env });

  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    env = cliEnv(sesame);
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('no report yet, then the school’s reports as a table and as JSON, filtered by UAI', async () => {
    expect(await cli('reports')).toEqual({ code: 0, stdout: 'No report.\n', stderr: '' });
    const db = sesame.sesame.db;
    const account = await createAccounts(db, { identifierStyle: 'prenom.nom' }).create({ kind: 'responsable', givenName: 'Claire', familyName: 'MOREAU', password: 'Cartable-rouge-2026' });
    const guardian = await addGuardian(db, { family: 'MOREAU', given: 'Claire', mobile: uniqueMobile().e164, accountId: account.id });
    const zoe = await addChild(db, { given: 'Zoé', family: 'DURAND', birthdate: '2012-06-06', className: '5eC' }, [guardian]);
    const lea = await addChild(db, { given: 'Léa', family: 'MOREAU', birthdate: '2016-09-01', uai: '0750002B', schoolName: 'École Louise-Michel', className: 'CE2' }, [guardian]);
    expect((await sesame.sesame.attachmentReports.report(account.id, zoe)).kind).toBe('recorded');
    expect((await sesame.sesame.attachmentReports.report(account.id, lea)).kind).toBe('recorded');

    const table = await cli('reports', '--uai', '0750001a');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^REPORTED\s+STATUS\s+UAI\s+CLASS\s+PUPIL\s+GUARDIAN\s+BY$/);
    expect(table.stdout).toMatch(/open\s+0750001A\s+5eC\s+DURAND Zoé\s+MOREAU Claire\s+claire\.moreau\n/);
    expect(table.stdout).not.toContain('Léa');

    const json = await cli('reports', '--json');
    expect(json.code).toBe(0);
    const all = JSON.parse(json.stdout) as Array<{ uai: string; pupil: { id: string } }>;
    expect(all.map((r) => r.uai).sort()).toEqual(['0750001A', '0750002B']);
    expect(all.find((r) => r.uai === '0750002B')?.pupil.id).toBe(lea);
    expect(JSON.parse((await cli('reports', '--uai', '0999999Z', '--json')).stdout)).toEqual([]);
  });

  test('a malformed UAI is one line on stderr', async () => {
    for (const bad of ['75', '0750001AA', '', "0750001A' or 1=1"]) {
      const result = await cli('reports', '--uai', bad);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(/^sesame: --uai must be a UAI code[^\n]*\n$/);
    }
  });
});
