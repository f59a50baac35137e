// «Mon compte» signs people in like any of our applications: through a first-party client of Sésame itself,
// written at every start (its redirect URI follows ISSUER), so the login page, lockout, device cookie and charter
// are the ones every relying party gets.
import type Provider from 'oidc-provider';
import type { Adapter } from 'oidc-provider';

export const ACCOUNT_CLIENT_ID = 'sesame-compte';
export const ACCOUNT_PATH = '/compte';
export const CALLBACK_PATH = `${ACCOUNT_PATH}/connexion`;

export function accountClientMetadata(issuer: string): Record<string, unknown> {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: 'Mon compte',
    redirect_uris: [`${issuer}${CALLBACK_PATH}`],
    post_logout_redirect_uris: [],
    // Only the authorization code: the callback spends it in process (routes.ts), no token is ever issued to it.
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: 'openid',
    first_party: true,
    subject_type: 'public',
    token_endpoint_auth_method: 'none',
  };
}

/** Writes (or rewrites) the client; the provider's cache forgets the previous version through its adapter. */
export async function ensureAccountClient(provider: Provider, issuer: string): Promise<void> {
  const metadata = accountClientMetadata(issuer);
  await provider.Client.validate(metadata as never);
  const store = (provider.Client as unknown as { adapter: Pick<Adapter, 'upsert'> }).adapter;
  await store.upsert(ACCOUNT_CLIENT_ID, metadata as never, 0);
}
