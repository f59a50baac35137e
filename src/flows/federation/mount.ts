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
import { createFlowStore } from '../common/flow-store.js';
import { createFederation } from './federation.js';
import type { FederationState } from './flow.js';
import { CALLBACK_PATH, mountFederationRoutes } from './routes.js';
import { mountUnlinkRoutes } from './account-routes.js';
import { createUpstreamClient } from './upstream-client.js';

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

export function createFederationMount(deps: {
  config: Config;
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  logger: Logger;
  provider: () => Provider;
  /** «Mon compte»'s guard: unlinking happens there. */
  accountGuard: Middleware;
  audit?: AuditTrail;
}): FederationMount | undefined {
  const settings = deps.config.upstream;
  if (!settings) return undefined;
  const logger = deps.logger.child({ flow: 'federation' });
  const upstream = createUpstreamClient(settings, logger, { redirectUri: `${deps.config.issuer}${CALLBACK_PATH}` });
  void upstream.configuration();
  const flowTtlSeconds = deps.config.activation.flowTtlSeconds;
  const federation = createFederation({
    db: deps.db,
    accounts: deps.accounts,
    limiter: deps.limiter,
    flows: createFlowStore<FederationState>(deps.db, { kind: 'federation', ttlSeconds: flowTtlSeconds }),
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
        logger,
      });
      mountUnlinkRoutes(router, { guard: deps.accountGuard, db: deps.db, issuer: settings.issuer, label: settings.label, ...(deps.audit ? { audit: deps.audit } : {}) });
    },
  };
}
