// Names in scripts without Latin letters (Cyrillic, Greek, Arabic, Chinese), on PGlite and PostgreSQL: the import
// keeps two parents apart when they share an email, activation sends an SMS only to the name the school holds,
// identifiants are transliterated to ASCII, and keys written before are computed again by migration 0009.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { importDirectory } from '../../src/directory/import.js';
import { nameKey } from '../../src/directory/name-key.js';
import { up as recomputeNameKeys } from '../../src/store/migrations/0009-unicode-name-keys.js';
import { Browser } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { outboxSms, post } from '../support/activation-journey.js';
import { csvText, pupilRow, SCHOOL_A, type CsvRow } from '../support/directory-csv.js';
import { uniqueMobile } from '../support/directory-fixtures.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

describe.each(STORES)('names without Latin letters (%s store)', (store) => {
  let sesame: TestSesame;
  const db = () => sesame.sesame.db;
  const run = (rows: CsvRow[]) => importDirectory(db(), Readable.from([csvText(rows)]), { identifierStyle: 'prenom.nom' });
  const guardianIdentifiants = async (email: string) =>
    (await db().selectFrom('guardians as g').innerJoin('accounts as a', 'a.id', 'g.account_id').select('a.identifiant').where('g.email', '=', email).orderBy('a.identifiant').execute()).map(
      (r) => r.identifiant,
    );

  beforeAll(async () => {
    sesame = await startTestSesame(store, { ACTIVATION_MIN_RESPONSE_MS: '0' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test.each([
    ['Cyrillic', ['ИВАНОВ', 'Иван'], ['ПЕТРОВА', 'Мария'], ['ivan.ivanov', 'mariya.petrova']],
    ['Greek', ['ΠΑΠΑΔΟΠΟΥΛΟΣ', 'Γιώργος'], ['ΝΙΚΟΛΑΟΥ', 'Ελένη'], ['eleni.nikolaoy', 'giorgos.papadopoylos']],
    ['Arabic', ['العلوي', 'محمد'], ['بنعلي', 'فاطمة'], ['ftmh.bnly', 'mhmd.llwy']],
    ['Chinese', ['王', '小明'], ['李', '娜'], ['na.li', 'xiaoming.wang']],
  ])('two %s-named parents sharing an email stay two guardians, with ASCII identifiants', async (script, [f1, g1], [f2, g2], identifiants) => {
    const email = `famille-${script.toLowerCase()}@example.org`;
    const child = { ...SCHOOL_A, eleve_id: `N-${script}`, ine: '', eleve_nom: f1!, eleve_prenom: 'Léo', resp_mobile: '', resp_email: email };
    const summary = await run([
      pupilRow({ ...child, resp_nom: f1!, resp_prenom: g1!, resp_lien: 'père' }),
      pupilRow({ ...child, resp_nom: f2!, resp_prenom: g2!, resp_lien: 'mère' }),
    ]);
    expect(summary.rejected).toEqual([]);
    expect(await guardianIdentifiants(email)).toEqual(identifiants);
    const keys = await db().selectFrom('guardians').select('name_key').where('email', '=', email).execute();
    expect(new Set(keys.map((k) => k.name_key)).size).toBe(2);
    for (const { name_key } of keys) expect(name_key).toMatch(/^[^|]+\|[^|]+$/);
    // The next import finds the same two guardians again (nothing created, nobody merged).
    const again = await run([
      pupilRow({ ...child, resp_nom: f1!, resp_prenom: g1!, resp_lien: 'père' }),
      pupilRow({ ...child, resp_nom: f2!, resp_prenom: g2!, resp_lien: 'mère' }),
    ]);
    expect(again.details.guardians.added).toBe(0);
    expect(await guardianIdentifiants(email)).toEqual(identifiants);
  });

  test('a Greek name with the declared mobile but another Greek name gets no SMS; the same name does', async () => {
    const mobile = uniqueMobile();
    await run([pupilRow({ ...SCHOOL_A, eleve_id: 'G1', ine: '', eleve_nom: 'ΠΑΠΑΔΟΠΟΥΛΟΣ', eleve_prenom: 'Νίκος', resp_nom: 'ΠΑΠΑΔΟΠΟΥΛΟΣ', resp_prenom: 'Γιώργος', resp_mobile: mobile.typed, resp_email: '' })]);
    const begin = async (family: string, given: string) => {
      const browser = new Browser();
      const form = await browser.navigate(`${sesame.issuer}/activation`);
      return post(browser, sesame.issuer, form, '/activation', { family_name: family, given_name: given, mobile: mobile.typed });
    };
    const other = await begin('Νικολάου', 'Ελένη');
    expect(other.status).toBe(200);
    expect(await outboxSms(sesame.dataDir, mobile.e164)).toHaveLength(0);
    // The parent types the name in lower case, with accents the school left out: the same person.
    const same = await begin('Παπαδόπουλος', 'Γιώργος');
    expect(same.status).toBe(200);
    expect(await outboxSms(sesame.dataDir, mobile.e164)).toHaveLength(1);
  });

  test('a name with no letter at all has the empty key, which matches nothing', () => {
    expect(nameKey('—', '·')).toBe('');
    expect(nameKey('ИВАНОВ', '—')).toBe('');
    expect(nameKey('Иванов', 'ИВАН')).toBe(nameKey('ИВАНОВ', 'Иван'));
    expect(nameKey('王', '小明')).not.toBe(nameKey('李', '娜'));
  });

  test('migration 0009 computes again the keys a non-Latin name had folded to nothing', async () => {
    const id = randomUUID();
    await db().insertInto('guardians').values({ id, civilite: null, family_name: 'СМИРНОВА', given_name: 'Ольга', name_key: '|', mobile: null, email: null, account_id: null }).execute();
    await recomputeNameKeys(db());
    const row = await db().selectFrom('guardians').select('name_key').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.name_key).toBe(nameKey('Смирнова', 'ОЛЬГА'));
    expect(row.name_key).toBe('смирнова|ольга');
  });
});
