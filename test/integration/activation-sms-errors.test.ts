// The activation SMS through the real twilio library against a stand-in of its API. The SMS leaves after the answer:
// step 1 answers a match exactly like a miss, at the same deadline, however slow or refusing Twilio is; what Twilio
// answered is told at the code step, in French, with what to do.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Clock } from '../../src/clock.js';
import { createSesame, type Sesame } from '../../src/sesame.js';
import { Browser, type Page } from '../support/browser.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { freePort, testConfig } from '../support/sesame.js';
import { startTwilioStandIn, type Misbehaviour, type TwilioStandIn } from '../support/twilio-stand-in.js';

const MIN_MS = 400;
const T0 = 1_700_000_000_000;

/** The page without what differs between two visits anyway: the CSRF token. */
const neutral = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"');

/**
 * A clock that stands still at T0 and records each deadline asked for; while `hold` is set, a wait lasts until the
 * test calls `release` — so a test sees whether an answer waits for its deadline without measuring any time.
 */
function testClock() {
  const state = { deadlines: [] as number[], hold: false, waiting: [] as (() => void)[], asked: [] as (() => void)[] };
  const clock: Clock = {
    now: () => T0,
    sleepUntil(deadline) {
      state.deadlines.push(deadline - T0);
      for (const notify of state.asked.splice(0)) notify();
      return state.hold ? new Promise((resolve) => state.waiting.push(resolve)) : Promise.resolve();
    },
  };
  return {
    clock,
    state,
    /** Resolves once a wait was asked for. */
    asked: () => new Promise<void>((resolve) => state.asked.push(resolve)),
    release() {
      state.hold = false;
      for (const go of state.waiting.splice(0)) go();
    },
  };
}

