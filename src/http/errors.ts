// Turns every failure on our own routes into an answer: a French page for people, `{ error, error_description }`
// for machines. Nothing reaches the client as a stack trace; unexpected errors are logged and shown as «Panne».
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';
import { isStoreUnavailable } from '../store/unavailable.js';
import { AppError, errorHeading, notFound, serviceDownMessage } from './app-error.js';
import { tr } from '../i18n/request-language.js';
import { renderView } from './views.js';

/** What a client is told to wait before retrying while a store is down. */
const STORE_RETRY_AFTER_SECONDS = 30;

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

/** Maps body-parser and Koa errors (413, 415, 400 malformed) to our AppError. */
function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const e = err as HttpishError;
  const status = e?.status ?? e?.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return new AppError('request_too_large', 413, tr('errors:tooLarge'), 'request entity too large');
  if (status === 415) return new AppError('unsupported_media_type', 415, tr('errors:unreadableForm'), 'unsupported content type');
  if (status === 404) return notFound();
  return new AppError('invalid_request', status, tr('errors:unreadableForm'), 'malformed request');
}

export function respondWithError(ctx: Context, error: AppError): void {
  ctx.status = error.status;
  if (error.retryAfterSeconds) ctx.set('Retry-After', String(error.retryAfterSeconds));
  if (!ctx.accepts('html') || ctx.accepts('json', 'html') === 'json') {
    ctx.body = { error: error.code, error_description: error.description };
    return;
  }
  ctx.type = 'html';
  const heading = errorHeading(error.code, error.status);
  ctx.body = renderView('error', { title: tr('common:pageTitle', { page: heading }), heading, message: error.userMessage, next: error.next, clientName: undefined,
    // A page that does not exist switches language towards the home page: every 404 is the same page, whatever the
    // address asked (a refused /dev/outbox looks like any unknown address).
    ...(error.status === 404 ? { switchBackTo: '/' } : {}) });
}

export function errorHandler(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.respond !== false && ctx.status === 404 && ctx.body == null) throw notFound();
    } catch (err) {
      answerFailure(ctx, err, logger);
    }
  };
}

/** The answer to `err`, thrown while handling the request: ours, a store outage (503, retry) or a fault (logged). */
export function answerFailure(ctx: Context, err: unknown, logger: Logger): void {
  const known = toAppError(err);
  if (known) return respondWithError(ctx, known);
  if (isStoreUnavailable(err)) {
    // Expected while PostgreSQL or Redis is down; /readyz says so too. No stack: the cause's message is enough.
    logger.warn({ path: ctx.path, cause: (err as Error).message }, 'store unreachable: answered 503');
    return respondWithError(ctx, new AppError('temporarily_unavailable', 503, serviceDownMessage(), 'the service is temporarily unavailable, retry in a few moments', STORE_RETRY_AFTER_SECONDS));
  }
  logger.error({ err, path: ctx.path, method: ctx.method }, 'unexpected error');
  respondWithError(ctx, new AppError('server_error', 503, serviceDownMessage(), 'temporarily unavailable'));
}
