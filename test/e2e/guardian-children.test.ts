// Which children a guardian receives, seen by a real relying party, in the letters and in the statistics: a
// step-parent the school marks `resp_legal=non` for one child gets nothing of that child by default (claims, INE,
// letter, «% of pupils with an activated guardian»), unless the académie sets GUARDIAN_CHILDREN=all; and every
// child listed in `enfants` carries a `sub` (the import gives every pupil an account).
import { Readable } from 'node:stream';
import { importDirectory } from '../../src/directory/import.js';
import { printLetters, type Letter } from '../../src/directory/letters.js';
import { STORES } from '../support/databases.js';
import { csvText, pupilRow, SCHOOL_A } from '../support/directory-csv.js';
import { addChild } from '../support/directory-fixtures.js';
import { discover, oidc, registerClient, signIn } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const SCOPE = 'openid profile scolarite ine';
const PAUL = { resp_civilite: 'M.', resp_nom: 'MARCHAND', resp_prenom: 'Paul', resp_mobile: '0611223344', resp_email: 'paul@example.org', resp_lien: 'beau-père' };
const ANNE = { resp_civilite: 'Mme', resp_nom: 'DURAND', resp_prenom: 'Anne', resp_mobile: '0655667788', resp_email: 'anne@example.org', resp_lien: 'mère' };

async function userinfo(sesame: TestSesame, identifiant: string) {
  const client = await registerClient(sesame, { scope: SCOPE });
  const config = await discover(sesame, client);
  const { tokens } = await signIn(sesame, config, client, { username: identifiant, password: PASSWORD }, { scope: SCOPE });
  return oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
}

describe.each(STORES)('a guardian’s children (%s store)', (store) => {
  let sesame: TestSesame;
  const id: Record<string, string> = {};

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    // Paul is Alice's legal guardian and Bob's step-father (not legally responsible); Anne is Bob's mother.
    const rows = [
      pupilRow({ ...SCHOOL_A, eleve_id: 'A1', ine: '0123456789A', eleve_nom: 'MARCHAND', eleve_prenom: 'Alice', eleve_naissance: '2014-02-03', classe: '5eA', ...PAUL, resp_legal: 'oui' }),
      pupilRow({ ...SCHOOL_A, eleve_id: 'B1', ine: '0123456789B', eleve_nom: 'DURAND', eleve_prenom: 'Bob', eleve_naissance: '2012-05-06', classe: '3eB', ...PAUL, resp_legal: 'non' }),
      pupilRow({ ...SCHOOL_A, eleve_id: 'B1', ine: '0123456789B', eleve_nom: 'DURAND', eleve_prenom: 'Bob', eleve_naissance: '2012-05-06', classe: '3eB', ...ANNE, resp_legal: 'oui' }),
    ];
    const summary = await importDirectory(sesame.sesame.db, Readable.from([csvText(rows)]), { identifierStyle: 'prenom.nom' });
    expect(summary.rejected).toEqual([]);
    for (const [key, identifiant] of [['paul', 'paul.marchand'], ['alice', 'alice.marchand'], ['bob', 'bob.durand']] as const) {
      const account = await sesame.sesame.accounts.findByIdentifiant(identifiant);
      id[key] = account!.id;
    }
    await sesame.sesame.accounts.setPassword(id.paul!, PASSWORD);
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('id', '=', id.paul!).execute();
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('a step-parent not legally responsible for a child receives nothing of that child: enfants, INE', async () => {
    const info = await userinfo(sesame, 'paul.marchand');
    expect(info.enfants).toEqual([expect.objectContaining({ sub: id.alice, given_name: 'Alice' })]);
    expect(info.ine).toEqual([{ sub: id.alice, ine: '0123456789A' }]);
    expect(JSON.stringify(info)).not.toContain('Bob');
    expect(JSON.stringify(info)).not.toContain(id.bob!);
    expect(JSON.stringify(info)).not.toContain('0123456789B');
  });

  test('the letter lists only the children the guardian is legally responsible for', async () => {
    // Letters go to accounts not yet taken over: Paul is put back to «notifié» for this test, then restored.
    const db = sesame.sesame.db;
    await db.updateTable('accounts').set({ state: 'notifie' }).where('id', '=', id.paul!).execute();
    // The letters as printed, without the PDF: what each one lists is the point here.
    const print = (guardianChildren?: 'all') =>
      printLetters(db, { uai: SCHOOL_A.uai, includeNotified: true, guardianChildren }, async () => Buffer.from('%PDF'), { serviceUrl: sesame.issuer });
    const { letters } = await print();
    const paul = letters.find((l: Letter) => l.identifiant === 'paul.marchand');
    expect(paul?.children.map((c) => c.givenName)).toEqual(['Alice']);
    const all = await print('all');
    expect(all.letters.find((l: Letter) => l.identifiant === 'paul.marchand')?.children.map((c) => c.givenName).sort()).toEqual(['Alice', 'Bob']);
    await sesame.sesame.accounts.setPassword(id.paul!, PASSWORD);
    await db.updateTable('accounts').set({ state: 'active' }).where('id', '=', id.paul!).execute();
  });

  test('«pupils with an activated guardian» counts legal guardians only', async () => {
    const stats = await admin(sesame, 'GET', `/directory/stats?uai=${SCHOOL_A.uai}`);
    expect(stats.status).toBe(200);
    // Alice is covered (Paul is hers and active); Bob is not: his only legal guardian, Anne, has not activated.
    expect(stats.json.schools[0]).toMatchObject({ pupils: 2, pupils_with_activated_guardian_pct: 50 });
  });

  test('with GUARDIAN_CHILDREN=all, the académie lets a guardian receive every child the school links them to', async () => {
    const all = await startTestSesame(sesame.database, { GUARDIAN_CHILDREN: 'all' });
    try {
      const info = await userinfo(all, 'paul.marchand');
      expect((info.enfants as Array<{ given_name: string }>).map((e) => e.given_name).sort()).toEqual(['Alice', 'Bob']);
    } finally {
      await all.stop();
    }
  });

  test('every pupil of the import has an account, so every child in enfants has a sub', async () => {
    const orphans = await sesame.sesame.db.selectFrom('pupils').select('id').where('account_id', 'is', null).execute();
    expect(orphans).toEqual([]);
    // A pupil row without an account (written by hand, never by the import) is not sent without a subject.
    const alice = await sesame.sesame.db.selectFrom('pupils').selectAll().where('account_id', '=', id.alice!).executeTakeFirstOrThrow();
    const guardian = await sesame.sesame.db.selectFrom('guardians').select('id').where('account_id', '=', id.paul!).executeTakeFirstOrThrow();
    await addChild(sesame.sesame.db, { family: 'MARCHAND', given: 'Zoé', birthdate: '2016-01-01', uai: SCHOOL_A.uai, schoolName: SCHOOL_A.etablissement }, [guardian.id]);
    const info = await userinfo(sesame, 'paul.marchand');
    const enfants = info.enfants as Array<{ sub?: string; given_name: string }>;
    expect(enfants.length).toBeGreaterThan(0);
    for (const child of enfants) expect(child.sub).toEqual(expect.any(String));
    expect(enfants.map((e) => e.sub)).toContain(alice.account_id);
  });
});
