// Routes a script calls (passkeys): always JSON, whatever the Accept header says. A refusal is
// `{ error, error_description, message }`: the code and English description for machines, the French sentence
// the script shows to the person. Anything unexpected still goes to the error handler (logged, 503).
import type { Context, Middleware } from 'koa';
import { AppError } from './app-error.js';

export function jsonEndpoint(handler: (ctx: Context) => Promise<unknown>): Middleware {
  return async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      const body = await handler(ctx);
      ctx.status = 200;
      ctx.body = body;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = err.status;
      if (err.retryAfterSeconds) ctx.set('Retry-After', String(err.retryAfterSeconds));
      ctx.body = { error: err.code, error_description: err.description, message: err.userMessage };
    }
  };
}
