// The one place oidc-provider is configured. Every option is written out on purpose; the reasons sit beside them
// and in docs/architecture.md. The provider reaches the rest of Sésame only through findAccount, the adapter,
// the interaction URL and the page renderers handed in here.
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { catalogue } from '../i18n/catalogue.js';
import type { Accounts } from '../accounts/accounts.js';
import { createFindAccount, pairwiseSubject, SCOPE_CLAIMS, type ClaimsContributor } from './claims.js';
import { createBackchannelFetch, type OperatorLogoutUriCheck } from './backchannel-fetch.js';
import { clientMetadataValidator, FIRST_PARTY, HOME_DESCRIPTION, HOME_URL, RESOURCE_SERVER } from './client-metadata.js';
import { firstPartyOfflineAccess, noCacheTokenResponses, pinIssuerOrigin, storeBeforeProviderAnswers } from './provider-middleware.js';
import { askBeforeLogout, type OidcPages } from './pages.js';
import { createInteractionPolicy, rememberPendingCharter, type PendingCharter } from './charter-prompt.js';
import type { FindAccountWithCharter } from './sign-in-lookup.js';
import type { Consents } from './consents.js';
import type { CookieSigner } from '../http/cookie-keys.js';

/** Where the provider's endpoints live. Anything else that our screens do not serve is a 404 of ours. */
export const PROVIDER_ROUTES = {
  authorization: '/auth',
  token: '/token',
  userinfo: '/me',
  jwks: '/jwks',
  registration: '/reg',
  introspection: '/token/introspection',
  revocation: '/token/revocation',
  end_session: '/session/end',
  pushed_authorization_request: '/request',
  // Disabled features keep their default paths so the provider's route table stays complete.
  backchannel_authentication: '/backchannel',
  code_verification: '/device',
  device_authorization: '/device/auth',
  challenge: '/challenge',
  credential: '/credential',
} as const;

/** The provider's routes where the charter prompt is asked right after findAccount. */
const CHARTER_ROUTES = new Set(['authorization', 'resume']);

const PROVIDER_PREFIXES = ['/.well-known/', ...Object.values(PROVIDER_ROUTES)];

