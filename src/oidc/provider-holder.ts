// Holds the live oidc-provider instance. Signing keys are fixed when a provider is built, so a key rotation
// builds a new one and swaps it in; requests already under way finish on the old one. State lives in the store,
// so nothing is lost in the swap.
import type { Context } from 'koa';
import type Provider from 'oidc-provider';

export interface ProviderHolder {
  get(): Provider;
  rebuild(): Promise<void>;
  /** The last Koa middleware: hands the request to the provider. */
  handle(ctx: Context): Promise<void>;
}

export async function createProviderHolder(build: () => Promise<Provider>): Promise<ProviderHolder> {
  let provider = await build();
  let callback = provider.callback();
  return {
    get: () => provider,
    async rebuild() {
      const next = await build();
      provider = next;
      callback = next.callback();
    },
    async handle(ctx) {
      ctx.respond = false;
      // Koa's handler settles once the provider has answered (or failed to), even when the browser left earlier:
      // the request's context (its memo, its batch of writes) lives until the provider is done with it.
      await callback(ctx.req, ctx.res);
    },
  };
}
