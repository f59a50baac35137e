// One demo relying party (I-Cart, Pronote or Téléservices) as a Koa app, built on openid-client: authorization
// code with PKCE, state and nonce; ID token and userinfo; RP-initiated logout; back-channel logout that ends the
// local sessions Sésame names. The three apps differ only by the options given here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import * as oidc from 'openid-client';
import { createIssuerLink, isNetworkError } from './issuer.js';
import { createLogoutTokenVerifier, InvalidLogoutToken } from './logout-token.js';
import { applicationsPage, errorPage, signedInHome, signedOutHome, type RpIdentity } from './pages.js';
import { createSessionStore, type RpSession } from './sessions.js';

export interface DemoRpOptions extends RpIdentity {
  /** Where this application is reached, exactly as registered in Sésame (redirect URIs hang off it). */
  baseUrl: string;
  issuer: string;
  clientSecret: string;
  scope: string;
  log?: (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => void;
}

const STYLESHEET = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'demo-rp.css'));
const SESSION_TTL_SECONDS = 8 * 3600;

const CSP = ["default-src 'self'", "script-src 'none'", "style-src 'self'", "img-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');

export function createDemoRpApp(options: DemoRpOptions): Koa {
  const log = options.log ?? (() => {});
  const base = new URL(options.baseUrl);
  // Every port of localhost shares one cookie jar in browsers: each application needs its own cookie name.
  const cookieName = `demo_rp_${options.id}`;
  const sessions = createSessionStore({ ttlSeconds: SESSION_TTL_SECONDS });
  const issuer = createIssuerLink({ issuer: options.issuer, clientId: options.id, clientSecret: options.clientSecret });
  const verifyLogoutToken = createLogoutTokenVerifier({
    issuer: options.issuer,
    clientId: options.id,
    jwksUri: async () => (await issuer.configuration()).serverMetadata().jwks_uri!,
  });
  // OAuth answers get no code or token in the Referer; nothing here needs scripts.
  const page = (ctx: Context, status: number, body: string) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  const unreachable = (ctx: Context) =>
    page(ctx, 503, errorPage(options, 'Sésame ne répond pas',
      `${options.name} n’arrive pas à joindre Sésame à l’adresse ${options.issuer}. Vérifiez que Sésame est démarré (npm start) et que SESAME_URL indique la bonne adresse, puis réessayez.`,
      { href: '/', label: 'Réessayer' }));

  const sessionOf = (ctx: Context): RpSession | undefined => sessions.get(ctx.cookies.get(cookieName));
  const setCookie = (ctx: Context, session: RpSession | undefined) =>
    ctx.cookies.set(cookieName, session?.id ?? '', {
      httpOnly: true, sameSite: 'lax', secure: base.protocol === 'https:', path: '/', overwrite: true,
      ...(session ? { maxAge: SESSION_TTL_SECONDS * 1000 } : { expires: new Date(0) }),
    });

  const router = new Router();

  router.get('/static/demo-rp.css', (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = STYLESHEET;
  });

  // Browsers ask every origin for one; a demo has none, and a 404 page would only fill the console.
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 204;
  });

  router.get('/', (ctx) => {
    const user = sessionOf(ctx)?.user;
    page(ctx, 200, user ? signedInHome(options, user) : signedOutHome(options));
  });

  if (options.applications) {
    router.get('/applications', (ctx) => page(ctx, 200, applicationsPage(options, Boolean(sessionOf(ctx)?.user))));
  }

  router.get('/login', async (ctx) => {
    if (sessionOf(ctx)?.user) return ctx.redirect('/');
    const config = await issuer.configuration();
    const session = sessionOf(ctx) ?? sessions.create();
    session.pending = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
    setCookie(ctx, session);
    ctx.redirect(oidc.buildAuthorizationUrl(config, {
      redirect_uri: new URL('/callback', base).toString(),
      scope: options.scope,
      state: session.pending.state,
      nonce: session.pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(session.pending.verifier),
      code_challenge_method: 'S256',
    }).toString());
  });

  router.get('/callback', async (ctx) => {
    const session = sessionOf(ctx);
    const pending = session?.pending;
    if (!session || !pending) {
      return page(ctx, 400, errorPage(options, 'Connexion expirée', 'Cette demande de connexion a expiré ou a déjà servi. Recommencez depuis la page d’accueil.', { href: '/login', label: 'Se connecter avec Sésame' }));
    }
    session.pending = undefined;
    const error = typeof ctx.query.error === 'string' ? ctx.query.error : undefined;
    if (error) {
      const message = error === 'access_denied'
        ? 'Vous n’avez pas autorisé la connexion. Vous pouvez recommencer quand vous voulez.'
        : 'Sésame n’a pas pu vous connecter. Recommencez ; si le problème continue, contactez l’assistance.';
      return page(ctx, 400, errorPage(options, 'Connexion interrompue', message, { href: '/login', label: 'Se connecter avec Sésame' }));
    }
    const config = await issuer.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    let claims: Record<string, unknown>;
    try {
      // The URL exactly as registered: the redirect_uri sent to the token endpoint must match it.
      tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.url, base), {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims()!;
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...userinfo };
      const user = { sub: idClaims.sub, sid: typeof idClaims.sid === 'string' ? idClaims.sid : undefined, idToken: tokens.id_token!, claims };
      setCookie(ctx, sessions.signIn(session.id, user));
    } catch (err) {
      if (isNetworkError(err)) throw err;
      log('warn', `${options.name}: la connexion n’a pas pu être vérifiée`, err);
      return page(ctx, 400, errorPage(options, 'Connexion refusée', 'La réponse de Sésame n’a pas pu être vérifiée. Recommencez la connexion.', { href: '/login', label: 'Se connecter avec Sésame' }));
    }
    ctx.redirect('/');
  });

  router.post('/logout', async (ctx) => {
    const session = sessionOf(ctx);
    const idToken = session?.user?.idToken;
    if (session) sessions.destroy(session.id);
    setCookie(ctx, undefined);
    if (!idToken) return ctx.redirect('/');
    // RP-initiated logout: Sésame asks for confirmation, ends its session and tells the other applications.
    const config = await issuer.configuration();
    ctx.redirect(oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: new URL('/', base).toString() }).toString());
  });

  router.post('/backchannel-logout', bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' }), async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const token = (ctx.request.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || !token) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'logout_token is required (application/x-www-form-urlencoded)' };
      return;
    }
    try {
      const match = await verifyLogoutToken(token);
      const ended = sessions.endMatching(match);
      log('info', `${options.name}: déconnexion demandée par Sésame, ${ended} session(s) fermée(s)`);
      ctx.status = 200;
      ctx.body = '';
    } catch (err) {
      if (!(err instanceof InvalidLogoutToken)) throw err;
      log('warn', `${options.name}: jeton de déconnexion refusé (${err.message})`);
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: err.message };
    }
  });

  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    // One canonical address (127.0.0.1 and localhost do not share cookies): the one the redirect URI names.
    if (ctx.method === 'GET' && ctx.host !== base.host) return ctx.redirect(new URL(ctx.url, base).toString());
    try {
      await next();
      if (ctx.status === 404 && !ctx.body) page(ctx, 404, errorPage(options, 'Page introuvable', 'Cette page n’existe pas.'));
    } catch (err) {
      if (isNetworkError(err)) return unreachable(ctx);
      const status = (err as { status?: number }).status;
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = { error: 'invalid_request', error_description: (err as Error).message };
        return;
      }
      log('error', `${options.name}: erreur inattendue`, err);
      page(ctx, 500, errorPage(options, 'Erreur', 'Une erreur inattendue est survenue. Réessayez dans un instant.'));
    }
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
