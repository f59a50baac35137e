// The one kind of failure the `sesame` command reports: a one-line reason, printed as `sesame: <reason>`, exit 1.
export class CliError extends Error {
  constructor(reason: string) {
    // A reason may quote the server or the user; folding it keeps the promise of exactly one line on stderr.
    super(oneLine(reason));
    this.name = 'CliError';
  }
}

/** Stops the command with a one-line reason (the caller's `sesame:` prefix is added by main.ts). */
export function fail(reason: string): never {
  throw new CliError(reason);
}

export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}
