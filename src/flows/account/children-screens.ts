// «Mes enfants» and its two journeys as view models: the list, the wrong-attachment report (confirm, recorded),
// «Ajouter des élèves depuis un autre compte» (form, confirmation, done), and every refusal as a French sentence.
import type { AccountChild } from '../../directory/account-children.js';
import type { MergeRefusal } from '../../directory/account-merge.js';
import type { ReportOutcome } from '../../directory/attachment-reports.js';
import type { FieldError } from '../common/form-input.js';
import { formScreen, type Screen } from '../common/screen.js';

export const PATH = '/compte/enfants';
export const REPORT_PATH = `${PATH}/signaler`;
export const ADD_PATH = `${PATH}/ajouter`;
export const ADD_CONFIRM_PATH = `${ADD_PATH}/confirmer`;

/** The «Mon compte» frame (views/account/layout.pug) highlights this section. */
const SECTION = 'enfants';

const screen = (view: string, heading: string, csrf: string, extra: Record<string, unknown> = {}, errors?: FieldError[]): Screen => {
  const built = formScreen(`account/${view}`, heading, { csrf, clientName: null, ...(errors ? { errors } : {}) }, { heading, section: SECTION, ...extra });
  // Every page of the section says where it sits: «Mes enfants – Mon compte – Sésame».
  built.locals.title = built.locals.title.replace(/ – Sésame$/, ' – Mon compte – Sésame');
  return built;
};

const FRENCH_DATE = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export const childName = (c: Pick<AccountChild, 'givenNames' | 'familyName'>) => `${c.givenNames} ${c.familyName}`;

const childView = (c: AccountChild) => ({ id: c.pupilId, name: childName(c), school: c.schoolName, className: c.className, reported: c.reported });

export const childrenScreen = (csrf: string, children: AccountChild[]) =>
  screen('enfants', 'Mes enfants', csrf, { children: children.map(childView), reportAction: REPORT_PATH, addHref: ADD_PATH });

/** A pupil's account, or any account that is not a parent's: the page says what it is for. */
export const parentsOnlyScreen = (csrf: string) =>
  screen('enfants-message', 'Mes enfants', csrf, {
    paragraphs: [
      'Cette page est réservée aux parents ou responsables légaux : elle liste les élèves rattachés à leur compte.',
      'Votre compte est un compte élève. Si vous êtes le parent d’un élève, connectez-vous avec votre propre compte de parent.',
    ],
  });

export const reportConfirmScreen = (csrf: string, child: AccountChild) =>
  screen('enfants-signaler', 'Signaler une erreur de rattachement', csrf, { child: childView(child), action: REPORT_PATH, backHref: PATH });

export function reportDoneScreen(csrf: string, child: AccountChild, outcome: Extract<ReportOutcome, { kind: 'recorded' | 'already' }>): Screen {
  const when = FRENCH_DATE.format(outcome.reportedAt);
  const first = outcome.kind === 'recorded'
    ? `Votre signalement pour ${childName(child)} est enregistré.`
    : `Vous avez déjà signalé ${childName(child)} le ${when} : ce signalement est bien enregistré, vous n’avez rien d’autre à faire.`;
  return screen('enfants-message', outcome.kind === 'recorded' ? 'Signalement enregistré' : 'Signalement déjà enregistré', csrf, {
    paragraphs: [
      first,
      `Les services en ligne ne reçoivent plus cet élève comme l’un de vos enfants. L’établissement (${child.schoolName}) voit votre signalement et corrigera ses informations si nécessaire.`,
      'Si vous vous êtes trompé, contactez le secrétariat de l’établissement.',
    ],
    backHref: PATH,
  });
}

/** A child id that is not one of the account's children (malformed, another family's, gone): nothing is done. */
export const unknownChildScreen = (csrf: string) =>
  screen('enfants-message', 'Élève introuvable', csrf, {
    paragraphs: ['Cet élève ne fait pas partie des élèves rattachés à votre compte. Aucun changement n’a été fait.', 'Revenez à la liste de vos enfants et choisissez de nouveau.'],
    backHref: PATH,
  });

export const addScreen = (csrf: string, values: Record<string, string>, errors?: FieldError[]) =>
  screen('enfants-ajouter', 'Ajouter des élèves depuis un autre compte', csrf, { values, action: ADD_PATH, backHref: PATH }, errors);

export const addConfirmScreen = (csrf: string, identifiant: string, children: AccountChild[]) =>
  screen('enfants-ajouter-confirmer', 'Confirmez l’ajout des élèves', csrf, { identifiant, children: children.map(childView), action: ADD_CONFIRM_PATH, backHref: PATH });

export const addDoneScreen = (csrf: string, identifiant: string, children: AccountChild[]) =>
  screen('enfants-message', 'Les élèves ont été ajoutés', csrf, {
    paragraphs: [
      `${children.map(childName).join(', ')} ${children.length > 1 ? 'sont maintenant rattachés' : 'est maintenant rattaché'} à ce compte.`,
      `Le compte ${identifiant} est désactivé : utilisez désormais uniquement ce compte-ci. Les services en ligne ouverts avec l’autre compte ont été déconnectés.`,
    ],
    backHref: PATH,
  });

export const addExpiredScreen = (csrf: string) =>
  screen('enfants-message', 'Cette demande a expiré', csrf, {
    paragraphs: ['Pour votre sécurité, la confirmation doit suivre de près la saisie de l’identifiant et du mot de passe de l’autre compte. Aucun changement n’a été fait.', 'Recommencez depuis la liste de vos enfants.'],
    backHref: PATH,
  });

/** The refusals of a merge, as they appear above the form (each says what to do next). */
export const MERGE_REFUSALS: Record<MergeRefusal | 'provisional', string> = {
  same_account: 'Cet identifiant est celui du compte avec lequel vous êtes connecté. Indiquez l’identifiant de votre autre compte.',
  not_parent: 'Ce compte est un compte élève : seuls les élèves d’un autre compte de parent peuvent être ajoutés ici.',
  disabled: 'Ce compte est désactivé : ses élèves ne peuvent pas être ajoutés. Contactez l’établissement de votre enfant.',
  no_children: 'Aucun élève n’est rattaché à ce compte : il n’y a rien à ajouter.',
  survivor_unusable: 'Votre compte ne peut pas recevoir d’élèves. Contactez l’établissement de votre enfant.',
  other_person: 'Ce compte est au nom d’une autre personne : seuls deux comptes à votre nom peuvent être réunis. Si c’est bien le vôtre, demandez à l’établissement de corriger le nom enregistré.',
  provisional: 'Ce compte n’est pas encore activé. Activez-le d’abord avec le courrier de l’établissement (« Première connexion »), puis revenez ici.',
};
