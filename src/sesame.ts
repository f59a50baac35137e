// The composition root: opens the store, prepares keys and secrets, builds the provider, the public app and the
// admin app, and hands each part only what it needs. main.ts and the tests both start Sésame through here.
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createAccounts, type Accounts } from './accounts/accounts.js';
import { createAdminApp } from './admin/app.js';
import { createDirectoryClaims } from './directory/claims.js';
import { createHttpApp } from './http/app.js';
import { setFrameFacts } from './http/views.js';
import { createSqlLimiter, purgeLimits, type Limiter } from './limits/limiter.js';
import { createActivationMount } from './flows/activation/mount.js';
import { purgeActivationFlows } from './flows/activation/flow-store.js';
import { createFirstConnectionMount } from './flows/first-connection/mount.js';
import { purgeEmailLinks } from './flows/first-connection/email-links.js';
import { mountConsentRoutes } from './flows/consent/routes.js';
import { mountLogoutRoutes } from './flows/logout/routes.js';
import { createConsents, type Consents } from './oidc/consents.js';
import { mountLoginRoutes } from './flows/login/routes.js';
import { mountInfoRoutes } from './flows/info/routes.js';
import { mountHomeRoutes } from './flows/home/routes.js';
import { createClearLoginFailures, createSignIn, signInRules } from './flows/login/sign-in.js';
import { createKnownDevices } from './flows/login/known-devices.js';
import { createClients, isOperatorBackchannelUri, type Clients } from './oidc/clients.js';
import { ensureKeys, loadJwks, rotateKeys } from './oidc/keys.js';
import { createOidcPages } from './oidc/pages.js';
import { createProvider, PROVIDER_ROUTES } from './oidc/provider.js';
import { reserveOperatorClientNames } from './oidc/reserved-client-names.js';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.js';
import { createSqlAccountIndex, createSqlAdapter, purgeExpired } from './oidc/sql-adapter.js';
import { isReachable, migrate, openDatabase, type Db } from './store/database.js';
import { getOrCreateSecret } from './store/secrets.js';
import { isRedisReachable, openRedis } from './store/redis.js';
import { createRedisLimiter } from './limits/redis-limiter.js';
import { createRedisAccountIndex, createRedisAdapter } from './oidc/redis-adapter.js';
import { createEndAccountSessions, type EndAccountSessions } from './oidc/account-sessions.js';
import { renderLettersPdf } from './directory/letters-pdf.js';
import type { LettersRenderer } from './directory/letters.js';
import { createMailer, type Mailer } from './messaging/mailer.js';
import { createOutbox } from './messaging/outbox.js';
import { mountOutboxPage } from './messaging/outbox-page.js';
import type { SmsSender } from './messaging/sms-sender.js';
import { createSmsSender } from './messaging/sms-transport.js';
import { createInProcessSmsQueue, type SmsQueue } from './messaging/sms-queue.js';
import type { Clock } from './clock.js';
import { createCharters, type Charters } from './charters/charters.js';
import { mountCharterRoutes } from './flows/charter/routes.js';

/** Everything the admin API may use: the running service minus the apps themselves. */
export type SesameCore = Omit<Sesame, 'app' | 'adminApp'>;

export interface Sesame {
  config: Config;
  db: Db;
  logger: Logger;
  accounts: Accounts;
  clients: Clients;
  limiter: Limiter;
  provider: ProviderHolder;
  sms: SmsSender;
  /** SMS sent after the answer (activation); drained before close. */
  smsQueue: SmsQueue;
  mailer: Mailer;
  charters: Charters;
  app: Koa;
  adminApp: Koa;
  adminToken: string;
  rotateKeys(): Promise<string[]>;
  purge(): Promise<void>;
  /** Ends every session, grant and token of an account and tells relying parties (src/oidc/account-sessions.ts). */
  endAccountSessions: EndAccountSessions;
  /** What each account allowed third-party applications (src/oidc/consents.ts). */
  consents: Consents;
  /** Renders the notification letters' PDF (replaced in tests to make rendering fail). */
  renderLetters: LettersRenderer;
  /** Forgets an identifiant's failures from unknown devices: for a successful recovery (not built yet, issue 10). */
  clearLoginFailures(identifiant: string): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  /** An already-open database (tests share one per file); otherwise opened from the config. */
  db?: Db;
  adminToken: string;
  /** Replace the configured transports (tests: a sender on the Twilio stand-in, a mailer on a test SMTP server). */
  sms?: SmsSender;
  mailer?: Mailer;
  renderLetters?: LettersRenderer;
  /** The time flows pad their answers with (tests: to see the deadlines asked for). */
  clock?: Clock;
}

