// The SMS codes: 6 digits from the CSPRNG, kept only as an HMAC bound to one flow, compared in constant time.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../store/database.js';
import { getOrCreateSecret } from '../../store/secrets.js';

export interface Codes {
  generate(): string;
  /** The stored form of `code` for this flow: a code typed in another flow never matches. */
  hash(flowId: string, code: string): string;
  matches(flowId: string, code: string, stored: string | null): boolean;
}

/** The HMAC key lives with the service's other secrets: every instance checks codes the others sent. */
export async function createCodes(db: Db): Promise<Codes> {
  const secret = Buffer.from(await getOrCreateSecret(db, 'activation-code-key', () => randomBytes(32).toString('base64url')), 'base64url');
  const hash = (flowId: string, code: string) => createHmac('sha256', secret).update(`${flowId}:${code}`).digest('base64url');
  return {
    generate: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
    hash,
    matches(flowId, code, stored) {
      // Compute the HMAC even when nothing is stored, so a flow without a code takes the same time to answer.
      const typed = Buffer.from(hash(flowId, code));
      const expected = Buffer.from(stored ?? hash(flowId, 'no code'));
      return stored !== null && typed.length === expected.length && timingSafeEqual(typed, expected);
    },
  };
}
