// The federation screens' view models: the birth-date step, and every ending or upstream failure as French
// sentences with a next action.
import { childLabel } from '../activation/screens.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import type { Child } from '../common/children.js';
import type { EndReason } from './flow.js';

export interface Action {
  href: string;
  label: string;
}

export const loginHref = (uid: string) => `/interaction/${encodeURIComponent(uid)}?profil=responsable`;
export const activationHref = (uid: string) => `/activation?interaction=${encodeURIComponent(uid)}`;

export const childrenScreen = (base: ScreenBase, label: string, children: Child[], values: Record<string, string> = {}) =>
  formScreen('federation/children', 'Confirmer votre identité', base, { label, children: children.map((c) => ({ label: childLabel(c) })), values });

function message(base: ScreenBase, heading: string, paragraphs: string[], actions: Action[], reference?: string): Screen {
  return formScreen('federation/message', heading, base, { heading, paragraphs, actions, reference: reference ?? null });
}

/** No guardian of the directory carries these names (or several do): the same page either way. */
export const noMatchScreen = (base: ScreenBase, label: string, uid: string) =>
  message(base, 'Nous n’avons pas pu retrouver votre compte', [
    `Votre identité ${label} ne correspond à aucun parent ou responsable légal que nous pouvons relier avec certitude aux informations transmises par les établissements.`,
    'Vous pouvez activer votre compte avec le numéro de téléphone portable que vous avez donné à l’établissement de votre enfant. Si cela ne fonctionne pas, contactez l’établissement.',
  ], [{ href: activationHref(uid), label: 'Activer mon compte par SMS' }, { href: loginHref(uid), label: 'Revenir à la page de connexion' }]);

const ENDINGS: Record<EndReason, { heading: string; paragraphs: string[] }> = {
  birthdates: {
    heading: 'Nous n’avons pas pu confirmer les dates de naissance',
    paragraphs: [
      'Les dates de naissance saisies ne correspondent pas à celles que l’établissement nous a transmises. Pour votre sécurité, cette demande est annulée.',
      'Contactez le secrétariat de l’établissement de votre enfant : il pourra vérifier les dates de naissance enregistrées et les corriger si besoin.',
    ],
  },
  no_children: {
    heading: 'Nous n’avons pas trouvé vos enfants',
    paragraphs: [
      'L’établissement ne nous a transmis aucun élève dont vous êtes responsable légal.',
      'Contactez le secrétariat de l’établissement de votre enfant : il pourra vérifier les informations enregistrées.',
    ],
  },
  disabled: {
    heading: 'Votre compte est désactivé',
    paragraphs: ['Ce compte ne peut plus être utilisé pour se connecter. Contactez l’établissement de votre enfant.'],
  },
  other_identity: {
    heading: 'Votre compte est déjà relié à une autre identité',
    paragraphs: [
      'Ce compte est déjà relié à une autre identité. Connectez-vous avec votre identifiant et votre mot de passe, ou contactez l’établissement de votre enfant.',
    ],
  },
};

export function endedScreen(base: ScreenBase, reason: EndReason, uid: string): Screen {
  const ending = ENDINGS[reason];
  return message(base, ending.heading, ending.paragraphs, [{ href: loginHref(uid), label: 'Revenir à la page de connexion' }]);
}

/** The person cancelled at the upstream (access_denied). */
export const cancelledScreen = (base: ScreenBase, label: string, uid: string) =>
  message(base, `Connexion avec ${label} annulée`, [
    `Vous n’avez pas terminé la connexion avec ${label}. Vous pouvez vous connecter avec votre identifiant et votre mot de passe, ou réessayer.`,
  ], [{ href: loginHref(uid), label: 'Revenir à la page de connexion' }]);

/** The upstream cannot be reached, or answered something we refuse (bad signature, wrong state or nonce). */
export const failedScreen = (base: ScreenBase, label: string, uid: string | null, reason: 'unavailable' | 'rejected', reference: string) =>
  message(base, `La connexion avec ${label} n’a pas abouti`, [
    reason === 'unavailable'
      ? `${label} ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre identifiant et votre mot de passe.`
      : `Nous n’avons pas pu vérifier la réponse de ${label}. Réessayez, ou connectez-vous avec votre identifiant et votre mot de passe.`,
    ...(uid ? [] : ['Retournez sur le site que vous vouliez utiliser et reconnectez-vous.']),
  ], uid ? [{ href: loginHref(uid), label: 'Revenir à la page de connexion' }] : [], reference);

export const limitedScreen = (base: ScreenBase, uid: string) =>
  message(base, 'Trop de tentatives', [
    'Vous avez déjà essayé plusieurs fois aujourd’hui de confirmer votre identité. Réessayez demain, ou activez votre compte par SMS.',
  ], [{ href: activationHref(uid), label: 'Activer mon compte par SMS' }, { href: loginHref(uid), label: 'Revenir à la page de connexion' }]);
