// One id per request, on the answer (`X-Request-Id`), on every log line written while the request runs and on the
// audit events it records. AsyncLocalStorage rather than ctx.state: oidc-provider runs its own Koa context (its
// events never see ours), and flows log with loggers built once at start-up; both still run inside this request's
// async context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from 'pino';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** What a proxy may hand us: short, printable, no spaces (a uuid, a trace id). Anything else is replaced. */
const ACCEPTED_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

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
    return storage.run({ requestId: id }, next);
  };
}

/** Runs `fn` with a request id outside HTTP (tests, jobs). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * A logger whose lines carry `request_id` when written inside a request, whatever logger the caller built (tests pass
 * their own pino; pino's `mixin` can only be set at the root). Children stay wrapped.
 */
export function withRequestIds(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, prop) {
      if (prop === 'child') {
        return (bindings: Record<string, unknown>, options?: object) => withRequestIds(target.child(bindings, options));
      }
      if (typeof prop === 'string' && LEVELS.has(prop)) {
        return (...args: unknown[]) => {
          const id = currentRequestId();
          const line = id ? target.child({ request_id: id }) : target;
          return (line[prop as 'info'] as (...a: unknown[]) => void)(...args);
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
