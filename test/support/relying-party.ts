// A real relying party (openid-client) and the steps a person takes in between, over plain HTTP.
import * as oidc from 'openid-client';
import { Browser, formAction, inputValue } from './browser.js';
import { admin, type TestSesame } from './sesame.js';

export interface TestClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  [key: string]: unknown;
}

export async function registerClient(sesame: TestSesame, overrides: Record<string, unknown> = {}): Promise<TestClient> {
  const { status, json } = await admin(sesame, 'POST', '/clients', {
    name: 'Appli de test',
    redirect_uris: ['http://127.0.0.1:9/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1:9/'],
    scope: 'openid profile email phone offline_access',
    first_party: true,
    ...overrides,
  });
  if (status !== 201) throw new Error(`client registration failed: ${status} ${JSON.stringify(json)}`);
  return json as TestClient;
}

export async function discover(sesame: TestSesame, client: TestClient, metadata: Partial<oidc.ClientMetadata> = {}): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(sesame.issuer),
    client.client_id,
    { ...metadata },
    client.client_secret ? oidc.ClientSecretBasic(client.client_secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

/** What most sign-in tests start from: a first-party client, its discovered configuration, and one parent account. */
export async function clientAndParent(sesame: TestSesame, password: string): Promise<{ client: TestClient; config: oidc.Configuration; username: string }> {
  const client = await registerClient(sesame);
  const config = await discover(sesame, client);
  const created = await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password });
  return { client, config, username: created.json.identifiant as string };
}

export interface AuthorizationStart {
  url: URL;
  verifier: string;
  state: string;
  redirectUri: string;
  /** Send the request as a form POST to the authorization endpoint (OpenID Connect Core 3.1.2.1). */
  post?: boolean;
}

export interface StartOptions {
  post?: boolean;
  /** `prompt` to send; by default `consent` when offline_access is asked for (what a third-party client must send). */
  prompt?: string | null;
}

export async function startAuthorization(config: oidc.Configuration, client: TestClient, scope = 'openid profile offline_access', options: StartOptions = {}): Promise<AuthorizationStart> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const redirectUri = client.redirect_uris[0]!;
  const params: Record<string, string> = {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  };
  const prompt = options.prompt === undefined ? (scope.includes('offline_access') ? 'consent' : null) : options.prompt;
  if (prompt) params.prompt = prompt;
  return { url: oidc.buildAuthorizationUrl(config, params), verifier, state, redirectUri, ...(options.post ? { post: true } : {}) };
}

/**
 * Goes from the authorization URL to the relying party's callback like a person: profile choice, login form,
 * consent when shown. Returns the callback URL (with the code), or the page where it stopped.
 */
export async function passLogin(
  browser: Browser,
  sesame: TestSesame,
  start: AuthorizationStart,
  credentials: { username: string; password: string; profil?: 'responsable' | 'eleve' },
): Promise<{ callback?: URL; page?: { status: number; html: string } }> {
  const first = start.post
    ? await browser.navigate(`${start.url.origin}${start.url.pathname}`, { form: Object.fromEntries(start.url.searchParams) }, sesame.issuer)
    : await browser.navigate(start.url.toString(), {}, sesame.issuer);
  if (first.location) return { callback: new URL(first.location) };
  const form = await browser.request(`${first.url}?profil=${credentials.profil ?? 'responsable'}`);
  const action = formAction(form.html, /\/login$/);
  if (!action) return { page: form };
  const after = await browser.navigate(
    new URL(action, sesame.issuer).toString(),
    { form: { _csrf: inputValue(form.html, '_csrf')!, profil: credentials.profil ?? 'responsable', username: credentials.username, password: credentials.password } },
    sesame.issuer,
  );
  if (after.location) return { callback: new URL(after.location) };
  const consent = formAction(after.html, /\/consent$/);
  if (consent) {
    const granted = await browser.navigate(new URL(consent, sesame.issuer).toString(), { form: { _csrf: inputValue(after.html, '_csrf')!, decision: 'allow' } }, sesame.issuer);
    if (granted.location) return { callback: new URL(granted.location) };
    return { page: granted };
  }
  return { page: after };
}

/** The whole sign-in: returns the token response and what the relying party needs afterwards. */
export async function signIn(
  sesame: TestSesame,
  config: oidc.Configuration,
  client: TestClient,
  credentials: { username: string; password: string },
  options: { scope?: string; browser?: Browser; start?: StartOptions } = {},
) {
  const browser = options.browser ?? new Browser();
  const start = await startAuthorization(config, client, options.scope, options.start);
  const { callback, page } = await passLogin(browser, sesame, start, credentials);
  if (!callback) throw new Error(`sign-in stopped on a page (${page?.status}): ${page?.html.slice(0, 300)}`);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: start.verifier, expectedState: start.state });
  return { tokens, browser, callback, start };
}

export { oidc };
