// «Mot de passe oublié» from a relying party's sign-in to its callback: by a code sent by SMS (a parent whose school
// declared a mobile) and by a link sent by mail (a confirmed address), the choice between them, and what a new
// password does: every sign-in of the account ends (the relying party is told, the refresh token dies), the
// strangers' failures are forgotten, and the owner is told by SMS and mail. PGlite, PostgreSQL, and PostgreSQL with
// Redis for the counters and short-lived state.
import pino from 'pino';
import { signInRules } from '../../src/flows/login/sign-in.js';
import { Browser } from '../support/browser.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { oidc, signIn, type TestClient } from '../support/relying-party.js';
import {
  backchannelReceiver, codeIn, NEW_PASSWORD, newAccount, openRecoveryFromSignIn, PASSWORD, portalClient, recoveryLinkIn, steppingClock, submit,
} from '../support/recovery.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';
import { uniqueMobile } from '../support/directory-fixtures.js';

const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(MODES)('«Mot de passe oublié» from a sign-in to the callback (%s)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let twilio: TwilioStandIn;
  let smtp: TestSmtpServer;
  let receiver: Awaited<ReturnType<typeof backchannelReceiver>>;
  let portal: { client: TestClient; config: oidc.Configuration };
  const time = steppingClock();

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    smtp = await startSmtpServer();
    receiver = await backchannelReceiver();
    const logger = pino({ level: 'silent' });
    sesame = await startTestSesame(store, { BACKCHANNEL_ALLOWED_ORIGINS: receiver.origin, SMTP_URL: smtp.url, ...extraEnv() }, { sms: twilio.sender(logger), clock: time.clock });
    portal = await portalClient(sesame, receiver.origin);
    // PGlite starting on a machine shared with other runs can take longer than the default minute.
  }, 180_000);
  afterAll(async () => {
    await sesame?.shutdown();
    await twilio?.close();
    await smtp?.close();
    receiver?.close();
  });

  /** Waits for what left after the answers: queued SMS, mail. */
  const settle = () => sesame.sesame.smsQueue.drain();
  const mailsTo = async (to: string, count: number) => {
    for (let i = 0; i < 200 && smtp.mails.filter((m) => m.to.includes(to)).length < count; i += 1) await new Promise((r) => setTimeout(r, 20));
    return smtp.mails.filter((m) => m.to.includes(to));
  };

  async function passwordSignsIn(identifiant: string, password: string): Promise<boolean> {
    const form = await openLoginForm(sesame, portal.config, portal.client);
    const after = await postLogin(sesame, form, { username: identifiant, password });
    return after.location?.startsWith(portal.client.redirect_uris[0]!) ?? false;
  }

  /** Sets the new password on the password page, then «Continuer vers Portail» to the relying party's callback. */
  async function finish(browser: Browser, passwordPage: Awaited<ReturnType<typeof submit>>) {
    expect(passwordPage.html).toContain('Votre nouveau mot de passe</h1>');
    const done = await submit(sesame, browser, passwordPage, /\/mot-de-passe$/, { password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    expect(done.status).toBe(200);
    expect(done.html).toContain('Votre mot de passe a été changé');
    expect(done.html).toContain('Continuer vers Portail');
    const back = await submit(sesame, browser, done, /\/interaction\/[^/]+\/mot-de-passe-oublie$/, {});
    expect(back.location?.startsWith(portal.client.redirect_uris[0]!)).toBe(true);
    return new URL(back.location!);
  }

  test('a parent gets a code by SMS, chooses a password and is signed in to the relying party; every old sign-in ends', async () => {
    const mobile = uniqueMobile().e164;
    const { identifiant, sub } = await newAccount(sesame, { kind: 'responsable', mobile, email: `claire.${Date.now()}@exemple.fr` });
    // Signed in elsewhere before (a session and a refresh token), and strangers failing on the account.
    const before = await signIn(sesame, portal.config, portal.client, { username: identifiant, password: PASSWORD });
    expect(before.tokens.refresh_token).toBeDefined();
    for (let i = 0; i < 3; i += 1) expect(await passwordSignsIn(identifiant, 'pas-le-bon-mot-de-passe')).toBe(false);
    const rules = signInRules(sesame.config.login);
    expect((await sesame.sesame.limiter.check(rules.account, identifiant)).used).toBe(3);
    // A passkey added by whoever held the password (docs/passkeys.md): recovery takes it away with the password.
    await sesame.sesame.db.insertInto('passkeys').values({ credential_id: `cred-${sub}`, account_id: sub, public_key: 'AA', counter: 0, transports: JSON.stringify(['internal']), name: 'Téléphone' }).execute();
    receiver.tokens.length = 0;

    const { browser, form, page } = await openRecoveryFromSignIn(sesame, portal.config, portal.client);
    expect(page.status).toBe(200);
    expect(page.html).toContain('pour accéder à Portail');
    const codePage = await submit(sesame, browser, page, /^\/mot-de-passe-oublie$/, { identifiant });
    expect(codePage.html).toContain('Si un compte correspond et qu’un moyen de contact est connu');
    await settle();
    const code = codeIn(twilio.messages, mobile);
    const passwordPage = await submit(sesame, browser, codePage, /\/code$/, { code });
    const callback = await finish(browser, passwordPage);

    // The relying party gets its callback for the sign-in the recovery started from, and its tokens.
    const tokens = await oidc.authorizationCodeGrant(portal.config, callback, { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
    expect(tokens.claims()?.sub).toBe(sub);
    // RFC 8176: the SMS code is what proved the person.
    expect(tokens.claims()?.amr).toEqual(['sms']);

    // Every earlier sign-in ended: back-channel logout, the refresh token refused.
    expect(receiver.tokens.length).toBeGreaterThanOrEqual(1);
    await expect(oidc.refreshTokenGrant(portal.config, before.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // The strangers' failures are forgotten; the old password no longer works, the new one does.
    expect((await sesame.sesame.limiter.check(rules.account, identifiant)).used).toBe(0);
    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(false);
    expect(await passwordSignsIn(identifiant, NEW_PASSWORD)).toBe(true);
    expect(await sesame.sesame.db.selectFrom('passkeys').select('id').where('account_id', '=', sub).execute()).toEqual([]);

    // The owner is told, by SMS (GSM-7 text) and by mail.
    await settle();
    const changed = twilio.messages.filter((m) => m.to === mobile).at(-1)!;
    expect(changed.body).toContain('mot de passe de votre compte a été changé');
    expect(changed.body).toContain("Si ce n'est pas vous");
    const row = await sesame.sesame.db.selectFrom('accounts').select('email').where('identifiant', '=', identifiant).executeTakeFirstOrThrow();
    const mails = await mailsTo(row.email!, 1);
    expect(mails.at(-1)!.subject).toBe('Votre mot de passe Sésame a été changé');
    expect(mails.at(-1)!.text).toContain('Si ce n’est pas vous');

    // The audit trail has the request and the change, for this account, and no code or password in them.
    const { json } = await admin(sesame, 'GET', `/audit?account=${sub}`);
    const kinds = (json.events as { kind: string; details: unknown }[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['recovery.started', 'recovery.completed', 'passkey.removed']));
    expect(JSON.stringify(json.events)).not.toContain(NEW_PASSWORD);
    expect(JSON.stringify(json.events)).not.toContain(code);
  });

  test('a pupil with a confirmed address gets a link by mail; the link page spends nothing until its button; the link works once', async () => {
    const email = `eleve.${Date.now()}@exemple.fr`;
    const { identifiant, sub } = await newAccount(sesame, { kind: 'eleve', email });
    const before = await signIn(sesame, portal.config, portal.client, { username: identifiant, password: PASSWORD });
    receiver.tokens.length = 0;

    const { browser, form, page } = await openRecoveryFromSignIn(sesame, portal.config, portal.client);
    const codePage = await submit(sesame, browser, page, /^\/mot-de-passe-oublie$/, { identifiant });
    expect(codePage.html).toContain('Si un compte correspond');
    const link = recoveryLinkIn(await mailsTo(email, 1), email);
    const mail = smtp.mails.filter((m) => m.to.includes(email)).at(-1)!;
    expect(mail.subject).toBe('Changez votre mot de passe Sésame');
    expect(mail.text).toContain('30 minutes');

    // A mail scanner opening the link twice spends nothing.
    for (let i = 0; i < 2; i += 1) {
      const opened = await browser.request(link);
      expect(opened.status).toBe(200);
      expect(opened.html).toContain('Choisir mon nouveau mot de passe');
    }
    const linkPage = await browser.request(link);
    const passwordPage = await submit(sesame, browser, linkPage, /\/lien$/, {});
    const callback = await finish(browser, passwordPage);
    const tokens = await oidc.authorizationCodeGrant(portal.config, callback, { pkceCodeVerifier: form.start.verifier, expectedState: form.start.state });
    expect(tokens.claims()?.sub).toBe(sub);
    // A mailed link has no registered `amr` value: none is claimed.
    expect(tokens.claims()?.amr).toBeUndefined();
    await expect(oidc.refreshTokenGrant(portal.config, before.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(receiver.tokens.length).toBeGreaterThanOrEqual(1);

    // Used once: opening it again says so, and posting it again changes nothing.
    const again = await new Browser().request(link);
    expect(again.status).toBe(410);
    expect(again.html).toContain('Ce lien a déjà été utilisé');
    const replay = await submit(sesame, browser, linkPage, /\/lien$/, {});
    expect(replay.status).toBe(410);
    const changed = await mailsTo(email, 2);
    expect(changed.at(-1)!.subject).toBe('Votre mot de passe Sésame a été changé');
  });

  test('with a mobile and a confirmed address, the code comes by SMS and a link can be asked instead; an expired link says so', async () => {
    const mobile = uniqueMobile().e164;
    const email = `parent.${Date.now()}@exemple.fr`;
    const { identifiant } = await newAccount(sesame, { kind: 'responsable', mobile, email });
    const browser = new Browser();
    const start = await browser.request(`${sesame.issuer}/mot-de-passe-oublie`);
    const codePage = await submit(sesame, browser, start, /^\/mot-de-passe-oublie$/, { identifiant });
    await settle();
    expect(twilio.messages.filter((m) => m.to === mobile)).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(0);

    // Too soon for another message, then after the waiting time a link by mail.
    const early = await submit(sesame, browser, codePage, /\/courriel$/, {});
    expect(early.status).toBe(429);
    expect(early.html).toMatch(/Attendez encore \d+\ssecondes/);
    time.advance(61);
    const asked = await submit(sesame, browser, codePage, /\/courriel$/, {});
    expect(asked.status).toBe(200);
    expect(asked.html).toContain('un lien vient de vous être envoyé par courriel');
    const link = recoveryLinkIn(await mailsTo(email, 1), email);

    // The link outlives its 30 minutes: expired, and the password has not changed.
    time.advance(31 * 60);
    const late = await browser.request(link);
    expect(late.status).toBe(410);
    expect(late.html).toContain('Ce lien a expiré');
    expect(await passwordSignsIn(identifiant, PASSWORD)).toBe(true);
  });
});
