// Known devices: a browser that signed in to an account carries, in one cookie, a random device id and one HMAC
// tag per account it signed in to. Failures from a device with a tag for the account are counted apart from
// strangers', so a campaign of wrong passwords elsewhere does not lock the owner out of their own browser.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Accounts remembered per browser: a shared family computer keeps a few, and the cookie stays small (~300 bytes). */
export const MAX_ACCOUNTS_PER_DEVICE = 10;

const DEVICE_ID = /^[A-Za-z0-9_-]{22}$/;
const TAG = /^[A-Za-z0-9_-]{22}$/;

/** What a device cookie says once read: its id, and the tags of the accounts it signed in to (newest last). */
export interface Device {
  id: string;
  tags: string[];
}

export interface KnownDevices {
  /** Reads a cookie value; anything malformed is no device at all (a fresh one is made on the next success). */
  read(value: string | undefined): Device | undefined;
  /** Whether this device signed in to the identifiant before (a forged or altered tag never matches). */
  knows(device: Device | undefined, identifiant: string): boolean;
  /** The cookie value after a successful sign-in: this account's tag added (or moved last), the oldest dropped. */
  remember(device: Device | undefined, identifiant: string): string;
}

export function createKnownDevices(key: string): KnownDevices {
  // Tied to the identifiant (already lowercased), not the account's id: the limits are judged before any lookup,
  // so a known and an unknown identifiant cost the same.
  const tagFor = (deviceId: string, identifiant: string) =>
    createHmac('sha256', key).update(`${deviceId}\n${identifiant}`).digest().subarray(0, 16).toString('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  return {
    read(value) {
      const [id, ...tags] = (value ?? '').split('.');
      if (!id || !DEVICE_ID.test(id) || tags.length > MAX_ACCOUNTS_PER_DEVICE || !tags.every((t) => TAG.test(t))) return undefined;
      return { id, tags };
    },
    knows(device, identifiant) {
      if (!device) return false;
      const expected = tagFor(device.id, identifiant);
      // Every tag is compared, so the time taken does not say which one matched.
      return device.tags.reduce((found, tag) => same(tag, expected) || found, false);
    },
    remember(device, identifiant) {
      const id = device?.id ?? randomBytes(16).toString('base64url');
      const tag = tagFor(id, identifiant);
      const tags = [...(device?.tags ?? []).filter((t) => t !== tag), tag].slice(-MAX_ACCOUNTS_PER_DEVICE);
      return [id, ...tags].join('.');
    },
  };
}
