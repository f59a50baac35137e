// «Mes enfants» and its two journeys as view models: the list, the wrong-attachment report (confirm, recorded),
// «Ajouter des élèves depuis un autre compte» (form, confirmation, done), and every refusal as a French sentence.
import type { AccountChild } from '../../directory/account-children.js';
import type { MergeRefusal } from '../../directory/account-merge.js';
import type { ReportOutcome } from '../../directory/attachment-reports.js';
import type { FieldError } from '../common/form-input.js';
import { formScreen, type Screen } from '../common/screen.js';
import { currentLanguage, tr } from '../../i18n/request-language.js';

export const PATH = '/compte/enfants';
export const REPORT_PATH = `${PATH}/signaler`;
export const ADD_PATH = `${PATH}/ajouter`;
export const ADD_CONFIRM_PATH = `${ADD_PATH}/confirmer`;

/** The «Mon compte» frame (views/account/layout.pug) highlights this section. */
const SECTION = 'enfants';

const screen = (view: string, heading: string, csrf: string, extra: Record<string, unknown> = {}, errors?: FieldError[]): Screen => {
  const built = formScreen(`account/${view}`, heading, { csrf, clientName: null, ...(errors ? { errors } : {}) }, { heading, section: SECTION, ...extra });
  // Every page of the section says where it sits: «Mes enfants – Mon compte – Sésame».
  built.locals.title = tr('common:pageTitle', { page: tr('account:pageTitle', { page: built.locals.title.replace(/ – Sésame$/, '') }) });
  return built;
};

const longDate = (at: Date) => new Intl.DateTimeFormat(currentLanguage(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(at);

export const childName = (c: Pick<AccountChild, 'givenNames' | 'familyName'>) => `${c.givenNames} ${c.familyName}`;

const childView = (c: AccountChild) => ({ id: c.pupilId, name: childName(c), school: c.schoolName, className: c.className, reported: c.reported });

export const childrenScreen = (csrf: string, children: AccountChild[]) =>
  screen('enfants', tr('account:children.heading'), csrf, { children: children.map(childView), reportAction: REPORT_PATH, addHref: ADD_PATH });

/** A pupil's account, or any account that is not a parent's: the page says what it is for. */
export const parentsOnlyScreen = (csrf: string) =>
  screen('enfants-message', tr('account:children.heading'), csrf, {
    paragraphs: [
      tr('account:children.parentsOnly.1'),
      tr('account:children.parentsOnly.2'),
    ],
  });

export const reportConfirmScreen = (csrf: string, child: AccountChild) =>
  screen('enfants-signaler', tr('account:report.heading'), csrf, { child: childView(child), action: REPORT_PATH, backHref: PATH });

export function reportDoneScreen(csrf: string, child: AccountChild, outcome: Extract<ReportOutcome, { kind: 'recorded' | 'already' }>): Screen {
  const when = longDate(outcome.reportedAt);
  const first = outcome.kind === 'recorded'
    ? tr('account:report.recorded', { child: childName(child) })
    : tr('account:report.already', { child: childName(child), when });
  return screen('enfants-message', tr(outcome.kind === 'recorded' ? 'account:report.recordedHeading' : 'account:report.alreadyHeading'), csrf, {
    paragraphs: [
      first,
      tr('account:report.effect', { school: child.schoolName }),
      tr('account:report.mistake'),
    ],
    backHref: PATH,
  });
}

/** A child id that is not one of the account's children (malformed, another family's, gone): nothing is done. */
export const unknownChildScreen = (csrf: string) =>
  screen('enfants-message', tr('account:children.unknown.heading'), csrf, {
    paragraphs: [tr('account:children.unknown.1'), tr('account:children.unknown.2')],
    backHref: PATH,
  });

export const addScreen = (csrf: string, values: Record<string, string>, errors?: FieldError[]) =>
  screen('enfants-ajouter', tr('account:add.heading'), csrf, { values, action: ADD_PATH, backHref: PATH }, errors);

export const addConfirmScreen = (csrf: string, identifiant: string, children: AccountChild[]) =>
  screen('enfants-ajouter-confirmer', tr('account:add.confirmHeading'), csrf, { identifiant, children: children.map(childView), action: ADD_CONFIRM_PATH, backHref: PATH });

export const addDoneScreen = (csrf: string, identifiant: string, children: AccountChild[]) =>
  screen('enfants-message', tr('account:add.doneHeading'), csrf, {
    paragraphs: [
      tr('account:add.done', { children: children.map(childName).join(', '), count: children.length }),
      tr('account:add.disabled', { identifiant }),
    ],
    backHref: PATH,
  });

export const addExpiredScreen = (csrf: string) =>
  screen('enfants-message', tr('account:add.expiredHeading'), csrf, {
    paragraphs: [tr('account:add.expired.1'), tr('account:add.expired.2')],
    backHref: PATH,
  });

/** The refusals of a merge, as they appear above the form (each says what to do next). */
export const mergeRefusal = (kind: MergeRefusal | 'provisional'): string => tr(`account:add.refusal.${kind}`);
