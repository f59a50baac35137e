// Every rule of SMS activation, over HTTP like a browser, on PGlite and PostgreSQL: neutral answers, code tries,
// expiry and single use, resend, limits per number / address / service budget, already-active guardians, shared
// numbers, wrong birth dates, and two activations of one guardian at the same moment.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { Browser, type Page } from '../support/browser.js';
import { STORES } from '../support/databases.js';
import { lastCode, outboxSms, post, shownIdentifiant, type Identity } from '../support/activation-journey.js';
import { addChild, addFamily, addGuardian, uniqueMobile } from '../support/directory-fixtures.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';
import { visibleText } from '../support/http.js';

const PASSWORD = 'Cartable-rouge-2026';
/** The cap on a number alone, whatever the names typed (the tighter limit is per number and name: 3). */
const NUMBER_HOUR = 5;

/** The page without what differs between two visits anyway: the CSRF token. */
const neutral = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"');

/** An instant well in the past: an expired code, a last SMS long enough ago to resend (no clock needed). */
const LONG_AGO = Date.UTC(2020, 0, 1);

describe.each(STORES)('activation rules (%s store)', (store) => {
  let sesame: TestSesame;
  const db = () => sesame.sesame.db;

  beforeAll(async () => {
    // No minimum answer time: it made each of the file's ~40 requests wait on the real clock, and no test here is
    // about it (the neutral wait is proved with an injected clock in activation-sms-errors.test.ts).
    sesame = await startTestSesame(store, {
      ACTIVATION_MIN_RESPONSE_MS: '0', SMS_PER_ADDRESS_HOUR: '6', SMS_DAILY_BUDGET: '500', SMS_PER_NUMBER_HOUR: String(NUMBER_HOUR),
    });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });
  beforeEach(async () => {
    await db().deleteFrom('rate_limits').execute();
  });

  async function begin(browser: Browser, identity: Identity): Promise<Page> {
    const form = await browser.navigate(`${sesame.issuer}/activation`);
    return post(browser, sesame.issuer, form, '/activation', { ...identity });
  }

  /** The stored row of this browser's flow (for moving its clock, as time passing would). */
  function flowKey(browser: Browser): string {
    const id = /sesame\.activation=([^;]+)/.exec(browser.cookieHeader())![1]!;
    return createHash('sha256').update(id).digest('base64url');
  }
  async function setState(browser: Browser, field: string, value: number): Promise<void> {
    await sql`update activation_flows set state = jsonb_set(state, ${sql.lit(`{${field}}`)}, to_jsonb(${value}::bigint)) where id = ${flowKey(browser)}`.execute(db());
  }

  async function family(children = [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]) {
    const mobile = uniqueMobile();
    const given = `Claire${Math.random().toString(36).slice(2, 6)}`.replace(/[0-9]/g, 'x');
    const { guardianId } = await addFamily(db(), { family: 'Moreau', given, mobile: mobile.e164 }, children);
    return { mobile, guardianId, identity: { family_name: 'Moreau', given_name: given, mobile: mobile.typed } };
  }

  // That both wait for the same deadline is proved with an injected clock in activation-sms-errors.test.ts.
  test('a match and a miss get the same page, and only the match gets an SMS', async () => {
    const known = await family();
    const unknown = uniqueMobile();
    // One request first: the very first one also compiles templates and loads phone metadata.
    await begin(new Browser(), { ...known.identity, mobile: uniqueMobile().typed });
    const match = await begin(new Browser(), known.identity);
    const missNumber = await begin(new Browser(), { ...known.identity, mobile: unknown.typed });
    const missName = await begin(new Browser(), { ...known.identity, given_name: 'Sophie' });
    expect(match.status).toBe(200);
    expect(match.html).toContain('Si ces informations correspondent à celles de l’établissement, vous allez recevoir un SMS');
    expect(neutral(missNumber.html)).toBe(neutral(match.html));
    expect(neutral(missName.html)).toBe(neutral(match.html));
    expect(await outboxSms(sesame.dataDir, known.mobile.e164)).toHaveLength(1);
    expect(await outboxSms(sesame.dataDir, unknown.e164)).toHaveLength(0);
  });

  test('a wrong code says how many tries are left; the fifth ends the flow and the right code no longer works', async () => {
    const f = await family();
    const browser = new Browser();
    let page: Page = await begin(browser, f.identity);
    const code = await lastCode(sesame.dataDir, f.mobile.e164);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left -= 1) {
      page = await post(browser, sesame.issuer, page, '/activation/code', { code: wrong });
      expect(page.status).toBe(400);
      expect(visibleText(page.html)).toContain(left === 1 ? 'Ce code ne correspond pas. Il vous reste 1 essai.' : `Ce code ne correspond pas. Il vous reste ${left} essais.`);
      expect(page.html).toMatch(/aria-describedby="code-hint code-error"/);
    }
    const codePage = page;
    page = await post(browser, sesame.issuer, codePage, '/activation/code', { code: wrong });
    expect(page.html).toContain('Cette demande d’activation est annulée');
    // The ending is shown once; coming back starts afresh (a shared computer keeps nothing of the flow).
    const again = await browser.navigate(`${sesame.issuer}/activation`);
    expect(visibleText(again.html)).toContain('Activer mon compte Étape 1 sur 4');
    const late = await post(browser, sesame.issuer, codePage, '/activation/code', { code });
    expect(visibleText(late.html)).not.toContain('Activer mon compte Étape 3 sur 4');
  });

  test('an expired code is refused (and costs no try); a used code cannot be replayed; a code works only in its flow', async () => {
    const f = await family();
    const a = new Browser();
    const b = new Browser();
    const pageA = await begin(a, f.identity);
    const codeA = await lastCode(sesame.dataDir, f.mobile.e164);
    await db().deleteFrom('rate_limits').execute();
    const pageB = await begin(b, f.identity);
    const codeB = await lastCode(sesame.dataDir, f.mobile.e164);

    // B types A's code: refused (bound to A's flow), unless both codes happen to be equal.
    if (codeA !== codeB) {
      const cross = await post(b, sesame.issuer, pageB, '/activation/code', { code: codeA });
      expect(cross.html).toContain('Ce code ne correspond pas.');
    }
    await setState(a, 'codeExpiresAt', LONG_AGO);
    const expired = await post(a, sesame.issuer, pageA, '/activation/code', { code: codeA });
    expect(expired.status).toBe(400);
    expect(visibleText(expired.html)).toContain('Ce code a expiré. Cet essai n’est pas compté : choisissez « Renvoyer le code » pour en recevoir un nouveau.');

    const accepted = await post(b, sesame.issuer, pageB, '/activation/code', { code: codeB });
    expect(visibleText(accepted.html)).toContain('Activer mon compte Étape 3 sur 4');
    const replay = await post(b, sesame.issuer, pageB, '/activation/code', { code: codeB });
    expect(visibleText(replay.html)).toContain('Activer mon compte Étape 3 sur 4');
    const row = await db().selectFrom('activation_flows').select('state').where('id', '=', flowKey(b)).executeTakeFirstOrThrow();
    expect(row.state).toMatchObject({ step: 'children', codeHash: null, codeFailures: codeA !== codeB ? 1 : 0 });
    expect(JSON.stringify(row.state)).not.toContain(codeB);
  });

  test('«Renvoyer le code» waits 60 s, sends a new code that replaces the old one, and stops after 3 codes', async () => {
    const f = await family();
    const browser = new Browser();
    const page = await begin(browser, f.identity);
    const first = await lastCode(sesame.dataDir, f.mobile.e164);
    const early = await post(browser, sesame.issuer, page, '/activation/renvoyer', {});
    expect(early.status).toBe(429);
    expect(early.html).toMatch(/Attendez encore (59|60)\ssecondes avant de demander un nouveau code\./);
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(1);

    await setState(browser, 'lastSentAt', LONG_AGO);
    const resent = await post(browser, sesame.issuer, page, '/activation/renvoyer', {});
    expect(resent.status).toBe(200);
    expect(resent.html).toContain('un nouveau SMS vient de vous être envoyé');
    const second = await lastCode(sesame.dataDir, f.mobile.e164);
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(2);

    await setState(browser, 'lastSentAt', LONG_AGO);
    await post(browser, sesame.issuer, page, '/activation/renvoyer', {});
    const third = await lastCode(sesame.dataDir, f.mobile.e164);
    await setState(browser, 'lastSentAt', LONG_AGO);
    const fourth = await post(browser, sesame.issuer, page, '/activation/renvoyer', {});
    expect(fourth.status).toBe(429);
    expect(fourth.html).toContain('Vous avez déjà demandé le nombre maximal de codes.');
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(3);

    if (first !== third) {
      const old = await post(browser, sesame.issuer, page, '/activation/code', { code: first });
      expect(old.html).toContain('Ce code ne correspond pas.');
    }
    void second;
    const ok = await post(browser, sesame.issuer, page, '/activation/code', { code: third });
    expect(visibleText(ok.html)).toContain('Activer mon compte Étape 3 sur 4');
  });

  test('per number and name: the 4th request in an hour is refused, for a known and an unknown number alike', async () => {
    const f = await family();
    const unknown = uniqueMobile();
    const answers: string[] = [];
    for (const identity of [f.identity, { ...f.identity, mobile: unknown.typed }]) {
      // Refused requests count too (hits are counted before they are judged): start each number with a fresh
      // per-address counter so that only the per-number limit is at play here.
      await db().deleteFrom('rate_limits').where('key', 'like', 'sms:address:%').execute();
      for (let i = 0; i < 3; i += 1) expect((await begin(new Browser(), identity)).status).toBe(200);
      const refused = await begin(new Browser(), identity);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      answers.push(/<div class="error-summary"[\s\S]*?<\/div>/.exec(refused.html)![0]);
    }
    expect(visibleText(answers[0]!)).toContain('Trop de tentatives. Réessayez dans 1 heure.');
    expect(answers[1]).toBe(answers[0]);
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(3);
  });

  test('a stranger typing other names with a parent’s number does not spend that parent’s requests; the number alone has a larger cap', async () => {
    const f = await family();
    await db().deleteFrom('rate_limits').execute();
    for (const given of ['Sophie', 'Paul', 'Lucie']) expect((await begin(new Browser(), { ...f.identity, given_name: given })).status).toBe(200);
    // Before, the number alone was limited to 3 an hour: the parent's own first request was refused here.
    for (let i = 0; i < NUMBER_HOUR - 3; i += 1) expect((await begin(new Browser(), f.identity)).status).toBe(200);
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(NUMBER_HOUR - 3);
    const capped = await begin(new Browser(), { ...f.identity, given_name: 'Marc' });
    expect(capped.status).toBe(429);
    expect(capped.html).toContain('Trop de tentatives.');
    const keys = (await db().selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
    expect(keys).toContain(`sms:number-name:hour:${f.mobile.e164}|moreau|${f.identity.given_name.toLowerCase()}`);
  });

  test('per address: past the hourly limit, requests for any number are refused', async () => {
    for (let i = 0; i < 6; i += 1) expect((await begin(new Browser(), { family_name: 'Durand', given_name: 'Paul', mobile: uniqueMobile().typed })).status).toBe(200);
    const refused = await begin(new Browser(), { family_name: 'Durand', given_name: 'Paul', mobile: uniqueMobile().typed });
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Trop de tentatives.');
  });

  test('the service-wide daily SMS budget, once spent, stops every SMS with a clear message', async () => {
    const f = await family();
    await db().insertInto('rate_limits').values({ key: 'sms:budget:service', points: 500, expires_at: new Date(Date.now() + 5 * 3600_000) }).execute();
    const refused = await begin(new Browser(), f.identity);
    expect(refused.status).toBe(429);
    expect(visibleText(refused.html)).toContain('Le service a envoyé beaucoup de SMS aujourd’hui et ne peut plus en envoyer pour le moment. Réessayez dans 5 heures.');
    expect(await outboxSms(sesame.dataDir, f.mobile.e164)).toHaveLength(0);
    await db().deleteFrom('rate_limits').execute();
    expect((await begin(new Browser(), f.identity)).status).toBe(200);
    const budget = await db().selectFrom('rate_limits').select('points').where('key', '=', 'sms:budget:service').executeTakeFirstOrThrow();
    expect(budget.points).toBe(1);
  });

  test('an already-active guardian sees the same page; the SMS gives the identifiant and the way to reset, not a code', async () => {
    const account = await sesame.sesame.accounts.create({ kind: 'responsable', givenName: 'Nadia', familyName: 'Roux', password: PASSWORD, origin: 'responsable' });
    const mobile = uniqueMobile();
    await addFamily(db(), { family: 'Roux', given: 'Nadia', mobile: mobile.e164, accountId: account.id }, [{ given: 'Inès', family: 'Roux', birthdate: '2016-04-04' }]);
    const active = await begin(new Browser(), { family_name: 'Roux', given_name: 'Nadia', mobile: mobile.typed });
    const miss = await begin(new Browser(), { family_name: 'Roux', given_name: 'Nadia', mobile: uniqueMobile().typed });
    expect(neutral(active.html)).toBe(neutral(miss.html));
    const [sms] = await outboxSms(sesame.dataDir, mobile.e164);
    expect(sms!.body).toContain(account.identifiant);
    expect(sms!.body).toContain('Mot de passe oublié');
    expect(sms!.body).not.toMatch(/\b\d{6}\b/);
    expect(sms!.body.length).toBeLessThanOrEqual(160);
  });

  test('two parents sharing one number are told apart by their names', async () => {
    const mobile = uniqueMobile();
    const mother = await addGuardian(db(), { family: 'Lambert', given: 'Julie', mobile: mobile.e164 });
    const father = await addGuardian(db(), { family: 'Lambert', given: 'Marc', mobile: mobile.e164 });
    await addChild(db(), { given: 'Emma', family: 'Lambert', birthdate: '2015-05-05' }, [mother]);
    await addChild(db(), { given: 'Noé', family: 'Lambert', birthdate: '2011-11-11', uai: '0750003C', schoolName: 'Lycée Hoche' }, [father]);
    const browser = new Browser();
    const page = await begin(browser, { family_name: 'Lambert', given_name: 'Marc', mobile: mobile.typed });
    const children = await post(browser, sesame.issuer, page, '/activation/code', { code: await lastCode(sesame.dataDir, mobile.e164) });
    expect(children.html).toContain('Date de naissance de Noé LAMBERT (Lycée Hoche)');
    expect(children.html).not.toContain('Emma');
    const pw = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '11/11/2011' });
    const done = await post(browser, sesame.issuer, pw, '/activation/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    expect(shownIdentifiant(done.html)).toBe('marc.lambert');
    const rows = await db().selectFrom('guardians').select(['given_name', 'account_id']).where('mobile', '=', mobile.e164).orderBy('given_name').execute();
    expect(rows[0]).toEqual({ given_name: 'Julie', account_id: null });
    expect(rows[1]!.account_id).not.toBeNull();
  });

  test('wrong birth dates: tries left beside the field, then the flow ends with guidance to contact the school', async () => {
    const f = await family([
      { given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' },
      { given: 'Lina', family: 'Moreau', birthdate: '2017-07-01' },
    ]);
    const browser = new Browser();
    const page = await begin(browser, f.identity);
    let children = await post(browser, sesame.issuer, page, '/activation/code', { code: await lastCode(sesame.dataDir, f.mobile.e164) });
    children = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014', birthdate_2: '01/08/2017' });
    expect(children.status).toBe(400);
    expect(children.html).toMatch(/id="birthdate_2-error"[^>]*>[\s\S]*?Cette date ne correspond pas à celle que l’établissement nous a transmise\. Il vous reste 2\sessais\./);
    expect(children.html).not.toContain('id="birthdate_1-error"');
    children = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014', birthdate_2: '02/07/2017' });
    expect(visibleText(children.html)).toContain('Il vous reste 1 essai.');
    const ended = await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014', birthdate_2: '2017-07-02' });
    expect(ended.html).toContain('Nous n’avons pas pu confirmer les dates de naissance');
    expect(ended.html).toContain('Contactez le secrétariat de l’établissement de votre enfant');
    const guardian = await db().selectFrom('guardians').select('account_id').where('id', '=', f.guardianId).executeTakeFirstOrThrow();
    expect(guardian.account_id).toBeNull();
  });

  test('two activations of the same guardian at the same moment make one account', async () => {
    const f = await family();
    const browsers = [new Browser(), new Browser()];
    const pages: Page[] = [];
    for (const browser of browsers) {
      await db().deleteFrom('rate_limits').execute();
      const page = await begin(browser, f.identity);
      const children = await post(browser, sesame.issuer, page, '/activation/code', { code: await lastCode(sesame.dataDir, f.mobile.e164) });
      pages.push(await post(browser, sesame.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014' }));
    }
    const results = await Promise.all(
      browsers.map((browser, i) => post(browser, sesame.issuer, pages[i]!, '/activation/mot-de-passe', { password: `${PASSWORD}-${i}`, password_confirm: `${PASSWORD}-${i}` })),
    );
    const guardian = await db().selectFrom('guardians').select('account_id').where('id', '=', f.guardianId).executeTakeFirstOrThrow();
    const accounts = await db().selectFrom('accounts').select(['id', 'identifiant']).where('mobile', '=', f.mobile.e164).execute();
    expect(accounts).toHaveLength(1);
    expect(guardian.account_id).toBe(accounts[0]!.id);
    const done = results.filter((r) => r.html.includes('Votre compte est activé.'));
    const already = results.filter((r) => r.html.includes('Votre compte est déjà activé'));
    expect(done).toHaveLength(1);
    expect(already).toHaveLength(1);
    expect(shownIdentifiant(already[0]!.html)).toBe(accounts[0]!.identifiant);
  });
});
