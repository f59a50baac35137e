// The ceiling: a bare oidc-provider 9 (in-memory Map adapter, no password hashing) with the same token settings as
// Sésame and a tiny interaction handler that signs a fixed account in. Run as its own process by the benchmark,
// so that its CPU is measured exactly like Sésame's. Env: PORT, BARE_CLIENT_ID, BARE_CLIENT_SECRET, BARE_REDIRECT_URI.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Provider from 'oidc-provider';

const BARE_ACCOUNT = 'bare.account';

const port = Number(process.env.PORT ?? 3999);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'bare' };

/**
 * A Map, never evicting: oidc-provider's own memory adapter is an LRU of 1 000 entries, which drops the refresh tokens
 * of idle workers during a long run. Nothing expires during a benchmark, so expiry is not tracked.
 */
const store = new Map<string, Record<string, unknown>>();
const byGrant = new Map<string, Set<string>>();
class MapAdapter {
  constructor(private readonly model: string) {}
  private key(id: string): string {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: Record<string, unknown>): Promise<void> {
    store.set(this.key(id), payload);
    if (typeof payload.grantId === 'string') {
      const keys = byGrant.get(payload.grantId) ?? new Set<string>();
      keys.add(this.key(id));
      byGrant.set(payload.grantId, keys);
    }
    if (typeof payload.uid === 'string') store.set(`${this.model}:uid:${payload.uid}`, { id });
  }
  async find(id: string) {
    return store.get(this.key(id));
  }
  async findByUid(uid: string) {
    const ref = store.get(`${this.model}:uid:${uid}`);
    return ref ? store.get(this.key(String(ref.id))) : undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(id: string): Promise<void> {
    const payload = store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    store.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of byGrant.get(grantId) ?? []) store.delete(key);
    byGrant.delete(grantId);
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter as never,
  clients: [
    {
      client_id: process.env.BARE_CLIENT_ID ?? 'bench-bare',
      client_secret: process.env.BARE_CLIENT_SECRET ?? 'bare-secret',
      redirect_uris: [process.env.BARE_REDIRECT_URI ?? 'http://127.0.0.1:9/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid profile email phone offline_access',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  jwks: { keys: [jwk as never] },
  cookies: { keys: [randomBytes(32).toString('base64url')], long: { signed: true }, short: { signed: true } },
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'preferred_username'], email: ['email', 'email_verified'], phone: ['phone_number', 'phone_number_verified'] },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'phone'],
  conformIdTokenClaims: true,
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, given_name: 'Claire', family_name: 'Moreau', preferred_username: BARE_ACCOUNT }),
  }),
  interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
  },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 600, RefreshToken: 14 * 24 * 3600, Interaction: 3600, Session: 8 * 3600, Grant: 14 * 24 * 3600 },
});

function form(action: string): string {
  // Same shape as Sésame's pages, so the benchmark's driver walks both the same way.
  return `<!doctype html><form method="post" action="${action}"><input type="hidden" name="_csrf" value="bare"></form>`;
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req) {
    // The posted fields are not needed: the fixed account signs in, the consent is always given.
  }
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = form(`/interaction/${details.uid}/${details.prompt.name === 'consent' ? 'consent' : 'login'}`);
    return undefined;
  }
  await drain(ctx.req);
  let result: Parameters<Provider['interactionResult']>[2];
  if (match[2] === 'login') {
    result = { login: { accountId: BARE_ACCOUNT, remember: true } };
  } else {
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details.missingOIDCScope as string[] | undefined;
    if (missing?.length) grant.addOIDCScope(missing.join(' '));
    result = { consent: { grantId: await grant.save() } };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(to);
  return undefined;
});

const server = provider.listen(port, '127.0.0.1');
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
