// Every screen state of Sésame, reached in a real Chromium the way a person reaches it (issue 11, «Tests»): the
// sign-in, activation, first connection, recovery, «Mon compte», consent, charter, logout, information and error
// pages, each error included. Journeys walk a fresh browser context from page to page and call `at(name)` at each
// state, where the runner (screen-run.ts) looks at the page in every variant. `STATE_NAMES` is the list a run must
// cover: a journey that stops early is a failure, not a shorter report.
//
// Forms are found by their action and fields by their name, never by their French text: the wording may change
// (the message catalogue), the states stay.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { lastCode } from './activation-journey.js';
import { pupilRow } from './directory-csv.js';
import { addFamily, uniqueMobile } from './directory-fixtures.js';
import { importDirectory, letterFor, linkIn } from './first-connection.js';
import { newAccount, PASSWORD, NEW_PASSWORD } from './recovery.js';
import { registerClient, discover, startAuthorization, type TestClient } from './relying-party.js';
import { admin, type TestSesame } from './sesame.js';

/** Settings of the server the states are visited on: small limits, so that each refusal is a few steps away. */
export const SCREENS_ENV: Record<string, string> = {
  ACTIVATION_MIN_RESPONSE_MS: '0',
  RECOVERY_MIN_RESPONSE_MS: '0',
  ACTIVATION_RESEND_AFTER_SECONDS: '0',
  ACTIVATION_CODE_MAX_FAILURES: '3',
  ACTIVATION_BIRTHDATE_MAX_TRIES: '2',
  FIRST_CONNECTION_BIRTHDATE_MAX_TRIES: '2',
  LOGIN_MAX_FAILURES: '2',
  SMS_PER_ADDRESS_HOUR: '1000',
  MAIL_PER_ADDRESS_HOUR: '1000',
  // The locked sign-in comes from its own address (X-Forwarded-For), so it locks out no other journey.
  TRUST_PROXY: 'true',
  MAIL_TRANSPORT: 'outbox',
};

/** What journeys share: the server, its moving clock, and a relying party to sign in to. */
export interface StateContext {
  sesame: TestSesame;
  /** Moves the server's clock (codes and flows expire) forward. */
  advance(seconds: number): void;
  /** A relying party's callback that answers 200, so that a sign-in that reaches it ends on a real page. */
  callbackUrl: string;
}

export interface Journey {
  name: string;
  /** The states this journey reaches, in order. */
  states: string[];
  context?: BrowserContextOptions;
  walk(page: Page, ctx: StateContext, at: (state: string) => Promise<void>): Promise<void>;
}

// ---- how a person's browser moves ----

const formOf = (page: Page, action: string) => page.locator(action.startsWith('/') ? `form[action="${action}"]` : `form[action$="${action.slice(1)}"]`).first();

/**
 * Fills the fields of the form posting to `action` (exact path, or `*suffix`), presses its first submit button (or
 * the one matching `button`), and waits for the next page.
 */
async function submit(page: Page, action: string, fields: Record<string, string> = {}, button = '[type=submit]'): Promise<void> {
  const form = formOf(page, action);
  for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).first().fill(value);
  const press = form.locator(button).first();
  // Pressed by script so that a button inside a closed «Je n’ai pas reçu de code» works too.
  await Promise.all([page.waitForNavigation(), press.evaluate((b) => (b as HTMLButtonElement).click())]);
}

/** Presses a button anywhere on the page (the logout button sits outside its form, tied by `form=`). */
async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().evaluate((b) => (b as HTMLButtonElement).click())]);
}

async function goto(page: Page, ctx: StateContext, pathOrUrl: string): Promise<void> {
  await page.goto(pathOrUrl.startsWith('http') ? pathOrUrl : `${ctx.sesame.issuer}${pathOrUrl}`);
}

async function follow(page: Page, hrefPart: string): Promise<void> {
  const link = page.locator(`a[href*="${hrefPart}"]`).first();
  await Promise.all([page.waitForNavigation(), link.evaluate((a) => (a as HTMLAnchorElement).click())]);
}

async function outboxMails(ctx: StateContext): Promise<{ to: string; text: string }[]> {
  const content = await readFile(path.join(ctx.sesame.dataDir, 'outbox.jsonl'), 'utf8').catch(() => '');
  return content.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.channel === 'mail');
}

const clients = new WeakMap<TestSesame, Promise<{ pronote: TestClient; tiers: TestClient; ent: TestClient }>>();

