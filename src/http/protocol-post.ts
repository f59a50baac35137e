// POST at the authorization and end-session endpoints (OpenID Connect Core 3.1.2.1, RP-Initiated Logout 2): the
// form-encoded request is answered with a 303 to the same endpoint carrying the same parameters, which the provider
// then handles as the GET it already serves.
//
// Why not oidc-provider's `enableHttpPostMethods`: it requires the long-lived session cookie to be SameSite=None,
// which browsers drop without Secure (every http:// issuer) and which would send the SSO session along with any
// cross-site request. After a 303 the browser's GET is a top-level navigation, so the SameSite=Lax session cookie
// comes along and single sign-on keeps working.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from './app-error.js';
import { tr } from '../i18n/request-language.js';

/** A browser sends at most this much in a request line after our redirect; a larger form could never be replayed. */
export const PROTOCOL_FORM_LIMIT = 8 * 1024;

const UNREADABLE = () => tr('errors:protocolUnreadable');

async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new AppError('invalid_request', 400, UNREADABLE(), 'only application/x-www-form-urlencoded bodies are accepted');
  }
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > PROTOCOL_FORM_LIMIT) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > PROTOCOL_FORM_LIMIT) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.isWellFormed()) throw new AppError('invalid_request', 400, UNREADABLE(), 'the form is not valid UTF-8');
  // URLSearchParams keeps every occurrence of a repeated parameter: the provider then refuses duplicates itself.
  return new URLSearchParams(text);
}

const tooLarge = () =>
  new AppError('request_too_large', 413, tr('errors:protocolTooLarge'), `protocol form bodies are limited to ${PROTOCOL_FORM_LIMIT} bytes`);

/**
 * Mounts POST on each given provider endpoint. No CSRF token here: these requests come from relying parties'
 * pages by design, and the protocol's own parameters (state, PKCE, id_token_hint, the logout confirmation form)
 * protect them; our own forms keep the CSRF check on their router.
 */
export function mountProtocolPosts(router: Router, paths: string[]): void {
  for (const path of paths) {
    router.post(path, async (ctx) => {
      const params = await readForm(ctx);
      ctx.status = 303;
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(`${path}?${params.toString()}`);
    });
  }
}
