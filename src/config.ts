// Every setting of Sésame, read once from the environment, validated, and handed down as a plain object.
import path from 'node:path';
import { z } from 'zod';
import { parseRedisUrl } from './store/redis-url.js';
import { LEGAL_SETTINGS, legalSettings, type LegalSettings } from './config-legal.js';

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
  REDIS_URL: z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseRedisUrl(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .optional(),
  REDIS_PREFIX: z.string().default('sesame:'),
  REDIS_TLS_CA_FILE: z.string().optional(),
  // Messaging (src/messaging): nothing is sent for real unless configured; the outboxes are refused in production.
  SMS_TRANSPORT: z.enum(['twilio', 'outbox']).optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex digits').optional(),
  // An E.164 number, or an alphanumeric sender ID (up to 11 letters, digits or spaces).
  TWILIO_FROM: z.string().regex(/^(\+[1-9]\d{6,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be an E.164 number or an alphanumeric sender ID').optional(),
  TWILIO_TIMEOUT_MS: positiveInt.default(10000),
  // Twilio's 20429 (too many requests) is retried with exponential backoff, within a bounded total wait.
  SMS_RETRY_MAX: z.coerce.number().int().min(0).max(10).default(3),
  SMS_RETRY_BASE_MS: positiveInt.default(500),
  SMS_RETRY_MAX_TOTAL_MS: positiveInt.default(8000),
  // SMS leave after the answer, from a queue (in process, or on Redis when REDIS_URL is set): messages in flight at
  // once per instance, and waiting at most; on Redis, how long an instance may stay silent before the jobs it was
  // sending are given to another instance (src/messaging/redis-sms-queue.ts).
  SMS_QUEUE_CONCURRENCY: positiveInt.default(4),
  SMS_QUEUE_CAPACITY: positiveInt.default(1000),
  SMS_QUEUE_VISIBILITY_SECONDS: positiveInt.default(60),
  MAIL_TRANSPORT: z.enum(['smtp', 'outbox']).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must look like smtp://host:port or smtps://user:pass@host:port').optional(),
  MAIL_FROM: z.string().default('Sésame <ne-pas-repondre@sesame.invalid>'),
  MAIL_TIMEOUT_MS: positiveInt.default(10000),
  ADMIN_LISTEN: z.string().default('127.0.0.1:3001'),
  ADMIN_TOKEN: z.string().min(24).optional(),
  // Bearer token for GET /metrics on the admin listener; without it the endpoint is open to whoever reaches that listener.
  METRICS_TOKEN: z.string().min(24).optional(),
  // Demo data with published passwords: on by default outside production, refused in production.
  SEED_DEMO: bool.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Origins whose back-channel logout endpoints may sit on internal or loopback addresses.
  BACKCHANNEL_ALLOWED_ORIGINS: list.optional(),
  // Base URLs of the demo relying parties (I-Cart, Pronote, Téléservices, in that order) the demo seed registers.
  DEMO_RP_URLS: list.pipe(z.array(z.url()).length(3)).optional(),
  IDENTIFIER_STYLE: z.enum(['prenom.nom', 'p.nom']).default('prenom.nom'),
  ACCESS_TOKEN_TTL: positiveInt.default(600),
  ID_TOKEN_TTL: positiveInt.default(600),
  REFRESH_TOKEN_TTL: positiveInt.default(14 * 24 * 3600),
  SESSION_TTL: positiveInt.default(8 * 3600),
  LOGIN_MAX_FAILURES: positiveInt.default(10),
  LOGIN_WINDOW_SECONDS: positiveInt.default(15 * 60),
  // Per hour (docs/architecture.md, «Security decisions»): unknown devices together on one account (ASVS 2.2.1),
  // and distinct identifiants failing from one address (a collège behind one NAT address at 8:00).
  LOGIN_ACCOUNT_MAX_FAILURES: positiveInt.default(100),
  LOGIN_ADDRESS_MAX_IDENTIFIANTS: positiveInt.default(500),
  PURGE_INTERVAL_SECONDS: positiveInt.default(300),
  // How often an instance looks for keys rotated by another one (docs/operations.md: the bound on seeing them).
  KEYS_POLL_SECONDS: positiveInt.default(30),
  // The audit trail (docs/audit.md): one year by default (our default; the issue asks for a setting).
  AUDIT_RETENTION_DAYS: positiveInt.default(365),
  // Parent self-activation by SMS (PRODUCT.md): the code, the flow, and what each SMS may cost.
  ACTIVATION_CODE_TTL_SECONDS: positiveInt.default(600),
  ACTIVATION_CODE_MAX_FAILURES: positiveInt.default(5),
  ACTIVATION_MAX_CODES: positiveInt.default(3),
  ACTIVATION_RESEND_AFTER_SECONDS: z.coerce.number().int().min(0).default(60),
  ACTIVATION_BIRTHDATE_MAX_TRIES: positiveInt.default(3),
  ACTIVATION_FLOW_TTL_SECONDS: positiveInt.default(3600),
  ACTIVATION_MIN_RESPONSE_MS: z.coerce.number().int().min(0).default(400),
  // Per number and name (nameKey): what one person may ask for; per number alone: a larger cap, so that a stranger
  // who knows a parent's number cannot spend that parent's own requests.
  SMS_PER_NUMBER_NAME_HOUR: positiveInt.default(3),
  SMS_PER_NUMBER_NAME_DAY: positiveInt.default(10),
  SMS_PER_NUMBER_HOUR: positiveInt.default(10),
  SMS_PER_NUMBER_DAY: positiveInt.default(30),
  SMS_PER_ADDRESS_HOUR: positiveInt.default(20),
  SMS_DAILY_BUDGET: positiveInt.default(10000),
  // Which children a guardian receives (claims, letters): those they are legally responsible for, or every linked one.
  GUARDIAN_CHILDREN: z.enum(['legal', 'all']).default('legal'),
  // First connection with a school letter (docs/first-connection.md).
  FIRST_CONNECTION_PUPIL_EMAIL_REQUIRED: bool.default(false),
  FIRST_CONNECTION_BIRTHDATE_MAX_TRIES: positiveInt.default(3),
  FIRST_CONNECTION_FLOW_TTL_SECONDS: positiveInt.default(3600),
  EMAIL_LINK_TTL_SECONDS: positiveInt.default(48 * 3600),
  MAIL_PER_ACCOUNT_HOUR: positiveInt.default(3),
  MAIL_PER_RECIPIENT_HOUR: positiveInt.default(3),
  MAIL_PER_ADDRESS_HOUR: positiveInt.default(20),
  // «Mot de passe oublié» and «Identifiant oublié» (docs/recovery.md): codes follow ACTIVATION_CODE_*, SMS the SMS_*
  // limits and mail the MAIL_PER_* limits; these are recovery's own.
  RECOVERY_FLOW_TTL_SECONDS: positiveInt.default(3600),
  RECOVERY_EMAIL_LINK_TTL_SECONDS: positiveInt.default(1800),
  RECOVERY_MIN_RESPONSE_MS: z.coerce.number().int().min(0).default(400),
  RECOVERY_PER_IDENTIFIANT_HOUR: positiveInt.default(5),
  // Upstream OpenID Connect federation, FranceConnect-style (docs/federation.md): none set, no button.
  UPSTREAM_ISSUER: z.url().optional(),
  UPSTREAM_CLIENT_ID: z.string().optional(),
  UPSTREAM_CLIENT_SECRET: z.string().optional(),
  UPSTREAM_SCOPES: z.string().default('openid given_name family_name preferred_username'),
  UPSTREAM_ACR_VALUES: z.string().default('eidas1'),
  UPSTREAM_LABEL: z.string().default('FranceConnect'),
  // Confirmations by the children's birth dates one upstream identity may start per day (each has the activation's tries).
  UPSTREAM_MATCHES_PER_DAY: positiveInt.default(3),
  // Passkeys (docs/passkeys.md): «Clés d'accès» in «Mon compte» and «Se connecter avec une clé d'accès».
  PASSKEYS_ENABLED: bool.default(true),
  // An académie's own message catalogue folder, `<dir>/<lang>/<namespace>.json` (docs/i18n.md): adds languages, or
  // replaces a packaged one's files. French stays the reference; what a language lacks is shown in French.
  LOCALES_DIR: z.string().optional(),
  // A lab may run production mode on a plain-http issuer; a real service never does.
  ALLOW_INSECURE_ISSUER: bool.default(false),
  // The legal pages' operator facts (src/config-legal.ts, docs/screens.md): examples outside production,
  // «non renseigné» (and a warning at start) in production when unset.
  ...LEGAL_SETTINGS,
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
  redisTlsCaFile: string | undefined;
  admin: { host: string; port: number; token: string | undefined; metricsToken: string | undefined };
  seedDemo: boolean;
  demoRpUrls: string[];
  logLevel: string;
  backchannelAllowedOrigins: string[];
  identifierStyle: 'prenom.nom' | 'p.nom';
  ttl: { accessToken: number; idToken: number; refreshToken: number; session: number };
  login: { maxFailures: number; windowSeconds: number; accountMaxFailures: number; addressMaxIdentifiants: number };
  purgeIntervalSeconds: number;
  keysPollSeconds: number;
  audit: { retentionDays: number };
  sms: SmsSettings;
  mail: MailSettings;
  activation: {
    codeTtlSeconds: number;
    codeMaxFailures: number;
    maxCodes: number;
    resendAfterSeconds: number;
    birthdateMaxTries: number;
    flowTtlSeconds: number;
    minResponseMs: number;
    smsPerNumberNameHour: number;
    smsPerNumberNameDay: number;
    smsPerNumberHour: number;
    smsPerNumberDay: number;
    smsPerAddressHour: number;
    smsDailyBudget: number;
  };
  /** `legal` (default): a guardian receives only the children they are legally responsible for; `all`: every linked child. */
  guardianChildren: 'legal' | 'all';
  firstConnection: {
    pupilEmailRequired: boolean;
    birthdateMaxTries: number;
    flowTtlSeconds: number;
    emailLinkTtlSeconds: number;
    mailPerAccountHour: number;
    mailPerRecipientHour: number;
    mailPerAddressHour: number;
  };
  recovery: {
    flowTtlSeconds: number;
    emailLinkTtlSeconds: number;
    minResponseMs: number;
    perIdentifiantHour: number;
  };
  /** What the legal pages say about who runs the service (src/config-legal.ts). */
  legal: LegalSettings;
  /** An extra folder of message catalogue languages (LOCALES_DIR), absolute; undefined: the packaged ones only. */
  localesDir: string | undefined;
  /** Undefined when no upstream provider is configured: no button on the login page. */
  upstream: UpstreamSettings | undefined;
  /** Passkeys offered (they also need an issuer whose host is a name, not an IP address). */
  passkeys: { enabled: boolean };
}

export interface UpstreamSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** Empty: no acr_values sent. */
  acrValues: string;
  label: string;
  matchesPerDay: number;
}

/** The upstream provider, when its three settings are given; a partial set is a mistake, refused at start. */
function upstreamSettings(e: z.output<typeof schema>): UpstreamSettings | undefined {
  const given = [e.UPSTREAM_ISSUER, e.UPSTREAM_CLIENT_ID, e.UPSTREAM_CLIENT_SECRET];
  if (given.every((v) => v === undefined)) return undefined;
  if (given.some((v) => v === undefined)) {
    throw new ConfigError('invalid configuration: UPSTREAM_ISSUER, UPSTREAM_CLIENT_ID and UPSTREAM_CLIENT_SECRET go together: set all three, or none');
  }
  return {
    issuer: e.UPSTREAM_ISSUER!.replace(/\/$/, ''),
    clientId: e.UPSTREAM_CLIENT_ID!,
    clientSecret: e.UPSTREAM_CLIENT_SECRET!,
    scopes: e.UPSTREAM_SCOPES,
    acrValues: e.UPSTREAM_ACR_VALUES.trim(),
    label: e.UPSTREAM_LABEL,
    matchesPerDay: e.UPSTREAM_MATCHES_PER_DAY,
  };
}

export interface SmsSettings {
  transport: 'twilio' | 'outbox';
  /** Present when transport is twilio. */
  twilio: { accountSid: string; authToken: string; messagingServiceSid: string | undefined; from: string | undefined } | undefined;
  timeoutMs: number;
  retry: { maxRetries: number; baseDelayMs: number; maxTotalMs: number };
  queue: { concurrency: number; capacity: number; visibilitySeconds: number };
}

export interface MailSettings {
  transport: 'smtp' | 'outbox';
  smtpUrl: string | undefined;
  from: string;
  timeoutMs: number;
}

export class ConfigError extends Error {
  /** One line each, for the start-up refusal (main.ts prints them one per line). */
  readonly reasons: string[];
  constructor(message: string, reasons: string[] = [message]) {
    super(message);
    this.reasons = reasons;
  }
}

/** What production refuses to run with, beyond the messaging settings; one line each. */
function productionProblems(e: z.output<typeof schema>): string[] {
  if (e.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (e.SEED_DEMO) problems.push('SEED_DEMO=true is refused in production (the demo accounts and clients have published passwords and secrets): unset it');
  const issuer = e.ISSUER ?? `http://localhost:${e.PORT}`;
  if (!issuer.startsWith('https://') && !e.ALLOW_INSECURE_ISSUER) {
    problems.push(`ISSUER ${issuer} is not https, refused in production: set ISSUER to the public https URL (or ALLOW_INSECURE_ISSUER=true for a lab)`);
  }
  if (e.UPSTREAM_ISSUER?.startsWith('http://') && !e.ALLOW_INSECURE_ISSUER) {
    problems.push(`UPSTREAM_ISSUER ${e.UPSTREAM_ISSUER} is not https, refused in production: set the upstream's https issuer (or ALLOW_INSECURE_ISSUER=true for a lab)`);
  }
  return problems;
}

function parseListen(value: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(value);
  if (!match) throw new ConfigError(`ADMIN_LISTEN must look like host:port, got "${value}"`);
  return { host: match[1] || '127.0.0.1', port: Number(match[2]) };
}

/** Outboxes by default outside production; in production only real transports, fully configured. */
function messagingSettings(e: z.output<typeof schema>): { sms: SmsSettings; mail: MailSettings } {
  const production = e.NODE_ENV === 'production';
  const problems: string[] = productionProblems(e);
  const smsTransport = e.SMS_TRANSPORT ?? (production ? 'twilio' : 'outbox');
  if (production && smsTransport === 'outbox') problems.push('SMS_TRANSPORT=outbox is refused in production (no SMS would reach anyone): use twilio');
  if (smsTransport === 'twilio') {
    if (!e.TWILIO_ACCOUNT_SID) problems.push('TWILIO_ACCOUNT_SID is required with SMS_TRANSPORT=twilio');
    if (!e.TWILIO_AUTH_TOKEN) problems.push('TWILIO_AUTH_TOKEN is required with SMS_TRANSPORT=twilio');
    if (!e.TWILIO_MESSAGING_SERVICE_SID && !e.TWILIO_FROM) problems.push('TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM is required with SMS_TRANSPORT=twilio');
  }
  const mailTransport = e.MAIL_TRANSPORT ?? (production || e.SMTP_URL ? 'smtp' : 'outbox');
  if (production && mailTransport === 'outbox') problems.push('MAIL_TRANSPORT=outbox is refused in production (no mail would reach anyone): use smtp');
  if (mailTransport === 'smtp' && !e.SMTP_URL) problems.push('SMTP_URL is required with MAIL_TRANSPORT=smtp');
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
  return {
    sms: {
      transport: smsTransport,
      twilio:
        smsTransport === 'twilio'
          ? { accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN!, messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID, from: e.TWILIO_FROM }
          : undefined,
      timeoutMs: e.TWILIO_TIMEOUT_MS,
      retry: { maxRetries: e.SMS_RETRY_MAX, baseDelayMs: e.SMS_RETRY_BASE_MS, maxTotalMs: e.SMS_RETRY_MAX_TOTAL_MS },
      queue: { concurrency: e.SMS_QUEUE_CONCURRENCY, capacity: e.SMS_QUEUE_CAPACITY, visibilitySeconds: e.SMS_QUEUE_VISIBILITY_SECONDS },
    },
    mail: { transport: mailTransport, smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, timeoutMs: e.MAIL_TIMEOUT_MS },
  };
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
  const messaging = messagingSettings(e);
  const demoRpUrls = (e.DEMO_RP_URLS ?? DEMO_RP_ORIGINS).map((u) => u.replace(/\/$/, ''));
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    issuer: (e.ISSUER ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    dataDir: path.resolve(e.DATA_DIR),
    localesDir: e.LOCALES_DIR === undefined ? undefined : path.resolve(e.LOCALES_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisTlsCaFile: e.REDIS_TLS_CA_FILE,
    admin: { ...admin, token: e.ADMIN_TOKEN, metricsToken: e.METRICS_TOKEN },
    seedDemo: e.SEED_DEMO ?? e.NODE_ENV !== 'production',
    demoRpUrls,
    logLevel: e.LOG_LEVEL,
    // Outside production the demo relying parties (npm run demo) are allowed by default; production names its own.
    backchannelAllowedOrigins: e.BACKCHANNEL_ALLOWED_ORIGINS ?? (e.NODE_ENV === 'production' ? [] : demoRpUrls),
    identifierStyle: e.IDENTIFIER_STYLE,
    ttl: {
      accessToken: e.ACCESS_TOKEN_TTL,
      idToken: e.ID_TOKEN_TTL,
      refreshToken: e.REFRESH_TOKEN_TTL,
      session: e.SESSION_TTL,
    },
    login: {
      maxFailures: e.LOGIN_MAX_FAILURES,
      windowSeconds: e.LOGIN_WINDOW_SECONDS,
      accountMaxFailures: e.LOGIN_ACCOUNT_MAX_FAILURES,
      addressMaxIdentifiants: e.LOGIN_ADDRESS_MAX_IDENTIFIANTS,
    },
    purgeIntervalSeconds: e.PURGE_INTERVAL_SECONDS,
    keysPollSeconds: e.KEYS_POLL_SECONDS,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    ...messaging,
    activation: {
      codeTtlSeconds: e.ACTIVATION_CODE_TTL_SECONDS,
      codeMaxFailures: e.ACTIVATION_CODE_MAX_FAILURES,
      maxCodes: e.ACTIVATION_MAX_CODES,
      resendAfterSeconds: e.ACTIVATION_RESEND_AFTER_SECONDS,
      birthdateMaxTries: e.ACTIVATION_BIRTHDATE_MAX_TRIES,
      flowTtlSeconds: e.ACTIVATION_FLOW_TTL_SECONDS,
      minResponseMs: e.ACTIVATION_MIN_RESPONSE_MS,
      smsPerNumberNameHour: e.SMS_PER_NUMBER_NAME_HOUR,
      smsPerNumberNameDay: e.SMS_PER_NUMBER_NAME_DAY,
      smsPerNumberHour: e.SMS_PER_NUMBER_HOUR,
      smsPerNumberDay: e.SMS_PER_NUMBER_DAY,
      smsPerAddressHour: e.SMS_PER_ADDRESS_HOUR,
      smsDailyBudget: e.SMS_DAILY_BUDGET,
    },
    guardianChildren: e.GUARDIAN_CHILDREN,
    firstConnection: {
      pupilEmailRequired: e.FIRST_CONNECTION_PUPIL_EMAIL_REQUIRED,
      birthdateMaxTries: e.FIRST_CONNECTION_BIRTHDATE_MAX_TRIES,
      flowTtlSeconds: e.FIRST_CONNECTION_FLOW_TTL_SECONDS,
      emailLinkTtlSeconds: e.EMAIL_LINK_TTL_SECONDS,
      mailPerAccountHour: e.MAIL_PER_ACCOUNT_HOUR,
      mailPerRecipientHour: e.MAIL_PER_RECIPIENT_HOUR,
      mailPerAddressHour: e.MAIL_PER_ADDRESS_HOUR,
    },
    recovery: {
      flowTtlSeconds: e.RECOVERY_FLOW_TTL_SECONDS,
      emailLinkTtlSeconds: e.RECOVERY_EMAIL_LINK_TTL_SECONDS,
      minResponseMs: e.RECOVERY_MIN_RESPONSE_MS,
      perIdentifiantHour: e.RECOVERY_PER_IDENTIFIANT_HOUR,
    },
    legal: legalSettings(e, e.NODE_ENV === 'production'),
    upstream: upstreamSettings(e),
    passkeys: { enabled: e.PASSKEYS_ENABLED },
  };
}
