// Our one typed error: a stable code for machines, an HTTP status, and a sentence for people in the request's
// language (the message catalogue: src/i18n/; AppErrors are built inside the request they answer).
import { tr } from '../i18n/request-language.js';

/** The next useful action a page offers beside its message (a link shown as the page's button). */
export interface NextAction {
  href: string;
  label: string;
}

export class AppError extends Error {
  /** The way on from the error page, when there is a better one than the home page (`withNext`). */
  next: NextAction | undefined;

  constructor(
    readonly code: string,
    readonly status: number,
    /** Said to the person, in French: what happened and what to do next. */
    readonly userMessage: string,
    /** For machines and logs, in English. */
    readonly description: string = userMessage,
    /** For 429 answers: when trying again makes sense. */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'AppError';
  }
}

/** Gives `error` the next action its page offers (for instance «Recommencer l’activation»). */
export function withNext<E extends AppError>(error: E, next: NextAction): E {
  error.next = next;
  return error;
}

/** «Page introuvable»: the address leads nowhere; the home page lists the services. */
export const notFound = () =>
  new AppError('not_found', 404, tr('errors:notFound'), 'not found');

/** The page's title and heading for an error a person sees: what happened, not «Erreur». */
export function errorHeading(code: string, status: number): string {
  if (status === 404) return tr('errors:heading.notFound');
  if (code === 'invalid_csrf' || code.endsWith('_expired')) return tr('errors:heading.expired');
  if (status === 429) return tr('errors:heading.tooManyAttempts');
  if (status === 503) return tr('errors:heading.serviceDown');
  return tr('errors:heading.generic');
}

/** «Cette page a expiré…», in the request's language. */
export const pageExpiredMessage = (): string => tr('errors:pageExpired');
/** «Le service est momentanément indisponible…», in the request's language. */
export const serviceDownMessage = (): string => tr('errors:serviceDown');

export function tooManyAttempts(retryAfterSeconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError('rate_limited', 429, tr('errors:tooManyAttempts', { count: minutes }), 'too many attempts', retryAfterSeconds);
}
