// The public Koa app: security headers and error pages first, then our screens, then oidc-provider for
// everything else (discovery, authorization, token, userinfo, logout…).
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from 'pino';
import type { CookieSigner } from './cookie-keys.js';
import { csrfProtection } from './csrf.js';
import { errorHandler } from './errors.js';
import { securityHeaders } from './security-headers.js';
import { staticFiles } from './static-files.js';
import { mountHealthRoutes } from './health.js';
import { httpsBehindProxy, refuseInsecureBrowsing } from './https-edge.js';
import { mountProtocolPosts } from './protocol-post.js';
import { assignRequestId } from './request-context.js';
import { chooseLanguage, mountLanguageSwitch } from './language.js';
import type { ProviderHolder } from '../oidc/provider-holder.js';
import { httpMetrics } from '../metrics/http-metrics.js';
import type { Metrics } from '../metrics/metrics.js';
import { isProviderPath, PROVIDER_ROUTES } from '../oidc/provider.js';

export interface HttpAppDeps {
  logger: Logger;
  metrics: Metrics;
  /** The cookie signer (cookie-keys.ts), shared with the provider. */
  cookieKeys: CookieSigner;
  trustProxy: boolean;
  https: boolean;
  /** The public URL, named on the page shown when an https issuer is reached over a connection not seen as https. */
  issuer?: string;
  provider: ProviderHolder;
  ready: () => Promise<boolean>;
  /** Each flow adds its routes to the router it is given. */
  mounts: ((router: Router) => void)[];
}

export function createHttpApp(deps: HttpAppDeps): Koa {
  // Behind one TLS-terminating proxy, only the address it appends is trusted: the left part of X-Forwarded-For is
  // whatever the client wrote, and rate limits keyed on it would be free to dodge.
  const app = new Koa({ proxy: deps.trustProxy, maxIpsCount: 1 });
  // The provider and our screens read the same signed cookies: one set of keys for both.
  app.keys = deps.cookieKeys;
  app.silent = true;

  // Health checks sit apart from the screens: no cookies, no CSRF, nothing parsed.
  const health = new Router();
  mountHealthRoutes(health, { ready: deps.ready });

  const screens = new Router();
  screens.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb', encoding: 'utf-8' }));
  screens.use(csrfProtection({ secure: deps.https }));
  mountLanguageSwitch(screens, { https: deps.https });
  for (const mount of deps.mounts) mount(screens);

  app.use(httpMetrics(deps.metrics));
  // First of all: every answer carries the id, and every line logged for the request too (request-context.ts).
  app.use(assignRequestId({ trustProxy: deps.trustProxy }));
  if (deps.https && deps.trustProxy) app.use(httpsBehindProxy());
  app.use(securityHeaders({ https: deps.https }));
  app.use(staticFiles());
  // Before the error pages, so that they too speak the request's language (src/i18n/).
  app.use(chooseLanguage());
  app.use(errorHandler(deps.logger));
  app.use(health.routes());
  if (deps.https && !deps.trustProxy) app.use(refuseInsecureBrowsing(deps.issuer ?? 'l’adresse sécurisée du service'));
  // POST at the authorization and end-session endpoints, which the specifications require (protocol-post.ts).
  const protocolPosts = new Router();
  mountProtocolPosts(protocolPosts, [PROVIDER_ROUTES.authorization, PROVIDER_ROUTES.end_session]);
  app.use(protocolPosts.routes());
  app.use(screens.routes());
  // Paths that are neither ours nor the provider's get our French 404 (errorHandler), not the provider's plain one.
  app.use((ctx) => (isProviderPath(ctx.path) ? deps.provider.handle(ctx) : undefined));
  return app;
}
