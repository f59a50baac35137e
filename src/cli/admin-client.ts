// The `sesame` command's HTTP client of the admin API. It finds the API from ADMIN_URL (else ADMIN_LISTEN, as the
// server does) and the bearer token from ADMIN_TOKEN (else DATA_DIR/admin-token, where the server writes it).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, oneLine } from './cli-error.js';

// Spelled out rather than imported: importing src/admin/app.ts would load Koa on every command. The type ties it to
// ADMIN_PREFIX, so the compiler notices if the two drift apart.
const API_PREFIX: typeof import('../admin/app.js').ADMIN_PREFIX = '/admin/api/v1';

const TIMEOUT_MS = 60_000;

// The defaults and the token file name of config.ts and src/admin/token.ts, read here without them: config.ts loads
// zod, which costs the command about half a second at every start. test/unit/cli-admin-settings.test.ts checks
// that both read the environment the same way.
const DEFAULT_ADMIN_LISTEN = '127.0.0.1:3001';
const DEFAULT_DATA_DIR = './data';
const TOKEN_FILE = 'admin-token';

export interface AdminSettings {
  /** Origin of the admin listener, e.g. http://127.0.0.1:3001. */
  url: string;
  /** The token from ADMIN_TOKEN, if set. */
  token: string | undefined;
  /** Where the token file is looked for when ADMIN_TOKEN is unset. */
  tokenFile: string;
}

export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
    this.name = 'AdminApiError';
  }
}

export interface AdminClient {
  url: string;
  request<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

function loopbackFor(host: string): string {
  // A server listening on every interface is reached on loopback from the same machine.
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Reads the settings from the environment the way the server does (ADMIN_LISTEN, DATA_DIR), plus ADMIN_URL. */
export function adminSettingsFromEnv(env: Record<string, string | undefined> = process.env): AdminSettings {
  const tokenFile = path.join(path.resolve(env.DATA_DIR || DEFAULT_DATA_DIR), TOKEN_FILE);
  const token = env.ADMIN_TOKEN?.trim() || undefined;
  const explicit = env.ADMIN_URL?.trim();
  if (explicit) return { url: normaliseUrl(explicit), token, tokenFile };
  const listen = env.ADMIN_LISTEN || DEFAULT_ADMIN_LISTEN;
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match) throw new CliError(`ADMIN_LISTEN must look like host:port, got "${listen}"`);
  return { url: `http://${loopbackFor(match[1]!)}:${Number(match[2])}`, token, tokenFile };
}

function normaliseUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new CliError(`ADMIN_URL is not a URL: "${value}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`ADMIN_URL must be an http(s) URL, got "${value}"`);
  const url = value.replace(/\/+$/, '');
  return url.endsWith(API_PREFIX) ? url.slice(0, -API_PREFIX.length) : url;
}

export async function resolveToken(settings: AdminSettings): Promise<string> {
  if (settings.token) return settings.token;
  let token = '';
  try {
    token = (await readFile(settings.tokenFile, 'utf8')).trim();
  } catch {
    // Reported below with where we looked.
  }
  if (!token) {
    throw new CliError(`no admin token: set ADMIN_TOKEN, or run sesame where the server keeps its data (no token in ${settings.tokenFile}; DATA_DIR changes where it is looked for)`);
  }
  return token;
}

function unreachable(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? ((err as { name?: string }).name === 'TimeoutError' ? 'timed out' : undefined);
  const detail = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
  return new CliError(`the admin API at ${url} is not reachable${detail}; is Sésame running (npm start)?`);
}

function refused(settings: AdminSettings): CliError {
  const where = settings.token ? 'ADMIN_TOKEN' : `${settings.tokenFile} (ADMIN_TOKEN is unset)`;
  return new CliError(`the admin API at ${settings.url} refused the admin token from ${where}; set ADMIN_TOKEN to the server's token`);
}

export function createAdminClient(settings: AdminSettings): AdminClient {
  return {
    url: settings.url,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const token = await resolveToken(settings);
      let response: Response;
      try {
        response = await fetch(`${settings.url}${API_PREFIX}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw unreachable(settings.url, err);
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        throw new CliError(`unexpected answer from ${settings.url} (HTTP ${response.status}, not JSON): is ADMIN_URL the Sésame admin API?`);
      }
      if (response.status === 401) throw refused(settings);
      if (!response.ok) {
        const error = (json ?? {}) as { error?: unknown; error_description?: unknown };
        const code = typeof error.error === 'string' ? error.error : 'http_error';
        const description = typeof error.error_description === 'string' ? error.error_description : `HTTP ${response.status}`;
        throw new AdminApiError(response.status, code, oneLine(description));
      }
      return json as T;
    },
  };
}

/** The admin client configured from the environment (what every command uses). */
export function adminClient(): AdminClient {
  return createAdminClient(adminSettingsFromEnv());
}

/** True when something answers HTTP at the admin URL (any status), whatever the token. */
export async function adminApiAnswers(settings: AdminSettings): Promise<boolean> {
  try {
    await fetch(`${settings.url}${API_PREFIX}/keys`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}
