// oidc-provider writes several records in one request (at the resume of an authorization: the grant, the next
// interaction, the session; at the token endpoint: the access and refresh tokens), each a round trip on PostgreSQL.
// Within one of the provider's own routes those writes wait in a batch and go in one statement just before the
// provider answers (provider-middleware.ts): the answer never leaves before what it refers to is stored, and the
// last statement stores all of what waited or nothing. A read of a model with writes waiting, a consumption and a
// revocation store them first, so the request reads what it wrote, in the order it wrote it. Only the provider's
// routes batch: its order of calls is known (node_modules/oidc-provider/lib); our screens write at once, because
// they act on what they wrote (back-channel logouts, audit, messages) in ways a batch would reorder.
import { requestMemo } from '../request-id.js';

export type DeferredWrite =
  | {
      kind: 'upsert';
      model: string;
      id: string;
      /** The payload as JSON text, made when the provider saved: later changes to its objects are not stored. */
      payload: string;
      grant_id: string | null;
      user_code: string | null;
      uid: string | null;
      expires_at: string | null;
    }
  | { kind: 'destroy'; model: string; id: string };

export interface WriteBatch {
  writes: Map<string, DeferredWrite>;
  store?: (writes: DeferredWrite[]) => Promise<void>;
  /** The store under way: the next one, or a read that must see its rows, waits for it. */
  storing?: Promise<void>;
  /** A store that failed: the request must not answer success, even if the caller went on. */
  failed?: unknown;
  /** What tells of the batch's writes (an audit event), done once the route's last store has succeeded. */
  after?: (() => void)[];
}

const KEY = 'deferred-writes';

/** Opens the request's batch: writes wait in it until `storeBatch`. Returns it (the caller keeps its own handle). */
export function openWriteBatch(): WriteBatch | undefined {
  const memo = requestMemo();
  if (!memo) return undefined;
  const batch: WriteBatch = { writes: new Map() };
  memo.set(KEY, batch);
  return batch;
}

/** Ends the batch: later writes of the request (none expected once the provider has answered) are done at once. */
export function closeWriteBatch(batch: WriteBatch): void {
  const memo = requestMemo();
  if (memo?.get(KEY) === batch) memo.delete(KEY);
}

const currentBatch = () => requestMemo()?.get(KEY) as WriteBatch | undefined;

/**
 * Keeps `write` in the request's batch when there is one; false when it must be done now. One write per record: a
 * later upsert replaces an earlier one, a destroy replaces anything; an upsert after a destroy of the same record
 * stores the destroy first (one statement cannot delete and insert the same row).
 */
export async function deferWrite(write: DeferredWrite, store: (writes: DeferredWrite[]) => Promise<void>): Promise<boolean> {
  const batch = currentBatch();
  if (!batch) return false;
  const key = `${write.model}\0${write.id}`;
  if (write.kind === 'upsert' && batch.writes.get(key)?.kind === 'destroy') await storeBatch(batch);
  batch.writes.delete(key);
  batch.writes.set(key, write);
  batch.store ??= store;
  return true;
}

/**
 * Runs `fn` once what the request's batch holds is stored, at once when there is no batch: an audit event saying a
 * session ended must not be recorded for a logout whose store then failed (the person got the fault page and is
 * still signed in). Dropped if the store fails.
 */
export function whenStored(fn: () => void): void {
  const batch = currentBatch();
  if (!batch) return fn();
  (batch.after ??= []).push(fn);
}

/** The route is done and its batch stored: what waited for that runs now. */
export function batchStored(batch: WriteBatch): void {
  for (const fn of batch.after?.splice(0) ?? []) fn();
}

/** Before reading `models` (or touching anything, when omitted): stores what waits, if any of it concerns them. */
export async function storeWritesBeforeReading(models?: string[]): Promise<void> {
  const batch = currentBatch();
  if (!batch) return;
  if (batch.storing) await batch.storing.catch(() => undefined);
  if (models === undefined || [...batch.writes.values()].some((w) => models.includes(w.model))) await storeBatch(batch);
}

/** Stores every write waiting in `batch`, in one statement, one store at a time. Throws if this or an earlier store failed. */
export async function storeBatch(batch: WriteBatch): Promise<void> {
  while (batch.storing) await batch.storing.catch(() => undefined);
  if (batch.failed) throw batch.failed;
  if (batch.writes.size === 0 || !batch.store) return;
  const writes = [...batch.writes.values()];
  batch.writes.clear();
  const storing = batch.store(writes).catch((err: unknown) => {
    batch.failed = err;
    throw err;
  });
  batch.storing = storing;
  try {
    await storing;
  } finally {
    if (batch.storing === storing) batch.storing = undefined;
  }
}