describe.each(STORES)('activation SMS through Twilio (%s store)', (store) => {
  let standIn: TwilioStandIn;
  let database: TestDatabase;
  let sesame: Sesame;
  let server: Server;
  let base: string;
  let dataDir: string;
  const time = testClock();

  beforeAll(async () => {
    standIn = await startTwilioStandIn();
    database = await createTestDatabase(store);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-sms-'));
    const port = await freePort();
    const logger = pino({ level: 'silent' });
    sesame = await createSesame(testConfig(port, dataDir, { ACTIVATION_MIN_RESPONSE_MS: String(MIN_MS), SMS_PER_ADDRESS_HOUR: '1000', ACTIVATION_RESEND_AFTER_SECONDS: '0', SMS_QUEUE_CONCURRENCY: '1', SMS_QUEUE_CAPACITY: '1' }), {
      logger,
      db: database.db,
      adminToken: 'x'.repeat(32),
      sms: standIn.sender(logger, { SMS_RETRY_MAX: '1' }),
      clock: time.clock,
    });
    server = sesame.app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    time.release();
    standIn?.release();
    server?.close();
    server?.closeAllConnections();
    await sesame?.close();
    await database?.drop();
    await standIn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    standIn.behave();
    time.state.deadlines.length = 0;
    await sesame.db.deleteFrom('rate_limits').execute();
  });

  async function parent() {
    const mobile = uniqueMobile();
    const given = `Claire${Math.random().toString(36).slice(2, 6).replace(/[0-9]/g, 'x')}`;
    await addFamily(sesame.db, { family: 'Moreau', given, mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    return { mobile, identity: { family_name: 'Moreau', given_name: given, mobile: mobile.typed } };
  }

  async function begin(browser: Browser, identity: Record<string, string>): Promise<Page> {
    const form = await browser.navigate(`${base}/activation`);
    return post(browser, base, form, '/activation', identity);
  }

  test('a match and a miss wait for the same deadline, and neither answers before it', async () => {
    const known = await parent();
    const pages: Page[] = [];
    for (const identity of [known.identity, { ...known.identity, mobile: uniqueMobile().typed }, { ...known.identity, given_name: 'Sophie' }]) {
      time.state.hold = true;
      const asked = time.asked();
      let answered = false;
      const answer = begin(new Browser(), identity).then((page) => {
        answered = true;
        return page;
      });
      await asked;
      // The deadline is asked for, not yet reached: no answer has left.
      await new Promise((resolve) => setImmediate(resolve));
      expect(answered).toBe(false);
      time.release();
      pages.push(await answer);
    }
    expect(time.state.deadlines).toEqual([MIN_MS, MIN_MS, MIN_MS]);
    expect(neutral(pages[1]!.html)).toBe(neutral(pages[0]!.html));
    expect(neutral(pages[2]!.html)).toBe(neutral(pages[0]!.html));
    await sesame.smsQueue.drain();
    expect(standIn.messages.filter((m) => m.to === known.mobile.e164)).toHaveLength(1);
  });

  test('a Twilio that does not answer does not hold step 1: the code page comes while Twilio still has the request', async () => {
    const known = await parent();
    standIn.misbehave('hold');
    const browser = new Browser();
    const page = await begin(browser, known.identity);
    const miss = await begin(new Browser(), { ...known.identity, mobile: uniqueMobile().typed });
    expect(page.status).toBe(200);
    expect(neutral(page.html)).toBe(neutral(miss.html));
    await standIn.holding();
    expect(standIn.held).toBe(1);
    expect(standIn.messages.filter((m) => m.to === known.mobile.e164)).toHaveLength(0);

    standIn.release();
    await sesame.smsQueue.drain();
    const sms = standIn.messages.filter((m) => m.to === known.mobile.e164);
    expect(sms).toHaveLength(1);
    const code = /\b(\d{6})\b/.exec(sms[0]!.body)![1]!;
    const children = await post(browser, base, page, '/activation/code', { code });
    expect(visibleText(children.html)).toContain('Activer mon compte Étape 3 sur 4');
  });

  test('a full queue is told alike for a match and a miss: filling it cannot reveal a known number', async () => {
    const [first, second, known] = [await parent(), await parent(), await parent()];
    standIn.misbehave('hold');
    await begin(new Browser(), first.identity);
    await standIn.holding();
    // One SMS in flight, one waiting: the queue (capacity 1) is full.
    await begin(new Browser(), second.identity);
    const [matchBrowser, missBrowser] = [new Browser(), new Browser()];
    await begin(matchBrowser, known.identity);
    await begin(missBrowser, { ...known.identity, mobile: uniqueMobile().typed });
    const match = await matchBrowser.navigate(`${base}/activation`);
    const miss = await missBrowser.navigate(`${base}/activation`);
    expect(match.html).toContain('Nous n’avons pas pu envoyer le SMS');
    expect(neutral(miss.html)).toBe(neutral(match.html));
    standIn.release();
    await sesame.smsQueue.drain();
  });

  const cases: [string, Misbehaviour[], string][] = [
    ['21211 invalid number', [{ error: 21211 }], 'ce numéro ne semble pas être celui d’un téléphone portable'],
    ['21614 not a mobile', [{ error: 21614 }], 'ce numéro ne semble pas être celui d’un téléphone portable'],
    ['21610 unsubscribed', [{ error: 21610 }], 'ce numéro a refusé nos SMS (réponse STOP). Envoyez START'],
    ['21408 region not enabled', [{ error: 21408 }], 'nous ne pouvons pas encore envoyer de SMS vers ce pays'],
    ['20429 rate limited, after a retry', [{ error: 20429 }, { error: 20429 }], 'l’envoi de SMS est très chargé en ce moment'],
    ['a 503 from Twilio, after a retry', [{ status: 503 }, { status: 503 }], 'Nous n’avons pas pu envoyer le SMS. Attendez quelques minutes'],
    ['a dropped connection, after a retry', ['close', 'close'], 'Nous n’avons pas pu envoyer le SMS. Attendez quelques minutes'],
  ];

  test.each(cases)('%s: step 1 is the same page as a miss; the code step says the SMS could not be sent and what to do', async (_name, plan, message) => {
    const known = await parent();
    standIn.misbehave(...plan);
    // Twilio answers only once step 1's page is there: on a fast machine its refusal could otherwise come first.
    standIn.pause();
    const browser = new Browser();
    const page = await begin(browser, known.identity);
    const miss = await begin(new Browser(), { ...known.identity, mobile: uniqueMobile().typed });
    standIn.resume();
    expect(page.status).toBe(200);
    expect(neutral(page.html)).toBe(neutral(miss.html));
    expect(browser.cookieHeader()).toContain('sesame.activation=');

    await sesame.smsQueue.drain();
    const later = await browser.navigate(`${base}/activation`);
    const text = expectFrenchPage(later, 200);
    expect(text).toContain('Activer mon compte Étape 2 sur 4');
    expect(later.html).toMatch(/<div class="error-summary"[^>]*>[\s\S]*Nous n’avons pas pu envoyer le SMS/);
    expect(text).toContain(message);
    // A code typed meanwhile keeps the sentence above its own error.
    const typed = await post(browser, base, later, '/activation/code', { code: '123456' });
    expect(typed.html).toContain(message);
    expect(typed.html).toContain('Ce code ne correspond pas.');
    expect(standIn.messages.filter((m) => m.to === known.mobile.e164)).toHaveLength(0);
  });

  test('once Twilio accepts again, «Renvoyer le code» reaches the parent and the failure is no longer shown', async () => {
    const known = await parent();
    standIn.misbehave({ error: 21610 });
    const browser = new Browser();
    const page = await begin(browser, known.identity);
    await sesame.smsQueue.drain();
    const resent = await post(browser, base, page, '/activation/renvoyer', {});
    expect(resent.html).toContain('un nouveau SMS vient de vous être envoyé');
    await sesame.smsQueue.drain();
    const after = await browser.navigate(`${base}/activation`);
    expect(after.html).not.toContain('Nous n’avons pas pu envoyer le SMS');
    const sms = standIn.messages.filter((m) => m.to === known.mobile.e164);
    expect(sms).toHaveLength(1);
    const code = /\b(\d{6})\b/.exec(sms[0]!.body)![1]!;
    expect(visibleText((await post(browser, base, after, '/activation/code', { code })).html)).toContain('Activer mon compte Étape 3 sur 4');
  });
});
