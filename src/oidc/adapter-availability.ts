// oidc-provider turns any adapter failure into a 500 «server_error». When the failure is the store being
// unreachable, a relying party should instead get the protocol's own answer, `temporarily_unavailable` with 503
// (RFC 6749 4.1.2.1; at the authorization endpoint it is redirected to the client like any other error), so it can
// say «réessayez» rather than «panne». Every adapter goes through this wrapper, whichever store is behind it.
import { errors, type Adapter } from 'oidc-provider';
import { isStoreUnavailable } from '../store/unavailable.js';

function unavailable(cause: unknown): Error {
  const err = new errors.TemporarilyUnavailable('the service is temporarily unavailable, retry in a few moments');
  // The library's class is a 400 that it exposes; a store outage is a 503 the client may retry.
  Object.assign(err, { status: 503, statusCode: 503, expose: true, cause });
  return err;
}

const METHODS = ['upsert', 'find', 'findByUserCode', 'findByUid', 'consume', 'destroy', 'revokeByGrantId'] as const;

export function guardAdapter(Inner: new (model: string) => Adapter): new (model: string) => Adapter {
  return class GuardedAdapter {
    constructor(model: string) {
      const inner = new Inner(model);
      for (const name of METHODS) {
        const method = inner[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
        if (typeof method !== 'function') continue;
        (this as Record<string, unknown>)[name] = async (...args: unknown[]) => {
          try {
            return await method.apply(inner, args);
          } catch (err) {
            throw isStoreUnavailable(err) ? unavailable(err) : err;
          }
        };
      }
    }
  } as unknown as new (model: string) => Adapter;
}
