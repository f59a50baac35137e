// Recovery's screens as view models: the identifiant, the neutral code page, the password, the end, the mail link's
// pages, «Identifiant oublié» and its neutral answer; every refusal as a French sentence.
import { passwordRules } from '../../accounts/password-policy.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import { stepHeading, stepOf } from '../common/steps.js';
import type { Refusal } from './recovery.js';
import { tr } from '../../i18n/request-language.js';

export const PATH = '/mot-de-passe-oublie';
export const IDENTIFIANT_PATH = '/identifiant-oublie';

const screen = (view: string, heading: string, base: ScreenBase, extra: Record<string, unknown> = {}) =>
  formScreen(`recovery/${view}`, heading, base, { heading, ...extra });

/** Where «Retour à la connexion» leads: the sign-in in progress, or the home page. */
export const signInHref = (interactionUid: string | null) => (interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}` : '/');
/** Its words: back to a sign-in only when one is in progress. */
const backLabel = (interactionUid: string | null) => (interactionUid ? tr('common:journey.backToSignIn') : tr('common:goHome'));

const withInteraction = (path: string, interactionUid: string | null) =>
  interactionUid ? `${path}?interaction=${encodeURIComponent(interactionUid)}` : path;

const STEPS = () => [tr('recovery:steps.identifiant'), tr('recovery:steps.code'), tr('recovery:steps.password')];

function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf(tr('recovery:journey'), STEPS(), current);
  return screen(view, stepHeading(step), base, { step, ...extra });
}

export const startScreen = (base: ScreenBase, values: Record<string, string>, interactionUid: string | null) =>
  stepScreen('start', 1, base, {
    values, interaction: interactionUid, action: PATH,
    identifiantHref: withInteraction(IDENTIFIANT_PATH, interactionUid), backHref: signInHref(interactionUid), backLabel: backLabel(interactionUid),
  });

/** The same page for everyone: it never says whether a code, a link or nothing left. */
export const codeScreen = (base: ScreenBase, codeMinutes: number, linkMinutes: number, interactionUid: string | null, notice?: string) =>
  stepScreen('code', 2, base, {
    codeMinutes, linkMinutes, notice,
    codeAction: `${PATH}/code`, resendAction: `${PATH}/renvoyer`, mailAction: `${PATH}/courriel`,
    restartHref: `${withInteraction(PATH, interactionUid)}${interactionUid ? '&' : '?'}nouveau=1`,
  });

/** `identifiant`: the one the person typed, which led here, for a password manager. */
export const passwordScreen = (base: ScreenBase, identifiant: string) =>
  stepScreen('password', 3, base, { rules: passwordRules({ identifiantShown: true }), identifiant, action: `${PATH}/mot-de-passe` });

export const doneScreen = (base: ScreenBase, interactionUid: string | null, clientName: string | null) =>
  screen('done', tr('recovery:done.heading'), base, {
    continueTo: interactionUid ? clientName ?? tr('first-connection:done.theService') : null,
    continueAction: interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}/mot-de-passe-oublie` : null,
  });

export const endedScreen = (base: ScreenBase, interactionUid: string | null) =>
  screen('ended', tr('recovery:ended.heading'), base, { restartHref: `${withInteraction(PATH, interactionUid)}${interactionUid ? '&' : '?'}nouveau=1` });

export type LinkPage = 'confirm' | 'invalid' | 'used' | 'expired';

// Each page is `recovery:link.<page>.heading` and `.paragraph`.

export function linkScreen(base: ScreenBase, page: LinkPage, token?: string): Screen {
  const heading = tr(`recovery:link.${page}.heading`);
  const paragraphs = [tr(`recovery:link.${page}.paragraph`)];
  return screen('link', heading, base, { page, paragraphs, token: token ?? null, action: `${PATH}/lien`, restartHref: PATH });
}

export const forgottenScreen = (base: ScreenBase, values: Record<string, string>, interactionUid: string | null) =>
  screen('identifiant', tr('recovery:forgotten.heading'), base, { values, interaction: interactionUid, action: IDENTIFIANT_PATH, backHref: signInHref(interactionUid), backLabel: backLabel(interactionUid) });

/** The same page whether anything matched. */
export const forgottenSentScreen = (base: ScreenBase, interactionUid: string | null) =>
  screen('identifiant-sent', tr('recovery:forgotten.heading'), base, { backHref: signInHref(interactionUid), backLabel: backLabel(interactionUid), passwordHref: withInteraction(PATH, interactionUid) });

function delay(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes >= 60) return tr('common:time.hours', { count: Math.ceil(minutes / 60) });
  return tr('common:time.minutes', { count: minutes });
}

export function refusalMessage(refusal: Refusal): { status: number; message: string; retryAfter?: number } {
  switch (refusal.kind) {
    case 'limited':
      return { status: 429, retryAfter: refusal.retryAfterSeconds, message: tr('recovery:refusal.limited', { delay: delay(refusal.retryAfterSeconds) }) };
    case 'too_soon':
      return { status: 429, retryAfter: refusal.waitSeconds, message: tr('recovery:refusal.tooSoon', { delay: tr('common:time.seconds', { count: refusal.waitSeconds }) }) };
    case 'too_many_codes':
      return { status: 429, message: tr('recovery:refusal.tooManyCodes') };
  }
}
