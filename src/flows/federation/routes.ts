// The federation routes: the button posts inside the sign-in (/interaction/<uid>/federation) and leaves for the
// upstream; the upstream comes back to /federation/retour; birth dates at /federation/enfants; the sign-in is
// finished under its own path (/interaction/<uid>/federation/fin), where the browser sends its interaction cookie.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { AppError } from '../../http/app-error.js';
import { loadInteraction, pageExpired } from '../../http/interaction.js';
import { checkBirthdates } from '../common/form-input.js';
import { FLOW_ID_PATTERN } from '../common/flow-store.js';
import { formBody, interactionFor, resumeSignIn, showScreen } from '../common/journey-http.js';
import type { ScreenBase } from '../common/screen.js';
import type { Federation } from './federation.js';
import type { FederationState } from './flow.js';
import { cancelledScreen, childrenScreen, endedScreen, failedScreen, limitedScreen, noMatchScreen } from './screens.js';
import { UpstreamError, type UpstreamChecks, type UpstreamClient } from './upstream-client.js';
import { rememberUpstreamToken } from './upstream-logout.js';
import { tr } from '../../i18n/request-language.js';

const START_COOKIE = 'sesame.federation.start';
const FLOW_COOKIE = 'sesame.federation';
export const CALLBACK_PATH = '/federation/retour';
/** Time given to sign in at the upstream (FranceConnect's own pages, perhaps a code by SMS there). */
const START_SECONDS = 15 * 60;
const finishPath = (uid: string) => `/interaction/${encodeURIComponent(uid)}/federation/fin`;

export interface FederationRoutesDeps {
  federation: Federation;
  upstream: UpstreamClient;
  provider: () => Provider;
  issuer: string;
  https: boolean;
  flowTtlSeconds: number;
  /** How long the upstream's ID token is kept in the browser for the logout's id_token_hint: a session at most. */
  sessionTtlSeconds: number;
  logger: Logger;
}

const flowExpired = () =>
  new AppError('federation_expired', 400, tr('federation:errors.flowExpired'), 'federation flow not found or expired');

interface StartCookie extends UpstreamChecks {
  uid: string;
}

function readStart(ctx: Context): StartCookie | undefined {
  const raw = ctx.cookies.get(START_COOKIE, { signed: true });
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    const fields = ['uid', 'state', 'nonce', 'verifier'] as const;
    if (!fields.every((f) => typeof value[f] === 'string' && (value[f] as string).length <= 200)) return undefined;
    return value as unknown as StartCookie;
  } catch {
    return undefined;
  }
}

