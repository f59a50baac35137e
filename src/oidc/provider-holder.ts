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
    handle(ctx) {
      ctx.respond = false;
      const run = callback;
      return new Promise<void>((resolve) => {
        ctx.res.once('finish', resolve);
        ctx.res.once('close', resolve);
        void run(ctx.req, ctx.res);
      });
    },
  };
}
