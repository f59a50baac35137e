// `sesame keys rotate`: publish-then-sign rotation of the signing keys, done by the running server.
import type { Command } from 'commander';
import { adminClient } from '../admin-client.js';
import { commandGroup } from '../command-group.js';
import { printResult, type OutputOptions } from '../output.js';

export function registerKeyCommands(program: Command): void {
  const keys = commandGroup(program, 'keys', 'keys that sign ID tokens');

  keys
    .command('rotate')
    .description('sign new tokens with the key published at the previous rotation, and publish a fresh one for the next')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions) => {
      const result = await adminClient().request<{ current: string[] }>('POST', '/keys/rotate');
      printResult(options, result, ({ current }) => [
        `Keys rotated. New tokens are signed with: ${current.join(', ')}.`,
        'Previous keys stay published until the tokens they signed have expired.',
      ]);
    });
}
