// The activation screens' view models: what each step shows, and every refusal or ending as French sentences.
import { passwordRules } from '../../accounts/password-policy.js';
import type { SmsFailureKind } from '../../messaging/sms-sender.js';
import type { Refusal } from './activation.js';
import type { Child } from './directory-lookup.js';
import type { EndReason, SmsDelivery } from './flow.js';
import { countOf } from '../../http/count.js';
import { formScreen, signInLink, type Screen, type ScreenBase } from '../common/screen.js';
import { stepHeading, stepOf } from '../common/steps.js';

export type { Screen, ScreenBase } from '../common/screen.js';

function withErrors(view: string, heading: string, base: ScreenBase, extra: Record<string, unknown>): Screen {
  return formScreen(`activation/${view}`, heading, base, extra);
}

export function restartHref(interactionUid: string | null): string {
  return interactionUid ? `/activation?nouveau=1&interaction=${encodeURIComponent(interactionUid)}` : '/activation?nouveau=1';
}

const STEPS = ['Vos informations', 'Code reçu par SMS', 'Vos enfants', 'Votre mot de passe'] as const;

/** A numbered step: its indicator (views/partials/stepper.pug) and the page title that goes with it. */
function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf('Activer mon compte', STEPS, current);
  return withErrors(view, stepHeading(step), base, { step, ...extra });
}

export const identityScreen = (base: ScreenBase, values: Record<string, string>, interaction: string | null) =>
  stepScreen('identity', 1, base, { values, interaction });

/**
 * What the code page offers first: typing the code; asking for a new one (the code expired, or its SMS could not
 * leave); or starting again when no more codes may be sent.
 */
export type CodeNextStep = 'code' | 'resend' | 'restart';

export interface CodeScreenOptions {
  codeMinutes: number;
  interactionUid: string | null;
  notice?: string | undefined;
  nextStep?: CodeNextStep;
}

export const codeScreen = (base: ScreenBase, o: CodeScreenOptions) =>
  stepScreen('code', 2, base, {
    codeMinutes: o.codeMinutes, notice: o.notice, nextStep: o.nextStep ?? 'code', restartHref: restartHref(o.interactionUid), ...signInLink(o.interactionUid),
  });

/** «Jules MOREAU (Collège Jean-Moulin)»: first given name, family name in capitals, the school. */
export function childLabel(child: Child): string {
  const given = child.givenNames.trim().split(/[\s,]+/)[0] ?? child.givenNames;
  return `${given} ${child.familyName.toLocaleUpperCase('fr-FR')} (${child.schoolName})`;
}

export const childrenScreen = (base: ScreenBase, children: Child[], values: Record<string, string> = {}) =>
  stepScreen('children', 3, base, { children: children.map((c) => ({ label: childLabel(c) })), values });

// The identifiant is given at the end: the rules do not name it, and there is none yet for a password manager.
export const passwordScreen = (base: ScreenBase) => stepScreen('password', 4, base, { rules: passwordRules({ identifiantShown: false }) });

