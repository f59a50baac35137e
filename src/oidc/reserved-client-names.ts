// Names operators chose for their applications are theirs: a self-registered client cannot call itself «Pronote»
// (nor «PRONOTE», «Prõnote» or «Pro note»). oidc-provider checks client metadata synchronously, so the names are
// read from the store by a provider middleware, for registration requests only, and handed to the check on ctx.state.
import type { Middleware } from 'koa';
import { sql } from 'kysely';
import { foldToAscii } from '../accounts/fold.js';
import type { Db } from '../store/database.js';

/** Case, accents, spaces and punctuation ignored; letters of every script kept. */
export function foldClientName(name: string): string {
  return foldToAscii(name).replace(/\p{M}+/gu, '').replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The folded names of the operator-registered clients (those with `first_party` set: the admin API always sets it). */
export async function operatorClientNames(db: Db): Promise<Set<string>> {
  const rows = await sql<{ name: string }>`
    select payload->>'client_name' as name from oidc_payloads
    where model = 'Client' and jsonb_typeof(payload->'first_party') = 'boolean' and payload ? 'client_name'`.execute(db);
  return new Set(rows.rows.map((r) => foldClientName(r.name)).filter(Boolean));
}

export const RESERVED_NAMES_STATE = 'sesameReservedClientNames';

/** For POST /reg and PUT /reg/…: loads the reserved names before oidc-provider validates the metadata. */
export function reserveOperatorClientNames(db: Db, registrationPath: string): Middleware {
  return async (ctx, next) => {
    const registration = (ctx.method === 'POST' && ctx.path === registrationPath) || (ctx.method === 'PUT' && ctx.path.startsWith(`${registrationPath}/`));
    if (registration) ctx.state[RESERVED_NAMES_STATE] = await operatorClientNames(db);
    await next();
  };
}
