// Builds «Mon compte» from the running service's parts (the one thing src/sesame.ts needs to know): writes its
// first-party client, then returns the routes to mount.
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Accounts } from '../../accounts/accounts.js';
import type { Config } from '../../config.js';
import type { Limiter } from '../../limits/limiter.js';
import type { Mailer } from '../../messaging/mailer.js';
import { createAccountGrants } from '../../oidc/account-grants.js';
import type { AccountRecordIndex, EndAccountSessions } from '../../oidc/account-sessions.js';
import type { Consents } from '../../oidc/consents.js';
import type { Db } from '../../store/database.js';
import { createSecretHasher } from '../common/one-time-secrets.js';
import type { createSignIn } from '../login/sign-in.js';
import { createAccountSettings } from './account-settings.js';
import { ACCOUNT_CLIENT_ID, ACCOUNT_PATH, ensureAccountClient } from './client.js';
import { createEmailChangeLinks } from './email-change-links.js';
import { mountAccountRoutes } from './routes.js';
import { createRecentSignIns } from './recent-sign-ins.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { Passkeys } from '../../passkeys/setup.js';
import { createAccountGuard } from './guard.js';
import { mountPasskeyRoutes } from './passkeys-routes.js';

export interface AccountMountDeps {
  config: Config;
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  mailer: Mailer;
  logger: Logger;
  signIn: ReturnType<typeof createSignIn>;
  provider: () => Provider;
  index: AccountRecordIndex;
  consents: Consents;
  endAccountSessions: EndAccountSessions;
  audit: Pick<AuditTrail, 'record' | 'flush'>;
  /** «Mes clés d'accès» (passkeys-routes.ts); undefined when passkeys are off. */
  passkeys?: Passkeys | undefined;
}

export async function createAccountMount(deps: AccountMountDeps): Promise<(router: Router) => void> {
  const { config } = deps;
  await ensureAccountClient(deps.provider(), config.issuer);
  const fc = config.firstConnection;
  // The first connection's link secret: both kinds of link live in one table, told apart by their HMAC scope.
  const links = createEmailChangeLinks(deps.db, await createSecretHasher(deps.db, 'email-link-key'), { ttlSeconds: fc.emailLinkTtlSeconds });
  const settings = createAccountSettings({
    db: deps.db,
    accounts: deps.accounts,
    signIn: deps.signIn,
    limiter: deps.limiter,
    mailer: deps.mailer,
    links,
    endAccountSessions: deps.endAccountSessions,
    audit: deps.audit,
    settings: fc,
    confirmBase: `${config.issuer}${ACCOUNT_PATH}/courriel/confirmer?jeton=`,
    logger: deps.logger.child({ flow: 'account' }),
  });
  const grants = createAccountGrants({ provider: deps.provider, index: deps.index, consents: deps.consents, hidden: [ACCOUNT_CLIENT_ID], audit: deps.audit });
  const routes = {
    provider: deps.provider,
    accounts: deps.accounts,
    issuer: config.issuer,
    https: config.issuer.startsWith('https://'),
    settings,
    grants,
    refreshTokenTtl: config.ttl.refreshToken,
    recentSignIns: createRecentSignIns({ db: deps.db, audit: deps.audit, provider: deps.provider, hidden: [ACCOUNT_CLIENT_ID] }),
    // «Connexion avec FranceConnect» (src/flows/federation/account-routes.ts), when an upstream is configured.
    upstreamLabel: config.upstream?.label,
  };
  return (router) => {
    mountAccountRoutes(router, routes);
    mountPasskeyRoutes(router, { guard: createAccountGuard(routes), accounts: deps.accounts, passkeys: deps.passkeys, audit: deps.audit, settings });
  };
}
