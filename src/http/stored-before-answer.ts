// The public site's requests let oidc-provider's writes wait and store them in one statement before answering
// (src/oidc/deferred-writes.ts). Placed inside the error handler: a failure to store becomes the request's answer
// (503), never a success sent for records that were not stored. The provider's own routes store theirs before
// the provider answers (src/oidc/provider-middleware.ts); what remains here is from our screens.
import type { Context, Next } from 'koa';
import { deferWritesInThisRequest, storeDeferredWrites } from '../oidc/deferred-writes.js';

export function storeBeforeAnswering() {
  return async function storedBeforeAnswer(_ctx: Context, next: Next): Promise<void> {
    deferWritesInThisRequest();
    await next();
    await storeDeferredWrites();
  };
}
