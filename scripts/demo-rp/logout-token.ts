// Checks a back-channel logout token the way OpenID Connect Back-Channel Logout 1.0 §2.6 asks: signed by
// Sésame's published keys, issued by Sésame for this client, typed logout+jwt, recent, carrying the logout event,
// naming a sid or a sub, without a nonce, and not seen before.
import * as jose from 'jose';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export class InvalidLogoutToken extends Error {}

export function createLogoutTokenVerifier(options: { issuer: string; clientId: string; jwksUri: () => Promise<string> }) {
  let jwks: ReturnType<typeof jose.createRemoteJWKSet> | undefined;
  const seen = new Map<string, number>();

  return async function verifyLogoutToken(token: string): Promise<{ sub?: string | undefined; sid?: string | undefined }> {
    jwks ??= jose.createRemoteJWKSet(new URL(await options.jwksUri()));
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.clientId,
        typ: 'logout+jwt',
        algorithms: ['RS256', 'ES256'],
        maxTokenAge: '5 minutes',
        requiredClaims: ['iat', 'jti', 'events'],
      }));
    } catch (err) {
      throw new InvalidLogoutToken(err instanceof Error ? err.message : 'unverifiable logout token');
    }
    const events = payload.events as Record<string, unknown> | undefined;
    if (!events || typeof events !== 'object' || typeof events[LOGOUT_EVENT] !== 'object') throw new InvalidLogoutToken('missing back-channel logout event');
    if ('nonce' in payload) throw new InvalidLogoutToken('a logout token must not carry a nonce');
    const sid = typeof payload.sid === 'string' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' ? payload.sub : undefined;
    if (!sid && !sub) throw new InvalidLogoutToken('neither sid nor sub');

    const now = Date.now();
    for (const [jti, until] of seen) if (until < now) seen.delete(jti);
    if (seen.has(payload.jti!)) throw new InvalidLogoutToken('logout token replayed');
    seen.set(payload.jti!, now + 10 * 60_000);
    return { sid, sub };
  };
}
