// An account's passkeys in the SQL store: list, add, rename, remove, and the bookkeeping of a sign-in (counter,
// last use). Every change names the account as well as the key, so one person can never touch another's keys.
import { sql } from 'kysely';
import type { Db } from '../store/database.js';

export interface Passkey {
  /** Our own id (a uuid): what pages and forms name, shorter than the credential id. */
  id: string;
  credentialId: string;
  accountId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export interface NewPasskey {
  credentialId: string;
  accountId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  name: string;
}

/** At most this many keys per account: a family has a few phones and computers, not hundreds. */
export const MAX_PASSKEYS_PER_ACCOUNT = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = {
  id: string; credential_id: string; account_id: string; public_key: string; counter: string | number;
  transports: string[]; name: string; created_at: Date; last_used_at: Date | null;
};

function toPasskey(r: Row): Passkey {
  return {
    id: r.id,
    credentialId: r.credential_id,
    accountId: r.account_id,
    publicKey: new Uint8Array(Buffer.from(r.public_key, 'base64url')),
    counter: Number(r.counter),
    transports: Array.isArray(r.transports) ? r.transports : [],
    name: r.name,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  };
}

export function createPasskeyStore(db: Db) {
  const columns = ['id', 'credential_id', 'account_id', 'public_key', 'counter', 'transports', 'name', 'created_at', 'last_used_at'] as const;
  return {
    async listFor(accountId: string): Promise<Passkey[]> {
      const rows = await db.selectFrom('passkeys').select(columns).where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toPasskey);
    },

    async findByCredentialId(credentialId: string): Promise<Passkey | undefined> {
      const row = await db.selectFrom('passkeys').select(columns).where('credential_id', '=', credentialId).executeTakeFirst();
      return row ? toPasskey(row) : undefined;
    },

    /** 'duplicate' when the credential is already registered (to this account or another): never moved silently. */
    async add(key: NewPasskey): Promise<{ kind: 'added'; passkey: Passkey } | { kind: 'duplicate' | 'too_many' }> {
      return db.transaction().execute(async (trx) => {
        // The account row is locked so that two tabs adding at once cannot pass the cap together.
        await trx.selectFrom('accounts').select('id').where('id', '=', key.accountId).forUpdate().executeTakeFirst();
        const { count } = await trx.selectFrom('passkeys').select(sql<string>`count(*)`.as('count')).where('account_id', '=', key.accountId).executeTakeFirstOrThrow();
        if (Number(count) >= MAX_PASSKEYS_PER_ACCOUNT) return { kind: 'too_many' as const };
        const row = await trx
          .insertInto('passkeys')
          .values({
            credential_id: key.credentialId,
            account_id: key.accountId,
            public_key: Buffer.from(key.publicKey).toString('base64url'),
            counter: key.counter,
            transports: JSON.stringify(key.transports),
            name: key.name,
          })
          .onConflict((oc) => oc.column('credential_id').doNothing())
          .returning(columns)
          .executeTakeFirst();
        return row ? { kind: 'added' as const, passkey: toPasskey(row) } : { kind: 'duplicate' as const };
      });
    },

    async rename(accountId: string, id: string, name: string): Promise<boolean> {
      if (!UUID.test(id)) return false;
      const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The removed key, or undefined when the account has no such key (already removed, or someone else's). */
    async remove(accountId: string, id: string): Promise<Passkey | undefined> {
      if (!UUID.test(id)) return undefined;
      const row = await db.deleteFrom('passkeys').where('id', '=', id).where('account_id', '=', accountId).returning(columns).executeTakeFirst();
      return row ? toPasskey(row) : undefined;
    },

    /** Every key of an account: a revoking reset forgets them (whoever held the password may have added one). */
    async removeAll(accountId: string): Promise<number> {
      const result = await db.deleteFrom('passkeys').where('account_id', '=', accountId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * A sign-in's bookkeeping: the new counter and the time, on the condition that the counter is still the one
     * verified against (two sign-ins racing with one assertion: only one moves it). False when it had moved.
     */
    async recordUse(id: string, previousCounter: number, newCounter: number, at: Date): Promise<boolean> {
      const result = await db
        .updateTable('passkeys')
        .set({ counter: newCounter, last_used_at: at })
        .where('id', '=', id)
        .where('counter', '=', previousCounter)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;
