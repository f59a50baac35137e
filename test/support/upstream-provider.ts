// A second oidc-provider on 127.0.0.1 playing the upstream (FranceConnect-like): its own accounts with given_name,
// family_name (birth name), preferred_username (usage name) and birthdate; a page where the test picks the account
// or cancels (access_denied). In-memory (oidc-provider's own adapter), one client: Sésame.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { freePort } from './sesame.js';

export interface UpstreamAccount {
  sub: string;
  given_name: string;
  family_name: string;
  preferred_username?: string;
  birthdate: string;
}

export interface TestUpstream {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, UpstreamAccount>;
  /**
   * Misbehaviour to play: `nonce` puts another nonce in the ID token; `jwks` publishes a key that did not sign it
   * (a bad signature, from the relying party's point of view).
   */
  tamper: { nonce: boolean; jwks: boolean };
  /** The last authorization request's parameters, as the upstream received them. */
  lastAuthorization: () => URLSearchParams | undefined;
  close(): Promise<void>;
}

export async function startUpstream(options: { redirectUri: string; postLogoutRedirectUri: string; port?: number }): Promise<TestUpstream> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'upstream' };
  const accounts = new Map<string, UpstreamAccount>();
  const clientId = 'sesame-federation';
  const clientSecret = randomBytes(24).toString('base64url');
  let lastAuthorization: URLSearchParams | undefined;
  const tamper = { nonce: false, jwks: false };
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });

  const provider = new Provider(issuer, {
    adapter: MemoryAdapter as never,
    ttl: { Interaction: 600, Grant: 600, Session: 600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [options.redirectUri],
      post_logout_redirect_uris: [options.postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256',
    }],
    jwks: { keys: [jwk as never] },
    // Not Sésame's cookie names: the tests' browser keeps cookies by name only.
    cookies: { keys: [randomBytes(32).toString('base64url')], names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' } },
    // FranceConnect-style: one scope per claim.
    claims: { openid: ['sub'], given_name: ['given_name'], family_name: ['family_name'], preferred_username: ['preferred_username'], birthdate: ['birthdate'] },
    scopes: ['openid', 'given_name', 'family_name', 'preferred_username', 'birthdate'],
    acrValues: ['eidas1'],
    conformIdTokenClaims: true,
    findAccount: async (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ ...account }) } : undefined;
    },
    interactions: { url: async (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      // The library's form in a page of our own: its default page works the same, but prints a notice on every use.
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><html lang="fr"><body>${form}<button form="op.logoutForm" name="logout" value="yes">Se déconnecter</button></body></html>`;
        },
      },
    },
  });

  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth') {
      lastAuthorization = new URLSearchParams(ctx.querystring);
      if (tamper.nonce) {
        const query = new URLSearchParams(ctx.querystring);
        query.set('nonce', 'a-nonce-sesame-never-sent');
        ctx.querystring = query.toString();
      }
    }
    if (ctx.path === '/jwks' && tamper.jwks) {
      ctx.type = 'application/jwk-set+json';
      ctx.body = { keys: [{ ...other, use: 'sig', alg: 'RS256', kid: 'upstream' }] };
      return undefined;
    }
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(ctx.path);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<!doctype html><form method="post" action="/interaction/${details.uid}/login"><input name="account"><button name="cancel" value="1">Annuler</button></form>`;
      return undefined;
    }
    const body = new URLSearchParams(await readBody(ctx.req));
    let result: Parameters<Provider['interactionResult']>[2];
    const sub = body.get('account') ?? '';
    if (body.get('cancel') || !accounts.has(sub)) {
      result = { error: 'access_denied', error_description: 'the person cancelled' };
    } else {
      const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      result = { login: { accountId: sub }, consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
    return undefined;
  });

  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  void (server.address() as AddressInfo);
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    tamper,
    lastAuthorization: () => lastAuthorization,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A plain Map: oidc-provider's own development adapter prints a warning at every start. */
const memory = new Map<string, Record<string, unknown>>();
class MemoryAdapter {
  constructor(private readonly model: string) {}
  private key = (id: string) => `${this.model}:${id}`;
  async upsert(id: string, payload: Record<string, unknown>) {
    memory.set(this.key(id), payload);
    if (typeof payload.uid === 'string') memory.set(`${this.model}:uid:${payload.uid}`, { id });
  }
  async find(id: string) {
    return memory.get(this.key(id));
  }
  async findByUid(uid: string) {
    const ref = memory.get(`${this.model}:uid:${uid}`);
    return ref ? memory.get(this.key(String(ref.id))) : undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const payload = memory.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    memory.delete(this.key(id));
  }
  async revokeByGrantId() {
    // Nothing in these tests revokes a grant at the upstream.
  }
}

async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}
