// «Identifiant oublié» from a relying party's sign-in back to its callback: names and a mobile (the account's, or the
// one the school declared for the guardian linked to it) or a confirmed address; the identifiant arrives there, for
// every account they designate; the page and its deadline are the same whether anything matched.
import pino from 'pino';
import { Browser } from '../support/browser.js';
import { addGuardian, uniqueMobile } from '../support/directory-fixtures.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { comparable, PASSWORD, steppingClock, submit } from '../support/recovery.js';
import { discover, oidc, registerClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

const MIN_MS = 500;

describe('«Identifiant oublié»', () => {
  let sesame: TestSesame;
  let twilio: TwilioStandIn;
  let smtp: TestSmtpServer;
  const time = steppingClock();

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    smtp = await startSmtpServer();
    sesame = await startTestSesame('embedded', { SMTP_URL: smtp.url, RECOVERY_MIN_RESPONSE_MS: String(MIN_MS), SMS_PER_ADDRESS_HOUR: '1000' }, {
      sms: twilio.sender(pino({ level: 'silent' })), clock: time.clock,
    });
    // PGlite starting on a machine shared with other runs can take longer than the default minute.
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
    await twilio?.close();
    await smtp?.close();
  });

  async function account(kind: 'responsable' | 'eleve', given: string, family: string, set: { mobile?: string; email?: string } = {}) {
    const { json } = await admin(sesame, 'POST', '/accounts', { kind, given_name: given, family_name: family, password: PASSWORD });
    await sesame.sesame.db.updateTable('accounts').set({ mobile: set.mobile ?? null, email: set.email ?? null, email_verified: Boolean(set.email) })
      .where('identifiant', '=', json.identifiant).execute();
    return { identifiant: json.identifiant as string, id: json.sub as string };
  }

  async function ask(fields: Record<string, string>, browser = new Browser()) {
    const form = await browser.request(`${sesame.issuer}/identifiant-oublie`);
    return submit(sesame, browser, form, /^\/identifiant-oublie$/, fields);
  }

  test('from a sign-in: the identifiant arrives by SMS at the mobile the school declared, and the way back leads to the callback', async () => {
    const client = await registerClient(sesame, { name: 'Pronote' });
    const config = await discover(sesame, client);
    const mobile = uniqueMobile();
    const parent = await account('responsable', 'Hélène', 'Lefèvre-Dupont');
    // The mobile is the school's, on the guardian row linked to the account (as the activation finds it).
    await addGuardian(sesame.sesame.db, { family: 'LEFEVRE DUPONT', given: 'Helene', mobile: mobile.e164, accountId: parent.id });

    const login = await openLoginForm(sesame, config, client);
    const href = /href="(\/identifiant-oublie\?interaction=[^"]+)"/.exec(login.html)![1]!.replace(/&amp;/g, '&');
    const form = await login.browser.request(new URL(href, sesame.issuer).toString());
    expect(form.html).toContain('pour accéder à Pronote');
    const sent = await submit(sesame, login.browser, form, /^\/identifiant-oublie$/, { family_name: 'lefevre dupont', given_name: 'HELENE', mobile: mobile.typed });
    expect(sent.status).toBe(200);
    expect(sent.html).toContain('Si ces informations correspondent à un compte');
    await sesame.sesame.smsQueue.drain();
    const sms = twilio.messages.filter((m) => m.to === mobile.e164);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.body).toContain(`votre identifiant est ${parent.identifiant}`);

    // «Revenir à la connexion» is the sign-in in progress: the relying party gets its callback.
    const back = /href="(\/interaction\/[^"]+)"/.exec(sent.html)![1]!;
    expect(back).toBe(`/interaction/${login.uid}`);
    const after = await postLogin(sesame, login, { username: parent.identifiant, password: PASSWORD });
    expect(after.location?.startsWith(client.redirect_uris[0]!)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(after.location!), { pkceCodeVerifier: login.start.verifier, expectedState: login.start.state });
    expect(tokens.claims()?.sub).toBe(parent.id);
  });

  test('by a confirmed address; every account the names and contact designate gets its identifiant; the same page for a miss', async () => {
    const email = `famille.${Date.now()}@exemple.fr`;
    const pupil = await account('eleve', 'Noé', 'Garnier', { email });
    const mobile = uniqueMobile();
    // One parent holding two accounts (two schools) with the same mobile.
    const first = await account('responsable', 'Paul', 'Martin', { mobile: mobile.e164 });
    const second = await account('responsable', 'Paul', 'Martin', { mobile: mobile.e164 });
    const unconfirmed = await account('eleve', 'Léa', 'Roux');
    await sesame.sesame.db.updateTable('accounts').set({ email: `lea.${Date.now()}@exemple.fr`, email_verified: false }).where('id', '=', unconfirmed.id).execute();

    time.waits.length = 0;
    const cases: Record<string, string>[] = [
      { family_name: 'GARNIER', given_name: 'Noe', email: email.toUpperCase().replace('@EXEMPLE.FR', '@Exemple.fr') },
      { family_name: 'Martin', given_name: 'Paul', mobile: mobile.typed },
      { family_name: 'Martin', given_name: 'Pierre', mobile: mobile.typed },
      { family_name: 'Inconnu', given_name: 'Jean', email: 'personne@exemple.fr' },
      { family_name: 'Inconnu', given_name: 'Jean', mobile: uniqueMobile().typed },
      { family_name: 'Roux', given_name: 'Léa', email: `lea.${Date.now()}@exemple.fr` },
    ];
    const pages = [];
    for (const fields of cases) {
      const page = await ask(fields);
      expect(page.status).toBe(200);
      pages.push(comparable(page.html));
    }
    expect(new Set(pages).size).toBe(1);
    expect(time.waits).toEqual(cases.map(() => MIN_MS));

    await sesame.sesame.smsQueue.drain();
    const toParent = twilio.messages.filter((m) => m.to === mobile.e164).map((m) => /identifiant est (\S+)\./.exec(m.body)?.[1]);
    expect(toParent.sort()).toEqual([first.identifiant, second.identifiant].sort());
    for (let i = 0; i < 200 && !smtp.mails.some((m) => m.text.includes(pupil.identifiant)); i += 1) await new Promise((r) => setTimeout(r, 20));
    const mail = smtp.mails.find((m) => m.text.includes(pupil.identifiant))!;
    expect(mail.subject).toBe('Votre identifiant Sésame');
    // Nothing for the address nobody confirmed.
    expect(smtp.mails.some((m) => m.text.includes(unconfirmed.identifiant))).toBe(false);
  });

  test('limits keyed on what was typed refuse aloud, alike for a match and a miss', async () => {
    const mobile = uniqueMobile();
    await account('responsable', 'Anne', 'Petit', { mobile: mobile.e164 });
    const other = uniqueMobile();
    const statuses: number[][] = [[], []];
    // RECOVERY_PER_IDENTIFIANT_HOUR (5) requests per names and contact, counted whether anything matches.
    for (let i = 0; i < 5; i += 1) {
      statuses[0]!.push((await ask({ family_name: 'Petit', given_name: 'Anne', mobile: mobile.typed })).status);
      statuses[1]!.push((await ask({ family_name: 'Petit', given_name: 'Anne', mobile: other.typed })).status);
    }
    expect(statuses[0]).toEqual(statuses[1]);
    const limited = await ask({ family_name: 'Petit', given_name: 'Anne', mobile: mobile.typed });
    const limitedMiss = await ask({ family_name: 'Petit', given_name: 'Anne', mobile: other.typed });
    expect(statuses[0]).toEqual([200, 200, 200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limitedMiss.status).toBe(429);
    expect(limited.html).toContain('Trop de demandes. Réessayez dans');
    expect(comparable(limited.html).replace(/\d+ minutes?/g, 'N')).toBe(comparable(limitedMiss.html).replace(/\d+ minutes?/g, 'N').replace(other.typed, mobile.typed));
  });
});
