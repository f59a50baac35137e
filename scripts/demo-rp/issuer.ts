// The demo relying party's link to Sésame: discovery done on first need and kept once it worked, retried on the
// next request while Sésame is down, so `npm run demo` may start before or after `npm start`.
import * as oidc from 'openid-client';

export class SesameUnreachable extends Error {
  constructor(readonly issuer: string, cause: unknown) {
    super(`Sésame did not answer at ${issuer}`, { cause });
  }
}

export interface IssuerLink {
  issuer: string;
  /** The openid-client configuration; throws SesameUnreachable while discovery fails. */
  configuration(): Promise<oidc.Configuration>;
}

export function createIssuerLink(options: { issuer: string; clientId: string; clientSecret: string; timeoutSeconds?: number }): IssuerLink {
  let pending: Promise<oidc.Configuration> | undefined;
  const discover = async () => {
    try {
      const config = await oidc.discovery(
        new URL(options.issuer),
        options.clientId,
        {},
        oidc.ClientSecretBasic(options.clientSecret),
        {
          timeout: options.timeoutSeconds ?? 5,
          ...(options.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      // Also check ID token signatures against Sésame's published keys, not only the claims.
      oidc.enableNonRepudiationChecks(config);
      return config;
    } catch (err) {
      pending = undefined;
      throw new SesameUnreachable(options.issuer, err);
    }
  };
  return {
    issuer: options.issuer,
    configuration() {
      pending ??= discover();
      return pending;
    },
  };
}

/** Whether an error from openid-client is a network failure or a timeout (Sésame down), not an OAuth answer. */
export function isNetworkError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth += 1) {
    if (e instanceof SesameUnreachable) return true;
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'AbortError' || name === 'TimeoutError') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
