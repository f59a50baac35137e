// One id per request, on the answer (`X-Request-Id`, src/http/request-context.ts), on every log line written while
// the request runs and on the audit events it records. AsyncLocalStorage rather than ctx.state: oidc-provider runs
// its own Koa context (its events never see ours), and flows log with loggers built once at start-up; both still
// run inside this request's async context. No Koa here: the audit trail and flows read it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

interface RequestStore {
  requestId: string | undefined;
  /** What this HTTP request already read (request-memo users: the SQL adapter); gone once the request ends. */
  memo?: Map<string, unknown> | undefined;
  /** The request's language choice (src/i18n/request-language.ts). */
  language?: unknown;
}

// The one AsyncLocalStorage of a request: other request-scoped values (the language) live in its store. On Node 20
// every AsyncLocalStorage in use costs every promise of every request (a second one made userinfo ×1.5 in the bench).
const storage = new AsyncLocalStorage<RequestStore>();

/** The current request's store (or the one `withRequestId`/`withRequestValues` opened); undefined outside. */
export function currentRequestStore(): RequestStore | undefined {
  return storage.getStore();
}

/** Runs `fn` outside HTTP with request-scoped values (a job or a test that sends mail in a given language). */
export function withRequestValues<T>(values: Omit<RequestStore, 'requestId' | 'memo'>, fn: () => T): T {
  return storage.run({ requestId: storage.getStore()?.requestId, ...values }, fn);
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` with a request id outside HTTP (tests, jobs): no request memo there. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/**
 * Runs one HTTP request: its id, and a memo that lives until the request's handler has answered. Timers or promises
 * started during the request and still running afterwards find no memo, so nothing read here is reused later.
 */
export async function runRequest<T>(requestId: string, fn: () => Promise<T>): Promise<T> {
  const store: RequestStore = { requestId, memo: new Map() };
  try {
    return await storage.run(store, fn);
  } finally {
    store.memo = undefined;
  }
}

/** The current HTTP request's memo, or undefined outside a request (or once it has answered). */
export function requestMemo(): Map<string, unknown> | undefined {
  return storage.getStore()?.memo;
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
