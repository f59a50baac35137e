// `sesame charters …` (usage charters: add a version, list, show, acceptances) and `sesame clients update`, which
// attaches a charter to a relying application or removes it, and lists it on the home page (clients.ts).
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { AdminApiError, adminClient } from '../admin-client.js';
import { CliError } from '../cli-error.js';
import { commandGroup } from '../command-group.js';
import { describeRecord, printResult, table, type OutputOptions } from '../output.js';
import { addHomeListingOptions, homeListingChange, updateHomeListing, type HomeListingOptions } from './clients.js';
import { charterNameProblem, charterTextProblem, MAX_CHARTER_CHARS } from '../../charters/rules.js';

// UTF-8 takes at most 4 bytes a character: a file above this cannot hold a charter the server would take.
const MAX_FILE_BYTES = MAX_CHARTER_CHARS * 4;

interface Summary {
  name: string;
  version: number;
  created_at: string;
  clients: string[];
}

interface Acceptance {
  account_id: string;
  identifiant: string;
  version: number;
  client_id: string;
  accepted_at: string;
}

/** The file's text, or a one-line reason it cannot be a charter (missing, too large, not UTF-8, binary, empty). */
export async function readCharterFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      const info = await handle.stat();
      const size = info.size;
      if (!info.isFile()) throw new CliError(`${file} is not a file`);
      if (size > MAX_FILE_BYTES) throw new CliError(`${file} is too large for a charter (${size} bytes; at most ${MAX_CHARTER_CHARS} characters)`);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CliError(`${file} is not UTF-8 text: save it as UTF-8 (Markdown) and try again`);
  }
  const problem = charterTextProblem(text);
  if (problem) throw new CliError(`${file}: ${problem}`);
  return text;
}

function checkName(name: string): string {
  const problem = charterNameProblem(name);
  if (problem) throw new CliError(`invalid charter name "${name}": ${problem}`);
  return name;
}

/** Turns the API's 404s into sentences that name what was not found. */
async function naming<T>(what: { charter?: string; client?: string }, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AdminApiError && err.status === 404) {
      if (err.code === 'charter_not_found') throw new CliError(`no charter named "${what.charter}"; see sesame charters list`);
      if (what.client !== undefined) throw new CliError(`no client with client_id "${what.client}"`);
    }
    throw err;
  }
}

export function registerCharterCommands(program: Command): void {
  const charters = commandGroup(program, 'charters', 'usage charters people accept at sign-in to some applications');

  charters
    .command('add')
    .description('add a new version of a charter from a Markdown file (version 1 for a new name)')
    .requiredOption('--name <name>', 'the charter name, e.g. ent')
    .requiredOption('--file <path>', 'the charter text, Markdown in UTF-8')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions & { name: string; file: string }) => {
      const name = checkName(options.name);
      const text = await readCharterFile(options.file);
      const added = await adminClient().request<{ name: string; version: number; created_at: string }>('POST', '/charters', { name, text });
      printResult(options, added, (a) => `Charter ${a.name}: version ${a.version} added. People accept it at their next sign-in to its applications.`);
    });

  charters
    .command('list')
    .description('list the charters with their current version and the applications that require them')
    .option('--json', 'print JSON')
    .action(async (options: OutputOptions) => {
      const { charters: list } = await adminClient().request<{ charters: Summary[] }>('GET', '/charters');
      printResult(options, list, (rows) =>
        rows.length === 0
          ? 'No charter yet: add one with sesame charters add --name NAME --file FILE.md'
          : table([['NAME', 'VERSION', 'ADDED', 'CLIENTS'], ...rows.map((c) => [c.name, String(c.version), c.created_at, c.clients.join(' ') || '(none)'])]),
      );
    });

  charters
    .command('show')
    .description('show the current version of a charter, its text and its history')
    .argument('<name>', 'the charter name')
    .option('--json', 'print JSON')
    .action(async (name: string, options: OutputOptions) => {
      const charter = await naming({ charter: name }, () => adminClient().request<Summary & { text: string; versions: { version: number; created_at: string }[] }>('GET', `/charters/${encodeURIComponent(name)}`));
      printResult(options, charter, ({ text, versions, ...rest }) => [
        ...describeRecord({ ...rest, versions: versions.map((v) => `${v.version} (${v.created_at})`) }),
        '',
        text.trimEnd(),
      ]);
    });

  charters
    .command('acceptances')
    .description('list who accepted which version of a charter, and when')
    .argument('<name>', 'the charter name')
    .option('--json', 'print JSON')
    .action(async (name: string, options: OutputOptions) => {
      const answer = await naming({ charter: name }, () => adminClient().request<{ charter: string; current_version: number; acceptances: Acceptance[] }>('GET', `/charters/${encodeURIComponent(name)}/acceptances`));
      printResult(options, answer, (a) =>
        a.acceptances.length === 0
          ? `Nobody has accepted charter ${a.charter} yet.`
          : table([['IDENTIFIANT', 'VERSION', 'CLIENT', 'ACCEPTED'], ...a.acceptances.map((r) => [r.identifiant, String(r.version), r.client_id, r.accepted_at])]),
      );
    });

  registerClientUpdate(program);
}

function registerClientUpdate(program: Command): void {
  const update = commandGroup(program, 'clients', 'relying applications allowed to sign people in')
    .command('update')
    .description('change a relying application: the charter people must accept before using it, its place on the home page')
    .argument('<client_id>', 'the client_id')
    .option('--charter <name>', 'require this charter (its current version) at sign-in')
    .option('--no-charter', 'require no charter any more');
  addHomeListingOptions(update)
    .option('--json', 'print JSON')
    .action(async (id: string, options: OutputOptions & HomeListingOptions & { charter?: string | false }) => {
      const home = homeListingChange(options);
      if (options.charter === undefined && !home) {
        throw new CliError('nothing to update: give --charter NAME, --no-charter, --home-url URL, --description TEXT or --no-home');
      }
      if (options.charter !== undefined) {
        const client = adminClient();
        const answer = options.charter === false
          ? await naming({ client: id }, () => client.request<{ client_id: string; charter: string | null }>('DELETE', `/clients/${encodeURIComponent(id)}/charter`))
          : await naming({ client: id, charter: options.charter }, () => client.request<{ client_id: string; charter: string | null }>('POST', `/clients/${encodeURIComponent(id)}/charter`, { charter: checkName(options.charter as string) }));
        printResult(options, answer, (a) => (a.charter ? `Client ${a.client_id} now requires charter ${a.charter}.` : `Client ${a.client_id} requires no charter.`));
      }
      if (home) printResult(options, await updateHomeListing(id, home), describeRecord);
    });
}
