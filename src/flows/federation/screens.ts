// The federation screens' view models: the birth-date step, and every ending or upstream failure as French
// sentences with a next action.
import { childLabel } from '../activation/screens.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import type { Child } from '../common/children.js';
import type { EndReason } from './flow.js';
import { tr } from '../../i18n/request-language.js';

export interface Action {
  href: string;
  label: string;
}

export const loginHref = (uid: string) => `/interaction/${encodeURIComponent(uid)}?profil=responsable`;
export const activationHref = (uid: string) => `/activation?interaction=${encodeURIComponent(uid)}`;

export const childrenScreen = (base: ScreenBase, label: string, children: Child[], values: Record<string, string> = {}) =>
  formScreen('federation/children', tr('federation:children.heading'), base, { label, children: children.map((c) => ({ label: childLabel(c) })), values });

const activateBySms = (uid: string): Action => ({ href: activationHref(uid), label: tr('federation:activateBySms') });
const backToLogin = (uid: string): Action => ({ href: loginHref(uid), label: tr('federation:backToLogin') });

function message(base: ScreenBase, heading: string, paragraphs: string[], actions: Action[], reference?: string): Screen {
  return formScreen('federation/message', heading, base, { heading, paragraphs, actions, reference: reference ?? null });
}

/** No guardian of the directory carries these names (or several do): the same page either way. */
export const noMatchScreen = (base: ScreenBase, label: string, uid: string) =>
  message(base, tr('federation:noMatch.heading'), [tr('federation:noMatch.1', { label }), tr('federation:noMatch.2')], [activateBySms(uid), backToLogin(uid)]);

// Each ending is `federation:ended.<reason>.heading` and `.paragraphs.<n>`: how many paragraphs it has.
const ENDINGS: Record<EndReason, number> = { birthdates: 2, no_children: 2, disabled: 1, other_identity: 1 };

export function endedScreen(base: ScreenBase, reason: EndReason, uid: string): Screen {
  const paragraphs = Array.from({ length: ENDINGS[reason] }, (_, i) => tr(`federation:ended.${reason}.paragraphs.${i + 1}`));
  return message(base, tr(`federation:ended.${reason}.heading`), paragraphs, [backToLogin(uid)]);
}

/** The person cancelled at the upstream (access_denied). */
export const cancelledScreen = (base: ScreenBase, label: string, uid: string) =>
  message(base, tr('federation:cancelled.heading', { label }), [tr('federation:cancelled.text', { label })], [backToLogin(uid)]);

/** The upstream cannot be reached, or answered something we refuse (bad signature, wrong state or nonce). */
export const failedScreen = (base: ScreenBase, label: string, uid: string | null, reason: 'unavailable' | 'rejected', reference: string) =>
  message(base, tr('federation:failed.heading', { label }), [
    tr(`federation:failed.${reason}`, { label }),
    ...(uid ? [] : [tr('federation:failed.goBack')]),
  ], uid ? [backToLogin(uid)] : [], reference);

export const limitedScreen = (base: ScreenBase, uid: string) =>
  message(base, tr('errors:heading.tooManyAttempts'), [tr('federation:limited')], [activateBySms(uid), backToLogin(uid)]);
