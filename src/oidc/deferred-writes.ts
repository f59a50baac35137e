// oidc-provider writes several records in one request (at the resume of an authorization: the interaction's
// destruction, the grant, the next interaction, the session; at the token endpoint: the access and refresh tokens),
// each a round trip on PostgreSQL. Within a request of the public site, those writes wait and go in one statement
// just before the request answers (src/http/stored-before-answer.ts, and provider-middleware.ts for the provider's
// own routes): the answer never leaves before what it refers to is stored, and the statement stores all or nothing.
// A read of a model with writes waiting stores them first, so the request reads what it wrote, as before.
import type { AdapterPayload } from 'oidc-provider';
import { requestMemo } from '../request-id.js';

export type DeferredWrite =
  | {
      kind: 'upsert';
      model: string;
      id: string;
      payload: AdapterPayload;
      grant_id: string | null;
      user_code: string | null;
      uid: string | null;
      expires_at: string | null;
    }
  | { kind: 'destroy'; model: string; id: string };

interface Waiting {
  writes: Map<string, DeferredWrite>;
  store?: (writes: DeferredWrite[]) => Promise<void>;
}

const KEY = 'deferred-writes';

/** Lets this request's writes wait until it answers: only where something stores them before answering. */
export function deferWritesInThisRequest(): void {
  const memo = requestMemo();
  if (memo && !memo.has(KEY)) memo.set(KEY, { writes: new Map() } satisfies Waiting);
}

const waiting = () => requestMemo()?.get(KEY) as Waiting | undefined;

/**
 * Keeps `write` for later when the request allows it; false when it must be done now. One write per record: a later
 * upsert replaces an earlier one, a destroy replaces anything; an upsert after a destroy of the same record stores
 * the destroy first (one statement cannot delete and insert the same row).
 */
export async function deferWrite(write: DeferredWrite, store: (writes: DeferredWrite[]) => Promise<void>): Promise<boolean> {
  const state = waiting();
  if (!state) return false;
  const key = `${write.model}\0${write.id}`;
  if (write.kind === 'upsert' && state.writes.get(key)?.kind === 'destroy') await storeDeferredWrites();
  state.writes.delete(key);
  state.writes.set(key, write);
  state.store ??= store;
  return true;
}

/** Before reading `models` (or touching anything, when omitted): stores the writes waiting, if any concern them. */
export async function storeWritesBeforeReading(models?: string[]): Promise<void> {
  const state = waiting();
  if (!state || state.writes.size === 0) return;
  if (models === undefined || [...state.writes.values()].some((w) => models.includes(w.model))) await storeDeferredWrites();
}

/** Stores every write waiting, in one statement. Throws what the store threw: the request must not answer success. */
export async function storeDeferredWrites(): Promise<void> {
  const state = waiting();
  if (!state || state.writes.size === 0 || !state.store) return;
  const writes = [...state.writes.values()];
  state.writes.clear();
  await state.store(writes);
}
