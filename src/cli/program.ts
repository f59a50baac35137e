// Builds the `sesame` command: program-wide settings, then one registration per command group. To add a group,
// write src/cli/commands/<group>.ts exporting a CommandGroup and add it to GROUPS below. Helpers for commands:
// admin-client.ts (adminClient), output.ts (printResult, printJson), cli-error.ts (fail, CliError),
// command-group.ts (commandGroup, to add to an existing group), option-parsers.ts, read-password.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../package-paths.js';
import { oneLine } from './cli-error.js';
import type { CommandGroup } from './command-group.js';
import { registerAccountCommands } from './commands/accounts.js';
import { registerClientCommands } from './commands/clients.js';
import { registerDirectoryCommands } from './commands/directory.js';
import { registerInitialAccessTokenCommands } from './commands/initial-access-token.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerCharterCommands } from './commands/charters.js';
import { registerReportCommands } from './commands/reports.js';
import { registerAuditCommand } from './commands/audit.js';

const GROUPS: CommandGroup[] = [
  registerClientCommands,
  registerAccountCommands,
  registerKeyCommands,
  registerInitialAccessTokenCommands,
  registerMigrateCommand,
  registerDirectoryCommands,
  registerCharterCommands,
  registerReportCommands,
  registerAuditCommand,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function createProgram(): Command {
  const program = new Command('sesame')
    .description('Administer Sésame through its admin API (ADMIN_URL or ADMIN_LISTEN; token from ADMIN_TOKEN or DATA_DIR/admin-token).')
    .version(version(), '-V, --version')
    // Every failure is one line on stderr, ours and commander's alike ("Did you mean …?" included).
    .configureOutput({ outputError: (message, write) => write(`sesame: ${oneLine(message.replace(/^error: /, ''))}\n`) })
    // main.ts decides the exit code, so that a failure inside an action and a bad argument end the same way.
    .exitOverride();
  for (const register of GROUPS) register(program);
  return program;
}