export function mountFederationRoutes(router: Router, deps: FederationRoutesDeps): void {
  const { federation, upstream } = deps;
  const cookie = (maxAgeSeconds: number, path: string) =>
    ({ signed: true, httpOnly: true, sameSite: 'lax', secure: deps.https, overwrite: true, maxAge: maxAgeSeconds * 1000, path }) as const;
  const base = (ctx: Context, clientName: string | null, errors?: ScreenBase['errors']): ScreenBase => ({
    csrf: ctx.state.csrf as string,
    clientName,
    ...(errors ? { errors } : {}),
  });

  async function currentFlow(ctx: Context): Promise<{ id: string; state: FederationState }> {
    const id = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    const state = id && FLOW_ID_PATTERN.test(id) ? await federation.load(id) : undefined;
    if (!id || !state) throw flowExpired();
    return { id, state };
  }

  /** Where a flow stands: signed in goes back to the sign-in, the birth dates are asked, an ending is shown once. */
  async function showFlow(ctx: Context, state: FederationState): Promise<void> {
    if (state.step === 'signed_in') {
      ctx.status = 303;
      return ctx.redirect(finishPath(state.interactionUid));
    }
    if (state.step === 'children') return showScreen(ctx, childrenScreen(base(ctx, state.clientName), upstream.label, await federation.children(state)));
    ctx.cookies.set(FLOW_COOKIE, null, cookie(0, '/'));
    if (state.step === 'ended') return showScreen(ctx, endedScreen(base(ctx, state.clientName), state.endReason!, state.interactionUid), 403);
    throw flowExpired();
  }

  // The button: only inside a sign-in this browser holds (its interaction cookie is sent under this path).
  router.post('/interaction/:uid/federation', async (ctx) => {
    const { details, clientName } = await loadInteraction(deps.provider(), ctx);
    const started = await upstream.start();
    if (!started) return showScreen(ctx, failedScreen(base(ctx, clientName ?? null), upstream.label, details.uid, 'unavailable', 'temporarily_unavailable'), 503);
    const value = Buffer.from(JSON.stringify({ uid: details.uid, ...started.checks })).toString('base64url');
    ctx.cookies.set(START_COOKIE, value, cookie(START_SECONDS, CALLBACK_PATH));
    ctx.status = 303;
    ctx.redirect(started.url.toString());
  });

  router.get(CALLBACK_PATH, async (ctx) => {
    const start = readStart(ctx);
    if (!start) throw pageExpired();
    // Single use: a reload of the callback, or a second tab, finds nothing to check against.
    ctx.cookies.set(START_COOKIE, null, cookie(0, CALLBACK_PATH));
    const interaction = await interactionFor(deps.provider(), start.uid).catch(() => null);
    const clientName = interaction?.clientName ?? null;
    if (!interaction) throw pageExpired();
    let identity;
    try {
      identity = await upstream.finish(new URL(ctx.originalUrl, deps.issuer), start);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      deps.logger.warn({ reason: err.reason, error: err.code }, 'upstream sign-in failed');
      if (err.reason === 'access_denied') return showScreen(ctx, cancelledScreen(base(ctx, clientName), upstream.label, start.uid), 400);
      return showScreen(ctx, failedScreen(base(ctx, clientName), upstream.label, start.uid, err.reason, err.code), err.reason === 'unavailable' ? 503 : 400);
    }
    const arrival = await federation.arrive(identity, { interactionUid: start.uid, clientName, address: ctx.ip });
    if (arrival.kind === 'no_match') return showScreen(ctx, noMatchScreen(base(ctx, clientName), upstream.label, start.uid));
    if (arrival.kind === 'limited') {
      ctx.set('Retry-After', String(arrival.retryAfterSeconds));
      return showScreen(ctx, limitedScreen(base(ctx, clientName), start.uid), 429);
    }
    ctx.cookies.set(FLOW_COOKIE, arrival.flowId, cookie(deps.flowTtlSeconds, '/'));
    // Signed in at the upstream: signing out of Sésame later signs out there too.
    rememberUpstreamToken(ctx, identity.idToken, deps.https, deps.sessionTtlSeconds);
    if (arrival.state.step === 'children') {
      ctx.status = 303;
      return ctx.redirect('/federation/enfants');
    }
    return showFlow(ctx, arrival.state);
  });

  router.get('/federation/enfants', async (ctx) => {
    const { state } = await currentFlow(ctx);
    await showFlow(ctx, state);
  });

  router.post('/federation/enfants', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.step !== 'children') return showFlow(ctx, state);
    const children = await federation.children(state);
    const checked = checkBirthdates(formBody(ctx), children.length);
    if (!checked.ok) return showScreen(ctx, childrenScreen(base(ctx, state.clientName, checked.errors), upstream.label, children, checked.kept), 400);
    const outcome = await federation.checkBirthdates(id, checked.value);
    if (!outcome) throw flowExpired();
    if (outcome.kind === 'wrong') {
      const tries = tr('common:journey.triesLeft', { count: outcome.triesLeft });
      const errors = outcome.wrong.map((n) => ({ field: `birthdate_${n}`, message: `${tr('common:journey.birthdateWrong')} ${tries}` }));
      const kept = Object.fromEntries(children.map((_, i) => [`birthdate_${i + 1}`, String(formBody(ctx)[`birthdate_${i + 1}`] ?? '').slice(0, 20)]));
      return showScreen(ctx, childrenScreen(base(ctx, state.clientName, errors), upstream.label, children, kept), 400);
    }
    if (outcome.kind === 'out_of_step') return showFlow(ctx, state);
    return showFlow(ctx, outcome.state);
  });

  // Back to the sign-in, signed in: once per flow, and only the sign-in the flow started from (journey-http.ts).
  router.get('/interaction/:uid/federation/fin', async (ctx) => {
    const { id, state } = await currentFlow(ctx);
    if (state.interactionUid !== ctx.params.uid || state.step !== 'signed_in') throw flowExpired();
    const handed = await federation.handOver(id, ctx.ip);
    ctx.cookies.set(FLOW_COOKIE, null, cookie(0, '/'));
    if (!handed) throw flowExpired();
    await resumeSignIn(deps.provider(), ctx, { done: true, interactionUid: handed.interactionUid, accountId: handed.accountId });
  });
}
