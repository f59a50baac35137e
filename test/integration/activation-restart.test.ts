// A restart in the middle of an activation loses nothing: the flow lives in the store and the cookie keys are shared
// secrets, so a new server on the same database continues with the browser's cookies.
import { Browser } from '../support/browser.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { lastCode, post, shownIdentifiant } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { visibleText } from '../support/http.js';

describe.each(STORES)('activation across a restart (%s store)', (store) => {
  let database: TestDatabase;
  let second: TestSesame | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(store);
  });
  afterAll(async () => {
    await second?.shutdown();
    await database?.drop();
  });

  test('code typed before the restart, birth dates and password after it, on a new server', async () => {
    const first = await startTestSesame(database, { ACTIVATION_MIN_RESPONSE_MS: '0' });
    const mobile = uniqueMobile();
    const { guardianId } = await addFamily(database.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${first.issuer}/activation`);
    const codePage = await post(browser, first.issuer, form, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    const children = await post(browser, first.issuer, codePage, '/activation/code', { code: await lastCode(first.dataDir, mobile.e164) });
    expect(visibleText(children.html)).toContain('Activer mon compte Étape 3 sur 4');
    await first.shutdown();

    second = await startTestSesame(database, { ACTIVATION_MIN_RESPONSE_MS: '0' });
    const resumed = await browser.navigate(`${second.issuer}/activation`);
    expect(resumed.html).toContain('Date de naissance de Jules MOREAU');
    const password = await post(browser, second.issuer, resumed, '/activation/enfants', { birthdate_1: '14/03/2014' });
    const done = await post(browser, second.issuer, password, '/activation/mot-de-passe', { password: 'Cartable-rouge-2026', password_confirm: 'Cartable-rouge-2026' });
    expect(done.html).toContain('Votre compte est activé.');
    const guardian = await database.db.selectFrom('guardians').select('account_id').where('id', '=', guardianId).executeTakeFirstOrThrow();
    const account = await database.db.selectFrom('accounts').select(['identifiant', 'state']).where('id', '=', guardian.account_id!).executeTakeFirstOrThrow();
    expect(account).toEqual({ identifiant: shownIdentifiant(done.html), state: 'active' });
  });
});
