// Gives every request its id and runs the rest of the request inside it (src/request-id.ts).
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { runRequest } from '../request-id.js';

/** What a proxy may hand us: short, printable, no spaces (a uuid, a trace id). Anything else is replaced. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * Gives the request its id: the proxy's `X-Request-Id` when the proxy is trusted and the id is sane, a new uuid
 * otherwise (a browser could otherwise write whatever it likes into our logs and audit trail).
 */
export function assignRequestId(options: { trustProxy: boolean }) {
  return function requestId(ctx: Context, next: Next): Promise<void> {
    const incoming = options.trustProxy ? ctx.get(REQUEST_ID_HEADER) : '';
    const id = ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
    // Set on the raw response at once: oidc-provider answers on ctx.res directly (provider-holder.ts).
    ctx.set(REQUEST_ID_HEADER, id);
    return runRequest(id, next);
  };
}

