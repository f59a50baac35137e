// The directory's admin API over real HTTP: CSV import streamed as the request body, notification letters (a PDF
// that parses and names each account), provisional password resets and activation statistics; errors as JSON.
import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFParse } from 'pdf-parse';
import type { AddressInfo } from 'node:net';
import { verifyPassword } from '../../src/accounts/passwords.js';
import { createAdminApp } from '../../src/admin/app.js';
import type { LettersRenderer } from '../../src/directory/letters.js';
import { renderLettersPdf } from '../../src/directory/letters-pdf.js';
import { PROVISIONAL_ALPHABET } from '../../src/directory/provisional-passwords.js';
import { STORES } from '../support/databases.js';
import { csvText, pupilRow, type CsvRow } from '../support/directory-csv.js';
import { cliEnv, runCli } from '../support/cli.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const UAI = '0930001K';
const OTHER = '0930002L';

// A known dataset: class 6A has 3 pupils (one with two guardians), 6B has 1 pupil, another school has 1 pupil
// who shares a guardian (Sonia) with 6A.
const family = (id: string, given: string, family: string, classe: string, parent: [string, string, string], extra: CsvRow = {}) =>
  pupilRow({ uai: UAI, etablissement: 'Collège Marie-Curie', eleve_id: id, ine: '', eleve_nom: family, eleve_prenom: given, classe, niveau: '2117', resp_nom: parent[0], resp_prenom: parent[1], resp_mobile: parent[2], resp_email: '', ...extra });
const DATASET = [
  family('P1', 'Adam', 'BENALI', '6A', ['BENALI', 'Sonia', '0620000001']),
  family('P1', 'Adam', 'BENALI', '6A', ['BENALI', 'Karim', '0620000002'], { resp_civilite: 'M.' }),
  family('P2', 'Jade', 'COLIN', '6A', ['COLIN', 'Marc', '0620000003'], { resp_civilite: 'M.' }),
  family('P3', 'Hugo', 'DIAS', '6A', ['DIAS', 'Rita', '0620000004']),
  family('P4', 'Lina', 'FABRE', '6B', ['FABRE', 'Paul', '0620000005'], { resp_civilite: 'M.' }),
  family('P5', 'Nour', 'BENALI', 'CM1', ['BENALI', 'Sonia', '0620000001'], { uai: OTHER, etablissement: 'École Jaurès', niveau: '1115' }),
];

async function postCsv(sesame: TestSesame, body: string | Buffer, type = 'text/csv'): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sesame.adminUrl}/admin/api/v1/directory/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: response.status, json: await response.json() };
}

async function pdfText(base64: string): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: Buffer.from(base64, 'base64') });
  const result = await parser.getText();
  await parser.destroy();
  return { text: result.text, pages: result.pages.length };
}

