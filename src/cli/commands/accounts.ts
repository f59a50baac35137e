// `sesame accounts add`: creates an account by hand (operators, demo); the password comes from standard input.
import { Option, type Command } from 'commander';
import { adminClient } from '../admin-client.js';
import { commandGroup } from '../command-group.js';
import { printJson, type OutputOptions } from '../output.js';
import { readPassword } from '../read-password.js';

interface AddOptions extends OutputOptions {
  kind: 'responsable' | 'eleve';
  givenName: string;
  familyName: string;
  email?: string;
  mobile?: string;
  birthdate?: string;
}

export function registerAccountCommands(program: Command): void {
  const accounts = commandGroup(program, 'accounts', 'accounts of parents (responsables) and pupils (élèves)');

  accounts
    .command('add')
    .description('create an account and print {"identifiant", "sub"} as JSON; the password is read from standard input (typed without echo at a terminal, empty = no password yet)')
    .addOption(new Option('--kind <kind>', 'who the account is for').choices(['responsable', 'eleve']).makeOptionMandatory())
    .requiredOption('--given-name <name>', 'first name (prénom)')
    .requiredOption('--family-name <name>', 'family name (nom)')
    .option('--email <email>', 'email address')
    .option('--mobile <number>', 'mobile number (French numbers may omit +33)')
    .option('--birthdate <YYYY-MM-DD>', 'date of birth')
    .option('--json', 'print JSON (the default for this command)')
    .addHelpText('after', '\nExample:\n  printf "%s" "$PASSWORD" | sesame accounts add --kind responsable --given-name Claire --family-name Moreau')
    .action(async (options: AddOptions) => {
      const password = await readPassword({ prompt: 'Password (empty: none yet): ', confirm: 'Same password again: ' });
      const created = await adminClient().request<{ identifiant: string; sub: string }>('POST', '/accounts', {
        kind: options.kind,
        given_name: options.givenName,
        family_name: options.familyName,
        ...(options.email !== undefined ? { email: options.email } : {}),
        ...(options.mobile !== undefined ? { mobile: options.mobile } : {}),
        ...(options.birthdate !== undefined ? { birthdate: options.birthdate } : {}),
        ...(password !== undefined ? { password } : {}),
      });
      printJson({ identifiant: created.identifiant, sub: created.sub });
    });
}
