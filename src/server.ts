// Starts and stops a whole Sésame: both listeners, the periodic purge, and (first start) the demo data.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, type Config } from './config.js';
import { resolveAdminToken } from './admin/token.js';
import { findDemoData } from './demo/demo-presence.js';
import { seedDemo } from './demo/seed.js';
import { createSesame, type Sesame, type StartOptions } from './sesame.js';
import type { Db } from './store/database.js';
import type { Clock } from './clock.js';

export interface RunningSesame {
  sesame: Sesame;
  url: string;
  adminUrl: string;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** What tests may replace when starting a whole server: the database, the SMS transport, the clock (see StartOptions). */
export type ServerOptions = Pick<StartOptions, 'logger' | 'db' | 'sms' | 'clock'>;

export async function startServer(config: Config, options: ServerOptions): Promise<RunningSesame> {
  const adminToken = await resolveAdminToken(config);
  const { logger, ...replaced } = options;
  const sesame = await createSesame(config, { logger, adminToken, ...replaced });
  if (config.env === 'production') {
    const demo = await findDemoData(sesame.db);
    if (demo.length > 0) {
      await sesame.close();
      throw new ConfigError(`demo data present, refused in production: ${demo.join('; ')}`, demo);
    }
  }
  if (config.seedDemo) await seedDemo(sesame);

  const publicServer = sesame.app.listen();
  publicServer.close();
  const port = await listen(publicServer, config.port, config.host);
  const adminServer = sesame.adminApp.listen();
  adminServer.close();
  const adminPort = await listen(adminServer, config.admin.port, config.admin.host);

  const purge = setInterval(() => {
    sesame.purge().catch((err: unknown) => options.logger.warn({ err }, 'purge failed'));
  }, config.purgeIntervalSeconds * 1000);
  purge.unref();
  // Another instance may rotate the signing keys: this one signs with the new key within KEYS_POLL_SECONDS.
  const keysPoll = setInterval(() => {
    sesame.reloadKeysIfChanged().catch((err: unknown) => options.logger.warn({ err: (err as Error).message }, 'key check failed'));
  }, config.keysPollSeconds * 1000);
  keysPoll.unref();

  return {
    sesame,
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://${config.admin.host}:${adminPort}`,
    async stop() {
      clearInterval(purge);
      clearInterval(keysPoll);
      await Promise.all([close(publicServer), close(adminServer)]);
      await sesame.close();
    },
  };
}
