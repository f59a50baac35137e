// Entry of the `sesame` command (bin/sesame.js loads it through tsx): runs the program, turns every failure into
// one line `sesame: <reason>` on stderr and a non-zero exit code.
import { CommanderError } from 'commander';
import { CliError, oneLine } from './cli-error.js';
import { createProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    // Commander has already printed its message (or the help / version asked for).
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof CliError) {
      process.stderr.write(`sesame: ${oneLine(err.message)}\n`);
    } else {
      process.stderr.write(`sesame: unexpected error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
      if (process.env.SESAME_DEBUG) console.error(err);
    }
    return 1;
  }
}

process.exitCode = await main(process.argv);
