// `sesame charters …` and `sesame clients update --charter` as an operator runs them (the real bin/sesame.js in a
// child process, through the admin API), against PGlite and PostgreSQL: versions, attachment, acceptances after a
// real sign-in, and one clear line for every bad file, name or id, with nothing changed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { answerCharter, openCharter } from '../support/charter-form.js';
import { cliEnv, runCli, type CliResult } from '../support/cli.js';
import { STORES } from '../support/databases.js';
import { discover, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

function expectOneLineFailure(result: CliResult, ...fragments: (string | RegExp)[]): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
  expect(result.stderr).toMatch(/^sesame: [^\n]+\n$/);
  for (const fragment of fragments) expect(result.stderr).toMatch(fragment);
}

function parseJson(result: CliResult): any {
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

describe.each(STORES)('sesame charters (%s store)', (store) => {
  let sesame: TestSesame;
  let env: Record<string, string>;
  let dir: string;
  let client: TestClient;
  const cli = (...args: string[]) => runCli(args, { env });
  const file = async (name: string, content: string | Buffer) => {
    const where = path.join(dir, name);
    await writeFile(where, content);
    return where;
  };

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    env = cliEnv(sesame);
    dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-charters-'));
    client = await registerClient(sesame, { name: 'ENT du collège' });
  });

  afterAll(async () => {
    await sesame?.shutdown();
    await rm(dir, { recursive: true, force: true });
  });

  test('add makes a new version each time; list, show, clients update and acceptances tell the operator where things stand', async () => {
    const charte = await file('charte.md', '# Charte de l’ENT\n\nRespectez les autres.\n');
    expect(parseJson(await cli('charters', 'add', '--name', 'ent', '--file', charte, '--json'))).toMatchObject({ name: 'ent', version: 1 });
    const second = await cli('charters', 'add', '--name', 'ent', '--file', await file('v2.md', '\ufeff# Charte v2\n\nNouvelles règles.\n'));
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toContain('version 2 added');

    const attached = await cli('clients', 'update', client.client_id, '--charter', 'ent');
    expect(attached).toMatchObject({ code: 0, stdout: `Client ${client.client_id} now requires charter ent.\n` });
    expect(parseJson(await cli('charters', 'list', '--json'))).toEqual([expect.objectContaining({ name: 'ent', version: 2, clients: [client.client_id] })]);
    const shown = await cli('charters', 'show', 'ent');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Nouvelles règles.');
    expect(shown.stdout).toMatch(/versions:\s+1 \(.*\), 2 \(/);

    expect(parseJson(await cli('charters', 'acceptances', 'ent', '--json'))).toMatchObject({ charter: 'ent', current_version: 2, acceptances: [] });
    const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD });
    const screen = await openCharter(sesame, await discover(sesame, client), client, { username: created.json.identifiant, password: PASSWORD });
    expect(screen.page!.html).toContain('Nouvelles règles.');
    expect((await answerCharter(sesame, screen, { decision: 'accept', accept: 'oui' })).location).toContain('code=');
    const listed = parseJson(await cli('charters', 'acceptances', 'ent', '--json'));
    expect(listed.acceptances).toEqual([
      { account_id: created.json.sub, identifiant: created.json.identifiant, version: 2, client_id: client.client_id, accepted_at: expect.any(String) },
    ]);
    expect((await cli('charters', 'acceptances', 'ent')).stdout).toContain(created.json.identifiant);

    const removed = await cli('clients', 'update', client.client_id, '--no-charter', '--json');
    expect(parseJson(removed)).toEqual({ client_id: client.client_id, charter: null });
    expect(parseJson(await cli('charters', 'list', '--json'))[0].clients).toEqual([]);
  }, 180_000);

  test('bad files, names and ids get one line each, and change nothing', async () => {
    const before = parseJson(await cli('charters', 'list', '--json'));
    const good = await file('bonne.md', 'Une charte.');
    // Each kind of failure once through the real command; every file case is in test/unit/charter-file.test.ts.
    const cases: [string[], RegExp][] = [
      [['charters', 'add', '--name', 'ent', '--file', await file('vide.md', '')], /vide\.md: the charter is empty/],
      [['charters', 'add', '--name', 'ent', '--file', await file('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]))], /image\.png is not UTF-8 text/],
      [['charters', 'add', '--name', '../ent', '--file', good], /invalid charter name "\.\.\/ent"/],
      [['charters', 'acceptances', 'inconnue', '--json'], /no charter named "inconnue"/],
      [['clients', 'update', 'inconnu', '--charter', 'ent'], /no client with client_id "inconnu"/],
      [['clients', 'update', client.client_id, '--charter', 'inconnue'], /no charter named "inconnue"/],
      [['clients', 'update', client.client_id], /give --charter NAME, --no-charter, --home-url URL/],
    ];
    for (const [args, message] of cases) expectOneLineFailure(await cli(...args), message);
    expect(parseJson(await cli('charters', 'list', '--json'))).toEqual(before);
  }, 180_000);
});
