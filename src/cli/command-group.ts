// Finds or creates a command group (`sesame clients`, `sesame accounts` …) so that several files can add
// subcommands to the same group: accounts.ts adds `accounts add`, directory.ts adds `accounts reset-password`.
import type { Command } from 'commander';

/** A file of commands: given the program, it adds its group(s) and subcommands. */
export type CommandGroup = (program: Command) => void;

export function commandGroup(program: Command, name: string, description: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing) return existing;
  // Created with .command() so that it inherits the program's error output and exit handling.
  return program.command(name).description(description);
}
