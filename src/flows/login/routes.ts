// The sign-in screens inside an OpenID Connect request: profile choice, identifiant and password.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { AppError } from '../../http/app-error.js';
import { finishInteraction, loadInteraction } from '../../http/interaction.js';
import { renderView } from '../../http/views.js';
import type { createSignIn } from './sign-in.js';

const PROFILES = new Set(['responsable', 'eleve']);

function profileOf(value: unknown): 'responsable' | 'eleve' | undefined {
  return typeof value === 'string' && PROFILES.has(value) ? (value as 'responsable' | 'eleve') : undefined;
}

function renderLogin(
  ctx: Context,
  locals: { uid: string; clientName: string | undefined; profil: string | undefined; username?: string; error?: string; errorField?: 'username' | 'password' },
) {
  ctx.type = 'html';
  ctx.body = renderView(locals.profil ? 'login/form' : 'login/profile', {
    title: locals.error ? 'Erreur – Connexion – Sésame' : 'Connexion – Sésame',
    csrf: ctx.state.csrf,
    ...locals,
  });
}

export function mountLoginRoutes(router: Router, deps: { provider: () => Provider; signIn: ReturnType<typeof createSignIn> }): void {
  router.get('/interaction/:uid', async (ctx) => {
    const { details, clientName } = await loadInteraction(deps.provider(), ctx);
    if (details.prompt.name === 'consent') {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}/consent`);
      return;
    }
    if (details.prompt.name === 'charter') {
      ctx.status = 303;
      ctx.redirect(`/interaction/${details.uid}/charte`);
      return;
    }
    renderLogin(ctx, { uid: details.uid, clientName, profil: profileOf(ctx.query.profil) });
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    const provider = deps.provider();
    const { details, clientName } = await loadInteraction(provider, ctx);
    const body = ctx.request.body as Record<string, unknown>;
    const profil = profileOf(body.profil) ?? 'responsable';
    let accountId: string;
    try {
      const account = await deps.signIn(body, ctx.ip);
      accountId = account.id;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      ctx.status = err.status;
      if (err.status === 429) ctx.set('Retry-After', String(err.retryAfterSeconds ?? 60));
      const username = typeof body.username === 'string' ? body.username.slice(0, 100) : '';
      // The message also sits beside the field it concerns (aria-describedby): the identifiant when it is missing,
      // otherwise the password (the neutral message never says which of the two was wrong). A rate limit is
      // about neither field.
      const errorField = err.code !== 'invalid_credentials' ? undefined : username.trim() ? 'password' : 'username';
      renderLogin(ctx, { uid: details.uid, clientName, profil, username, error: err.userMessage, ...(errorField ? { errorField } : {}) });
      return;
    }
    await finishInteraction(provider, ctx, { login: { accountId, remember: true } });
  });
}
