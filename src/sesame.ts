// The composition root: opens the store, prepares keys and secrets, builds the provider, the public app and the
// admin app, and hands each part only what it needs. main.ts and the tests both start Sésame through here.
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createAccounts, type Accounts } from './accounts/accounts.js';
import { createAdminApp } from './admin/app.js';
import { createDirectoryClaims } from './directory/claims.js';
import { createHttpApp } from './http/app.js';
import { cookieSigner } from './http/cookie-keys.js';
import { setFrameFacts } from './http/views.js';
import { installCatalogue, loadCatalogue } from './i18n/catalogue.js';
import { createSqlLimiter, purgeLimits, type Limiter } from './limits/limiter.js';
import { createActivationMount } from './flows/activation/mount.js';
import { purgeActivationFlows } from './flows/activation/flow-store.js';
import { createFirstConnectionMount } from './flows/first-connection/mount.js';
import { createRecoveryMount } from './flows/recovery/mount.js';
import { createFederationMount, createUpstream, joinUpstreamLogout } from './flows/federation/mount.js';
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
import { ensureKeys, keysVersion, loadJwks, rotateKeys } from './oidc/keys.js';
import { createOidcPages } from './oidc/pages.js';
import { createProvider, PROVIDER_ROUTES } from './oidc/provider.js';
import { reserveOperatorClientNames } from './oidc/reserved-client-names.js';
import { createProviderHolder, type ProviderHolder } from './oidc/provider-holder.js';
import { createSqlAccountIndex, createSqlAdapter, purgeExpired } from './oidc/sql-adapter.js';
import { isReachable, migrate, openDatabase, poolStats, type Db } from './store/database.js';
import { getOrCreateSecret } from './store/secrets.js';
import { isRedisReachable, openRedis } from './store/redis.js';
import { createRedisLimiter } from './limits/redis-limiter.js';
import { createRedisAccountIndex, createRedisAdapter } from './oidc/redis-adapter.js';
import { guardAdapter } from './oidc/adapter-availability.js';
import { createEndAccountSessions, type EndAccountSessions } from './oidc/account-sessions.js';
import { renderLettersPdf } from './directory/letters-pdf.js';
import type { LettersRenderer } from './directory/letters.js';
import { createMailer, type Mailer } from './messaging/mailer.js';
import { createOutbox } from './messaging/outbox.js';
import { mountOutboxPage } from './messaging/outbox-page.js';
import type { SmsSender } from './messaging/sms-sender.js';
import { createSmsSender } from './messaging/sms-transport.js';
import { createInProcessSmsQueue, type SmsQueue } from './messaging/sms-queue.js';
import { createRedisSmsQueue } from './messaging/redis-sms-queue.js';
import { sqlFlowStores } from './flows/common/flow-store.js';
import { redisFlowStores } from './flows/common/redis-flow-store.js';
import { systemClock, type Clock } from './clock.js';
import { createAuditTrail, type AuditTrail } from './audit/trail.js';
import { purgeAuditEvents } from './audit/queries.js';
import { installProviderEvents } from './oidc/provider-events.js';
import { createSignInAudit } from './flows/login/sign-in-audit.js';
import { withRequestIds } from './request-id.js';
import { createCharters, type Charters } from './charters/charters.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { countingSms } from './metrics/counting-sms.js';
import { countingAudit } from './metrics/counting-audit.js';
import { mountCharterRoutes } from './flows/charter/routes.js';
import { createFindAccountWithCharter } from './oidc/sign-in-lookup.js';
import { createAccountMount } from './flows/account/mount.js';
import { createAccountGuard } from './flows/account/guard.js';
import { createAttachmentReports, type AttachmentReports } from './directory/attachment-reports.js';
import { createAccountMerge } from './directory/account-merge.js';
import { childrenOfAccount } from './directory/account-children.js';
import { mountAccountChildren } from './flows/account/children-routes.js';
import { createPasskeys } from './passkeys/setup.js';
import { createPasskeySignIn, passkeySignInRules } from './flows/login/passkey-sign-in.js';
import { mountPasskeySignIn } from './flows/login/passkey-routes.js';

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
  /** Prometheus figures (src/metrics/), served at GET /metrics on the admin listener. */
  metrics: Metrics;
  /** Wrong-attachment reports from «Mes enfants», read by the schools (src/directory/attachment-reports.ts). */
  attachmentReports: AttachmentReports;
  app: Koa;
  adminApp: Koa;
  adminToken: string;
  rotateKeys(): Promise<string[]>;
  /** Rebuilds the provider when another instance rotated the keys (polled every KEYS_POLL_SECONDS). */
  reloadKeysIfChanged(): Promise<boolean>;
  purge(): Promise<void>;
  /** Ends every session, grant and token of an account and tells relying parties (src/oidc/account-sessions.ts). */
  endAccountSessions: EndAccountSessions;
  /** What each account allowed third-party applications (src/oidc/consents.ts). */
  consents: Consents;
  /** The audit trail's writer: `record(event)` never waits; flushed by close() (src/audit/, docs/audit.md). */
  audit: AuditTrail;
  /** Renders the notification letters' PDF (replaced in tests to make rendering fail). */
  renderLetters: LettersRenderer;
  /** Forgets an identifiant's failures from unknown devices: a successful recovery does (src/flows/recovery). */
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
  // Every line logged while a request runs carries its id (src/http/request-context.ts).
  const logger = withRequestIds(options.logger);
  // The message catalogue first: a broken language file stops the start here, before anything listens (docs/i18n.md).
  installCatalogue(loadCatalogue({ extraDir: config.localesDir, warn: (message) => logger.warn(message) }));
  const clock = options.clock ?? systemClock;
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  await migrate(db);
  await ensureKeys(db);
  // One signer for our cookies and the provider's (src/http/cookie-keys.ts: keygrip's signatures, less CPU).
  const cookieKeys = cookieSigner(await getOrCreateSecret(db, 'cookie-keys', () => [randomBytes(32).toString('base64url')]));
  const pairwiseSalt = await getOrCreateSecret(db, 'pairwise-salt', () => randomBytes(32).toString('base64url'));

  const accounts = createAccounts(db, { identifierStyle: config.identifierStyle });
  // Short-lived state goes to Redis when configured; clients, accounts and the directory always stay in SQL.
  const redis = config.redisUrl ? await openRedis({ url: config.redisUrl, prefix: config.redisPrefix, tlsCaFile: config.redisTlsCaFile }, logger) : undefined;
  const limiter = redis ? createRedisLimiter(redis) : createSqlLimiter(db);
  // A store outage reaches relying parties as `temporarily_unavailable` (503), not a 500 (src/oidc/adapter-availability.ts).
  const Adapter = guardAdapter(redis ? createRedisAdapter(redis, createSqlAdapter(db)) : createSqlAdapter(db));
  const pages = createOidcPages();
  // One outbox for SMS, mail and /dev/outbox; used (and the page mounted) only outside production.
  const outbox = createOutbox(config.dataDir);
  const metrics = createMetrics({
    pool: () => poolStats(db),
    ...(redis ? { redisReady: () => redis.status === 'ready' } : {}),
    smsBudgetLeft: async () => {
      // The same service-wide counter the activation spends (src/flows/activation/activation.ts, rule sms:budget).
      const rule = { name: 'sms:budget', points: config.activation.smsDailyBudget, windowSeconds: 24 * 3600 };
      return Math.max(0, rule.points - (await limiter.check(rule, 'service')).used);
    },
  });
  const sms = countingSms(options.sms ?? createSmsSender(config, logger, { outbox }), metrics);
  const mailer = options.mailer ?? createMailer(config, logger, { outbox });
  // On Redis, jobs survive a restart and any instance sends them (sealed: they carry codes); otherwise in process.
  const smsQueue = redis
    ? createRedisSmsQueue({
      sender: sms, logger, redis, ...config.sms.queue,
      key: Buffer.from(await getOrCreateSecret(db, 'sms-queue-key', () => randomBytes(32).toString('base64url')), 'base64url'),
    })
    : createInProcessSmsQueue({ sender: sms, logger, ...config.sms.queue });
  // The journeys' flow state: on Redis (with its TTL) when configured, else in SQL; the same interface for flows.
  const flowStores = redis
    ? redisFlowStores(db, redis, { key: Buffer.from(await getOrCreateSecret(db, 'flow-state-key', () => randomBytes(32).toString('base64url')), 'base64url') })
    : sqlFlowStores(db);
  const charters = createCharters(db);
  const consents = createConsents(db);
  const audit = countingAudit(createAuditTrail({ db, logger, clock }), metrics);

  // The key set the live provider was built from; another instance's rotation shows as a different version.
  let builtKeysVersion = '';
  const upstream = createUpstream(config, logger);
  const provider = await createProviderHolder(async () => {
    builtKeysVersion = await keysVersion(db);
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
      findAccountWithCharter: createFindAccountWithCharter(db),
      consents,
    });
    // Self-registered clients cannot take an operator's application name (src/oidc/reserved-client-names.ts).
    built.use(reserveOperatorClientNames(db, PROVIDER_ROUTES.registration));
    // Protocol failures logged, logouts, revocations and token reuse recorded (src/oidc/provider-events.ts).
    installProviderEvents(built, { logger, audit });
    // A person who came through the upstream is logged out there too (src/flows/federation/upstream-logout.ts).
    joinUpstreamLogout(built, upstream, config);
    return built;
  });
  const clients = createClients(db, provider.get);
  const accountIndex = redis ? createRedisAccountIndex(redis) : createSqlAccountIndex(db);
  const endAccountSessions = createEndAccountSessions({ provider: provider.get, index: accountIndex, logger, audit });
  const signInLimits = signInRules(config.login);
  const deviceKey = await getOrCreateSecret(db, 'device-cookie-key', () => randomBytes(32).toString('base64url'));
  const signIn = createSignIn({ accounts, limiter, rules: signInLimits, devices: createKnownDevices(deviceKey) });

  const firstConnection = await createFirstConnectionMount({ config, db, limiter, mailer, logger, signIn, provider: provider.get, endAccountSessions, audit, flowStores });
  const mountActivation = await createActivationMount({
    config, db, accounts, limiter, smsQueue, flowStores, logger, provider: provider.get, audit, ...(options.clock ? { clock: options.clock } : {}),
  });

  // Passkeys (src/passkeys/, docs/passkeys.md): none when turned off or when the issuer's host is an IP address.
  const passkeys = await createPasskeys(db, { enabled: config.passkeys.enabled, issuer: config.issuer });
  const mountAccount = await createAccountMount({
    config, db, accounts, limiter, mailer, logger, signIn, provider: provider.get, index: accountIndex, consents, endAccountSessions, audit, passkeys,
  });

  const clearLoginFailures = createClearLoginFailures({ limiter, rules: signInLimits });
  const recovery = await createRecoveryMount({
    config, db, limiter, smsQueue, mailer, logger, provider: provider.get, endAccountSessions, clearLoginFailures, audit, flowStores,
    ...(options.clock ? { clock: options.clock } : {}),
  });

  // Every flow that queues SMS has registered its outcome handler: jobs (also those another instance left) may go.
  await smsQueue.start();

  const https = config.issuer.startsWith('https://');
  const attachmentReports = createAttachmentReports(db, { guardianChildren: config.guardianChildren });
  const accountGuard = createAccountGuard({ provider: provider.get, accounts, issuer: config.issuer, https });
  const federation = createFederationMount({ config, db, accounts, limiter, logger, provider: provider.get, upstream, accountGuard, audit, flowStores });
  const mountChildren = (r: Parameters<typeof mountAccountChildren>[0]) => mountAccountChildren(r, {
    guard: accountGuard,
    db,
    children: (accountId) => childrenOfAccount(db, accountId, config.guardianChildren),
    reports: attachmentReports,
    merge: createAccountMerge(db, { guardianChildren: config.guardianChildren }),
    signIn,
    endAccountSessions,
    audit,
    logger: logger.child({ flow: 'account-children' }),
    https,
    flowStores,
  });
  const passkeySignIn = passkeys
    ? createPasskeySignIn({ ceremonies: passkeys.ceremonies, accounts, limiter, rules: passkeySignInRules(config.login), audit })
    : undefined;
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
    metrics,
    cookieKeys,
    trustProxy: config.trustProxy,
    https,
    issuer: config.issuer,
    provider,
    ready: async () => (await isReachable(db)) && (!redis || (await isRedisReachable(redis))),
    mounts: [
      (r) => mountLoginRoutes(r, {
        provider: provider.get, signIn, firstConnection: firstConnection.handOver, https, audit: createSignInAudit({ audit, accounts }), upstream: federation?.button, passkeys: Boolean(passkeys),
      }),
      ...(passkeySignIn ? [(r: Parameters<typeof mountPasskeySignIn>[0]) => mountPasskeySignIn(r, { provider: provider.get, passkeys: passkeySignIn, firstConnection: firstConnection.handOver })] : []),
      (r) => mountConsentRoutes(r, { provider: provider.get, accounts, consents, refreshTokenTtl: config.ttl.refreshToken, audit }),
      (r) => mountCharterRoutes(r, { provider: provider.get, charters }),
      (r) => mountLogoutRoutes(r, { provider: provider.get }),
      (r) => mountHomeRoutes(r, { clients }),
      (r) => mountInfoRoutes(r, { provider: provider.get, config }),
      (r) => mountOutboxPage(r, { outbox, env: config.env }),
      mountActivation,
      firstConnection.mount,
      mountAccount,
      mountChildren,
      recovery.mount,
      ...(federation ? [federation.mount] : []),
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
    metrics,
    attachmentReports,
    adminToken: options.adminToken,
    endAccountSessions,
    consents,
    audit,
    renderLetters: options.renderLetters ?? renderLettersPdf,
    clearLoginFailures,
    async rotateKeys() {
      // Old keys stay published as long as anything they signed can still be presented.
      const keep = Math.max(config.ttl.accessToken, config.ttl.idToken, config.ttl.refreshToken);
      const kids = await rotateKeys(db, keep);
      await provider.rebuild();
      logger.info({ kids }, 'signing keys rotated');
      return kids;
    },
    async reloadKeysIfChanged() {
      if ((await keysVersion(db)) === builtKeysVersion) return false;
      await provider.rebuild();
      logger.info('signing keys changed on another instance: provider rebuilt');
      return true;
    },
    async purge() {
      const removed = await purgeExpired(db);
      await purgeLimits(db);
      await purgeActivationFlows(db);
      await purgeEmailLinks(db);
      const auditRemoved = await purgeAuditEvents(db, new Date(clock.now()), config.audit.retentionDays);
      if (auditRemoved) logger.info({ removed: auditRemoved, retentionDays: config.audit.retentionDays }, 'audit events past their retention purged');
      if (removed) logger.debug({ removed }, 'expired OIDC payloads purged');
    },
    async close() {
      // SMS already promised to someone leave (and their outcome is recorded) before the store closes.
      await recovery.drain();
      await smsQueue.close();
      // Buffered audit events are written while the store is still open: nothing is lost on a clean shutdown.
      await audit.close();
      await redis?.quit();
      if (!options.db) await db.destroy();
    },
  };
  return { ...core, app, adminApp: createAdminApp(core) };
}