/** The relying parties: Pronote (operator's, no consent), a third-party application (consent), an ENT with a charter. */
function relyingParties(ctx: StateContext) {
  if (!clients.has(ctx.sesame)) clients.set(ctx.sesame, (async () => {
    const redirect_uris = [ctx.callbackUrl];
    const pronote = await registerClient(ctx.sesame, { name: 'Pronote', scope: 'openid profile', redirect_uris });
    const tiers = await registerClient(ctx.sesame, { name: 'Cahier de textes', scope: 'openid profile email', first_party: false, redirect_uris });
    const ent = await registerClient(ctx.sesame, { name: 'ENT du collège', scope: 'openid profile', redirect_uris });
    await admin(ctx.sesame, 'POST', '/charters', { name: 'ent', text: '# Charte de l’ENT\n\nJe respecte les autres utilisateurs : je n’écris rien que je ne dirais pas en face.\n\nMon mot de passe est personnel ; je ne le donne à personne.' });
    await admin(ctx.sesame, 'POST', `/clients/${ent.client_id}/charter`, { charter: 'ent' });
    return { pronote, tiers, ent };
  })());
  return clients.get(ctx.sesame)!;
}

/** Opens a relying party's sign-in: the profile choice. */
async function startSignIn(page: Page, ctx: StateContext, which: 'pronote' | 'tiers' | 'ent'): Promise<void> {
  const client = (await relyingParties(ctx))[which];
  const config = await discover(ctx.sesame, client);
  const start = await startAuthorization(config, client, which === 'tiers' ? 'openid profile email' : 'openid profile');
  await page.goto(start.url.toString());
}

async function signIn(page: Page, profil: 'responsable' | 'eleve', username: string, password: string): Promise<void> {
  await follow(page, `profil=${profil}`);
  await submit(page, '*/login', { username, password });
}

// ---- the journeys ----

const info: Journey = {
  name: 'information and error pages',
  states: ['home', 'help', 'accessibility', 'legal-notice', 'personal-data', 'not-found', 'expired-page'],
  async walk(page, ctx, at) {
    await relyingParties(ctx); // «Mes services» lists them
    for (const [state, where] of [
      ['home', '/'], ['help', '/aide'], ['accessibility', '/accessibilite'], ['legal-notice', '/mentions-legales'],
      ['personal-data', '/donnees-personnelles'], ['not-found', '/nulle-part'], ['expired-page', '/interaction/plus-valable'],
    ] as const) {
      await goto(page, ctx, where);
      await at(state);
    }
  },
};

const login: Journey = {
  name: 'sign-in',
  states: ['login-profile-choice', 'login-form', 'login-empty', 'login-wrong-password', 'login-locked'],
  context: { extraHTTPHeaders: { 'x-forwarded-for': '198.51.100.23' } },
  async walk(page, ctx, at) {
    const { identifiant } = await newAccount(ctx.sesame, { kind: 'responsable' });
    await startSignIn(page, ctx, 'pronote');
    await at('login-profile-choice');
    await follow(page, 'profil=responsable');
    await at('login-form');
    await submit(page, '*/login');
    await at('login-empty');
    await submit(page, '*/login', { username: identifiant, password: 'pas-le-bon' });
    await at('login-wrong-password');
    for (let i = 0; i < 3; i += 1) await submit(page, '*/login', { username: identifiant, password: 'toujours-pas-le-bon' });
    await at('login-locked');
  },
};

interface Family {
  family: string;
  given: string;
  mobile: { e164: string; typed: string };
  birthdate: string;
}

async function family(ctx: StateContext, family: string, given: string): Promise<Family> {
  const f = { family, given, mobile: uniqueMobile(), birthdate: '2014-03-14' };
  await addFamily(ctx.sesame.sesame.db, { family, given, mobile: f.mobile.e164 }, [{ given: 'Jules', family, birthdate: f.birthdate }]);
  return f;
}

const frenchDate = (iso: string) => iso.split('-').reverse().join('/');

async function activationToCode(page: Page, ctx: StateContext, f: Family): Promise<void> {
  await goto(page, ctx, '/activation?nouveau=1');
  await submit(page, '/activation', { family_name: f.family, given_name: f.given, mobile: f.mobile.typed });
}

async function activationToChildren(page: Page, ctx: StateContext, f: Family): Promise<void> {
  await activationToCode(page, ctx, f);
  await submit(page, '/activation/code', { code: await lastCode(ctx.sesame.dataDir, f.mobile.e164) });
}

