// The tables as Kysely sees them. Kept in step with the migrations by hand; the migrations are the truth.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateOnly = ColumnType<string, string, string>;

export type AccountKind = 'responsable' | 'eleve';
export type AccountState = 'non_notifie' | 'notifie' | 'en_cours' | 'active' | 'disabled';
export type AccountOrigin = 'etablissement' | 'responsable' | 'franceconnect';

export interface AccountsTable {
  id: string;
  kind: AccountKind;
  identifiant: string;
  given_name: string;
  family_name: string;
  email: string | null;
  email_verified: Generated<boolean>;
  mobile: string | null;
  mobile_verified: Generated<boolean>;
  birthdate: DateOnly | null;
  password_hash: string | null;
  password_changed_at: Timestamp | null;
  state: Generated<AccountState>;
  origin: Generated<AccountOrigin>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  provisional_password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  provisional_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  disabled_by_import_from: ColumnType<AccountState | null, AccountState | null | undefined, AccountState | null>;
}

export interface IdentifiantsTable {
  identifiant: string;
  created_at: DefaultedTimestamp;
}

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: 'RS256' | 'ES256';
  jwk: ColumnType<Record<string, unknown>, string, string>;
  status: 'next' | 'current' | 'retired';
  created_at: DefaultedTimestamp;
  retired_at: Timestamp | null;
}

export interface SecretsTable {
  name: string;
  value: ColumnType<unknown, string, string>;
  created_at: DefaultedTimestamp;
}

export interface RateLimitsTable {
  key: string;
  points: number;
  expires_at: Timestamp;
}

export interface SchoolsTable {
  uai: string;
  name: string;
  updated_at: DefaultedTimestamp;
}

export interface PupilsTable {
  id: string;
  uai: string;
  local_id: string;
  ine: string | null;
  family_name: string;
  given_names: string;
  birthdate: DateOnly;
  level: string | null;
  class_name: string | null;
  account_id: string | null;
  detached_at: Timestamp | null;
  updated_at: DefaultedTimestamp;
}

export interface GuardiansTable {
  id: string;
  civilite: string | null;
  family_name: string;
  given_name: string;
  name_key: string;
  mobile: string | null;
  email: string | null;
  account_id: string | null;
  updated_at: DefaultedTimestamp;
}

export interface PupilGuardiansTable {
  pupil_id: string;
  guardian_id: string;
  relation: string | null;
  legal: Generated<boolean>;
}

export interface ActivationFlowsTable {
  /** SHA-256 of the flow id the browser holds; the id itself is never stored. */
  id: string;
  state: ColumnType<Record<string, unknown>, string, string>;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  /** Which journey the row belongs to (`activation`, `first-connection`…); migration 0006. */
  kind: ColumnType<string, string | undefined, string>;
}

export interface DirectoryImportsTable {
  id: string;
  started_at: DefaultedTimestamp;
  finished_at: Timestamp | null;
  summary: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  /** sha256 of the file's bytes, set when importing that file again is known to change nothing (migration 0015). */
  fingerprint: ColumnType<string | null, string | null | undefined, string | null>;
  /** `directory_generation.n` when the import started. */
  generation: ColumnType<string | null, number | null | undefined, number | null>;
  /** What importing the same file again reports, and the day it was read (birth dates are checked against it). */
  repeat_summary: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface DirectoryImportRowsTable {
  import_id: string;
  line: number;
  uai: string;
  school_name: string | null;
  local_id: string;
  pupil_ok: boolean;
  ine: string | null;
  family_name: string | null;
  given_names: string | null;
  birthdate: DateOnly | null;
  level: string | null;
  class_name: string | null;
  guardian_state: 'ok' | 'none' | 'rejected';
  civilite: string | null;
  resp_family_name: string | null;
  resp_given_name: string | null;
  resp_name_key: string | null;
  resp_mobile: string | null;
  resp_email: string | null;
  relation: string | null;
  legal: boolean | null;
  group_line: number | null;
  guardian_id: string | null;
  guardian_new: boolean | null;
  guardian_last: boolean | null;
  /** The line of this row's guardian's last row (migration 0015). */
  guardian_last_line: number | null;
}

/** Links that confirm an email address: HMAC of the token, single use (migration 0006). */
export interface EmailVerificationsTable {
  id: string;
  account_id: string;
  email: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface CharterVersionsTable {
  name: string;
  version: number;
  /** Markdown, as the operator wrote it; rendered with raw HTML disabled. */
  text: string;
  created_at: DefaultedTimestamp;
}

export interface ClientChartersTable {
  client_id: string;
  charter_name: string;
  updated_at: DefaultedTimestamp;
}

export interface CharterAcceptancesTable {
  account_id: string;
  charter_name: string;
  version: number;
  /** The application the person was signing in to when they accepted. */
  client_id: string;
  accepted_at: DefaultedTimestamp;
}

export interface ConsentsTable {
  account_id: string;
  client_id: string;
  /** Every scope the person allowed this application, across sign-ins. */
  scopes: string[];
  updated_at: DefaultedTimestamp;
}

/** «Je ne suis pas le représentant légal de cet élève»: one open report per link (migration 0012). */
export interface AttachmentReportsTable {
  id: string;
  /** The account that reported (the link's guardian row may later move to another account by a merge). */
  account_id: string;
  guardian_id: string;
  pupil_id: string;
  /** The pupil's school when the report was made: the school that reads it. */
  uai: string;
  created_at: DefaultedTimestamp;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
}

export interface AuditEventsTable {
  id: Generated<string>;
  at: Timestamp;
  /** An AuditKind (src/audit/events.ts). */
  kind: string;
  account_id: string | null;
  client_id: string | null;
  address: string | null;
  outcome: 'success' | 'failure';
  request_id: string | null;
  /** Whitelisted, masked details (src/audit/events.ts), never a secret. */
  details: ColumnType<Record<string, unknown>, string, never>;
}

/** An upstream identity (issuer, sub) linked to an account: the link only, no upstream data (migration 0017). */
export interface UpstreamLinksTable {
  issuer: string;
  sub: string;
  account_id: string;
  created_at: Generated<Date>;
}

/** A passkey (WebAuthn credential) of an account (migration 0018); the public key as base64url. */
export interface PasskeysTable {
  id: Generated<string>;
  /** base64url, as the browser gives it. */
  credential_id: string;
  account_id: string;
  public_key: string;
  /** The authenticator's signature counter (0 for those that keep none); bigint comes back as a string from pg. */
  counter: ColumnType<string | number, number, number>;
  transports: ColumnType<string[], string, string>;
  name: string;
  created_at: Generated<Date>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface Database {
  accounts: AccountsTable;
  identifiants: IdentifiantsTable;
  oidc_payloads: OidcPayloadsTable;
  signing_keys: SigningKeysTable;
  secrets: SecretsTable;
  rate_limits: RateLimitsTable;
  schools: SchoolsTable;
  pupils: PupilsTable;
  guardians: GuardiansTable;
  pupil_guardians: PupilGuardiansTable;
  directory_imports: DirectoryImportsTable;
  directory_import_rows: DirectoryImportRowsTable;
  activation_flows: ActivationFlowsTable;
  email_verifications: EmailVerificationsTable;
  charter_versions: CharterVersionsTable;
  client_charters: ClientChartersTable;
  charter_acceptances: CharterAcceptancesTable;
  consents: ConsentsTable;
  attachment_reports: AttachmentReportsTable;
  audit_events: AuditEventsTable;
  upstream_links: UpstreamLinksTable;
  passkeys: PasskeysTable;
}
