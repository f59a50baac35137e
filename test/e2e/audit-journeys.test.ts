// Activation's and the first connection's final outcomes reach the audit trail: an account activated, a flow ended
// by wrong codes (the mobile masked), a letter used. One store: the hooks are plain calls after the flow's own transaction (audit-trail.test.ts
// runs the writer on both).
import { Browser } from '../support/browser.js';
import { activate, lastCode, post, shownIdentifiant } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { pupilRow } from '../support/directory-csv.js';
import { importDirectory, letterFor, walkFirstConnection } from '../support/first-connection.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, registerClient } from '../support/relying-party.js';

const PASSWORD = 'Cartable-rouge-2026';

describe('activation and first connection outcomes in the audit trail', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '50' });
  });
  afterAll(() => sesame?.shutdown());

  async function events(query: string): Promise<any[]> {
    const { status, json } = await admin(sesame, 'GET', `/audit?${query}`);
    expect(status).toBe(200);
    return json.events;
  }

  test('an activated account is recorded with its id and the request that finished it', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'BERNARD', given: 'Lucie', mobile: mobile.e164 }, [{ given: 'Tom', family: 'BERNARD', birthdate: '2014-03-14' }]);
    const pages = await activate(new Browser(), sesame.issuer, sesame.dataDir, {
      identity: { family_name: 'Bernard', given_name: 'Lucie', mobile: mobile.typed }, to: mobile.e164, birthdates: ['14/03/2014'], password: PASSWORD,
    });
    const account = await sesame.sesame.accounts.findByIdentifiant(shownIdentifiant(pages.done.html)!);
    const [event] = await events(`kind=activation.completed&account=${account!.id}`);
    expect(event).toMatchObject({ outcome: 'success', details: { already_active: false } });
    expect(event.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('a flow ended by five wrong codes is recorded as a failure, the mobile masked and no code stored', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'PETIT', given: 'Nadia', mobile: mobile.e164 }, [{ given: 'Sami', family: 'PETIT', birthdate: '2015-05-05' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    let page = await post(browser, sesame.issuer, form, '/activation', { family_name: 'Petit', given_name: 'Nadia', mobile: mobile.typed });
    const code = await lastCode(sesame.dataDir, mobile.e164);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) page = await post(browser, sesame.issuer, page, '/activation/code', { code: wrong });
    expect(page.html).toContain('Cette demande d’activation est annulée');
    const failed = (await events('kind=activation.failed')).find((e) => e.details.mobile?.endsWith(mobile.e164.slice(-2)));
    expect(failed).toMatchObject({ outcome: 'failure', details: { reason: 'code_failures' } });
    const trail = JSON.stringify(await events('limit=1000'));
    expect(trail).not.toContain(mobile.e164);
    expect(trail).not.toContain(mobile.e164.slice(3));
    expect(trail).not.toContain(code);
  });

  test('a letter used at sign-in, then the first connection completed, are both recorded on the account', async () => {
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    const config = await discover(sesame, client);
    await importDirectory(sesame, [pupilRow({
      uai: '0750099Z', etablissement: 'Collège Jean-Moulin', ine: '', eleve_id: 'PA1', eleve_prenom: 'Théo', eleve_nom: 'Marchand', eleve_naissance: '2010-01-09',
      resp_nom: 'Marchand', resp_prenom: 'Parent', resp_mobile: '', resp_email: '',
    })]);
    const letter = await letterFor(sesame.sesame.db, { givenName: 'Théo', familyName: 'Marchand', kind: 'eleve' });
    const form = await openLoginForm(sesame, config, client, { profil: 'eleve', scope: 'openid profile' });
    const page = await postLogin(sesame, form, { profil: 'eleve', username: letter.identifiant, password: letter.password });
    const pages = await walkFirstConnection(form.browser, sesame.issuer, page, { password: PASSWORD, email: null, birthdates: { birthdate: '09012010' } });
    expect(pages.done.html).toContain('Votre compte est prêt');
    const kinds = (await events(`account=${letter.accountId}`)).map((e) => `${e.kind} ${e.outcome}`);
    expect(kinds).toEqual(expect.arrayContaining(['signin.success success', 'first_connection.completed success']));
    const [signin] = await events(`account=${letter.accountId}&kind=signin.success`);
    expect(signin.details).toEqual({ via: 'letter' });
    expect(JSON.stringify(await events('limit=1000'))).not.toContain(letter.password);
  });
});
