// The pages oidc-provider itself shows (logout confirmation, signed-out, protocol errors), in our French frame.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_EXPIRED } from '../http/app-error.js';
import { renderView } from '../http/views.js';

export interface OidcPages {
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
  renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): Promise<void>;
}

// A resumed sign-in whose cookies are gone (old tab, other browser) is an expired page to the person; any other
// protocol error comes from the application that sent them here.
const isExpired = (error: Error) => error instanceof errors.SessionNotFound;

export function createOidcPages(): OidcPages {
  return {
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.body = renderView('logout', { title: 'Déconnexion – Sésame', clientName: ctx.oidc.client?.clientName, form });
    },
    async postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = renderView('logged-out', { title: 'Vous êtes déconnecté – Sésame', clientName: undefined });
    },
    async renderError(ctx, out, error) {
      ctx.type = 'html';
      const message = isExpired(error)
        ? PAGE_EXPIRED
        : 'Cette demande de connexion n’a pas pu aboutir. Retournez sur le site que vous vouliez utiliser et réessayez. Si le problème continue, contactez l’assistance de ce site.';
      ctx.body = renderView('error', { title: 'Erreur – Sésame', message, code: out.error, clientName: undefined });
    },
  };
}
