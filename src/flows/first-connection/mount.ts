// Builds the first connection from the running service's parts: the routes to mount and the hand-over the sign-in
// screen uses — the one thing the composition root (src/sesame.ts) needs to know about this journey.
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Limiter } from '../../limits/limiter.js';
import type { Mailer } from '../../messaging/mailer.js';
import type { Db } from '../../store/database.js';
import type { FlowStores } from '../common/flow-store.js';
import { createSecretHasher } from '../common/one-time-secrets.js';
import type { createSignIn } from '../login/sign-in.js';
import { createEmailLinks } from './email-links.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import type { AuditTrail } from '../../audit/trail.js';
import { createFirstConnection } from './first-connection.js';
import type { FlowState } from './flow.js';
import { firstConnectionRoutes } from './routes.js';
import { PATH } from './screens.js';

export interface FirstConnectionMountDeps {
  config: Config;
  db: Db;
  limiter: Limiter;
  mailer: Mailer;
  logger: Logger;
  signIn: ReturnType<typeof createSignIn>;
  provider: () => Provider;
  /** Ends the sign-ins of whoever knew the password a first connection replaces (src/oidc/account-sessions.ts). */
  endAccountSessions: EndAccountSessions;
  audit?: AuditTrail;
  /** Where flow state lives (SQL, or Redis when REDIS_URL is set). */
  flowStores: FlowStores;
}

export async function createFirstConnectionMount(deps: FirstConnectionMountDeps) {
  const { config } = deps;
  const settings = config.firstConnection;
  const links = createEmailLinks(deps.db, await createSecretHasher(deps.db, 'email-link-key'), { ttlSeconds: settings.emailLinkTtlSeconds });
  const firstConnection = createFirstConnection({
    db: deps.db,
    limiter: deps.limiter,
    mailer: deps.mailer,
    links,
    flows: deps.flowStores<FlowState>({ kind: 'first-connection', ttlSeconds: settings.flowTtlSeconds }),
    settings,
    linkBase: `${config.issuer}${PATH}/courriel/confirmer?jeton=`,
    logger: deps.logger.child({ flow: 'first-connection' }),
    endAccountSessions: deps.endAccountSessions,
    ...(deps.audit ? { audit: deps.audit } : {}),
  });
  return firstConnectionRoutes({
    firstConnection,
    links,
    signIn: deps.signIn,
    provider: deps.provider,
    https: config.issuer.startsWith('https://'),
    flowTtlSeconds: settings.flowTtlSeconds,
  });
}
