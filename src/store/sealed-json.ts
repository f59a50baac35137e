// Values Sésame keeps in Redis that carry personal data or codes (queued SMS, journeys' flow state) are sealed with
// AES-256-GCM under a key kept in the database's secrets: a Redis dump or a Redis left open reads nothing of them,
// and a value altered or moved to another key is refused. `context` (the Redis key it is stored under, say) is
// authenticated with the value, so one flow's state cannot be replayed as another's.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealJson(key: Buffer, value: unknown, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The value sealed by `sealJson` with the same key and context; throws when the entry was altered or moved. */
export function openJson<T>(key: Buffer, entry: string, context = ''): T {
  const raw = Buffer.from(entry, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')) as T;
}
