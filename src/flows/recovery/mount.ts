// Builds «Mot de passe oublié» and «Identifiant oublié» from the running service's parts: the routes to mount, and
// the mail that leaves after the answer (drained before the service stops).
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Limiter } from '../../limits/limiter.js';
import type { Mailer } from '../../messaging/mailer.js';
import type { SmsQueue } from '../../messaging/sms-queue.js';
import type { EndAccountSessions } from '../../oidc/account-sessions.js';
import type { Db } from '../../store/database.js';
import { createCodes } from '../activation/codes.js';
import type { FlowStores } from '../common/flow-store.js';
import { createSecretHasher } from '../common/one-time-secrets.js';
import { createMailAfterAnswer } from './after-answer.js';
import type { FlowState } from './flow.js';
import { createForgottenIdentifiant } from './forgotten-identifiant.js';
import { createRecoveryLinks } from './links.js';
import type { AuditTrail } from '../../audit/trail.js';
import { createRecovery, type RecoverySettings } from './recovery.js';
import { mountRecoveryRoutes } from './routes.js';
import { PATH } from './screens.js';

export interface RecoveryMountDeps {
  config: Config;
  db: Db;
  limiter: Limiter;
  smsQueue: SmsQueue;
  mailer: Mailer;
  logger: Logger;
  provider: () => Provider;
  endAccountSessions: EndAccountSessions;
  clearLoginFailures(identifiant: string): Promise<void>;
  audit: Pick<AuditTrail, 'record'>;
  clock?: Clock;
  /** Where flow state lives (SQL, or Redis when REDIS_URL is set). */
  flowStores: FlowStores;
}

export async function createRecoveryMount(deps: RecoveryMountDeps): Promise<{ mount(router: Router): void; drain(): Promise<void> }> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ flow: 'recovery' });
  const { activation: a, firstConnection: f, recovery: r } = config;
  const settings: RecoverySettings = {
    codeTtlSeconds: a.codeTtlSeconds,
    codeMaxFailures: a.codeMaxFailures,
    maxCodes: a.maxCodes,
    resendAfterSeconds: a.resendAfterSeconds,
    emailLinkTtlSeconds: r.emailLinkTtlSeconds,
    perIdentifiantHour: r.perIdentifiantHour,
    smsPerNumberHour: a.smsPerNumberHour,
    smsPerNumberDay: a.smsPerNumberDay,
    smsPerAddressHour: a.smsPerAddressHour,
    smsDailyBudget: a.smsDailyBudget,
    mailPerAccountHour: f.mailPerAccountHour,
    mailPerRecipientHour: f.mailPerRecipientHour,
    mailPerAddressHour: f.mailPerAddressHour,
  };
  const mail = createMailAfterAnswer(deps.mailer, logger);
  const loginUrl = `${config.issuer}/`;
  const recovery = createRecovery({
    db: deps.db,
    limiter: deps.limiter,
    smsQueue: deps.smsQueue,
    mail,
    codes: await createCodes(deps.db),
    links: createRecoveryLinks(deps.db, deps.flowStores, await createSecretHasher(deps.db, 'recovery-link-key'), { ttlSeconds: r.emailLinkTtlSeconds, now: () => clock.now() }),
    flows: deps.flowStores<FlowState>({ kind: 'recovery', ttlSeconds: r.flowTtlSeconds }),
    settings,
    clock,
    linkBase: `${config.issuer}${PATH}/lien?jeton=`,
    loginUrl,
    endAccountSessions: deps.endAccountSessions,
    clearLoginFailures: deps.clearLoginFailures,
    audit: deps.audit,
    logger,
  });
  const forgotten = createForgottenIdentifiant({ db: deps.db, limiter: deps.limiter, smsQueue: deps.smsQueue, mail, settings, loginUrl, logger });
  return {
    mount: (router) =>
      mountRecoveryRoutes(router, {
        recovery, forgotten, provider: deps.provider, https: config.issuer.startsWith('https://'),
        flowTtlSeconds: r.flowTtlSeconds, minResponseMs: r.minResponseMs, clock,
      }),
    drain: () => mail.drain(),
  };
}
