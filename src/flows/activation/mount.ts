// Builds the activation flow from the running service's parts and returns the function that mounts its routes:
// the one thing the composition root (src/sesame.ts) needs to know about activation.
import type Router from '@koa/router';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { Accounts } from '../../accounts/accounts.js';
import type { Config } from '../../config.js';
import type { Limiter } from '../../limits/limiter.js';
import type { AuditTrail } from '../../audit/trail.js';
import type { Clock } from '../../clock.js';
import type { SmsQueue } from '../../messaging/sms-queue.js';
import type { Db } from '../../store/database.js';
import type { FlowStores } from '../common/flow-store.js';
import { createActivation } from './activation.js';
import { createCodes } from './codes.js';
import { createFlowStore } from './flow-store.js';
import { mountActivationRoutes } from './routes.js';

export interface ActivationMountDeps {
  config: Config;
  db: Db;
  accounts: Accounts;
  limiter: Limiter;
  smsQueue: SmsQueue;
  /** Where flow state lives (SQL, or Redis when REDIS_URL is set). */
  flowStores: FlowStores;
  logger: Logger;
  provider: () => Provider;
  clock?: Clock;
  audit?: AuditTrail;
}

export async function createActivationMount(deps: ActivationMountDeps): Promise<(router: Router) => void> {
  const { config } = deps;
  const settings = config.activation;
  const activation = createActivation({
    db: deps.db,
    accounts: deps.accounts,
    limiter: deps.limiter,
    smsQueue: deps.smsQueue,
    codes: await createCodes(deps.db),
    flows: createFlowStore(deps.flowStores, { ttlSeconds: settings.flowTtlSeconds }),
    settings,
    identifierStyle: config.identifierStyle,
    logger: deps.logger.child({ flow: 'activation' }),
    ...(deps.audit ? { audit: deps.audit } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  return (router) =>
    mountActivationRoutes(router, {
      activation,
      provider: deps.provider,
      https: config.issuer.startsWith('https://'),
      flowTtlSeconds: settings.flowTtlSeconds,
      minResponseMs: settings.minResponseMs,
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
}
