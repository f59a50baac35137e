// Telling «a store is unreachable» apart from every other failure, so that a request that needs PostgreSQL or
// Redis while one is down gets a 503 «temporairement indisponible» (and the caller may retry), not a 500, and not a
// false «page expirée» when the sign-in in progress simply could not be read.

/** Thrown where a failure is known to be the store's; other places recognise the driver's errors below. */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('a store (PostgreSQL or Redis) is unreachable', options);
    this.name = 'StoreUnavailableError';
  }
}

// Node's socket errors, as pg and ioredis pass them on.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL SQLSTATEs: connection exceptions (class 08), the server shutting down or not yet accepting (57P0x).
const PG_STATES = /^(08\d{3}|57P0[1-4])$/;
// What ioredis and pg say when the connection is gone, has timed out, or the offline queue gave up.
const MESSAGES = /Connection is closed|Stream isn't writeable|Command timed out|Reached the max retries per request|enableOfflineQueue|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth += 1) {
    if (e instanceof StoreUnavailableError) return true;
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_STATES.test(code))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    // oidc-provider's TemporarilyUnavailable, as the guarded adapter throws it (src/oidc/adapter-availability.ts).
    if ((e as { error?: unknown }).error === 'temporarily_unavailable') return true;
  }
  return false;
}
