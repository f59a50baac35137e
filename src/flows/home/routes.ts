// The home page: what Sésame is, where to start without an account, and «Mes services», the applications the
// operator listed (`sesame clients update ID --home-url …`), so a parent who activated from a letter knows where to go.
import type Router from '@koa/router';
import type { Clients } from '../../oidc/clients.js';
import { renderView } from '../../http/views.js';
import { tr } from '../../i18n/request-language.js';

export function mountHomeRoutes(router: Router, deps: { clients: Pick<Clients, 'homeServices'> }): void {
  router.get('/', async (ctx) => {
    const services = await deps.clients.homeServices();
    ctx.type = 'html';
    ctx.body = renderView('home', { title: tr('home:title'), services });
  });
}
