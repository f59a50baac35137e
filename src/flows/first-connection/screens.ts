// The first connection's screens as view models: each step, the end of the journey, the letter form of the home
// page, the expired letter, the email link's pages, and every refusal as a French sentence.
import { passwordRules } from '../../accounts/password-policy.js';
import type { MailFailureKind } from '../../messaging/mailer.js';
import { childLabel } from '../activation/screens.js';
import { formScreen, signInLink, type Screen, type ScreenBase } from '../common/screen.js';
import { stepHeading, stepOf } from '../common/steps.js';
import type { MailRefusal } from './first-connection.js';
import type { EndReason, FlowState } from './flow.js';
import type { IdentityQuestion } from './identity.js';
import { tr } from '../../i18n/request-language.js';

export const PATH = '/premiere-connexion';

const screen = (view: string, heading: string, base: ScreenBase, extra: Record<string, unknown> = {}) =>
  formScreen(`first-connection/${view}`, heading, base, { heading, ...extra });

const STEPS = () => [tr('first-connection:steps.password'), tr('first-connection:steps.email'), tr('first-connection:steps.identity')];

function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf(tr('first-connection:journey'), STEPS(), current);
  return screen(view, stepHeading(step), base, { step, ...extra });
}

/** The identifiant is on the letter the person just used: the rules name it, and a password manager saves it. */
export const passwordScreen = (base: ScreenBase, identifiant: string) =>
  stepScreen('password', 1, base, { rules: passwordRules({ identifiantShown: true }), identifiant, action: `${PATH}/mot-de-passe` });

export const emailScreen = (base: ScreenBase, required: boolean, values: Record<string, string>) =>
  stepScreen('email', 2, base, { required, values, action: `${PATH}/courriel` });

export function identityScreen(base: ScreenBase, questions: IdentityQuestion[], values: Record<string, string> = {}): Screen {
  const fields = questions.map((q) => ({
    name: q.field,
    label: q.child ? tr('common:form.birthdateOf', { child: childLabel(q.child) }) : tr('first-connection:identity.ownBirthdate'),
  }));
  return stepScreen('identity', 3, base, { fields, parent: questions.some((q) => q.child), values, action: `${PATH}/identite` });
}

/** The end of the journey (or the reminder of an unconfirmed address): the identifiant, the mail, «Continuer». */
export function doneScreen(base: ScreenBase, state: FlowState, options: { pending: boolean; notice?: string; values?: Record<string, string> }): Screen {
  const heading = state.purpose === 'reminder' ? tr('first-connection:link.confirm.heading') : tr('first-connection:done.ready');
  return screen('done', heading, base, {
    reminder: state.purpose === 'reminder',
    identifiant: state.identifiant,
    email: state.email,
    pending: options.pending,
    mailFailed: state.mail === 'failed',
    notice: options.notice,
    values: options.values ?? {},
    resendAction: `${PATH}/renvoyer`,
    correctAction: `${PATH}/corriger`,
    continueTo: state.interactionUid ? state.clientName ?? tr('first-connection:done.theService') : null,
    continueAction: state.interactionUid ? `/interaction/${encodeURIComponent(state.interactionUid)}/premiere-connexion` : null,
  });
}

// Each ending is `first-connection:ended.<reason>.heading` and `.paragraphs.<n>`: how many paragraphs it has.
const ENDINGS: Record<EndReason, number> = { birthdates: 2, no_birthdate: 2, letter_used: 2 };

/** Every ending leads on: back to the sign-in it came from, or to the services of the home page. */
export function endedScreen(base: ScreenBase, reason: EndReason, interactionUid: string | null): Screen {
  const paragraphs = Array.from({ length: ENDINGS[reason] }, (_, i) => tr(`first-connection:ended.${reason}.paragraphs.${i + 1}`));
  return screen('ended', tr(`first-connection:ended.${reason}.heading`), base, { paragraphs, ...signInLink(interactionUid) });
}

/** A correct provisional password past its 3 months: what to do, never «incorrect». */
export const expiredScreen = (base: ScreenBase, profil: 'responsable' | 'eleve', activationHref: string) =>
  screen('expired', tr('first-connection:expired.heading'), base, { parent: profil !== 'eleve', activationHref });

/** Started from the home page: identifiant and provisional password from the letter. */
export const letterScreen = (base: ScreenBase, values: Record<string, string>) =>
  screen('letter', tr('first-connection:letter.heading'), base, { values, action: `${PATH}/courrier` });

export type LinkPage = 'confirm' | 'confirmed' | 'invalid' | 'used' | 'expired';

// Each page is `first-connection:link.<page>.heading` and `.paragraphs.<n>`: how many paragraphs it has.
const LINK_PAGES: Record<LinkPage, number> = { confirm: 1, confirmed: 1, invalid: 2, used: 1, expired: 2 };

export function linkScreen(base: ScreenBase, page: LinkPage, extra: { token?: string; identifiant?: string } = {}): Screen {
  const heading = tr(`first-connection:link.${page}.heading`);
  const paragraphs = Array.from({ length: LINK_PAGES[page] }, (_, i) => tr(`first-connection:link.${page}.paragraphs.${i + 1}`));
  return screen('link', heading, base, { page, paragraphs, token: extra.token ?? null, identifiant: extra.identifiant ?? null, action: `${PATH}/courriel/confirmer` });
}

// `first-connection:mailFailure.<kind>`, one per MailFailureKind.
const mailFailure = (kind: MailFailureKind) => tr(`first-connection:mailFailure.${kind}`);

export function mailRefusalMessage(refusal: MailRefusal): { status: number; message: string; retryAfter?: number } {
  if (refusal.kind === 'limited') {
    return { status: 429, retryAfter: refusal.retryAfterSeconds, message: tr('first-connection:mailLimited', { count: Math.max(1, Math.ceil(refusal.retryAfterSeconds / 60)) }) };
  }
  return { status: refusal.failure === 'unavailable' ? 503 : 422, message: mailFailure(refusal.failure) };
}
