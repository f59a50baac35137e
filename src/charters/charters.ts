// Usage charters: versioned texts per name, the charter a relying application requires, and acceptances. The
// sign-in asks a person to accept the current version of the charter of the application they are going to.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../store/database.js';

export interface CharterVersion {
  name: string;
  version: number;
  text: string;
  created_at: Date;
}

export interface CharterRef {
  name: string;
  version: number;
}

export interface CharterSummary {
  name: string;
  version: number;
  created_at: Date;
  clients: string[];
}

export interface Acceptance {
  account_id: string;
  identifiant: string;
  version: number;
  client_id: string;
  accepted_at: Date;
}

export type Charters = ReturnType<typeof createCharters>;

/**
 * The charter version `account` (an SQL expression: a bound id or a column) must still accept before going to
 * `clientId`, as a JSON `{name, version}` or null: a scalar subquery, so that the sign-in can ask it in the same
 * statement as the account itself (src/oidc/sign-in-lookup.ts).
 */
export function pendingCharter(account: RawBuilder<unknown>, clientId: string): RawBuilder<CharterRef | null> {
  return sql<CharterRef | null>`(
    select json_build_object('name', req.name, 'version', req.version)
    from (
      select c.name, c.version from client_charters cc join charter_versions c on c.name = cc.charter_name
      where cc.client_id = ${clientId} order by c.version desc limit 1
    ) req
    where not exists (
      select 1 from charter_acceptances ca where ca.account_id = ${account} and ca.charter_name = req.name and ca.version = req.version
    )
  )`;
}

export function createCharters(db: Db) {
  async function current(name: string): Promise<CharterVersion | undefined> {
    return db.selectFrom('charter_versions').selectAll().where('name', '=', name).orderBy('version', 'desc').limit(1).executeTakeFirst();
  }

  async function clientsOf(names: string[]): Promise<Map<string, string[]>> {
    const byName = new Map<string, string[]>();
    if (!names.length) return byName;
    const rows = await db.selectFrom('client_charters').select(['charter_name', 'client_id']).where('charter_name', 'in', names).orderBy('client_id').execute();
    for (const row of rows) byName.set(row.charter_name, [...(byName.get(row.charter_name) ?? []), row.client_id]);
    return byName;
  }

  /** The current version of the charter `clientId` requires, or undefined when it requires none. */
  async function requiredBy(clientId: string): Promise<CharterRef | undefined> {
    return db
      .selectFrom('client_charters as cc')
      .innerJoin('charter_versions as c', 'c.name', 'cc.charter_name')
      .select(['c.name', 'c.version'])
      .where('cc.client_id', '=', clientId)
      .orderBy('c.version', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async function hasAccepted(accountId: string, name: string, version: number): Promise<boolean> {
    const row = await db
      .selectFrom('charter_acceptances')
      .select('version')
      .where('account_id', '=', accountId)
      .where('charter_name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return Boolean(row);
  }

  return {
    current,
    requiredBy,
    hasAccepted,

    async version(name: string, version: number): Promise<CharterVersion | undefined> {
      return db.selectFrom('charter_versions').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
    },

    /** Stores `text` as the next version of `name` (1 for a new name). Texts are checked at the edge. */
    async addVersion(name: string, text: string): Promise<CharterVersion> {
      return db.transaction().execute(async (trx) => {
        // Two operators adding at once must get two versions, not one error: the lock orders them.
        await sql`select pg_advisory_xact_lock(hashtext(${`charter:${name}`}))`.execute(trx);
        const last = await trx.selectFrom('charter_versions').select((eb) => eb.fn.max('version').as('v')).where('name', '=', name).executeTakeFirst();
        const version = Number(last?.v ?? 0) + 1;
        return trx.insertInto('charter_versions').values({ name, version, text }).returningAll().executeTakeFirstOrThrow();
      });
    },

    async list(): Promise<CharterSummary[]> {
      const rows = await db
        .selectFrom('charter_versions as c')
        .select(['c.name', 'c.version', 'c.created_at'])
        .where(({ eb, selectFrom }) => eb('c.version', '=', selectFrom('charter_versions as l').select((e) => e.fn.max('l.version').as('m')).whereRef('l.name', '=', 'c.name')))
        .orderBy('c.name')
        .execute();
      const clients = await clientsOf(rows.map((r) => r.name));
      return rows.map((r) => ({ ...r, clients: clients.get(r.name) ?? [] }));
    },

    /** The current version with the dates of every earlier one, or undefined for an unknown name. */
    async show(name: string): Promise<(CharterVersion & { versions: { version: number; created_at: Date }[]; clients: string[] }) | undefined> {
      const latest = await current(name);
      if (!latest) return undefined;
      const versions = await db.selectFrom('charter_versions').select(['version', 'created_at']).where('name', '=', name).orderBy('version').execute();
      return { ...latest, versions, clients: (await clientsOf([name])).get(name) ?? [] };
    },

    /** Requires `name` at sign-in to `clientId`; false when no such charter exists (nothing changed then). */
    async attach(clientId: string, name: string): Promise<boolean> {
      if (!(await current(name))) return false;
      await db
        .insertInto('client_charters')
        .values({ client_id: clientId, charter_name: name })
        .onConflict((oc) => oc.column('client_id').doUpdateSet({ charter_name: name, updated_at: new Date() }))
        .execute();
      return true;
    },

    async detach(clientId: string): Promise<boolean> {
      const result = await db.deleteFrom('client_charters').where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async nameFor(clientId: string): Promise<string | undefined> {
      const row = await db.selectFrom('client_charters').select('charter_name').where('client_id', '=', clientId).executeTakeFirst();
      return row?.charter_name;
    },

    /** The charter version this person must still accept before going to `clientId`, if any (one statement). */
    async pendingFor(accountId: string, clientId: string): Promise<CharterRef | undefined> {
      const { rows } = await sql<{ pending: CharterRef | null }>`select ${pendingCharter(sql`${accountId}`, clientId)} as pending`.execute(db);
      return rows[0]?.pending ?? undefined;
    },

    /** Records that the person accepted this version; accepting it again keeps the first record. */
    async recordAcceptance(input: { accountId: string; name: string; version: number; clientId: string }): Promise<void> {
      await db
        .insertInto('charter_acceptances')
        .values({ account_id: input.accountId, charter_name: input.name, version: input.version, client_id: input.clientId })
        .onConflict((oc) => oc.columns(['account_id', 'charter_name', 'version']).doNothing())
        .execute();
    },

    /** Every acceptance of any version of `name`, oldest first. */
    async acceptances(name: string): Promise<Acceptance[]> {
      return db
        .selectFrom('charter_acceptances as a')
        .innerJoin('accounts as acc', 'acc.id', 'a.account_id')
        .select(['a.account_id', 'acc.identifiant', 'a.version', 'a.client_id', 'a.accepted_at'])
        .where('a.charter_name', '=', name)
        .orderBy('a.accepted_at')
        .orderBy('acc.identifiant')
        .execute();
    },
  };
}