const activation: Journey = {
  name: 'activation by SMS',
  states: [
    'activation-identity', 'activation-identity-empty', 'activation-code-unknown-number', 'activation-code-wrong',
    'activation-code', 'activation-code-expired', 'activation-code-resent', 'activation-children',
    'activation-children-wrong', 'activation-password', 'activation-password-mismatch', 'activation-done',
  ],
  async walk(page, ctx, at) {
    await goto(page, ctx, '/activation');
    await at('activation-identity');
    await submit(page, '/activation');
    await at('activation-identity-empty');
    // A number the school never gave: the same page as everyone's (nothing is learnt), and no code will come.
    await submit(page, '/activation', { family_name: 'Inconnu', given_name: 'Personne', mobile: uniqueMobile().typed });
    await at('activation-code-unknown-number');
    await submit(page, '/activation/code', { code: '000000' });
    await at('activation-code-wrong');

    const f = await family(ctx, 'Moreau', 'Claire');
    await activationToCode(page, ctx, f);
    await at('activation-code');
    const code = await lastCode(ctx.sesame.dataDir, f.mobile.e164);
    ctx.advance(ctx.sesame.config.activation.codeTtlSeconds + 1);
    await submit(page, '/activation/code', { code });
    await at('activation-code-expired');
    await submit(page, '/activation/renvoyer');
    await at('activation-code-resent');
    await submit(page, '/activation/code', { code: await lastCode(ctx.sesame.dataDir, f.mobile.e164) });
    await at('activation-children');
    await submit(page, '/activation/enfants', { birthdate_1: '01/01/2010' });
    await at('activation-children-wrong');
    await submit(page, '/activation/enfants', { birthdate_1: frenchDate(f.birthdate) });
    await at('activation-password');
    await submit(page, '/activation/mot-de-passe', { password: PASSWORD, password_confirm: 'autre chose' });
    await at('activation-password-mismatch');
    await submit(page, '/activation/mot-de-passe', { password: PASSWORD, password_confirm: PASSWORD });
    await at('activation-done');
  },
};

const activationEndings: Journey = {
  name: 'activation refusals',
  states: ['activation-too-many-tries', 'activation-birthdates-refused', 'activation-expired'],
  async walk(page, ctx, at) {
    await activationToCode(page, ctx, await family(ctx, 'Durand', 'Paul'));
    for (let i = 0; i < ctx.sesame.config.activation.codeMaxFailures; i += 1) await submit(page, '/activation/code', { code: '000000' });
    await at('activation-too-many-tries');

    await activationToChildren(page, ctx, await family(ctx, 'Petit', 'Lucie'));
    for (let i = 0; i < ctx.sesame.config.activation.birthdateMaxTries; i += 1) await submit(page, '/activation/enfants', { birthdate_1: '01/01/2010' });
    await at('activation-birthdates-refused');

    const f = await family(ctx, 'Garnier', 'Inès');
    await activationToCode(page, ctx, f);
    // The flow's expiry is the database's clock (expires_at against now()), not the injected one: an hour passes
    // for this flow by moving its deadline.
    await ctx.sesame.sesame.db.updateTable('activation_flows').set({ expires_at: new Date(Date.now() - 1000) }).where('kind', '=', 'activation').execute();
    await submit(page, '/activation/code', { code: await lastCode(ctx.sesame.dataDir, f.mobile.e164) });
    await at('activation-expired');
  },
};

const FC = '/premiere-connexion';

