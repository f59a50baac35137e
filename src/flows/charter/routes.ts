// The usage charter inside a sign-in: shown when the application requires one that the person has not accepted in
// its current version (the `charter` prompt of src/oidc/charter-prompt.ts). Accepting records it and the sign-in
// goes on; refusing shows what it means, then sends `access_denied` back to the application.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { Charters, CharterVersion } from '../../charters/charters.js';
import { renderCharter } from '../../charters/render.js';
import { finishInteraction, loadInteraction, pageExpired, type LoadedInteraction } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';
import { CHARTER_PROMPT } from '../../oidc/charter-prompt.js';
import { tr } from '../../i18n/request-language.js';

const NOT_TICKED = () => tr('charter:errors.notTicked');

export interface CharterDeps {
  provider: () => Provider;
  charters: Charters;
}

interface Pending {
  loaded: LoadedInteraction;
  charter: CharterVersion;
  accountId: string;
}

/** The charter this sign-in waits for, or undefined when it is at another step (or refused already). */
async function pendingCharter(deps: CharterDeps, ctx: Context): Promise<Pending | 'refused' | undefined> {
  const loaded = await loadInteraction(deps.provider(), ctx);
  const { prompt, session, result } = loaded.details;
  const accountId = session?.accountId;
  if (prompt.name !== CHARTER_PROMPT) return undefined;
  if (result?.error) return 'refused';
  const { charter: name, version } = prompt.details as { charter?: unknown; version?: unknown };
  // Sending the browser back to /interaction/:uid would bring it here again: a sign-in we cannot read has expired.
  const charter = typeof name === 'string' && typeof version === 'number' ? await deps.charters.version(name, version) : undefined;
  if (!charter || !accountId) throw pageExpired();
  return { loaded, charter, accountId };
}

function formatDate(date: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(date);
}

function renderCharterPage(ctx: Context, view: 'charter/show' | 'charter/print', pending: Pending, error?: string) {
  const { loaded, charter } = pending;
  ctx.type = 'html';
  ctx.body = renderView(view, {
    title: tr('common:pageTitle', { page: error ? tr('common:errorTitle', { page: tr('charter:heading') }) : tr('charter:heading') }),
    clientName: loaded.clientName,
    uid: loaded.details.uid,
    csrf: ctx.state.csrf,
    version: charter.version,
    date: formatDate(charter.created_at),
    html: renderCharter(charter.text),
    errors: error ? [{ field: 'accept', message: error }] : [],
    error,
  });
}

export function mountCharterRoutes(router: Router, deps: CharterDeps): void {
  // A refused charter stays refused: its page is the one shown until the person goes back to the application.
  const back = (ctx: Context, refused = false) => {
    ctx.status = 303;
    ctx.redirect(`/interaction/${ctx.params.uid}${refused ? '/charte/refus' : ''}`);
  };

  router.get('/interaction/:uid/charte', async (ctx) => {
    const pending = await pendingCharter(deps, ctx);
    if (!pending || pending === 'refused') return back(ctx, Boolean(pending));
    renderCharterPage(ctx, 'charter/show', pending);
  });

  router.get('/interaction/:uid/charte/imprimer', async (ctx) => {
    const pending = await pendingCharter(deps, ctx);
    if (!pending || pending === 'refused') return back(ctx, Boolean(pending));
    renderCharterPage(ctx, 'charter/print', pending);
  });

  router.post('/interaction/:uid/charte', async (ctx) => {
    const pending = await pendingCharter(deps, ctx);
    // Posted after the sign-in moved on (or before it got here): nothing to answer.
    if (!pending || pending === 'refused') throw pageExpired();
    const body = ctx.request.body as Record<string, unknown>;
    const provider = deps.provider();
    if (body.decision === 'refuse') {
      await recordRefusal(provider, ctx);
      ctx.status = 303;
      ctx.redirect(`/interaction/${pending.loaded.details.uid}/charte/refus`);
      return;
    }
    if (body.decision !== 'accept' || body.accept !== 'oui') {
      ctx.status = 400;
      renderCharterPage(ctx, 'charter/show', pending, NOT_TICKED());
      return;
    }
    const { charter, accountId, loaded } = pending;
    await deps.charters.recordAcceptance({ accountId, name: charter.name, version: charter.version, clientId: String(loaded.details.params.client_id) });
    await finishInteraction(provider, ctx, { charter: { name: charter.name, version: charter.version } });
  });

  router.get('/interaction/:uid/charte/refus', async (ctx) => {
    const { details, clientName } = await loadInteraction(deps.provider(), ctx);
    if (details.prompt.name !== CHARTER_PROMPT || details.result?.error !== 'access_denied') return back(ctx);
    ctx.type = 'html';
    ctx.body = renderView('charter/refused', { title: tr('common:pageTitle', { page: tr('charter:refusedTitle') }), clientName, returnTo: details.returnTo });
  });
}

/** Keeps the refusal in the sign-in, so that the way back to the application carries `access_denied`. */
async function recordRefusal(provider: Provider, ctx: Context): Promise<void> {
  try {
    await provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the End-User refused the usage charter' }, { mergeWithLastSubmission: false });
  } catch {
    throw pageExpired();
  }
}
