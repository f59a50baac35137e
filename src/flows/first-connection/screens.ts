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

export const PATH = '/premiere-connexion';

const screen = (view: string, heading: string, base: ScreenBase, extra: Record<string, unknown> = {}) =>
  formScreen(`first-connection/${view}`, heading, base, { heading, ...extra });

const STEPS = ['Votre mot de passe', 'Votre adresse électronique', 'Vérification de votre identité'] as const;

function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf('Première connexion', STEPS, current);
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
    label: q.child ? `Date de naissance de ${childLabel(q.child)}` : 'Votre date de naissance',
  }));
  return stepScreen('identity', 3, base, { fields, parent: questions.some((q) => q.child), values, action: `${PATH}/identite` });
}

/** The end of the journey (or the reminder of an unconfirmed address): the identifiant, the mail, «Continuer». */
export function doneScreen(base: ScreenBase, state: FlowState, options: { pending: boolean; notice?: string; values?: Record<string, string> }): Screen {
  const heading = state.purpose === 'reminder' ? 'Confirmez votre adresse électronique' : 'Votre compte est prêt';
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
    continueTo: state.interactionUid ? state.clientName ?? 'le service' : null,
    continueAction: state.interactionUid ? `/interaction/${encodeURIComponent(state.interactionUid)}/premiere-connexion` : null,
  });
}

const CONTACT = 'Contactez le secrétariat de l’établissement : il vérifiera les informations enregistrées et pourra vous remettre un nouveau courrier.';

const ENDINGS: Record<EndReason, { heading: string; paragraphs: string[] }> = {
  birthdates: {
    heading: 'Nous n’avons pas pu confirmer votre identité',
    paragraphs: [
      'Les dates de naissance saisies ne correspondent pas à celles que l’établissement nous a transmises. Pour votre sécurité, le mot de passe provisoire de votre courrier ne fonctionne plus.',
      CONTACT,
    ],
  },
  no_birthdate: {
    heading: 'Nous ne pouvons pas confirmer votre identité',
    paragraphs: [
      'L’établissement ne nous a transmis aucune date de naissance à vérifier pour ce compte. Votre mot de passe provisoire reste valable : reconnectez-vous avec lui quand l’établissement aura corrigé ses informations.',
      'Contactez le secrétariat de l’établissement : il vérifiera les informations enregistrées.',
    ],
  },
  letter_used: {
    heading: 'Ce courrier a déjà servi',
    paragraphs: [
      'Le mot de passe provisoire de ce courrier ne fonctionne plus : il a déjà servi à une première connexion, il a expiré, ou l’établissement l’a remplacé.',
      'Si vous avez déjà terminé votre première connexion, connectez-vous avec le mot de passe que vous avez choisi. Sinon, contactez l’établissement : il vous remettra un nouveau courrier.',
    ],
  },
};

/** Every ending leads on: back to the sign-in it came from, or to the services of the home page. */
export function endedScreen(base: ScreenBase, reason: EndReason, interactionUid: string | null): Screen {
  const ending = ENDINGS[reason];
  return screen('ended', ending.heading, base, { paragraphs: ending.paragraphs, ...signInLink(interactionUid) });
}

/** A correct provisional password past its 3 months: what to do, never «incorrect». */
export const expiredScreen = (base: ScreenBase, profil: 'responsable' | 'eleve', activationHref: string) =>
  screen('expired', 'Votre mot de passe provisoire a expiré', base, { parent: profil !== 'eleve', activationHref });

/** Started from the home page: identifiant and provisional password from the letter. */
export const letterScreen = (base: ScreenBase, values: Record<string, string>) =>
  screen('letter', 'Première connexion avec le courrier de l’établissement', base, { values, action: `${PATH}/courrier` });

export type LinkPage = 'confirm' | 'confirmed' | 'invalid' | 'used' | 'expired';

const LINK_PAGES: Record<LinkPage, { heading: string; paragraphs: string[] }> = {
  confirm: { heading: 'Confirmez votre adresse électronique', paragraphs: ['Pour terminer l’activation de votre compte Sésame, confirmez votre adresse électronique.'] },
  confirmed: { heading: 'Votre compte est activé', paragraphs: ['Votre adresse électronique est confirmée. Vous pourrez vous en servir si vous oubliez votre mot de passe.'] },
  invalid: {
    heading: 'Ce lien n’est pas valable',
    paragraphs: [
      'Ce lien est incomplet, ou il a été remplacé par un lien plus récent. Vérifiez que vous avez copié toute l’adresse, ou ouvrez le dernier courriel reçu.',
      'Vous pouvez demander un nouveau courriel : connectez-vous au service de l’école, puis choisissez « Renvoyer le courriel ».',
    ],
  },
  used: {
    heading: 'Ce lien a déjà été utilisé',
    paragraphs: ['Ce lien ne sert qu’une fois, et il a déjà servi. Si votre compte est activé, vous n’avez plus rien à faire.'],
  },
  expired: {
    heading: 'Ce lien a expiré',
    paragraphs: ['Pour votre sécurité, ce lien ne fonctionne que pendant une durée limitée.', 'Connectez-vous au service de l’école, puis choisissez « Renvoyer le courriel » pour en recevoir un nouveau.'],
  },
};

export function linkScreen(base: ScreenBase, page: LinkPage, extra: { token?: string; identifiant?: string } = {}): Screen {
  const { heading, paragraphs } = LINK_PAGES[page];
  return screen('link', heading, base, { page, paragraphs, token: extra.token ?? null, identifiant: extra.identifiant ?? null, action: `${PATH}/courriel/confirmer` });
}

const MAIL_FAILURES: Record<MailFailureKind, string> = {
  invalid_address: 'Le courriel n’a pas pu être remis : cette adresse semble ne pas exister. Vérifiez-la, puis corrigez-la ci-dessous.',
  rejected: 'Le serveur de messagerie a refusé notre courriel. Vérifiez l’adresse, ou réessayez plus tard avec « Renvoyer le courriel ».',
  unavailable: 'Le courriel n’a pas pu être envoyé pour le moment. Votre compte est bien enregistré : réessayez dans quelques minutes avec « Renvoyer le courriel ».',
};

function delay(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

export function mailRefusalMessage(refusal: MailRefusal): { status: number; message: string; retryAfter?: number } {
  if (refusal.kind === 'limited') {
    return { status: 429, retryAfter: refusal.retryAfterSeconds, message: `Trop de courriels demandés. Réessayez dans ${delay(refusal.retryAfterSeconds)}.` };
  }
  return { status: refusal.failure === 'unavailable' ? 503 : 422, message: MAIL_FAILURES[refusal.failure] };
}
