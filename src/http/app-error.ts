// Our one typed error: a stable code for machines, an HTTP status, and a French sentence for people.

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
  new AppError('not_found', 404, 'Cette page n’existe pas. Vérifiez l’adresse, ou allez à l’accueil de Sésame pour retrouver vos services.', 'not found');

/** The page's title and heading for an error a person sees: what happened, not «Erreur». */
export function errorHeading(code: string, status: number): string {
  if (status === 404) return 'Page introuvable';
  if (code === 'invalid_csrf' || code.endsWith('_expired')) return 'Page expirée';
  if (status === 429) return 'Trop de tentatives';
  if (status === 503) return 'Service momentanément indisponible';
  return 'Une erreur est survenue';
}

export const PAGE_EXPIRED = 'Cette page a expiré. Retournez sur le site que vous vouliez utiliser et reconnectez-vous.';
export const SERVICE_DOWN = 'Le service est momentanément indisponible. Réessayez dans quelques minutes.';

export function tooManyAttempts(retryAfterSeconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  const delay = minutes === 1 ? '1 minute' : `${minutes} minutes`;
  return new AppError('rate_limited', 429, `Trop de tentatives. Réessayez dans ${delay}.`, 'too many attempts', retryAfterSeconds);
}
