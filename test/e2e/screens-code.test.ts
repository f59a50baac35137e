// The activation code page as a parent meets it (issue 11, item 4): once the code has expired, «Renvoyer le code»
// is the page's primary button, not folded away; an expired code costs no try (after expiry and a resend, all 5
// tries are there); and the page never promises a code to a parent whose account is already active, while a
// stranger still sees exactly what a parent sees. Time moves through an injected clock.
import type { Clock } from '../../src/clock.js';
import { Browser, type Page } from '../support/browser.js';
import { lastCode, outboxSms, post } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const MINUTE = 60_000;

/** Time as the service sees it: real time plus what the test has moved it by; padding waits end at once. */
function movableClock() {
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset, sleepUntil: async () => undefined };
  return { clock, advance: (ms: number) => (offset += ms) };
}

/** The page without what differs from one request to the next (CSRF token). */
const neutral = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '');

/** The forms of the page outside the folded «Je n'ai pas de compte» section, and their buttons. */
function unfoldedButtons(html: string): string[] {
  const outside = html.replace(/<details[\s\S]*?<\/details>/g, '');
  return [...outside.matchAll(/<button class="([^"]*)"[^>]*>([^<]+)<\/button>/g)].map((m) => `${m[1]}|${m[2]}`);
}

describe('the activation code page', () => {
  let sesame: TestSesame;
  const time = movableClock();

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '0' }, { clock: time.clock });
  });
  afterAll(() => sesame?.shutdown());
  beforeEach(async () => {
    await sesame.sesame.db.deleteFrom('rate_limits').execute();
  });

  async function begin(browser: Browser, identity: { family_name: string; given_name: string; mobile: string }): Promise<Page> {
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    return post(browser, sesame.issuer, form, '/activation', identity);
  }

  async function parent() {
    const mobile = uniqueMobile();
    const given = `Claire${Math.random().toString(36).replace(/[^a-z]/g, '').slice(0, 5)}`;
    await addFamily(sesame.sesame.db, { family: 'Moreau', given, mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    return { mobile, identity: { family_name: 'Moreau', given_name: given, mobile: mobile.typed } };
  }

  test('before expiry, typing the code is the primary action and «Renvoyer le code» waits in the help', async () => {
    const p = await parent();
    const page = await begin(new Browser(), p.identity);
    expect(unfoldedButtons(page.html)).toEqual(['button|Vérifier le code']);
    expect(page.html).toMatch(/<details[\s\S]*Renvoyer le code[\s\S]*<\/details>/);
  });

  test('after expiry: «Renvoyer le code» comes first, the expired code costs no try, and the new code has all 5 tries', async () => {
    const p = await parent();
    const browser = new Browser();
    const codePage = await begin(browser, p.identity);
    const oldCode = await lastCode(sesame.dataDir, p.mobile.e164);
    time.advance(11 * MINUTE);

    // Coming back to the page after the code's time: it says so and leads with «Renvoyer le code».
    const again = await browser.navigate(`${sesame.issuer}/activation`);
    expect(expectFrenchPage(again, 200)).toContain('Le code envoyé par SMS a expiré. Choisissez « Renvoyer le code »');
    expect(unfoldedButtons(again.html)).toEqual(['button|Renvoyer le code', 'button button--secondary|Vérifier le code']);

    // The right code, too late: refused without costing a try, «Renvoyer le code» still first.
    for (const typed of [oldCode, '000000']) {
      const late = await post(browser, sesame.issuer, codePage, '/activation/code', { code: typed });
      expect(expectFrenchPage(late, 400)).toContain('Ce code a expiré. Cet essai n’est pas compté');
      expect(unfoldedButtons(late.html)[0]).toBe('button|Renvoyer le code');
    }

    const resent = await post(browser, sesame.issuer, again, '/activation/renvoyer', {});
    expect(expectFrenchPage(resent, 200)).toContain('un nouveau SMS vient de vous être envoyé');
    expect(unfoldedButtons(resent.html)).toEqual(['button|Vérifier le code']);
    const newCode = await lastCode(sesame.dataDir, p.mobile.e164);
    const wrong = newCode === '111111' ? '222222' : '111111';
    const left: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const refused = await post(browser, sesame.issuer, resent, '/activation/code', { code: wrong });
      left.push(/Il vous reste (\d+) essai/.exec(visibleText(refused.html))?.[1] ?? 'none');
    }
    expect(left).toEqual(['4', '3', '2', '1']);
    const accepted = await post(browser, sesame.issuer, resent, '/activation/code', { code: newCode });
    expect(visibleText(accepted.html)).toContain('Activer mon compte Étape 3 sur 4');
  });

  test('with no code left to send, an expired code leads to «Recommencer l’activation», which opens step 1', async () => {
    const p = await parent();
    const browser = new Browser();
    let page = await begin(browser, p.identity);
    for (let sent = 1; sent < 3; sent += 1) {
      time.advance(2 * MINUTE);
      page = await post(browser, sesame.issuer, page, '/activation/renvoyer', {});
      expect(page.status).toBe(200);
    }
    time.advance(11 * MINUTE);
    const late = await post(browser, sesame.issuer, page, '/activation/code', { code: '123456' });
    expect(expectFrenchPage(late, 400)).toContain('vous avez déjà reçu le nombre maximal de codes');
    const restart = /<a class="button" href="([^"]+)">Recommencer l’activation<\/a>/.exec(late.html)?.[1]?.replace(/&amp;/g, '&');
    expect(restart).toBeDefined();
    const step1 = await browser.navigate(new URL(restart!, sesame.issuer).toString());
    expect(expectFrenchPage(step1, 200)).toContain('Activer mon compte Étape 1 sur 4');
  });

  test('an already-active parent is told the SMS carries their identifiant, not a code; a stranger sees the same page', async () => {
    const account = await sesame.sesame.accounts.create({ kind: 'responsable', givenName: 'Nadia', familyName: 'Roux', password: 'Cartable-rouge-2026', origin: 'responsable' });
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Roux', given: 'Nadia', mobile: mobile.e164, accountId: account.id }, [{ given: 'Inès', family: 'Roux', birthdate: '2016-04-04' }]);
    const activeBrowser = new Browser();
    const strangerBrowser = new Browser();
    const active = await begin(activeBrowser, { family_name: 'Roux', given_name: 'Nadia', mobile: mobile.typed });
    const stranger = await begin(strangerBrowser, { family_name: 'Roux', given_name: 'Nadia', mobile: uniqueMobile().typed });

    const text = expectFrenchPage(active, 200);
    expect(text).not.toContain('vous allez recevoir un SMS avec un code');
    expect(text).toContain('Si votre compte est déjà activé, le SMS vous rappelle votre identifiant. Vous n’avez pas besoin de code');
    const services = /<a href="([^"]+)">Voir les services de l’école<\/a>/.exec(active.html)?.[1];
    expect(services).toBe('/');
    expect((await new Browser().request(`${sesame.issuer}${services}`)).status).toBe(200);
    expect(neutral(active.html)).toBe(neutral(stranger.html));
    const [sms] = await outboxSms(sesame.dataDir, mobile.e164);
    expect(sms!.body).toContain(account.identifiant);

    // A typed code, then the same past the code's time: both pages say the same again.
    const tries = [await post(activeBrowser, sesame.issuer, active, '/activation/code', { code: '123456' }), await post(strangerBrowser, sesame.issuer, stranger, '/activation/code', { code: '123456' })];
    expect(neutral(tries[0]!.html)).toBe(neutral(tries[1]!.html));
    time.advance(11 * MINUTE);
    const late = [await post(activeBrowser, sesame.issuer, active, '/activation/code', { code: '123456' }), await post(strangerBrowser, sesame.issuer, stranger, '/activation/code', { code: '123456' })];
    expect(late.map((p) => p.status)).toEqual([400, 400]);
    expect(visibleText(late[0]!.html)).toContain('Ce code a expiré');
    expect(neutral(late[0]!.html)).toBe(neutral(late[1]!.html));
  });
});
