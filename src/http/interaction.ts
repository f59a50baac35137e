// Loads the sign-in in progress (oidc-provider's interaction) for our screens, and answers «page expirée» when the
// browser no longer has one: an old bookmark, an expired tab, cookies cleared.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { isOperatorRegistered } from '../oidc/client-metadata.js';
import { isStoreUnavailable } from '../store/unavailable.js';
import { AppError, pageExpiredMessage } from './app-error.js';
import { preferUiLocales } from '../i18n/request-language.js';

export type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface LoadedInteraction {
  details: InteractionDetails;
  clientName: string | undefined;
  firstParty: boolean;
  /** False for a client that registered itself (dynamic registration): the académie does not operate it. */
  operatorRegistered: boolean;
}

export const pageExpired = () => new AppError('interaction_expired', 400, pageExpiredMessage(), 'interaction not found or expired');

export async function loadInteraction(provider: Provider, ctx: Context): Promise<LoadedInteraction> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    // A sign-in that could not be read because a store is down has not expired: say «réessayez», not «expirée».
    if (isStoreUnavailable(err)) throw err;
    throw pageExpired();
  }
  if (ctx.params.uid !== undefined && details.uid !== ctx.params.uid) throw pageExpired();
  // The relying party's ui_locales, unless the person chose a language with the switch (src/http/language.ts).
  preferUiLocales(details.params.ui_locales);
  const client = await provider.Client.find(String(details.params.client_id));
  return {
    details,
    clientName: client?.clientName,
    firstParty: Boolean(client && (client as unknown as Record<string, unknown>).first_party),
    operatorRegistered: isOperatorRegistered(client),
  };
}

/** Where the browser goes once the interaction has a result; errors mean it expired meanwhile. */
export async function finishInteraction(provider: Provider, ctx: Context, result: Parameters<Provider['interactionResult']>[2]): Promise<void> {
  const redirectTo = await interactionResultUrl(provider, ctx, result);
  ctx.status = 303;
  ctx.redirect(redirectTo);
}

/** The same result, for a script (passkey sign-in) that goes to the returned URL itself. */
export async function interactionResultUrl(provider: Provider, ctx: Context, result: Parameters<Provider['interactionResult']>[2]): Promise<string> {
  try {
    return await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  } catch (err) {
    if (isStoreUnavailable(err)) throw err;
    throw pageExpired();
  }
}
