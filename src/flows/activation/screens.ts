// The activation screens' view models: what each step shows, and every refusal or ending as French sentences.
import { passwordRules } from '../../accounts/password-policy.js';
import type { SmsFailureKind } from '../../messaging/sms-sender.js';
import type { Refusal } from './activation.js';
import type { Child } from './directory-lookup.js';
import type { EndReason, SmsDelivery } from './flow.js';
import { formScreen, signInLink, type Screen, type ScreenBase } from '../common/screen.js';
import { stepHeading, stepOf } from '../common/steps.js';
import { tr } from '../../i18n/request-language.js';

export type { Screen, ScreenBase } from '../common/screen.js';

function withErrors(view: string, heading: string, base: ScreenBase, extra: Record<string, unknown>): Screen {
  return formScreen(`activation/${view}`, heading, base, extra);
}

export function restartHref(interactionUid: string | null): string {
  return interactionUid ? `/activation?nouveau=1&interaction=${encodeURIComponent(interactionUid)}` : '/activation?nouveau=1';
}

const STEPS = () => [tr('activation:steps.identity'), tr('activation:steps.code'), tr('activation:steps.children'), tr('activation:steps.password')];

/** A numbered step: its indicator (views/partials/stepper.pug) and the page title that goes with it. */
function stepScreen(view: string, current: number, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const step = stepOf(tr('activation:journey'), STEPS(), current);
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
  withErrors('done', tr('activation:done.title'), base, {
    identifiant,
    continueTo: interactionUid ? appName : null,
    continueAction: interactionUid ? `/interaction/${encodeURIComponent(interactionUid)}/activation` : null,
  });

// Each ending's heading and paragraphs are `activation:ended.<reason>.heading` and `.paragraphs.<n>`.
const ENDINGS: Record<EndReason, { paragraphs: number; restart: boolean }> = {
  code_failures: { paragraphs: 2, restart: true },
  // Once the school has corrected its data (at the next nightly import), starting again is the way on.
  birthdates: { paragraphs: 2, restart: true },
  no_children: { paragraphs: 2, restart: false },
  already_active: { paragraphs: 1, restart: false },
};

/** Every ending leads somewhere: back to the sign-in it came from (or the home page's services), and starting again when that can help. */
export function endedScreen(base: ScreenBase, reason: EndReason, identifiant: string | null, interactionUid: string | null): Screen {
  const ending = ENDINGS[reason];
  const heading = tr(`activation:ended.${reason}.heading`);
  return withErrors('ended', heading, base, {
    heading,
    paragraphs: Array.from({ length: ending.paragraphs }, (_, i) => tr(`activation:ended.${reason}.paragraphs.${i + 1}`)),
    identifiant: reason === 'already_active' ? identifiant : null,
    restartHref: ending.restart ? restartHref(interactionUid) : null,
    ...signInLink(interactionUid),
  });
}

// Shown at the code step once the queue has reported that the SMS did not leave. These necessarily tell someone
// who typed the names and number that they matched (docs/activation.md); step 1 itself stays neutral.
// `activation:smsFailure.<kind>`, one per SmsFailureKind.

/** The sentence for an SMS the queue could not send, or undefined while it is on its way or left. */
export function smsFailureMessage(sms: SmsDelivery | null | undefined): string | undefined {
  return sms?.status === 'failed' ? tr(`activation:smsFailure.${sms.failure ?? 'unavailable'}`) : undefined;
}

function delay(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes >= 60) return tr('common:time.hours', { count: Math.ceil(minutes / 60) });
  return tr('common:time.minutes', { count: minutes });
}

/** The sentence and HTTP status for a refused SMS request. */
export function refusalMessage(refusal: Refusal): { status: number; message: string; retryAfter?: number } {
  switch (refusal.kind) {
    case 'limited':
      return refusal.budget
        ? { status: 429, retryAfter: refusal.retryAfterSeconds, message: tr('activation:refusal.budget', { delay: delay(refusal.retryAfterSeconds) }) }
        : { status: 429, retryAfter: refusal.retryAfterSeconds, message: tr('activation:refusal.limited', { delay: delay(refusal.retryAfterSeconds) }) };
    case 'too_soon':
      return { status: 429, retryAfter: refusal.waitSeconds, message: tr('activation:refusal.tooSoon', { delay: tr('common:time.seconds', { count: refusal.waitSeconds }) }) };
    case 'too_many_codes':
      return { status: 429, message: tr('activation:refusal.tooManyCodes') };
  }
}
