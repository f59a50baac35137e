// The first answer of «Mot de passe oublié» says nothing about the identifiant: the same whole page (tokens aside)
// and the same padded deadline on the injected clock, for a parent with a mobile, a pupil with a confirmed address,
// accounts with no way back, and identifiants nobody holds. Then the code's rules: wrong five times, expired,
// and a code from another request — the same for an identifiant that exists and one that does not.
import pino from 'pino';
import { Browser } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { uniqueMobile } from '../support/directory-fixtures.js';
import { codeIn, comparable, newAccount, openRecoveryFromSignIn, steppingClock, submit } from '../support/recovery.js';
import { discover, registerClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';
import { visibleText } from '../support/http.js';

const MIN_MS = 700;

describe.each(STORES)('«Mot de passe oublié» answers alike (%s store)', (store) => {
  let sesame: TestSesame;
  let twilio: TwilioStandIn;
  let smtp: TestSmtpServer;
  const time = steppingClock();

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    smtp = await startSmtpServer();
    sesame = await startTestSesame(store, { SMTP_URL: smtp.url, RECOVERY_MIN_RESPONSE_MS: String(MIN_MS), RECOVERY_PER_IDENTIFIANT_HOUR: '50', SMS_PER_ADDRESS_HOUR: '1000' }, {
      sms: twilio.sender(pino({ level: 'silent' })), clock: time.clock,
    });
    // PGlite starting on a machine shared with other runs can take longer than the default minute.
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
    await twilio?.close();
    await smtp?.close();
  });

  /** «Mot de passe oublié» with `identifiant` in a new browser: the answer to the form, and the page it leads to. */
  async function ask(identifiant: string) {
    const browser = new Browser();
    const start = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`);
    const answer = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`, { form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(start.html)![1]!, identifiant } });
    const page = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`);
    return { browser, answer, page };
  }

  test('the same page and the same deadline whether the identifiant exists, and whatever way back it has', async () => {
    const [parentMobile, bothMobile] = [uniqueMobile().e164, uniqueMobile().e164];
    const pupilEmail = `e.${Date.now()}@exemple.fr`;
    const parent = await newAccount(sesame, { kind: 'responsable', mobile: parentMobile });
    const both = await newAccount(sesame, { kind: 'responsable', mobile: bothMobile, email: `p.${Date.now()}@exemple.fr` });
    const pupilWithMail = await newAccount(sesame, { kind: 'eleve', email: pupilEmail });
    const pupilWithout = await newAccount(sesame, { kind: 'eleve' });
    const unconfirmed = await newAccount(sesame, { kind: 'responsable', email: `u.${Date.now()}@exemple.fr`, emailVerified: false });
    const identifiants = [parent, both, pupilWithMail, pupilWithout, unconfirmed].map((a) => a.identifiant).concat(['personne.inconnue', 'claire.moreau999']);

    time.waits.length = 0;
    const answers = [];
    for (const identifiant of identifiants) answers.push({ identifiant, ...(await ask(identifiant)) });
    for (const { answer } of answers) {
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/mot-de-passe-oublie');
    }
    const reference = comparable(answers[0]!.page.html);
    expect(reference).toContain('Si un compte correspond et qu’un moyen de contact est connu');
    expect(reference).toContain('Vous êtes élève');
    for (const { identifiant, page } of answers) expect({ identifiant, page: comparable(page.html) }).toEqual({ identifiant, page: reference });
    // Each answer waited for the same deadline, asked of the injected clock (nothing measured).
    expect(time.waits).toEqual(identifiants.map(() => MIN_MS));

    // Behind the same page, only the accounts with a way back received something: a code by SMS where a mobile is
    // known (preferred to the address), a link by mail for the pupil.
    await sesame.sesame.smsQueue.drain();
    expect(twilio.messages.map((m) => m.to).sort()).toEqual([parentMobile, bothMobile].sort());
    for (let i = 0; i < 200 && !smtp.mails.some((m) => m.to.includes(pupilEmail)); i += 1) await new Promise((r) => setTimeout(r, 20));
    expect(smtp.mails.map((m) => m.to).flat()).toEqual([pupilEmail]);

    // Asking again (after the waiting time) answers alike too, as does asking for a link instead.
    time.advance(61);
    time.waits.length = 0;
    for (const action of [/\/renvoyer$/, /\/courriel$/]) {
      const pages = [];
      for (const { browser, page } of answers) pages.push(comparable((await submit(sesame, browser, page, action, {})).html));
      expect(new Set(pages).size).toBe(1);
      time.advance(61);
    }
    expect(time.waits).toEqual([...identifiants, ...identifiants].map(() => MIN_MS));
  });

  test('from a relying party’s sign-in too: the same page for an identifiant that exists and one that does not', async () => {
    const client = await registerClient(sesame, { name: 'Pronote' });
    const config = await discover(sesame, client);
    const { identifiant } = await newAccount(sesame, { kind: 'responsable', mobile: uniqueMobile().e164 });
    const pages = [];
    time.waits.length = 0;
    for (const typed of [identifiant, 'personne.inconnue3']) {
      const { browser, page } = await openRecoveryFromSignIn(sesame, config, client);
      const answer = await submit(sesame, browser, page, /^\/mot-de-passe-oublie$/, { identifiant: typed });
      expect(answer.html).toContain('pour accéder à Pronote');
      pages.push(comparable(answer.html));
    }
    expect(pages[0]).toBe(pages[1]);
    expect(time.waits).toEqual([MIN_MS, MIN_MS]);
  });

  test('five wrong codes end the request, for a real account and for an unknown identifiant alike', async () => {
    const mobile = uniqueMobile().e164;
    const { identifiant } = await newAccount(sesame, { kind: 'responsable', mobile });
    const real = await ask(identifiant);
    const unknown = await ask('personne.inconnue2');
    await sesame.sesame.smsQueue.drain();
    const right = codeIn(twilio.messages, mobile);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 1; i <= 5; i += 1) {
      const pages = [];
      for (const flow of [real, unknown]) {
        const answer = await submit(sesame, flow.browser, flow.page, /\/code$/, { code: wrong });
        pages.push(comparable(answer.html));
        if (i < 5) {
          expect(answer.status).toBe(400);
          expect(visibleText(answer.html)).toContain(`Ce code est incorrect. Il vous reste ${5 - i} essai${5 - i > 1 ? 's' : ''}.`);
        } else expect(answer.html).toContain('Trop d’essais');
      }
      expect(pages[0]).toBe(pages[1]);
    }
    // Ended: even the right code now opens nothing.
    const after = await submit(sesame, real.browser, real.page, /\/code$/, { code: right });
    expect(after.html).not.toContain('Votre nouveau mot de passe</h1>');
    expect(after.status).toBe(400);
    // The operator sees the real account's request ended by wrong codes, once, and no code.
    const account = await sesame.sesame.accounts.findByIdentifiant(identifiant);
    const audit = await admin(sesame, 'GET', `/audit?kind=recovery.failed&account=${account!.id}`);
    expect(audit.json.events).toEqual([expect.objectContaining({ outcome: 'failure', details: { reason: 'code_failures' } })]);
    expect(JSON.stringify(audit.json)).not.toContain(right);
  });

  test('an expired code is refused (and spends a try); a code from another request never works', async () => {
    const mobile = uniqueMobile().e164;
    const { identifiant } = await newAccount(sesame, { kind: 'responsable', mobile });
    const first = await ask(identifiant);
    await sesame.sesame.smsQueue.drain();
    const firstCode = codeIn(twilio.messages, mobile);
    time.advance(11 * 60);
    const late = await submit(sesame, first.browser, first.page, /\/code$/, { code: firstCode });
    expect(late.status).toBe(400);
    expect(late.html).toContain('Ce code a expiré');
    expect(visibleText(late.html)).toContain('Il vous reste 4 essais.');

    // A new request: the old code is not its code, however fresh.
    const second = await ask(identifiant);
    await sesame.sesame.smsQueue.drain();
    const secondCode = codeIn(twilio.messages, mobile);
    if (secondCode !== firstCode) {
      const reused = await submit(sesame, second.browser, second.page, /\/code$/, { code: firstCode });
      expect(reused.html).toContain('Ce code est incorrect');
    }
    const accepted = await submit(sesame, second.browser, second.page, /\/code$/, { code: secondCode });
    expect(accepted.html).toContain('Votre nouveau mot de passe</h1>');
    // Accepted once: posting it again only shows the password step, it is no longer a code.
    const again = await submit(sesame, second.browser, second.page, /\/code$/, { code: secondCode });
    expect(again.html).toContain('Votre nouveau mot de passe</h1>');
    // The same code in another browser's request is nobody's code.
    const third = await ask(identifiant);
    const stolen = await submit(sesame, third.browser, third.page, /\/code$/, { code: secondCode });
    expect(stolen.html).toContain('Ce code est incorrect');
  });
});