describe.each(STORES)('directory admin API (%s store)', (store) => {
  let sesame: TestSesame;
  const accountState = async (identifiant: string) =>
    (await sesame.sesame.db.selectFrom('accounts').select('state').where('identifiant', '=', identifiant).executeTakeFirstOrThrow()).state;

  beforeAll(async () => {
    sesame = await startTestSesame(store);
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('POST /directory/import takes the CSV as the body and answers the summary', async () => {
    const { status, json } = await postCsv(sesame, `\uFEFF${csvText(DATASET)}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ rejected: [], details: { pupils: { added: 5 }, guardians: { added: 5 }, links: { added: 6 } } });
    expect(json.added).toBe(16);
    const again = await postCsv(sesame, csvText(DATASET));
    expect(again.json).toMatchObject({ added: 0, updated: 0, detached: 0, unchanged: 16 });
  });

  test('import errors are JSON with the right status, and change nothing', async () => {
    const cases: Array<[string | Buffer, string, number, string]> = [
      ['uai;nom\n1;2\n', 'text/csv', 400, 'invalid_file'],
      ['', 'text/csv', 400, 'invalid_file'],
      [Buffer.from('uai;etablissement\n0930001K;Coll\xe8ge\n', 'latin1'), 'text/csv', 400, 'invalid_file'],
      [JSON.stringify({ uai: UAI }), 'application/json', 415, 'unsupported_media_type'],
      ['<html><script>alert(1)</script></html>', 'text/html', 415, 'unsupported_media_type'],
    ];
    for (const [body, type, status, error] of cases) {
      const answer = await postCsv(sesame, body, type);
      expect(answer).toMatchObject({ status, json: { error, error_description: expect.any(String) } });
    }
    const bad = await postCsv(sesame, 'uai;nom\n1;2\n');
    expect(bad.json.error_description).toMatch(/il manque : uai|il manque : etablissement/);
    const noToken = await fetch(`${sesame.adminUrl}/admin/api/v1/directory/import`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csvText(DATASET) });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: 'unauthorized' });
    const pupils = await sesame.sesame.db.selectFrom('pupils').select('id').execute();
    expect(pupils).toHaveLength(5);
  });

  test('stats before anybody activated: every account not notified, 0 %', async () => {
    const { status, json } = await admin(sesame, 'GET', `/directory/stats?uai=${UAI}`);
    expect(status).toBe(200);
    expect(json.schools).toHaveLength(1);
    const school = json.schools[0];
    expect(school).toMatchObject({ uai: UAI, name: 'Collège Marie-Curie', pupils: 4, guardians: 5, guardians_activated_pct: 0, pupils_with_activated_guardian_pct: 0 });
    expect(school.accounts.eleve).toEqual({ non_notifie: 4, notifie: 0, en_cours: 0, active: 0, disabled: 0 });
    expect(school.classes.map((c: { classe: string }) => c.classe)).toEqual(['6A', '6B']);
  });

  test('letters whose rendering fails, or whose accounts change meanwhile, change nothing', async () => {
    const snapshot = () =>
      sesame.sesame.db.selectFrom('accounts').select(['identifiant', 'state', 'provisional_password_hash', 'provisional_expires_at', 'updated_at']).orderBy('identifiant').execute();
    const before = await snapshot();
    expect(before.every((a) => a.provisional_password_hash === null)).toBe(true);
    let rendered = 0;
    // The same admin API over the same store, with renderers that fail in the two ways that matter.
    const withRenderer = async (render: LettersRenderer) => {
      const server = createAdminApp({ ...sesame.sesame, renderLetters: render }).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const response = await fetch(`http://127.0.0.1:${port}/admin/api/v1/directory/letters`, {
          method: 'POST',
          headers: { authorization: `Bearer ${sesame.sesame.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ uai: UAI }),
        });
        return { status: response.status, json: await response.json() };
      } finally {
        server.close();
      }
    };

    const failed = await withRenderer(async (letters) => {
      rendered = letters.length;
      throw new Error('ENOSPC: no space left on device');
    });
    expect(rendered).toBe(9);
    expect(failed).toMatchObject({ status: 500, json: { error: 'server_error' } });
    expect(await snapshot()).toEqual(before);

    // A reset lands while the PDF is being drawn: the letters would carry a password that no longer counts.
    const raced = await withRenderer(async (letters, options) => {
      await admin(sesame, 'POST', `/accounts/${letters[0]!.identifiant}/reset-password`);
      return renderLettersPdf(letters, options);
    });
    expect(raced).toMatchObject({ status: 409, json: { error: 'conflict' } });
    const after = await snapshot();
    const reset = after.filter((a) => a.provisional_password_hash !== null);
    expect(reset).toHaveLength(1);
    await sesame.sesame.db.updateTable('accounts').set({ provisional_password_hash: null, provisional_expires_at: null, state: 'non_notifie' }).execute();
  });

  test('letters for one class: a PDF page per account with identifiant and password; accounts become notified', async () => {
    const { status, json } = await admin(sesame, 'POST', '/directory/letters', { uai: UAI, classe: '6A' });
    expect(status).toBe(200);
    // 3 pupils + 4 guardians (Sonia, Karim, Marc, Rita).
    expect(json.count).toBe(7);
    expect(json.accounts).toContainEqual({ identifiant: 'sonia.benali', kind: 'responsable', given_name: 'Sonia', family_name: 'BENALI' });
    expect(json.accounts).toContainEqual({ identifiant: 'adam.benali', kind: 'eleve', given_name: 'Adam', family_name: 'BENALI' });
    const { pdf, ...rest } = json;
    expect(JSON.stringify(rest)).not.toMatch(/password|mot de passe/i);
    const { text, pages } = await pdfText(pdf);
    expect(pages).toBe(7);
    for (const account of json.accounts) expect(text).toContain(account.identifiant);
    expect(text).toContain(sesame.issuer);
    // Sonia's letter names both her children, in both schools.
    expect(text).toMatch(/Adam BENALI \(6A\) — Collège Marie-Curie/);
    expect(text).toMatch(/Nour BENALI \(CM1\) — École Jaurès/);
    const passwords = [...text.matchAll(/Mot de passe provisoire :\s*(\S{8})/g)].map((m) => m[1]!);
    expect(passwords).toHaveLength(7);
    for (const p of passwords) expect([...p].every((c) => PROVISIONAL_ALPHABET.includes(c))).toBe(true);
    expect(new Set(passwords).size).toBe(7);
    expect(text).toMatch(/Valable jusqu’au \d{1,2} \S+ \d{4}/);

    // The stored hash matches the printed password; the accounts are now «notifié et non activé».
    const sonia = await sesame.sesame.db.selectFrom('accounts').select(['state', 'provisional_password_hash', 'provisional_expires_at']).where('identifiant', '=', 'sonia.benali').executeTakeFirstOrThrow();
    expect(sonia.state).toBe('notifie');
    const soniaPage = text.split(/Votre compte Sésame/).find((page) => page.includes('sonia.benali'))!;
    const soniaPassword = /Mot de passe provisoire :\s*(\S{8})/.exec(soniaPage)![1]!;
    expect(await verifyPassword(sonia.provisional_password_hash!, soniaPassword)).toBe(true);
    const months = (new Date(sonia.provisional_expires_at!).getTime() - Date.now()) / (30 * 24 * 3600 * 1000);
    expect(months).toBeGreaterThan(2.9);
    expect(months).toBeLessThan(3.2);
    expect(await accountState('lina.fabre')).toBe('non_notifie');

    // Printing again covers nobody, unless reprinting is asked for.
    expect((await admin(sesame, 'POST', '/directory/letters', { uai: UAI, classe: '6A' })).json).toMatchObject({ count: 0, accounts: [], pdf: null });
    expect((await admin(sesame, 'POST', '/directory/letters', { uai: UAI, classe: '6A', include_notified: true })).json.count).toBe(7);
  });

  test('letters: bad requests are refused as JSON', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, 'invalid_request'],
      [{ uai: '' }, 400, 'invalid_request'],
      [{ uai: 42 }, 400, 'invalid_request'],
      [{ uai: 'x'.repeat(10_000) }, 400, 'invalid_request'],
      [{ uai: UAI, classe: '<b>6A</b>' }, 400, 'invalid_request'],
      [{ uai: UAI, classe: '6\u0000A' }, 400, 'invalid_request'],
      [{ uai: UAI, include_notified: 'yes' }, 400, 'invalid_request'],
      [{ uai: '0000000Z' }, 404, 'not_found'],
    ];
    for (const [body, status, error] of cases) {
      expect(await admin(sesame, 'POST', '/directory/letters', body)).toMatchObject({ status, json: { error } });
    }
  });

  test('reset-password issues a new provisional password once; the old password works until then, unless revoked', async () => {
    await sesame.sesame.accounts.setPassword((await sesame.sesame.accounts.findByIdentifiant('lina.fabre'))!.id, 'Cartable-vert-2026');
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('identifiant', '=', 'lina.fabre').execute();
    expect(await sesame.sesame.accounts.authenticate('lina.fabre', 'Cartable-vert-2026')).toBeDefined();
    const provisionalHash = async () =>
      (await sesame.sesame.db.selectFrom('accounts').select('provisional_password_hash').where('identifiant', '=', 'lina.fabre').executeTakeFirstOrThrow()).provisional_password_hash;

    const kept = await admin(sesame, 'POST', '/accounts/lina.fabre/reset-password');
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ identifiant: 'lina.fabre', provisional_password: expect.stringMatching(/^[a-zA-Z2-9]{8}$/), expires_at: expect.any(String), revoked: false });
    expect(await sesame.sesame.accounts.authenticate('lina.fabre', 'Cartable-vert-2026')).toBeDefined();
    expect(await accountState('lina.fabre')).toBe('active');
    expect(await verifyPassword((await provisionalHash())!, kept.json.provisional_password)).toBe(true);

    const { status, json } = await admin(sesame, 'POST', '/accounts/lina.fabre/reset-password', { revoke: true });
    expect(status).toBe(200);
    expect(json).toMatchObject({ identifiant: 'lina.fabre', provisional_password: expect.stringMatching(/^[a-zA-Z2-9]{8}$/), revoked: true, sessions_ended: true });
    expect(await sesame.sesame.accounts.authenticate('lina.fabre', 'Cartable-vert-2026')).toBeUndefined();
    expect(await accountState('lina.fabre')).toBe('notifie');
    expect(await verifyPassword((await provisionalHash())!, json.provisional_password)).toBe(true);
    expect(await verifyPassword((await provisionalHash())!, kept.json.provisional_password)).toBe(false);
    // What the sign-in checks: the new letter opens the first connection, until it expires; another password nothing.
    const accounts = sesame.sesame.accounts;
    expect(await accounts.verifyCredentials('lina.fabre', json.provisional_password)).toMatchObject({ kind: 'provisional', expired: false, account: { kind: 'eleve' } });
    expect(await accounts.verifyCredentials('lina.fabre', 'AAAAAAAA')).toBeUndefined();
    expect(await accounts.verifyCredentials('lina.fabre', json.provisional_password, new Date(Date.now() + 100 * 24 * 3600 * 1000))).toMatchObject({ kind: 'provisional', expired: true });

    // A school that never printed a letter: the reset counts as the notification.
    await sesame.sesame.db.updateTable('accounts').set({ state: 'non_notifie' }).where('identifiant', '=', 'marc.colin').execute();
    expect((await admin(sesame, 'POST', '/accounts/marc.colin/reset-password')).status).toBe(200);
    expect(await accountState('marc.colin')).toBe('notifie');

    expect(await admin(sesame, 'POST', '/accounts/personne.inconnue/reset-password')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect((await admin(sesame, 'POST', `/accounts/${'a'.repeat(500)}/reset-password`)).status).toBe(400);
    expect((await admin(sesame, 'POST', '/accounts/%3Cscript%3E/reset-password')).status).toBe(400);
    await sesame.sesame.db.updateTable('accounts').set({ state: 'disabled' }).where('identifiant', '=', 'hugo.dias').execute();
    expect(await admin(sesame, 'POST', '/accounts/hugo.dias/reset-password')).toMatchObject({ status: 409, json: { error: 'account_disabled' } });
    await sesame.sesame.db.updateTable('accounts').set({ state: 'notifie' }).where('identifiant', '=', 'hugo.dias').execute();
  });

  test('stats on a known dataset: accounts per state, guardians activated, pupils covered', async () => {
    // Sonia (Adam in 6A, Nour in the other school) and Paul (Lina in 6B) activate their accounts.
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('identifiant', 'in', ['sonia.benali', 'paul.fabre']).execute();
    const { json } = await admin(sesame, 'GET', `/directory/stats?uai=${UAI}`);
    const school = json.schools[0];
    // 5 guardians in the school, 2 active → 40 %; pupils Adam and Lina covered out of 4 → 50 %.
    expect(school).toMatchObject({ pupils: 4, guardians: 5, guardians_activated_pct: 40, pupils_with_activated_guardian_pct: 50 });
    expect(school.accounts.responsable).toEqual({ non_notifie: 0, notifie: 3, en_cours: 0, active: 2, disabled: 0 });
    const [a6, b6] = school.classes;
    expect(a6).toMatchObject({ classe: '6A', pupils: 3, guardians: 4, guardians_activated_pct: 25, pupils_with_activated_guardian_pct: 33.3 });
    expect(a6.accounts.eleve).toEqual({ non_notifie: 0, notifie: 3, en_cours: 0, active: 0, disabled: 0 });
    expect(b6).toMatchObject({ classe: '6B', pupils: 1, guardians: 1, guardians_activated_pct: 100, pupils_with_activated_guardian_pct: 100 });
    expect(b6.accounts.eleve).toEqual({ non_notifie: 0, notifie: 1, en_cours: 0, active: 0, disabled: 0 });

    const all = await admin(sesame, 'GET', '/directory/stats');
    expect(all.json.schools.map((s: { uai: string }) => s.uai)).toEqual([UAI, OTHER]);
    expect(all.json.schools[1]).toMatchObject({ pupils: 1, guardians: 1, guardians_activated_pct: 100, pupils_with_activated_guardian_pct: 100 });
    expect((await admin(sesame, 'GET', '/directory/stats?uai=nope')).status).toBe(400);
  });

  test('the sesame command: import, letters, stats and reset-password through the admin API', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-cli-'));
    const file = path.join(dir, 'annuaire.csv');
    const rows = [...DATASET, family('P6', 'Yanis', 'GIRARD', '6B', ['GIRARD', 'Emma', '0620000006']), family('P7', 'Bad', 'ROW', '6B', ['ROW', 'Bad', '01 23 45 67 89'])];
    await writeFile(file, csvText(rows));
    const env = cliEnv(sesame);

    const imported = await runCli(['import', file, '--json'], { env });
    expect(imported.code).toBe(0);
    const summary = JSON.parse(imported.stdout);
    expect(summary).toMatchObject({ rows: 8, rejected_rows: 1, rejected: [{ line: 9, column: 'resp_mobile', reason: expect.stringMatching(/portable/) }] });
    const human = await runCli(['import', file], { env });
    expect(human.stdout).toMatch(/rows read.*unchanged/);
    expect(human.stdout).toMatch(/line 9, resp_mobile: /);
    const missing = await runCli(['import', path.join(dir, 'absent.csv')], { env });
    expect(missing.code).not.toBe(0);
    const unreadable = path.join(dir, 'bad.csv');
    // Big enough that the server refuses it long before the upload ends: the answer still reaches the operator.
    await writeFile(unreadable, `nom;prenom\n${'Dupont;Jean\n'.repeat(400_000)}`);
    const refused = await runCli(['import', unreadable], { env });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/il manque/);

    // A folder the PDF cannot be written to is found before the server gives anybody a password.
    const nowhere = await runCli(['letters', '--uai', UAI, '--classe', '6B', '--out', path.join(dir, 'absent', 'lettres.pdf')], { env });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/cannot write in/);
    expect(await accountState('emma.girard')).toBe('non_notifie');

    const out = path.join(dir, 'lettres.pdf');
    // An earlier file readable by everyone: the letters must not inherit its mode.
    await writeFile(out, 'ancienne version', { mode: 0o644 });
    await chmod(out, 0o644);
    const letters = await runCli(['letters', '--uai', UAI, '--classe', '6B', '--out', out, '--json'], { env });
    expect(letters.code).toBe(0);
    const covered = JSON.parse(letters.stdout);
    expect(covered.accounts.map((a: { identifiant: string }) => a.identifiant).sort()).toEqual(['emma.girard', 'yanis.girard', 'bad.row'].sort());
    expect(letters.stdout).not.toMatch(/password/i);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const { text } = await pdfText((await readFile(out)).toString('base64'));
    expect(text).toContain('emma.girard');

    const stats = await runCli(['stats', '--uai', UAI, '--json'], { env });
    expect(JSON.parse(stats.stdout).schools[0]).toMatchObject({ uai: UAI, pupils: 6 });
    const statsTable = await runCli(['stats'], { env });
    expect(statsTable.stdout).toMatch(/6B/);

    const reset = await runCli(['accounts', 'reset-password', 'emma.girard', '--json'], { env });
    expect(JSON.parse(reset.stdout)).toMatchObject({ identifiant: 'emma.girard', provisional_password: expect.stringMatching(/^[a-zA-Z2-9]{8}$/), revoked: false });
    const told = await runCli(['accounts', 'reset-password', 'emma.girard'], { env });
    expect(told.stdout).toMatch(/current password still works until the provisional one is used/);
    const revoked = await runCli(['accounts', 'reset-password', 'emma.girard', '--revoke'], { env });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/current password removed; every session and refresh token of the account ended/);
    const unknown = await runCli(['accounts', 'reset-password', 'personne.inconnue'], { env });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/inconnu|no account/i);
  }, 60_000);
});
