// What a relying party and a person's browser do, as plain HTTP calls timed one by one: the whole sign-in
// (authorize → profile → login form with cookies and CSRF → consent → code → token → userinfo), refresh with
// rotation, userinfo and introspection. Works against Sésame and the bare provider alike (same page shapes).
import { createHash, randomBytes } from 'node:crypto';
import { Browser, formAction, inputValue } from '../test/support/browser.js';
import type { Credentials, Target } from './targets.js';

export interface Endpoints {
  authorization: string;
  token: string;
  userinfo: string;
  introspection: string;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string;
}

export async function discoverEndpoints(issuer: string): Promise<Endpoints> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  const doc = (await response.json()) as Record<string, string>;
  return {
    authorization: doc.authorization_endpoint!,
    token: doc.token_endpoint!,
    userinfo: doc.userinfo_endpoint!,
    introspection: doc.introspection_endpoint!,
  };
}

function basicAuth(target: Target): string {
  const encode = (v: string) => encodeURIComponent(v);
  return `Basic ${Buffer.from(`${encode(target.client.id)}:${encode(target.client.secret)}`).toString('base64')}`;
}

async function postForm(url: string, target: Target, form: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: basicAuth(target), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(form).toString(),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${new URL(url).pathname} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

function tokensFrom(json: Record<string, unknown>): Tokens {
  if (typeof json.access_token !== 'string' || typeof json.id_token !== 'string') throw new Error(`token response without tokens: ${JSON.stringify(json)}`);
  const header = JSON.parse(Buffer.from(json.id_token.split('.')[0]!, 'base64url').toString()) as { alg?: string };
  if (header.alg !== 'RS256') throw new Error(`ID token signed with ${header.alg}, expected RS256`);
  return { accessToken: json.access_token, refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined, idToken: json.id_token };
}

export interface SignInResult {
  tokens: Tokens;
  /** Milliseconds of the token call alone. */
  tokenMs: number;
  /** The browser, signed in (its session cookie), for a sign-in that follows without the password (`reauthorize`). */
  browser: Browser;
}

/** An authorization request of the bench's client, with its PKCE verifier and state. */
function authorizationRequest(target: Target, endpoints: Endpoints, params: Record<string, string>) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: target.client.id,
    response_type: 'code',
    redirect_uri: target.client.redirectUri,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  }).toString();
  return { url: url.toString(), verifier, state };
}

/** The code at the relying party's callback, exchanged for tokens (ID token checked), then userinfo. */
async function redeem(target: Target, endpoints: Endpoints, location: string, request: { verifier: string; state: string }) {
  const callback = new URL(location);
  const code = callback.searchParams.get('code');
  if (!code || callback.searchParams.get('state') !== request.state) throw new Error(`callback without code: ${callback.search}`);
  const t0 = performance.now();
  const json = await postForm(endpoints.token, target, { grant_type: 'authorization_code', code, redirect_uri: target.client.redirectUri, code_verifier: request.verifier });
  const tokenMs = performance.now() - t0;
  const tokens = tokensFrom(json);
  await userinfo(endpoints, tokens.accessToken);
  return { tokens, tokenMs };
}

/** One whole sign-in of `credentials` with a fresh browser; throws with the page where it stopped. */
export async function signInFlow(target: Target, endpoints: Endpoints, credentials: Credentials): Promise<SignInResult> {
  const browser = new Browser();
  const request = authorizationRequest(target, endpoints, { scope: 'openid profile offline_access', prompt: 'consent' });

  const choice = await browser.navigate(request.url, {}, target.issuer);
  if (choice.location) throw new Error('authorization skipped the login screen');
  const form = await browser.request(`${choice.url}?profil=responsable`);
  const loginAction = formAction(form.html, /\/login$/);
  if (!loginAction) throw new Error(`no login form (${form.status}): ${form.html.slice(0, 200)}`);
  let page = await browser.navigate(
    new URL(loginAction, target.issuer).toString(),
    { form: { _csrf: inputValue(form.html, '_csrf') ?? '', profil: 'responsable', username: credentials.username, password: credentials.password } },
    target.issuer,
  );
  const consentAction = page.location ? undefined : formAction(page.html, /\/consent$/);
  if (consentAction) {
    page = await browser.navigate(new URL(consentAction, target.issuer).toString(), { form: { _csrf: inputValue(page.html, '_csrf') ?? '', decision: 'allow' } }, target.issuer);
  }
  if (!page.location) throw new Error(`sign-in stopped on a page (${page.status}): ${page.html.slice(0, 200)}`);
  return { ...(await redeem(target, endpoints, page.location, request)), browser };
}

/**
 * A sign-in that a live session answers without any page (single sign-on to an application already allowed: the
 * grant exists): authorize → code → token → userinfo. A new application would add its consent step.
 */
export async function reauthorize(target: Target, endpoints: Endpoints, browser: Browser): Promise<void> {
  const request = authorizationRequest(target, endpoints, { scope: 'openid profile' });
  const answer = await browser.navigate(request.url, {}, target.issuer);
  if (!answer.location) throw new Error(`single sign-on stopped on a page (${answer.status}): ${answer.html.slice(0, 200)}`);
  await redeem(target, endpoints, answer.location, request);
}

/** Refresh-token grant; returns the rotated tokens. */
export async function refresh(target: Target, endpoints: Endpoints, refreshToken: string): Promise<Tokens> {
  const tokens = tokensFrom(await postForm(endpoints.token, target, { grant_type: 'refresh_token', refresh_token: refreshToken }));
  if (!tokens.refreshToken || tokens.refreshToken === refreshToken) throw new Error('refresh token was not rotated');
  return tokens;
}

export async function userinfo(endpoints: Endpoints, accessToken: string): Promise<Record<string, unknown>> {
  const response = await fetch(endpoints.userinfo, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok || typeof json.sub !== 'string') throw new Error(`userinfo answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

export async function introspect(target: Target, endpoints: Endpoints, accessToken: string): Promise<void> {
  const json = await postForm(endpoints.introspection, target, { token: accessToken, token_type_hint: 'access_token' });
  if (json.active !== true) throw new Error(`introspection says inactive: ${JSON.stringify(json)}`);
}
