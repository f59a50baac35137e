// Recovery's screens as view models: the identifiant, the neutral code page, the password, the end, the mail link's
// pages, «Identifiant oublié» and its neutral answer; every refusal as a French sentence.
import { passwordRules } from '../../accounts/password-policy.js';
import { countOf } from '../../http/count.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import { stepHeading, stepOf } from '../common/steps.js';
import type { Refusal } from './recovery.js';

export const PATH = '/mot-de-passe-oublie';
export const IDENTIFIANT_PATH = '/identifiant-oublie';

const screen = (view: string, heading: string, base: ScreenBase, extra: Record<string, unknown> = {}) =>
  formScreen(`recovery/${view}`, heading, base, { heading, ...extra });

/** Where «Retour à la connexion» leads: the sign-in in progress, or the home page. */
export const signInHref = (interactionUid: string | null) => (interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}` : '/');
/** Its words: back to a sign-in only when one is in progress. */
const backLabel = (interactionUid: string | null) => (interactionUid ? 'Revenir à la connexion' : 'Aller à l’accueil de Sésame');

const withInteraction = (path: string, interactionUid: string | null) =>
  interactionUid ? `${path}?interaction=${encodeURIComponent(interactionUid)}` : path;

const STEPS = ['Votre identifiant', 'Code ou lien reçu', 'Votre nouveau mot de passe'] as const;

function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf('Mot de passe oublié', STEPS, current);
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
  screen('done', 'Votre mot de passe a été changé', base, {
    continueTo: interactionUid ? clientName ?? 'le service' : null,
    continueAction: interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}/mot-de-passe-oublie` : null,
  });

export const endedScreen = (base: ScreenBase, interactionUid: string | null) =>
  screen('ended', 'Trop d’essais', base, { restartHref: `${withInteraction(PATH, interactionUid)}${interactionUid ? '&' : '?'}nouveau=1` });

export type LinkPage = 'confirm' | 'invalid' | 'used' | 'expired';

const LINK_PAGES: Record<LinkPage, { heading: string; paragraphs: string[] }> = {
  confirm: { heading: 'Choisir un nouveau mot de passe', paragraphs: ['Vous avez demandé à changer le mot de passe de votre compte Sésame. Continuez pour choisir le nouveau.'] },
  invalid: {
    heading: 'Ce lien n’est pas valable',
    paragraphs: ['Ce lien est incomplet, ou il ne sert plus : le mot de passe a été changé depuis. Vérifiez que vous avez copié toute l’adresse, ou demandez un nouveau lien avec « Mot de passe oublié ».'],
  },
  used: { heading: 'Ce lien a déjà été utilisé', paragraphs: ['Ce lien ne sert qu’une fois, et il a déjà servi. Si vous n’avez pas pu choisir votre mot de passe, demandez un nouveau lien avec « Mot de passe oublié ».'] },
  expired: { heading: 'Ce lien a expiré', paragraphs: ['Pour votre sécurité, ce lien ne fonctionne que pendant une durée limitée. Demandez-en un nouveau avec « Mot de passe oublié ».'] },
};

export function linkScreen(base: ScreenBase, page: LinkPage, token?: string): Screen {
  const { heading, paragraphs } = LINK_PAGES[page];
  return screen('link', heading, base, { page, paragraphs, token: token ?? null, action: `${PATH}/lien`, restartHref: PATH });
}

export const forgottenScreen = (base: ScreenBase, values: Record<string, string>, interactionUid: string | null) =>
  screen('identifiant', 'Identifiant oublié', base, { values, interaction: interactionUid, action: IDENTIFIANT_PATH, backHref: signInHref(interactionUid), backLabel: backLabel(interactionUid) });

/** The same page whether anything matched. */
export const forgottenSentScreen = (base: ScreenBase, interactionUid: string | null) =>
  screen('identifiant-sent', 'Identifiant oublié', base, { backHref: signInHref(interactionUid), backLabel: backLabel(interactionUid), passwordHref: withInteraction(PATH, interactionUid) });

function delay(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes >= 60) {
    const hours = Math.ceil(minutes / 60);
    return hours === 1 ? '1 heure' : `${hours} heures`;
  }
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function refusalMessage(refusal: Refusal): { status: number; message: string; retryAfter?: number } {
  switch (refusal.kind) {
    case 'limited':
      return { status: 429, retryAfter: refusal.retryAfterSeconds, message: `Trop de demandes. Réessayez dans ${delay(refusal.retryAfterSeconds)}.` };
    case 'too_soon':
      return { status: 429, retryAfter: refusal.waitSeconds, message: `Attendez encore ${countOf(refusal.waitSeconds, 'seconde')} avant de faire une nouvelle demande.` };
    case 'too_many_codes':
      return { status: 429, message: 'Vous avez déjà fait le nombre maximal de demandes. Recommencez plus tard, ou contactez l’établissement.' };
  }
}
