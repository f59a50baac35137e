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
import { createSqlLimiter, purgeLimits, type Limiter } from './limits/limiter.js';
import { createActivationMount } from './flows/activation/mount.js';
import { purgeActivationFlows } from './flows/activation/flow-store.js';
import { mountConsentRoutes } from './flows/consent/routes.js';
import { mountLoginRoutes } from './flows/login/routes.js';
import { mountInfoRoutes } from './flows/info/routes.js';
import { createSignIn, signInRules } from './flows/login/sign-in.js';
import { createClients, type Clients } from './oidc/clients.js';
import { ensureKeys, loadJwks, rotateKeys } from './oidc/keys.js';
import { createOidcPages } from './oidc/pages.js';
import { createProvider } from './oidc/provider.js';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.js';
import { createSqlAdapter, purgeExpired } from './oidc/sql-adapter.js';
import { isReachable, migrate, openDatabase, type Db } from './store/database.js';
import { getOrCreateSecret } from './store/secrets.js';
import { isRedisReachable, openRedis } from './store/redis.js';
import { createRedisLimiter } from './limits/redis-limiter.js';
import { createRedisAdapter } from './oidc/redis-adapter.js';
import { createMailer, type Mailer } from './messaging/mailer.js';
import { createOutbox } from './messaging/outbox.js';
import { mountOutboxPage } from './messaging/outbox-page.js';
import type { SmsSender } from './messaging/sms-sender.js';
import { createSmsSender } from './messaging/sms-transport.js';
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
  mailer: Mailer;
  charters: Charters;
  app: Koa;
  adminApp: Koa;
  adminToken: string;
  rotateKeys(): Promise<string[]>;
  purge(): Promise<void>;
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
  const charters = createCharters(db);

  const provider = await createProviderHolder(async () =>
    createProvider({
      config,
      logger,
      adapter: Adapter,
      jwks: await loadJwks(db),
      cookieKeys,
      pairwiseSalt,
      accounts,
      claimsContributors: [createDirectoryClaims(db)],
      pages,
      pendingCharter: charters.pendingFor,
    }),
  );
  const clients = createClients(db, provider.get);
  const signIn = createSignIn({ accounts, limiter, rules: signInRules(config.login.maxFailures, config.login.windowSeconds) });

  const mountActivation = await createActivationMount({ config, db, accounts, limiter, sms, logger, provider: provider.get });

  const https = config.issuer.startsWith('https://');
  const app = createHttpApp({
    logger,
    cookieKeys,
    trustProxy: config.trustProxy,
    https,
    provider,
    ready: async () => (await isReachable(db)) && (!redis || (await isRedisReachable(redis))),
    mounts: [
      (r) => mountLoginRoutes(r, { provider: provider.get, signIn }),
      (r) => mountConsentRoutes(r, { provider: provider.get }),
      (r) => mountCharterRoutes(r, { provider: provider.get, charters }),
      mountInfoRoutes,
      (r) => mountOutboxPage(r, { outbox, env: config.env }),
      mountActivation,
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
    mailer,
    charters,
    adminToken: options.adminToken,
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
      if (removed) logger.debug({ removed }, 'expired OIDC payloads purged');
    },
    async close() {
      await redis?.quit();
      if (!options.db) await db.destroy();
    },
  };
  return { ...core, app, adminApp: createAdminApp(core) };
}
