// CSRF protection for the forms we render (double-submit): a random token in an httpOnly SameSite cookie, the same
// token in a hidden `_csrf` field, compared in constant time on every POST.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { AppError } from './app-error.js';
import { tr } from '../i18n/request-language.js';

const COOKIE = 'sesame.csrf';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function csrfProtection(options: { secure: boolean }) {
  return async function checkCsrf(ctx: Context, next: Next): Promise<void> {
    let token = ctx.cookies.get(COOKIE, { signed: true });
    if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) {
      token = randomBytes(32).toString('base64url');
      ctx.cookies.set(COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure: options.secure, overwrite: true });
    }
    ctx.state.csrf = token;
    if (ctx.method === 'POST') {
      const sent = (ctx.request.body as Record<string, unknown> | undefined)?._csrf;
      if (typeof sent !== 'string' || !same(sent, token)) {
        throw new AppError('invalid_csrf', 403, tr('errors:csrf'), 'missing or invalid CSRF token');
      }
    }
    await next();
  };
}
