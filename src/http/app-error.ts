// Our one typed error: a stable code for machines, an HTTP status, and a French sentence for people.
export class AppError extends Error {
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
