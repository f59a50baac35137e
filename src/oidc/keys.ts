// Signing keys, stored in the database and rotated publish-then-sign: a `next` key is always published in the
// JWKS before it signs anything; rotation makes it `current`, keeps the old one published (`retired`) until every
// token it signed has expired, and publishes a fresh `next`.
import { generateKeyPair, exportJWK, calculateJwkThumbprint, type JWK } from 'jose';
import type { Db } from '../store/database.js';

const ALGS = ['RS256', 'ES256'] as const;
type Alg = (typeof ALGS)[number];

async function makeKey(alg: Alg): Promise<{ kid: string; jwk: JWK }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, jwk: { ...jwk, kid, alg, use: 'sig' } };
}

async function insertKey(db: Db, alg: Alg, status: 'next' | 'current'): Promise<void> {
  const { kid, jwk } = await makeKey(alg);
  await db.insertInto('signing_keys').values({ kid, alg, jwk: JSON.stringify(jwk), status, retired_at: null }).execute();
}

/** Makes sure each algorithm has a current and a next key (first start). */
export async function ensureKeys(db: Db): Promise<void> {
  for (const alg of ALGS) {
    for (const status of ['current', 'next'] as const) {
      const has = await db.selectFrom('signing_keys').select('kid').where('alg', '=', alg).where('status', '=', status).executeTakeFirst();
      if (!has) await insertKey(db, alg, status);
    }
  }
}

/**
 * The private JWKS for oidc-provider. Order matters: the provider signs with the first key of an algorithm, so
 * current keys come first (RS256 first: it is the default ID token algorithm), then next and retired ones, which
 * are only published.
 */
export async function loadJwks(db: Db): Promise<{ keys: JWK[] }> {
  const rows = await db.selectFrom('signing_keys').select(['jwk', 'status', 'alg', 'created_at']).execute();
  const rank = { current: 0, next: 1, retired: 2 } as const;
  rows.sort((a, b) => rank[a.status] - rank[b.status] || a.alg.localeCompare(b.alg) || +new Date(b.created_at) - +new Date(a.created_at));
  return { keys: rows.map((r) => r.jwk as JWK) };
}

/**
 * What the published key set is, in a few bytes: every kid with its status. Another instance's rotation changes it,
 * so an instance compares it with the one its provider was built from (src/sesame.ts, `reloadKeysIfChanged`).
 */
export async function keysVersion(db: Db): Promise<string> {
  const rows = await db.selectFrom('signing_keys').select(['kid', 'status']).orderBy('kid').execute();
  return rows.map((r) => `${r.kid}:${r.status}`).join(',');
}

/** Rotates every algorithm; retired keys older than `keepRetiredSeconds` are dropped. Returns the new current kids. */
export async function rotateKeys(db: Db, keepRetiredSeconds: number): Promise<string[]> {
  const promoted: string[] = [];
  // Generate before the transaction: key generation is slow and must not hold the embedded database's only connection.
  const fresh = await Promise.all(ALGS.map((alg) => makeKey(alg)));
  await db.transaction().execute(async (trx) => {
    const cutoff = new Date(Date.now() - keepRetiredSeconds * 1000);
    await trx.deleteFrom('signing_keys').where('status', '=', 'retired').where('retired_at', '<', cutoff).execute();
    for (const [i, alg] of ALGS.entries()) {
      await trx.updateTable('signing_keys').set({ status: 'retired', retired_at: new Date() }).where('alg', '=', alg).where('status', '=', 'current').execute();
      const next = await trx
        .updateTable('signing_keys')
        .set({ status: 'current' })
        .where('alg', '=', alg)
        .where('status', '=', 'next')
        .returning('kid')
        .executeTakeFirst();
      if (next) promoted.push(next.kid);
      const { kid, jwk } = fresh[i]!;
      await trx.insertInto('signing_keys').values({ kid, alg, jwk: JSON.stringify(jwk), status: next ? 'next' : 'current', retired_at: null }).execute();
      if (!next) promoted.push(kid);
    }
  });
  await ensureKeys(db);
  return promoted;
}
