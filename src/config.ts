// Every setting of Sésame, read once from the environment, validated, and handed down as a plain object.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const DEMO_RP_ORIGINS = ['http://localhost:4001', 'http://localhost:4002', 'http://localhost:4003'];

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ISSUER: z.url().optional(),
  TRUST_PROXY: bool.default(false),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  REDIS_PREFIX: z.string().default('sesame:'),
  ADMIN_LISTEN: z.string().default('127.0.0.1:3001'),
  ADMIN_TOKEN: z.string().min(24).optional(),
  SEED_DEMO: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Origins whose back-channel logout endpoints may sit on internal or loopback addresses.
  BACKCHANNEL_ALLOWED_ORIGINS: list.optional(),
  IDENTIFIER_STYLE: z.enum(['prenom.nom', 'p.nom']).default('prenom.nom'),
  ACCESS_TOKEN_TTL: positiveInt.default(600),
  ID_TOKEN_TTL: positiveInt.default(600),
  REFRESH_TOKEN_TTL: positiveInt.default(14 * 24 * 3600),
  SESSION_TTL: positiveInt.default(8 * 3600),
  LOGIN_MAX_FAILURES: positiveInt.default(10),
  LOGIN_WINDOW_SECONDS: positiveInt.default(15 * 60),
  PURGE_INTERVAL_SECONDS: positiveInt.default(300),
});

export type Env = z.input<typeof schema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  issuer: string;
  trustProxy: boolean;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  admin: { host: string; port: number; token: string | undefined };
  seedDemo: boolean;
  logLevel: string;
  backchannelAllowedOrigins: string[];
  identifierStyle: 'prenom.nom' | 'p.nom';
  ttl: { accessToken: number; idToken: number; refreshToken: number; session: number };
  login: { maxFailures: number; windowSeconds: number };
  purgeIntervalSeconds: number;
}

export class ConfigError extends Error {}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`ADMIN_LISTEN must look like host:port, got "${value}"`);
  return { host: match[1] || '127.0.0.1', port: Number(match[2]) };
}

/** Reads the settings from `env` (process.env by default); throws ConfigError with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const admin = parseListen(e.ADMIN_LISTEN);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    issuer: (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    admin: { ...admin, token: e.ADMIN_TOKEN },
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    // Outside production the demo relying parties (npm run demo) are allowed by default; production names its own.
    backchannelAllowedOrigins: e.BACKCHANNEL_ALLOWED_ORIGINS ?? (e.NODE_ENV === 'production' ? [] : DEMO_RP_ORIGINS),
    identifierStyle: e.IDENTIFIER_STYLE,
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL,
      idToken: e.ID_TOKEN_TTL,
      refreshToken: e.REFRESH_TOKEN_TTL,
      session: e.SESSION_TTL,
    },
    login: { maxFailures: e.LOGIN_MAX_FAILURES, windowSeconds: e.LOGIN_WINDOW_SECONDS },
    purgeIntervalSeconds: e.PURGE_INTERVAL_SECONDS,
  };
}
