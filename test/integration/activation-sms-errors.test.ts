// When the SMS cannot leave (Twilio's errors, through the real twilio library against a stand-in of its API), the
// parent gets a French sentence saying what to do, never a 500, and no flow half-started.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createSesame, type Sesame } from '../../src/sesame.js';
import { Browser } from '../support/browser.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage } from '../support/http.js';
import { freePort, testConfig } from '../support/sesame.js';
import { startTwilioStandIn, type Misbehaviour, type TwilioStandIn } from '../support/twilio-stand-in.js';

describe.each(STORES)('activation SMS failures (%s store)', (store) => {
  let standIn: TwilioStandIn;
  let database: TestDatabase;
  let sesame: Sesame;
  let server: Server;
  let base: string;
  let dataDir: string;

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    database = await createTestDatabase(store);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-sms-'));
    const port = await freePort();
    const logger = pino({ level: 'silent' });
    sesame = await createSesame(testConfig(port, dataDir, { ACTIVATION_MIN_RESPONSE_MS: '0' }), {
      logger,
      db: database.db,
      adminToken: 'x'.repeat(32),
      sms: standIn.sender(logger, { SMS_RETRY_MAX: '1' }),
    });
    server = sesame.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server?.close();
    server?.closeAllConnections();
    await sesame?.close();
    await database?.drop();
    await standIn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    standIn.behave();
    await sesame.db.deleteFrom('rate_limits').execute();
  });

  const cases: [string, Misbehaviour[], number, string][] = [
    ['21211 invalid number', [{ error: 21211 }], 422, 'il ne semble pas être celui d’un téléphone portable'],
    ['21614 not a mobile', [{ error: 21614 }], 422, 'il ne semble pas être celui d’un téléphone portable'],
    ['21610 unsubscribed', [{ error: 21610 }], 422, 'Ce numéro a refusé nos SMS (réponse STOP).'],
    ['21408 region not enabled', [{ error: 21408 }], 422, 'Nous ne pouvons pas encore envoyer de SMS vers ce pays.'],
    ['20429 rate limited, after a retry', [{ error: 20429 }, { error: 20429 }], 503, 'L’envoi de SMS est très chargé en ce moment.'],
    ['a 503 from Twilio, after a retry', [{ status: 503 }, { status: 503 }], 503, 'L’envoi du SMS n’a pas fonctionné. Réessayez dans quelques minutes.'],
    ['a dropped connection, after a retry', ['close', 'close'], 503, 'L’envoi du SMS n’a pas fonctionné.'],
  ];

  test.each(cases)('%s: a clear French message on the form, no flow started', async (_name, plan, status, message) => {
    const mobile = uniqueMobile();
    await addFamily(sesame.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const flowsBefore = await sesame.db.selectFrom('activation_flows').select('id').execute();
    standIn.misbehave(...plan);
    const browser = new Browser();
    const form = await browser.navigate(`${base}/activation`);
    const page = await post(browser, base, form, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    expect(page.status).toBe(status);
    expect(expectFrenchPage(page)).toContain(message);
    expect(page.html).toContain('Activer mon compte (1/4)');
    expect(browser.cookieHeader()).not.toContain('sesame.activation=');
    expect(await sesame.db.selectFrom('activation_flows').select('id').execute()).toEqual(flowsBefore);
  });

  test('once Twilio accepts again, the same parent gets the code through the real library', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${base}/activation`);
    const page = await post(browser, base, form, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    expect(page.html).toContain('Activer mon compte (2/4)');
    const sms = standIn.messages.filter((m) => m.to === mobile.e164);
    expect(sms).toHaveLength(1);
    const code = /\b(\d{6})\b/.exec(sms[0]!.body)![1]!;
    const children = await post(browser, base, page, '/activation/code', { code });
    expect(children.html).toContain('Activer mon compte (3/4)');
  });
});
