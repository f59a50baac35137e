// What relying parties receive from the directory, seen by a real relying party (openid-client): a pupil's school
// claims, a guardian's children across two schools with subjects valid for that client (pairwise too), INE only
// for clients registered with that scope, and nothing from scopes a client was not registered for.
import { Readable } from 'node:stream';
import { importDirectory } from '../../src/directory/import.js';
import { STORES } from '../support/databases.js';
import { csvText, pupilRow, SCHOOL_A, SCHOOL_B } from '../support/directory-csv.js';
import { discover, oidc, registerClient, signIn, startAuthorization, type TestClient } from '../support/relying-party.js';
import { Browser } from '../support/browser.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

describe.each(STORES)('school claims seen by a relying party (%s store)', (store) => {
  let sesame: TestSesame;
  const ids: Record<string, { id: string; identifiant: string }> = {};

  async function activate(identifiant: string): Promise<void> {
    const account = await sesame.sesame.accounts.findByIdentifiant(identifiant);
    await sesame.sesame.accounts.setPassword(account!.id, PASSWORD);
    await sesame.sesame.db.updateTable('accounts').set({ state: 'active' }).where('id', '=', account!.id).execute();
  }

  async function userinfo(client: TestClient, username: string, scope: string) {
    const config = await discover(sesame, client);
    const { tokens } = await signIn(sesame, config, client, { username, password: PASSWORD }, { scope });
    const sub = tokens.claims()!.sub;
    return { sub, info: await oidc.fetchUserInfo(config, tokens.access_token, sub), scope: tokens.scope };
  }

  beforeAll(async () => {
    sesame = await startTestSesame(store);
    const guardian = { resp_nom: 'LE GOFF-NGUYEN', resp_prenom: 'Yann', resp_mobile: '0698765432', resp_email: 'yann@example.org', resp_lien: 'père' };
    const rows = [
      pupilRow({ ...SCHOOL_A, eleve_id: 'A1', ine: '0123456789A', eleve_nom: 'LE GOFF-NGUYEN', eleve_prenom: 'Léa', eleve_naissance: '2014-01-20', niveau: '2116', classe: '5eC', ...guardian }),
      pupilRow({ ...SCHOOL_B, eleve_id: 'B1', ine: '0123456789B', eleve_nom: 'LE GOFF-NGUYEN', eleve_prenom: 'Malo', eleve_naissance: '2018-06-02', niveau: '1114', classe: 'CE1', ...guardian }),
    ];
    const summary = await importDirectory(sesame.sesame.db, Readable.from([csvText(rows)]), { identifierStyle: 'prenom.nom' });
    expect(summary.rejected).toEqual([]);
    for (const [key, identifiant] of [['lea', 'lea.legoff-nguyen'], ['malo', 'malo.legoff-nguyen'], ['yann', 'yann.legoff-nguyen']] as const) {
      const account = await sesame.sesame.accounts.findByIdentifiant(identifiant);
      ids[key] = { id: account!.id, identifiant };
      await activate(identifiant);
    }
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('a pupil gets their school, level, class and INE', async () => {
    const client = await registerClient(sesame, { scope: 'openid profile scolarite ine' });
    const { info } = await userinfo(client, ids.lea!.identifiant, 'openid profile scolarite ine');
    expect(info).toMatchObject({
      sub: ids.lea!.id,
      given_name: 'Léa',
      family_name: 'LE GOFF-NGUYEN',
      preferred_username: 'lea.legoff-nguyen',
      birthdate: '2014-01-20',
      FrEduCtPersonAffiliation: ['eleve2d'],
      FrEduCtEleveUAI: SCHOOL_A.uai,
      FrEduCtEleveNiveau: '2116',
      classe: '5eC',
      ine: '0123456789A',
    });
    expect(info).not.toHaveProperty('enfants');
  });

  test('a guardian with children in two schools gets both, with their subjects, affiliations for both degrees', async () => {
    const client = await registerClient(sesame, { scope: 'openid profile scolarite ine' });
    const { info } = await userinfo(client, ids.yann!.identifiant, 'openid profile scolarite ine');
    expect(info.FrEduCtPersonAffiliation).toEqual(['resp1d', 'resp2d']);
    expect(info.enfants).toEqual([
      { sub: ids.lea!.id, given_name: 'Léa', family_name: 'LE GOFF-NGUYEN', FrEduCtEleveUAI: SCHOOL_A.uai, etablissement: SCHOOL_A.etablissement, FrEduCtEleveNiveau: '2116', classe: '5eC' },
      { sub: ids.malo!.id, given_name: 'Malo', family_name: 'LE GOFF-NGUYEN', FrEduCtEleveUAI: SCHOOL_B.uai, etablissement: SCHOOL_B.etablissement, FrEduCtEleveNiveau: '1114', classe: 'CE1' },
    ]);
    expect(info.ine).toEqual([{ sub: ids.lea!.id, ine: '0123456789A' }, { sub: ids.malo!.id, ine: '0123456789B' }]);
    expect(info).not.toHaveProperty('FrEduCtEleveUAI');
    expect(info).not.toHaveProperty('birthdate');
  });

  test('for a pairwise client, each child is named by the subject that client sees when the child signs in', async () => {
    const client = await registerClient(sesame, { scope: 'openid profile scolarite', subject_type: 'pairwise', redirect_uris: ['http://127.0.0.1:9/pairwise/callback'] });
    const parent = await userinfo(client, ids.yann!.identifiant, 'openid profile scolarite');
    const child = await userinfo(client, ids.malo!.identifiant, 'openid profile scolarite');
    expect(parent.sub).not.toBe(ids.yann!.id);
    expect(child.sub).not.toBe(ids.malo!.id);
    const malo = (parent.info.enfants as Array<{ sub: string; given_name: string }>).find((e) => e.given_name === 'Malo');
    expect(malo?.sub).toBe(child.sub);
    expect(JSON.stringify(parent.info)).not.toContain(ids.lea!.id);
  });

  test('INE only reaches clients registered with the ine scope', async () => {
    const client = await registerClient(sesame, { scope: 'openid profile scolarite' });
    const { info } = await userinfo(client, ids.yann!.identifiant, 'openid profile scolarite');
    expect(info.enfants).toHaveLength(2);
    expect(info).not.toHaveProperty('ine');
    expect(JSON.stringify(info)).not.toContain('0123456789');
  });

  test('a client registered without scolarite gets no school claims, even when it asks for them', async () => {
    const client = await registerClient(sesame, { scope: 'openid profile' });
    const config = await discover(sesame, client);
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid profile scolarite ine');
    const first = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    // oidc-provider refuses the request outright, back to the application: the person is not even asked.
    expect(first.location).toMatch(new RegExp(`^${start.redirectUri}\\?`));
    expect(new URL(first.location!).searchParams.get('error')).toBe('invalid_scope');
    const { info, scope } = await userinfo(client, ids.yann!.identifiant, 'openid profile');
    expect(scope).not.toContain('scolarite');
    expect(info).toMatchObject({ given_name: 'Yann', preferred_username: 'yann.legoff-nguyen' });
    expect(info).not.toHaveProperty('enfants');
  });

  test('a client registered dynamically without a scope gets no school claims and no INE', async () => {
    const iat = await admin(sesame, 'POST', '/initial-access-tokens', {});
    const registered = await fetch(`${sesame.issuer}/reg`, {
      method: 'POST',
      headers: { authorization: `Bearer ${iat.json.initial_access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/dyn/callback'] }),
    });
    expect(registered.status).toBe(201);
    const client = (await registered.json()) as TestClient;
    expect(client.scope).toBe('openid profile email phone offline_access');
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile scolarite ine');
    const first = await new Browser().navigate(start.url.toString(), {}, sesame.issuer);
    expect(new URL(first.location!).searchParams.get('error')).toBe('invalid_scope');
  });

  test('a pupil detached by the next import disappears from the guardian’s children', async () => {
    const rows = [pupilRow({ ...SCHOOL_B, eleve_id: 'B1', ine: '0123456789B', eleve_nom: 'LE GOFF-NGUYEN', eleve_prenom: 'Malo', eleve_naissance: '2018-06-02', niveau: '1114', classe: 'CE2', resp_nom: 'LE GOFF-NGUYEN', resp_prenom: 'Yann', resp_mobile: '0698765432', resp_email: 'yann@example.org' })];
    // School A sends a file without Léa (she left); school B moves Malo up a class.
    await importDirectory(sesame.sesame.db, Readable.from([csvText([pupilRow({ ...SCHOOL_A, eleve_id: 'A9', ine: '', eleve_nom: 'AUTRE', eleve_prenom: 'Eva', resp_nom: 'AUTRE', resp_prenom: 'Ida', resp_mobile: '0611111111', resp_email: '' }), ...rows])]), { identifierStyle: 'prenom.nom' });
    const client = await registerClient(sesame, { scope: 'openid profile scolarite' });
    const { info } = await userinfo(client, ids.yann!.identifiant, 'openid profile scolarite');
    expect(info.enfants).toEqual([expect.objectContaining({ given_name: 'Malo', classe: 'CE2' })]);
    expect(info.FrEduCtPersonAffiliation).toEqual(['resp1d']);
  });
});