const firstConnection: Journey = {
  name: 'first connection with the school letter',
  states: [
    'first-connection-letter', 'first-connection-letter-wrong', 'first-connection-password', 'first-connection-password-mismatch',
    'first-connection-email', 'first-connection-email-invalid', 'first-connection-identity', 'first-connection-identity-wrong',
    'first-connection-done', 'first-connection-email-link', 'first-connection-email-confirmed', 'first-connection-birthdates-refused',
  ],
  async walk(page, ctx, at) {
    const parent = { resp_nom: 'Morel', resp_prenom: 'Agnès', resp_mobile: '06 55 44 33 22', resp_email: '' };
    await importDirectory(ctx.sesame, [pupilRow({ uai: '0780001A', etablissement: 'Collège Jean-Moulin', ine: '', ...parent, eleve_id: 'C1', eleve_prenom: 'Yanis', eleve_nom: 'Morel', eleve_naissance: '2012-04-04' })]);
    const letter = await letterFor(ctx.sesame.sesame.db, { givenName: 'Agnès', familyName: 'Morel', kind: 'responsable' });
    await goto(page, ctx, `${FC}/courrier`);
    await at('first-connection-letter');
    await submit(page, `${FC}/courrier`, { username: letter.identifiant, password: 'ABCD2345' });
    await at('first-connection-letter-wrong');
    await submit(page, `${FC}/courrier`, { username: letter.identifiant, password: letter.password });
    await at('first-connection-password');
    await submit(page, `${FC}/mot-de-passe`, { password: PASSWORD, password_confirm: 'autre chose' });
    await at('first-connection-password-mismatch');
    await submit(page, `${FC}/mot-de-passe`, { password: PASSWORD, password_confirm: PASSWORD });
    await at('first-connection-email');
    await submit(page, `${FC}/courriel`, { email: 'agnes.morel@' });
    await at('first-connection-email-invalid');
    await submit(page, `${FC}/courriel`, { email: 'agnes.morel@example.org' });
    await at('first-connection-identity');
    await submit(page, `${FC}/identite`, { birthdate_1: '01/01/2010' });
    await at('first-connection-identity-wrong');
    await submit(page, `${FC}/identite`, { birthdate_1: '04/04/2012' });
    await at('first-connection-done');
    await goto(page, ctx, linkIn(await outboxMails(ctx) as never, 'agnes.morel@example.org'));
    await at('first-connection-email-link');
    await submit(page, `${FC}/courriel/confirmer`);
    await at('first-connection-email-confirmed');

    const pupil = await letterFor(ctx.sesame.sesame.db, { givenName: 'Yanis', familyName: 'Morel', kind: 'eleve' });
    await page.context().clearCookies(); // another person's first connection, not the rest of Agnès's
    await goto(page, ctx, `${FC}/courrier`);
    await submit(page, `${FC}/courrier`, { username: pupil.identifiant, password: pupil.password });
    await submit(page, `${FC}/mot-de-passe`, { password: PASSWORD, password_confirm: PASSWORD });
    await submit(page, `${FC}/courriel`, {}, '[name=passer]');
    for (let i = 0; i < ctx.sesame.config.firstConnection.birthdateMaxTries; i += 1) await submit(page, `${FC}/identite`, { birthdate: '01/01/2010' });
    await at('first-connection-birthdates-refused');
  },
};

const RECOVERY = '/mot-de-passe-oublie';

