// The SMS codes: 6 digits from the CSPRNG, kept only as an HMAC bound to one flow (src/flows/common/one-time-secrets.ts).
import { randomInt } from 'node:crypto';
import type { Db } from '../../store/database.js';
import { createSecretHasher } from '../common/one-time-secrets.js';

export interface Codes {
  generate(): string;
  /** The stored form of `code` for this flow: a code typed in another flow never matches. */
  hash(flowId: string, code: string): string;
  matches(flowId: string, code: string, stored: string | null): boolean;
}

/** The HMAC key lives with the service's other secrets: every instance checks codes the others sent. */
export async function createCodes(db: Db): Promise<Codes> {
  const hasher = await createSecretHasher(db, 'activation-code-key');
  return {
    generate: () => String(randomInt(0, 1_000_000)).padStart(6, '0'),
    hash: hasher.hash,
    matches: hasher.matches,
  };
}