export async function createSesame(config: Config, options: StartOptions): Promise<Sesame> {
  const { logger } = options;
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(db);
  await ensureKeys(db);
  const cookieKeys = await getOrCreateSecret(db, 'cookie-keys', () => [randomBytes(32).toString('base64url')]);
  const pairwiseSalt = await getOrCreateSecret(db, 'pairwise-salt', () => randomBytes(32).toString('base64url'));

  const accounts = createAccounts(db, { identifierStyle: config.identifierStyle });
  // Short-lived state goes to Redis when configured; clients, accounts and the directory always stay in SQL.
  const redis = config.redisUrl ? await openRedis(config.redisUrl, config.redisPrefix, logger) : undefined;
  const limiter = redis ? createRedisLimiter(redis) : createSqlLimiter(db);
  const Adapter = redis ? createRedisAdapter(redis, createSqlAdapter(db)) : createSqlAdapter(db);
  const pages = createOidcPages();
  // One outbox for SMS, mail and /dev/outbox; used (and the page mounted) only outside production.
  const outbox = createOutbox(config.dataDir);
  const sms = options.sms ?? createSmsSender(config, logger, { outbox });
  const mailer = options.mailer ?? createMailer(config, logger, { outbox });
  // In process only: a Redis-backed queue would keep codes in clear outside this process (not built yet).
  const smsQueue = createInProcessSmsQueue({ sender: sms, logger, ...config.sms.queue });
  const charters = createCharters(db);
  const consents = createConsents(db);

  const provider = await createProviderHolder(async () => {
    const built = createProvider({
      config,
      logger,
      adapter: Adapter,
      jwks: await loadJwks(db),
      cookieKeys,
      pairwiseSalt,
      accounts,
      claimsContributors: [createDirectoryClaims(db, { guardianChildren: config.guardianChildren })],
      pages,
      isOperatorLogoutUri: (uri) => isOperatorBackchannelUri(db, uri),
      pendingCharter: charters.pendingFor,
      consents,
    });
    // Self-registered clients cannot take an operator's application name (src/oidc/reserved-client-names.ts).
    built.use(reserveOperatorClientNames(db, PROVIDER_ROUTES.registration));
    return built;
  });
  const clients = createClients(db, provider.get);
  const endAccountSessions = createEndAccountSessions({
    provider: provider.get,
    index: redis ? createRedisAccountIndex(redis) : createSqlAccountIndex(db),
    logger,
  });
  const signInLimits = signInRules(config.login);
  const deviceKey = await getOrCreateSecret(db, 'device-cookie-key', () => randomBytes(32).toString('base64url'));
  const signIn = createSignIn({ accounts, limiter, rules: signInLimits, devices: createKnownDevices(deviceKey) });

  const firstConnection = await createFirstConnectionMount({ config, db, limiter, mailer, logger, signIn, provider: provider.get, endAccountSessions });
  const mountActivation = await createActivationMount({
    config, db, accounts, limiter, smsQueue, logger, provider: provider.get, ...(options.clock ? { clock: options.clock } : {}),
  });

  const https = config.issuer.startsWith('https://');
  if (https && !config.trustProxy) {
    logger.warn(
      { issuer: config.issuer },
      'ISSUER is https but TRUST_PROXY is off: requests reach Sésame as plain http, so no cookie could be marked Secure; browser pages answer «connexion sécurisée» until TRUST_PROXY=true is set behind the TLS proxy',
    );
  }
  // The footer of every page declares the accessibility status (RGAA); production without the legal facts starts,
  // saying «non renseigné» on the pages, and says here what to set (docs/screens.md).
  setFrameFacts({ accessibilityStatus: config.legal.accessibility.status.text });
  if (config.legal.missing.length > 0) {
    logger.warn({ missing: config.legal.missing }, 'legal pages show «non renseigné»: set these LEGAL_* settings (README)');
  }
  const app = createHttpApp({
    logger,
    cookieKeys,
    trustProxy: config.trustProxy,
    https,
    issuer: config.issuer,
    provider,
    ready: async () => (await isReachable(db)) && (!redis || (await isRedisReachable(redis))),
    mounts: [
      (r) => mountLoginRoutes(r, { provider: provider.get, signIn, firstConnection: firstConnection.handOver, https }),
      (r) => mountConsentRoutes(r, { provider: provider.get, accounts, consents, refreshTokenTtl: config.ttl.refreshToken }),
      (r) => mountCharterRoutes(r, { provider: provider.get, charters }),
      (r) => mountLogoutRoutes(r, { provider: provider.get }),
      (r) => mountHomeRoutes(r, { clients }),
      (r) => mountInfoRoutes(r, { provider: provider.get, config }),
      (r) => mountOutboxPage(r, { outbox, env: config.env }),
      mountActivation,
      firstConnection.mount,
    ],
  });

  const core: SesameCore = {
    config,
    db,
    logger,
    accounts,
    clients,
    limiter,
    provider,
    sms,
    smsQueue,
    mailer,
    charters,
    adminToken: options.adminToken,
    endAccountSessions,
    consents,
    renderLetters: options.renderLetters ?? renderLettersPdf,
    clearLoginFailures: createClearLoginFailures({ limiter, rules: signInLimits }),
    async rotateKeys() {
      // Old keys stay published as long as anything they signed can still be presented.
      const keep = Math.max(config.ttl.accessToken, config.ttl.idToken, config.ttl.refreshToken);
      const kids = await rotateKeys(db, keep);
      await provider.rebuild();
      logger.info({ kids }, 'signing keys rotated');
      return kids;
    },
    async purge() {
      const removed = await purgeExpired(db);
      await purgeLimits(db);
      await purgeActivationFlows(db);
      await purgeEmailLinks(db);
      if (removed) logger.debug({ removed }, 'expired OIDC payloads purged');
    },
    async close() {
      // SMS already promised to someone leave (and their outcome is recorded) before the store closes.
      await smsQueue.drain();
      await redis?.quit();
      if (!options.db) await db.destroy();
    },
  };
  return { ...core, app, adminApp: createAdminApp(core) };
}