const recovery: Journey = {
  name: '«Mot de passe oublié» and «Identifiant oublié»',
  states: [
    'recovery-identifiant', 'recovery-identifiant-empty', 'recovery-code', 'recovery-code-wrong', 'recovery-code-expired',
    'recovery-code-resent', 'recovery-password', 'recovery-password-mismatch', 'recovery-done', 'recovery-email-link',
    'recovery-too-many-tries', 'forgotten-identifiant', 'forgotten-identifiant-empty', 'forgotten-identifiant-sent',
  ],
  async walk(page, ctx, at) {
    const mobile = uniqueMobile().e164;
    const { identifiant } = await newAccount(ctx.sesame, { kind: 'responsable', mobile });
    await goto(page, ctx, RECOVERY);
    await at('recovery-identifiant');
    await submit(page, RECOVERY);
    await at('recovery-identifiant-empty');
    await submit(page, RECOVERY, { identifiant });
    await at('recovery-code');
    await submit(page, `${RECOVERY}/code`, { code: '000000' });
    await at('recovery-code-wrong');
    const code = await lastCode(ctx.sesame.dataDir, mobile);
    ctx.advance(ctx.sesame.config.activation.codeTtlSeconds + 1);
    await submit(page, `${RECOVERY}/code`, { code });
    await at('recovery-code-expired');
    await submit(page, `${RECOVERY}/renvoyer`);
    await at('recovery-code-resent');
    await submit(page, `${RECOVERY}/code`, { code: await lastCode(ctx.sesame.dataDir, mobile) });
    await at('recovery-password');
    await submit(page, `${RECOVERY}/mot-de-passe`, { password: NEW_PASSWORD, password_confirm: 'autre chose' });
    await at('recovery-password-mismatch');
    await submit(page, `${RECOVERY}/mot-de-passe`, { password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    await at('recovery-done');

    const byMail = await newAccount(ctx.sesame, { kind: 'responsable', email: 'ines.garnier@example.org', emailVerified: true });
    await goto(page, ctx, RECOVERY);
    await submit(page, RECOVERY, { identifiant: byMail.identifiant });
    const link = /(http:\/\/\S+\/mot-de-passe-oublie\/lien\?jeton=[A-Za-z0-9_%-]+)/.exec((await outboxMails(ctx)).filter((m) => m.to.includes('ines.garnier@example.org')).at(-1)?.text ?? '')?.[1];
    if (!link) throw new Error('no recovery link in the outbox');
    await goto(page, ctx, link);
    await at('recovery-email-link');

    await page.context().clearCookies(); // a new request, not the one the link belongs to
    await goto(page, ctx, RECOVERY);
    await submit(page, RECOVERY, { identifiant: byMail.identifiant });
    for (let i = 0; i < ctx.sesame.config.activation.codeMaxFailures; i += 1) await submit(page, `${RECOVERY}/code`, { code: '000000' });
    await at('recovery-too-many-tries');

    await goto(page, ctx, '/identifiant-oublie');
    await at('forgotten-identifiant');
    await submit(page, '/identifiant-oublie');
    await at('forgotten-identifiant-empty');
    await submit(page, '/identifiant-oublie', { family_name: 'Moreau', given_name: 'Claire', mobile: '06 12 34 56 78' });
    await at('forgotten-identifiant-sent');
  },
};

const account: Journey = {
  name: '«Mon compte», consent, charter and logout',
  states: [
    'account-information', 'account-email', 'account-password', 'account-password-wrong', 'account-applications',
    'account-children', 'account-children-add', 'account-passkeys', 'consent', 'charter', 'charter-not-ticked', 'charter-print', 'charter-refused',
    'logout-ask', 'logout-stay-signed-in', 'logout-done',
  ],
  async walk(page, ctx, at) {
    const f = await family(ctx, 'Lefèvre', 'Sophie');
    const { json } = await admin(ctx.sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Sophie', family_name: 'Lefèvre', password: PASSWORD });
    const guardian = await ctx.sesame.sesame.db.selectFrom('guardians').select('id').where('mobile', '=', f.mobile.e164).executeTakeFirstOrThrow();
    await ctx.sesame.sesame.db.updateTable('guardians').set({ account_id: json.sub }).where('id', '=', guardian.id).execute();

    await goto(page, ctx, '/compte');
    await signIn(page, 'responsable', json.identifiant, PASSWORD);
    await at('account-information');
    for (const [state, where] of [['account-email', '/compte/courriel'], ['account-password', '/compte/mot-de-passe']] as const) {
      await goto(page, ctx, where);
      await at(state);
    }
    await submit(page, '/compte/mot-de-passe', { current_password: 'pas-le-bon', password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    await at('account-password-wrong');

    // A third-party application asks for consent; once allowed it is listed in «Mes applications».
    await startSignIn(page, ctx, 'tiers');
    await at('consent');
    await submit(page, '*/consent', {}, '[value=allow]');
    for (const [state, where] of [['account-applications', '/compte/applications'], ['account-children', '/compte/enfants'], ['account-children-add', '/compte/enfants/ajouter'], ['account-passkeys', '/compte/cles-d-acces']] as const) {
      await goto(page, ctx, where);
      await at(state);
    }

    await goto(page, ctx, '/session/end');
    await at('logout-ask');
    await follow(page, '/deconnexion/rester-connecte');
    await at('logout-stay-signed-in');
    await goto(page, ctx, '/session/end');
    await press(page, 'button[name=logout]');
    await at('logout-done');

    const pupil = (await admin(ctx.sesame, 'POST', '/accounts', { kind: 'eleve', given_name: 'Jules', family_name: 'Lefèvre', password: PASSWORD })).json;
    await startSignIn(page, ctx, 'ent');
    await signIn(page, 'eleve', pupil.identifiant, PASSWORD);
    await at('charter');
    await submit(page, '*/charte', {}, '[value=accept]');
    await at('charter-not-ticked');
    await goto(page, ctx, new URL('charte/imprimer', `${page.url().replace(/\/charte$/, '')}/`).pathname);
    await at('charter-print');
    await page.goBack();
    await submit(page, '*/charte', {}, '[value=refuse]');
    await at('charter-refused');
  },
};

/**
 * Problems known and left to a change outside the stylesheet and tests (views are being moved to the message
 * catalogue): reported as «known» by the run, not as failures. An entry whose problem is no longer seen fails the
 * run, so that the list is emptied as fixes land.
 */
export const KNOWN_PROBLEMS: { state: string; check: string; reason: string }[] = [];

export const JOURNEYS: Journey[] = [info, login, activation, activationEndings, firstConnection, recovery, account];

/** Every state, in the order visited. */
export const STATE_NAMES: string[] = JOURNEYS.flatMap((j) => j.states);
