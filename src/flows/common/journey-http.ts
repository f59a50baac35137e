// What every self-service journey's routes do alike at the HTTP edge: answer with a screen (never cached: it may
// carry a code's outcome or an identifiant), read the posted form, and hand the account back to the sign-in the
// journey started from.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { finishInteraction, loadInteraction, pageExpired } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';
import type { Screen } from './screen.js';
import { preferUiLocales } from '../../i18n/request-language.js';

export function showScreen(ctx: Context, screen: Screen, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = renderView(screen.view, screen.locals);
}

export const formBody = (ctx: Context): Record<string, unknown> => (ctx.request.body as Record<string, unknown> | undefined) ?? {};

/** Where a finished journey stands, as far as the sign-in that led to it is concerned. */
export interface FinishedJourney {
  done: boolean;
  interactionUid: string | null;
  accountId: string | null;
  /** How the person proved who they are on the way (RFC 8176), for the ID token; absent when no value fits. */
  amr?: string[] | undefined;
}

/**
 * «Continuer vers Pronote»: the sign-in at /interaction/<uid>/… ends signed in, with no second login. Routes are
 * posted under that path so the browser sends the sign-in's own cookie: a uid copied into another browser gets
 * nowhere. Whoever finishes a journey on a shared computer is signed in for this browser session only.
 */
export async function resumeSignIn(provider: Provider, ctx: Context, journey: FinishedJourney): Promise<void> {
  if (!journey.done || !journey.accountId || journey.interactionUid !== ctx.params.uid) throw pageExpired();
  await loadInteraction(provider, ctx);
  await finishInteraction(provider, ctx, { login: { accountId: journey.accountId, remember: false, ...(journey.amr ? { amr: journey.amr } : {}) } });
}

const INTERACTION_UID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The sign-in named by `uid` (from a link's `?interaction=` or a hidden field), for the header («pour accéder à
 * Pronote») and for the way back. oidc-provider scopes its interaction cookie to /interaction/<uid>, so it cannot
 * be checked here: resumeSignIn checks it, where the browser does send it.
 */
export async function interactionFor(provider: Provider, uid: unknown): Promise<{ uid: string; clientName: string | null } | null> {
  if (uid === undefined || uid === '') return null;
  if (typeof uid !== 'string' || !INTERACTION_UID.test(uid)) throw pageExpired();
  const interaction = await provider.Interaction.find(uid);
  if (!interaction) throw pageExpired();
  preferUiLocales(interaction.params.ui_locales);
  const client = await provider.Client.find(String(interaction.params.client_id));
  return { uid, clientName: client?.clientName ?? null };
}