/** With a sign-in waiting, «Continuer vers <app>» posts under that sign-in's path (see routes.ts). */
export const doneScreen = (base: ScreenBase, identifiant: string, interactionUid: string | null, appName: string) =>
  withErrors('done', 'Compte activé', base, {
    identifiant,
    continueTo: interactionUid ? appName : null,
    continueAction: interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}/activation` : null,
  });

const ENDINGS: Record<EndReason, { heading: string; paragraphs: string[]; restart: boolean }> = {
  code_failures: {
    heading: 'Cette demande d’activation est annulée',
    paragraphs: [
      'Le code a été saisi trop de fois sans succès. Pour votre sécurité, nous avons annulé cette demande.',
      'Vous pouvez recommencer et demander un nouveau code. Si vous ne recevez pas de SMS, vérifiez le numéro donné à l’établissement de votre enfant, ou contactez l’établissement.',
    ],
    restart: true,
  },
  birthdates: {
    heading: 'Nous n’avons pas pu confirmer les dates de naissance',
    paragraphs: [
      'Les dates de naissance saisies ne correspondent pas à celles que l’établissement nous a transmises. Pour votre sécurité, cette demande est annulée.',
      'Contactez le secrétariat de l’établissement de votre enfant : il pourra vérifier les dates de naissance enregistrées et les corriger si besoin. Vous pourrez ensuite recommencer.',
    ],
    // Once the school has corrected its data (at the next nightly import), starting again is the way on.
    restart: true,
  },
  no_children: {
    heading: 'Nous n’avons pas trouvé vos enfants',
    paragraphs: [
      'L’établissement ne nous a transmis aucun élève dont vous êtes le parent ou le responsable légal.',
      'Contactez le secrétariat de l’établissement de votre enfant : il pourra vérifier les informations enregistrées.',
    ],
    restart: false,
  },
  already_active: {
    heading: 'Votre compte est déjà activé',
    paragraphs: ['Votre compte a déjà été activé. Votre identifiant est :'],
    restart: false,
  },
};

/** Every ending leads somewhere: back to the sign-in it came from (or the home page's services), and starting again when that can help. */
export function endedScreen(base: ScreenBase, reason: EndReason, identifiant: string | null, interactionUid: string | null): Screen {
  const ending = ENDINGS[reason];
  return withErrors('ended', ending.heading, base, {
    heading: ending.heading,
    paragraphs: ending.paragraphs,
    identifiant: reason === 'already_active' ? identifiant : null,
    restartHref: ending.restart ? restartHref(interactionUid) : null,
    ...signInLink(interactionUid),
  });
}

// Shown at the code step once the queue has reported that the SMS did not leave. These necessarily tell someone
// who typed the names and number that they matched (docs/activation.md); step 1 itself stays neutral.
const SMS_FAILURES: Record<SmsFailureKind, string> = {
  invalid_number: 'Nous n’avons pas pu envoyer le SMS : ce numéro ne semble pas être celui d’un téléphone portable. Vérifiez-le avec « Modifier mes informations », ou contactez l’établissement de votre enfant pour le faire corriger.',
  unsubscribed: 'Nous n’avons pas pu envoyer le SMS : ce numéro a refusé nos SMS (réponse STOP). Envoyez START en réponse à l’un de nos SMS, puis choisissez « Renvoyer le code ». Sinon, contactez l’établissement de votre enfant.',
  region_not_enabled: 'Nous n’avons pas pu envoyer le SMS : nous ne pouvons pas encore envoyer de SMS vers ce pays. Contactez l’établissement de votre enfant pour activer votre compte autrement.',
  rate_limited: 'Nous n’avons pas pu envoyer le SMS : l’envoi de SMS est très chargé en ce moment. Attendez quelques minutes, puis choisissez « Renvoyer le code ».',
  unavailable: 'Nous n’avons pas pu envoyer le SMS. Attendez quelques minutes, puis choisissez « Renvoyer le code ».',
};

/** The sentence for an SMS the queue could not send, or undefined while it is on its way or left. */
export function smsFailureMessage(sms: SmsDelivery | null | undefined): string | undefined {
  return sms?.status === 'failed' ? SMS_FAILURES[sms.failure ?? 'unavailable'] : undefined;
}

function delay(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes >= 60) {
    const hours = Math.ceil(minutes / 60);
    return hours === 1 ? '1 heure' : `${hours} heures`;
  }
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** The sentence and HTTP status for a refused SMS request. */
export function refusalMessage(refusal: Refusal): { status: number; message: string; retryAfter?: number } {
  switch (refusal.kind) {
    case 'limited':
      return refusal.budget
        ? { status: 429, retryAfter: refusal.retryAfterSeconds, message: `Le service a envoyé beaucoup de SMS aujourd’hui et ne peut plus en envoyer pour le moment. Réessayez dans ${delay(refusal.retryAfterSeconds)}.` }
        : { status: 429, retryAfter: refusal.retryAfterSeconds, message: `Trop de tentatives. Réessayez dans ${delay(refusal.retryAfterSeconds)}.` };
    case 'too_soon':
      return { status: 429, retryAfter: refusal.waitSeconds, message: `Attendez encore ${countOf(refusal.waitSeconds, 'seconde')} avant de demander un nouveau code.` };
    case 'too_many_codes':
      return { status: 429, message: 'Vous avez déjà demandé le nombre maximal de codes. Vérifiez le numéro donné à l’établissement de votre enfant, ou recommencez plus tard.' };
  }
}
