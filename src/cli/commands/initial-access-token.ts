// `sesame initial-access-token create`: a token an integrator presents to register its application itself
// (RFC 7591 dynamic registration at {issuer}/reg).
import type { Command } from 'commander';
import { adminClient } from '../admin-client.js';
import { commandGroup } from '../command-group.js';
import { positiveInteger } from '../option-parsers.js';
import { printResult, type OutputOptions } from '../output.js';

interface CreateOptions extends OutputOptions {
  expiresIn?: number;
}

function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day(s)`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour(s)`;
  return `${seconds} seconds`;
}

export function registerInitialAccessTokenCommands(program: Command): void {
  const group = commandGroup(program, 'initial-access-token', 'tokens that let integrators register a client themselves');

  group
    .command('create')
    .description('create an initial access token for dynamic client registration')
    .option('--expires-in <seconds>', 'lifetime in seconds, 60 to 7776000 (default: 7 days)', positiveInteger)
    .option('--json', 'print JSON')
    .action(async (options: CreateOptions) => {
      const result = await adminClient().request<{ initial_access_token: string; expires_in: number }>(
        'POST',
        '/initial-access-tokens',
        options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {},
      );
      printResult(options, result, (r) => [
        r.initial_access_token,
        `(valid ${duration(r.expires_in)}; the integrator sends it as "Authorization: Bearer …" to the registration endpoint)`,
      ]);
    });
}
