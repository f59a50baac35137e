// The device cookie at the HTTP edge: read on every sign-in, written after a successful one (known-devices.ts).
import type { Context } from 'koa';

export const DEVICE_COOKIE = 'sesame.device';
/** About a year: the owner's browser stays known across school holidays; browsers cap it near 400 days anyway. */
const MAX_AGE_MS = 365 * 24 * 3600 * 1000;

export function readDeviceCookie(ctx: Context): string | undefined {
  return ctx.cookies.get(DEVICE_COOKIE);
}

export function writeDeviceCookie(ctx: Context, value: string, secure: boolean): void {
  // Not signed by Koa: each account's tag is itself an HMAC, checked in known-devices.ts.
  ctx.cookies.set(DEVICE_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure, maxAge: MAX_AGE_MS, overwrite: true });
}
