// `sesame migrate`: brings the configured store's schema up to date. It talks to the database directly (not
// through the admin API) because it must work before the server has ever run.
import type { Command } from 'commander';
import { adminApiAnswers, adminSettingsFromEnv } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import { printResult, type OutputOptions } from '../output.js';

function reason(err: unknown): string {
  // pg reports a refused connection as an AggregateError with an empty message; its code says what happened.
  const e = err as { message?: string; code?: string };
  return e.message || e.code || String(err);
}

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the pending database migrations to DATABASE_URL (PostgreSQL) or to DATA_DIR (embedded)')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions) => {
      // Loaded here only: the database drivers are heavy and no other command needs them.
      const { ConfigError, loadConfig } = await import('../../config.js');
      const { migrate, openDatabase } = await import('../../store/database.js');
      let config;
      try {
        config = loadConfig();
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(err.message);
        throw err;
      }
      const store = config.databaseUrl ? 'postgresql' : 'embedded';
      // The embedded database belongs to one process at a time; a running server already migrated it at start.
      if (store === 'embedded' && (await adminApiAnswers(adminSettingsFromEnv()))) {
        throw new CliError(`Sésame is running on the embedded database in ${config.dataDir}; it applied the migrations when it started (stop it to run migrate)`);
      }
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const applied = await migrate(db);
        printResult(options, { store, applied }, (r) =>
          r.applied.length ? [`Applied ${r.applied.length} migration(s) to the ${store} store:`, ...r.applied.map((m) => `  ${m}`)] : `The ${store} store is up to date; no migration to apply.`,
        );
      } catch (err) {
        throw new CliError(`migration failed: ${reason(err)}`);
      } finally {
        await db.destroy();
      }
    });
}
