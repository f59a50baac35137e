// Reads a password for a command from standard input, never from the command line (argv shows up in `ps` and in
// shell history): typed without echo at a terminal, or piped (`printf '%s' "$PW" | sesame …`).
import { CliError } from './cli-error.js';

const MAX_BYTES = 64 * 1024;

/** The password, or undefined when standard input is empty (piped) or nothing was typed (terminal). */
export async function readPassword(options: { prompt: string; confirm?: string } = { prompt: 'Password: ' }): Promise<string | undefined> {
  const stdin = process.stdin;
  if (stdin.isTTY) {
    const first = await promptHidden(options.prompt);
    if (!first) return undefined;
    if (options.confirm !== undefined && (await promptHidden(options.confirm)) !== first) throw new CliError('the two passwords typed differ');
    return first;
  }
  return readPiped();
}

async function readPiped(): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BYTES) throw new CliError('standard input is too long for a password');
    chunks.push(buffer);
  }
  // One final line break is what `echo` and here-strings add; it is not part of the password.
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text)) throw new CliError('the password on standard input must be a single line');
  return text === '' ? undefined : text;
}

function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo goes off before the prompt shows, so that nothing typed right after it is ever echoed.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: CliError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: string) => {
      for (const char of data) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003') return finish(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
