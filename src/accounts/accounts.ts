// Accounts: creation (with a fresh identifiant), lookup, and password sign-in that answers the same way, in
// comparable time, whether the identifiant is unknown or the password wrong.
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';
import { precompile } from '../store/precompiled.js';
import type { AccountKind, AccountOrigin, AccountState } from '../store/schema.js';
import { allocateIdentifiant, type IdentifierStyle } from './identifiants.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';

export interface Account {
  id: string;
  kind: AccountKind;
  identifiant: string;
  given_name: string;
  family_name: string;
  email: string | null;
  email_verified: boolean;
  mobile: string | null;
  mobile_verified: boolean;
  birthdate: string | null;
  state: AccountState;
  origin: AccountOrigin;
}

export interface NewAccount {
  kind: AccountKind;
  givenName: string;
  familyName: string;
  email?: string | null | undefined;
  mobile?: string | null | undefined;
  birthdate?: string | null | undefined;
  password?: string | undefined;
  state?: AccountState;
  origin?: AccountOrigin;
}

/**
 * States whose own password signs in: *activé*, and *en cours d'activation* (the first connection is done, the email
 * link not yet opened — as ÉduConnect does, with a reminder at each sign-in; docs/first-connection.md).
 */
export const SIGN_IN_STATES: ReadonlySet<AccountState> = new Set<AccountState>(['active', 'en_cours']);

/** What an identifiant and password designate (see `verifyCredentials`). */
export type CredentialsMatch =
  | { kind: 'password'; account: Account }
  | { kind: 'provisional'; account: Account; expired: boolean };

/** Every column but the password hashes: what an account lookup returns. */
export const PUBLIC_COLUMNS = [
  'id', 'kind', 'identifiant', 'given_name', 'family_name', 'email', 'email_verified', 'mobile',
  'mobile_verified', 'birthdate', 'state', 'origin',
] as const;

export type Accounts = ReturnType<typeof createAccounts>;

/** The account in a row holding the public columns, under their own names or with a prefix (`account_id`…). */
export function publicPart(row: object, prefix = ''): Account {
  const columns = row as Record<string, unknown>;
  return Object.fromEntries(PUBLIC_COLUMNS.map((c) => [c, columns[`${prefix}${c}`]])) as unknown as Account;
}

export function createAccounts(db: Db, options: { identifierStyle: IdentifierStyle }) {
  // The two reads of every sign-in, compiled once (src/store/precompiled.ts): the account behind a session (findAccount,
  // on each OpenID Connect request) and the identifiant's row with its hashes (the password form).
  const byId = precompile(db, ['id'] as const, (v) => db.selectFrom('accounts').select(PUBLIC_COLUMNS).where('id', '=', v.id));
  const credentialsOf = precompile(db, ['identifiant'] as const, (v) =>
    db
      .selectFrom('accounts')
      .select([...PUBLIC_COLUMNS, 'password_hash', 'provisional_password_hash', 'provisional_expires_at'])
      .where('identifiant', '=', v.identifiant),
  );

  /** Creates one account inside `trx` (the caller's transaction). */
  async function insert(trx: Db, input: NewAccount, passwordHash: string | null): Promise<Account> {
    const identifiant = await allocateIdentifiant(trx, input.givenName, input.familyName, options.identifierStyle);
    return trx
      .insertInto('accounts')
      .values({
        id: randomUUID(),
        kind: input.kind,
        identifiant,
        given_name: input.givenName,
        family_name: input.familyName,
        email: input.email ?? null,
        mobile: input.mobile ?? null,
        birthdate: input.birthdate ?? null,
        password_hash: passwordHash,
        password_changed_at: passwordHash ? new Date() : null,
        state: input.state ?? (passwordHash ? 'active' : 'non_notifie'),
        origin: input.origin ?? 'etablissement',
      })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
  }

  return {
    insert,

    async create(input: NewAccount): Promise<Account> {
      // Hash outside the transaction: it takes tens of milliseconds and must not hold the identifiant lock.
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      return db.transaction().execute((trx) => insert(trx, input, passwordHash));
    },

    async findById(id: string): Promise<Account | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      return (await byId({ id })).rows[0];
    },

    async findByIdentifiant(identifiant: string): Promise<Account | undefined> {
      return db
        .selectFrom('accounts')
        .select(PUBLIC_COLUMNS)
        .where('identifiant', '=', identifiant.trim().toLowerCase())
        .executeTakeFirst();
    },

    /** The account when the identifiant and password match an active account; otherwise undefined, always after one hash. */
    async authenticate(identifiant: string, password: string): Promise<Account | undefined> {
      const row = await db
        .selectFrom('accounts')
        .select([...PUBLIC_COLUMNS, 'password_hash'])
        .where('identifiant', '=', identifiant.trim().toLowerCase())
        .executeTakeFirst();
      const ok = await verifyPassword(row?.password_hash ?? (await decoyHash()), password);
      if (!row || !ok || !row.password_hash || !SIGN_IN_STATES.has(row.state)) return undefined;
      const { password_hash: _hash, ...account } = row;
      return account;
    },

    /**
     * The account's own password, else its provisional password (a school letter or a reset): which one matched,
     * and whether a provisional one has expired. A failure always costs two argon2id verifications (against the
     * decoy hash where a hash is missing), so the time taken says nothing about who has a provisional password.
     * After a reset without --revoke an active account has both: each keeps working until the first connection ends.
     */
    async verifyCredentials(identifiant: string, password: string, now = new Date()): Promise<CredentialsMatch | undefined> {
      const [row] = (await credentialsOf({ identifiant: identifiant.trim().toLowerCase() })).rows;
      const decoy = await decoyHash();
      const own = await verifyPassword(row?.password_hash ?? decoy, password);
      if (row && own && row.password_hash && SIGN_IN_STATES.has(row.state)) return { kind: 'password', account: publicPart(row) };
      const provisional = await verifyPassword(row?.provisional_password_hash ?? decoy, password);
      if (!row || !provisional || !row.provisional_password_hash || !row.provisional_expires_at || row.state === 'disabled') return undefined;
      return { kind: 'provisional', account: publicPart(row), expired: new Date(row.provisional_expires_at) <= now };
    },

    async setPassword(id: string, password: string): Promise<void> {
      const passwordHash = await hashPassword(password);
      await db
        .updateTable('accounts')
        .set({ password_hash: passwordHash, password_changed_at: new Date(), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
  };
}
