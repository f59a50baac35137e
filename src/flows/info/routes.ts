// The footer's information pages. «Identifiant oublié» and «Mot de passe oublié» are journeys of their own
// (src/flows/recovery).
import type Router from '@koa/router';
import { renderView } from '../../http/views.js';

const PAGES: Record<string, { view: string; title: string }> = {
  '/aide': { view: 'info/aide', title: 'Aide – Sésame' },
  '/accessibilite': { view: 'info/accessibilite', title: 'Accessibilité – Sésame' },
  '/mentions-legales': { view: 'info/mentions-legales', title: 'Mentions légales – Sésame' },
  '/donnees-personnelles': { view: 'info/donnees-personnelles', title: 'Données personnelles – Sésame' },
};

export function mountInfoRoutes(router: Router): void {
  for (const [path, page] of Object.entries(PAGES)) {
    router.get(path, (ctx) => {
      // Keep the way back into a sign-in in progress (the login page links here with ?interaction=UID).
      const interaction = typeof ctx.query.interaction === 'string' && /^[\w-]{1,64}$/.test(ctx.query.interaction) ? ctx.query.interaction : undefined;
      ctx.type = 'html';
      ctx.body = renderView(page.view, { title: page.title, back: interaction ? `/interaction/${interaction}` : undefined });
    });
  }
}
