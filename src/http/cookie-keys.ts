// The signer of the cookies our app signs (the CSRF token) and of oidc-provider's (_session, _interaction,
// _interaction_resume): the same signatures `keygrip` makes — HMAC-SHA1 in base64 without padding,
// `+/` written `-_` (that is base64url), the newest key signing and every key verifying — for less CPU.
//
// Why not keygrip itself: each verification there compares with `tsscmp`, which draws 32 random bytes and computes
// two more HMACs to compare two strings, and every HMAC turns the key string into a key again. That cost ≈ 38 µs
// per signed cookie read, and a sign-in reads a dozen (docs/performance.md, «CPU per sign-in»); this costs ≈ 2 µs.
// Koa and oidc-provider both take a keygrip-like object in place of the key list (`app.keys`, `cookies.keys`);
// given a list, Koa also builds a new Keygrip for every request.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** What Koa's `cookies` package calls on `app.keys`. */
export interface CookieSigner {
  sign(data: string): string;
  verify(data: string, digest: string): boolean;
  index(data: string, digest: string): number;
}

export function cookieSigner(keys: readonly string[]): CookieSigner {
  if (keys.length === 0) throw new Error('cookie keys must not be empty');
  // keygrip hands the key strings to createHmac, which reads them as UTF-8.
  const secrets: KeyObject[] = keys.map((key) => createSecretKey(Buffer.from(key, 'utf8')));
  const sign = (data: string, key: KeyObject) => createHmac('sha1', key).update(data).digest('base64url');
  const index = (data: string, digest: string): number => {
    const sent = Buffer.from(String(digest), 'utf8');
    for (let i = 0; i < secrets.length; i += 1) {
      const expected = Buffer.from(sign(data, secrets[i]!), 'utf8');
      // Constant time over the signature; its length (27 characters) is no secret.
      if (sent.length === expected.length && timingSafeEqual(sent, expected)) return i;
    }
    return -1;
  };
  return {
    sign: (data) => sign(data, secrets[0]!),
    verify: (data, digest) => index(data, digest) > -1,
    index,
  };
}
