// `npm start`: read the configuration, start Sésame, stop cleanly on SIGINT/SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';
import { releaseStartUpMemory } from './start-up-memory.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startServer(config, { logger });
  logger.info({ issuer: config.issuer, admin: running.adminUrl, store: config.databaseUrl ? 'postgresql' : 'embedded' }, 'Sésame is listening');
  releaseStartUpMemory();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await running.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    for (const reason of err.reasons) console.error(`sesame: ${reason}`);
  } else {
    console.error('sesame: could not start:', err);
  }
  process.exit(1);
});
