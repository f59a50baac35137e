// What a journey's screen is (a view and its locals), and the frame every form screen shares: the title marks an
// error, the summary lists every problem, and each field finds its own message (views/partials/forms.pug).
import type { FieldError } from './form-input.js';
import { tr } from '../../i18n/request-language.js';

export interface ScreenBase {
  csrf: string;
  clientName: string | null;
  errors?: FieldError[];
}

export interface Screen {
  view: string;
  locals: Record<string, unknown> & { title: string };
}

export function formScreen(view: string, heading: string, base: ScreenBase, extra: Record<string, unknown>): Screen {
  const errors = base.errors ?? [];
  const fieldErrors = Object.fromEntries(errors.filter((e) => e.field).map((e) => [e.field, e.message]));
  return {
    view,
    locals: {
      title: tr('common:pageTitle', { page: errors.length ? tr('common:errorTitle', { page: heading }) : heading }),
      csrf: base.csrf,
      clientName: base.clientName ?? undefined,
      errors,
      fieldErrors,
      values: {},
      ...extra,
    },
  };
}

/**
 * The way on from a journey's page: back to the sign-in it came from, or, when it came from none, the home page
 * and its «Mes services» (the applications the operator listed).
 */
export function signInLink(interactionUid: string | null): { signInHref: string; signInLabel: string } {
  return interactionUid
    ? { signInHref: `/interaction/${encodeURIComponent(interactionUid)}`, signInLabel: tr('common:journey.backToSignIn') }
    : { signInHref: '/', signInLabel: tr('common:journey.schoolServices') };
}
