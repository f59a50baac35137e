// Builds the upstream federation from the running service's parts: nothing when no upstream is configured (no
// button, no routes), otherwise the login button's settings and the routes. Discovery starts at once, in the
// background: a failure is logged, and the button then answers a French page until the upstream answers.
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Accounts } from '../../accounts/accounts.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { Config } from '../../config.js';
import type { Limiter } from '../../limits/limiter.js';
import type { Db } from '../../store/database.js';
import type { FlowStores } from '../common/flow-store.js';
import { createFederation } from './federation.js';
import type { FederationState } from './flow.js';
import { CALLBACK_PATH, mountFederationRoutes } from './routes.js';
import { mountUnlinkRoutes } from './account-routes.js';
import { createUpstreamClient, type UpstreamClient } from './upstream-client.js';
import { logoutAtUpstream, mountLogoutReturn } from './upstream-logout.js';

/** What the login page needs to show the button. */
export interface UpstreamButton {
  label: string;
  aboutHref: string;
}

export interface FederationMount {
  button: UpstreamButton;
  mount: (router: Router) => void;
}

/** FranceConnect's own explanation page, linked under the button as its guidelines ask. */
const ABOUT_HREF = 'https://franceconnect.gouv.fr/';

/**
 * The upstream relying party, built before the provider (whose logout it joins) when an upstream is configured.
 * Discovery starts at once, in the background.
 */
export function createUpstream(config: Config, logger: Logger): UpstreamClient | undefined {
  if (!config.upstream) return undefined;
  const upstream = createUpstreamClient(config.upstream, logger.child({ flow: 'federation' }), { redirectUri: `${config.issuer}${CALLBACK_PATH}` });
  void upstream.configuration();
  return upstream;
}

/** Logging out of Sésame logs out of the upstream too, for people who came through it (upstream-logout.ts). */
export function joinUpstreamLogout(provider: Provider, upstream: UpstreamClient | undefined, config: Config): void {
  if (upstream) logoutAtUpstream(provider, { upstream, issuer: config.issuer, https: config.issuer.startsWith('https://') });
}

export function createFederationMount(deps: {
  config: Config;
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  logger: Logger;
  provider: () => Provider;
  upstream: UpstreamClient | undefined;
  /** «Mon compte»'s guard: unlinking happens there. */
  accountGuard: Middleware;
  audit?: AuditTrail;
  flowStores: FlowStores;
}): FederationMount | undefined {
  const settings = deps.config.upstream;
  const upstream = deps.upstream;
  if (!settings || !upstream) return undefined;
  const logger = deps.logger.child({ flow: 'federation' });
  const flowTtlSeconds = deps.config.activation.flowTtlSeconds;
  const federation = createFederation({
    db: deps.db,
    accounts: deps.accounts,
    limiter: deps.limiter,
    flows: deps.flowStores<FederationState>({ kind: 'federation', ttlSeconds: flowTtlSeconds }),
    birthdateMaxTries: deps.config.activation.birthdateMaxTries,
    matchesPerDay: settings.matchesPerDay,
    logger,
    ...(deps.audit ? { audit: deps.audit } : {}),
  });
  return {
    button: { label: settings.label, aboutHref: ABOUT_HREF },
    mount: (router) => {
      mountFederationRoutes(router, {
        federation,
        upstream,
        provider: deps.provider,
        issuer: deps.config.issuer,
        https: deps.config.issuer.startsWith('https://'),
        flowTtlSeconds,
        sessionTtlSeconds: deps.config.ttl.session,
        logger,
      });
      mountLogoutReturn(router, { https: deps.config.issuer.startsWith('https://') });
      mountUnlinkRoutes(router, { guard: deps.accountGuard, db: deps.db, issuer: settings.issuer, label: settings.label, ...(deps.audit ? { audit: deps.audit } : {}) });
    },
  };
}
