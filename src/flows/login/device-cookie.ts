// The device cookie at the HTTP edge: read on every sign-in, written after a successful one (known-devices.ts).
import type { Context } from 'koa';

export const DEVICE_COOKIE = 'sesame.device';
/** About a year: the owner's browser stays known across school holidays; browsers cap it near 400 days anyway. */
const MAX_AGE_MS = 365 * 24 * 3600 * 1000;

export function readDeviceCookie(ctx: Context): string | undefined {
  return ctx.cookies.get(DEVICE_COOKIE);
}

export function writeDeviceCookie(ctx: Context, value: string, secure: boolean): void {
  // Koa writes a `sesame.device.sig` beside it (cookies are signed by default when keys are set), but
  // readDeviceCookie does not check it: each account's tag inside is itself an HMAC (known-devices.ts), which is what
  // stops a forged cookie.
  ctx.cookies.set(DEVICE_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure, maxAge: MAX_AGE_MS, overwrite: true });
}