export function isProviderPath(path: string): boolean {
  return PROVIDER_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

/**
 * Where the provider sends the browser for a prompt. Consent, which every sign-in passes (a first-party client's is
 * completed without a page), goes straight to its screen: `/interaction/:uid` (src/flows/login/routes.ts) would only
 * redirect there, one more HTTP request and read of the interaction per sign-in. oidc-provider scopes the
 * `_interaction` cookie to this address's path, so the consent screen and its form's POST receive it and
 * `/interaction/:uid` itself does not. The other prompts (login, the charter) keep `/interaction/:uid`, whose
 * cookie path covers every page under it: a person coming back to it after refusing the charter is told so again.
 */
function interactionScreen(uid: string, prompt: string): string {
  return prompt === 'consent' ? `/interaction/${uid}/consent` : `/interaction/${uid}`;
}

export interface ProviderDeps {
  config: Config;
  logger: Logger;
  adapter: NonNullable<Configuration['adapter']>;
  jwks: { keys: object[] };
  /** The cookie signer, shared with our Koa app (src/http/cookie-keys.ts). */
  cookieKeys: CookieSigner;
  pairwiseSalt: string;
  accounts: Accounts;
  claimsContributors: ClaimsContributor[];
  pages: OidcPages;
  extraScopeClaims?: Record<string, string[]>;
  /** Back-channel logout may reach internal hosts only at these URIs (backchannel-fetch.ts). */
  isOperatorLogoutUri: OperatorLogoutUriCheck;
  /** When given, a signed-in person must accept the client's usage charter before consent (src/flows/charter). */
  pendingCharter?: PendingCharter;
  /** With pendingCharter: the account and its pending charter in one statement, where the sign-in asks both. */
  findAccountWithCharter?: FindAccountWithCharter;
  /** What each account allowed each third-party application, so that consent is not asked again in a new session. */
  consents?: Consents;
}

/** The origin of a URI, or undefined: never the path and query, which a relying party may fill with secrets. */
function originOf(uri: string | undefined): string | undefined {
  try {
    return uri ? new URL(uri).origin : undefined;
  } catch {
    return undefined;
  }
}

export function createProvider(deps: ProviderDeps): Provider {
  const { config } = deps;
  const findAccount = createFindAccount(deps.accounts, deps.claimsContributors);
  const scopeClaims = { ...SCOPE_CLAIMS, ...deps.extraScopeClaims };
  const salt = deps.pairwiseSalt;

  const configuration: Configuration = {
    adapter: deps.adapter,
    jwks: deps.jwks as Configuration['jwks'],
    cookies: {
      keys: deps.cookieKeys,
      names: { session: '_session', interaction: '_interaction', resume: '_interaction_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    claims: scopeClaims,
    scopes: ['openid', 'offline_access', ...Object.keys(scopeClaims).filter((s) => s !== 'openid')],
    // Scope claims go to userinfo; the ID token carries only sub and session data (smaller, never stale in logs).
    conformIdTokenClaims: true,
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => pairwiseSubject(accountId, String(client.sectorIdentifier ?? client.clientId), salt),
    findAccount: async (ctx, sub) => {
      const client = ctx.oidc.client;
      const subjectFor = (accountId: string) =>
        client?.subjectType === 'pairwise' ? pairwiseSubject(accountId, String(client.sectorIdentifier ?? client.clientId), salt) : accountId;
      // An authorization (or its resume) reads the account, then asks the charter prompt: one statement for both.
      if (deps.pendingCharter && deps.findAccountWithCharter && client && CHARTER_ROUTES.has(ctx.oidc.route)) {
        const { account, charter } = await deps.findAccountWithCharter(sub, client.clientId);
        if (account) rememberPendingCharter(ctx, { accountId: account.id, clientId: client.clientId, charter });
        return findAccount.accountFound(subjectFor, account);
      }
      return findAccount(subjectFor, sub);
    },
    // First-party clients (our own portal and applications) never show a consent page; a third-party one shows it
    // only for what the account has not allowed it yet (remembered across browser sessions: consents.ts).
    loadExistingGrant: async (ctx) => {
      const client = ctx.oidc.client!;
      const accountId = ctx.oidc.session!.accountId!;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      let scope: string | undefined;
      if ((client as unknown as Record<string, unknown>)[FIRST_PARTY]) {
        scope = ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid';
      } else {
        scope = (await deps.consents?.scopesFor(accountId, client.clientId))?.join(' ');
      }
      if (!scope) return undefined;
      // A grant of this session's own, never another session's: a logout here must not end the access elsewhere.
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
    interactions: { policy: createInteractionPolicy(deps.pendingCharter), url: async (_ctx, interaction) => interactionScreen(interaction.uid, interaction.prompt.name) },
    routes: PROVIDER_ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
      // A client registered without `scope` (dynamic registration) gets what an operator's default gives, never
      // every scope: school claims and the INE are only for clients registered with them.
      scope: 'openid profile email phone offline_access',
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    extraClientMetadata: { properties: [FIRST_PARTY, RESOURCE_SERVER, HOME_URL, HOME_DESCRIPTION], validator: clientMetadataValidator },
    enabledJWA: {
      idTokenSigningAlgValues: ['RS256', 'ES256'],
      userinfoSigningAlgValues: ['RS256', 'ES256'],
      introspectionSigningAlgValues: ['RS256', 'ES256'],
      requestObjectSigningAlgValues: ['RS256', 'ES256'],
      clientAuthSigningAlgValues: ['RS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'RS256', 'EdDSA'],
      authorizationSigningAlgValues: ['RS256', 'ES256'],
    },
    features: {
      devInteractions: { enabled: false },
      // Optional sender-constrained tokens for relying parties that want them; never required.
      dPoP: { enabled: true },
      // PAR is accepted (keeps long requests off the URL) but not required: known integrations use plain redirects.
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      // No separate resource servers yet: access tokens are for userinfo only, so no resource indicators.
      resourceIndicators: { enabled: false },
      // A token's own client, or a resource server an operator marked, may learn about it; anyone else gets
      // {"active":false} (the provider's default lets any confidential client introspect any token).
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          client.clientId === token.clientId || (client.clientAuthMethod !== 'none' && (client as unknown as Record<string, unknown>)[RESOURCE_SERVER] === true),
      },
      // Only a token's own client may revoke it; another client's request is answered 200 and changes nothing,
      // which tells it nothing about the token either (RFC 7009 2.2).
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => client.clientId === token.clientId },
      userinfo: { enabled: true },
      claimsParameter: { enabled: false },
      requestObjects: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: deps.pages.logoutSource,
        postLogoutSuccessSource: deps.pages.postLogoutSuccessSource,
      },
      registration: { enabled: true, initialAccessToken: true, issueRegistrationAccessToken: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      deviceFlow: { enabled: false },
      ciba: { enabled: false },
      mTLS: { enabled: false },
      fapi: { enabled: false },
      richAuthorizationRequests: { enabled: false },
      clientIdMetadataDocument: { enabled: false },
      attestClientAuth: { enabled: false },
      encryption: { enabled: false },
      jwtIntrospection: { enabled: false },
      jwtResponseModes: { enabled: false },
      jwtUserinfo: { enabled: false },
      webMessageResponseMode: { enabled: false },
      externalSigningSupport: { enabled: false },
      rpMetadataChoices: { enabled: false },
    },
    // Refresh tokens rotate on every use; a rotated one presented again revokes the whole grant (reuse detection).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    expiresWithSession: async (_ctx, code) => !code.scopes.has('offline_access'),
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: 60,
      IdToken: config.ttl.idToken,
      RefreshToken: config.ttl.refreshToken,
      // Long enough for a parent to receive an SMS and find birth dates in the middle of a sign-in.
      Interaction: 3600,
      Session: config.ttl.session,
      Grant: config.ttl.refreshToken,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
    },
    renderError: deps.pages.renderError,
    fetch: createBackchannelFetch(config.backchannelAllowedOrigins, deps.isOperatorLogoutUri) as typeof fetch,
    discovery: {
      claim_types_supported: ['normal'],
      // The catalogue's languages (src/i18n/): pages follow ui_locales. Claims are names and schools, the same in
      // every language, so every language the screens speak is one a relying party may ask claims in.
      ui_locales_supported: [...catalogue().languages],
      claims_locales_supported: [...catalogue().languages],
    },
    clockTolerance: 15,
    acceptQueryParamAccessTokens: false,
    allowOmittingSingleRegisteredRedirectUri: true,
    enableHttpPostMethods: false,
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.trustProxy;
  // The provider answers its own 500s; without this they would leave no trace in our log.
  provider.on('server_error', (_ctx: unknown, err: Error) => deps.logger.error({ err }, 'provider server error'));
  // A logout that does not reach a relying party leaves the person signed in there: say so, without the token, and
  // with the address's origin only (its query may carry a relying party's secret).
  provider.on('backchannel.error', (_ctx: unknown, err: Error, client: { clientId: string; backchannelLogoutUri?: string }) =>
    deps.logger.warn({ client_id: client.clientId, origin: originOf(client.backchannelLogoutUri), reason: err.message }, 'back-channel logout not delivered'),
  );
  storeBeforeProviderAnswers(provider, deps.logger);
  pinIssuerOrigin(provider, config.issuer);
  noCacheTokenResponses(provider);
  firstPartyOfflineAccess(provider, PROVIDER_ROUTES.authorization);
  askBeforeLogout(provider, deps.pages, PROVIDER_ROUTES.end_session);
  return provider;
}

export type { KoaContextWithOIDC };
