// The links «Mot de passe oublié» mails: a random token, kept only as an HMAC (one-time-secrets.ts) in the shared
// flow store under the kind `recovery-link`; valid RECOVERY_EMAIL_LINK_TTL_SECONDS, single use, and dead as soon as
// the account's password changes by any way (the row remembers when it last changed).
import type { Db } from '../../store/database.js';
import type { FlowStores } from '../common/flow-store.js';
import { LINK_TOKEN_PATTERN, newLinkToken, type SecretHasher } from '../common/one-time-secrets.js';

interface LinkState {
  accountId: string;
  expiresAt: number;
  usedAt: number | null;
  /** The account's password_changed_at when the link left (ISO, or null). */
  passwordChangedAt: string | null;
  interactionUid: string | null;
  clientName: string | null;
}

export type LinkVerdict =
  | { kind: 'valid'; accountId: string; interactionUid: string | null; clientName: string | null }
  | { kind: 'invalid' | 'used' | 'expired' };

export interface RecoveryLinks {
  issue(accountId: string, context: { interactionUid: string | null; clientName: string | null }): Promise<string>;
  /** What a link is, without spending it (the page before the button). */
  inspect(token: string): Promise<LinkVerdict>;
  /** Spends the link, the row locked: a second use, even in parallel, gets «used». */
  spend(token: string): Promise<LinkVerdict>;
}

const SCOPE = 'recovery-link';
// Kept past its validity so that an expired or used link can still be told apart from a wrong one.
const KEEP_AFTER_SECONDS = 24 * 3600;

export function createRecoveryLinks(db: Db, stores: FlowStores, hasher: SecretHasher, options: { ttlSeconds: number; now?: () => number }): RecoveryLinks {
  const now = options.now ?? Date.now;
  const store = stores<LinkState>({ kind: SCOPE, ttlSeconds: options.ttlSeconds + KEEP_AFTER_SECONDS });
  const rowId = (token: string) => hasher.hash(SCOPE, token);
  const changedAt = async (trx: Db, accountId: string) => {
    const row = await trx.selectFrom('accounts').select(['password_changed_at', 'state']).where('id', '=', accountId).executeTakeFirst();
    return row ? { at: row.password_changed_at ? new Date(row.password_changed_at).toISOString() : null, state: row.state } : undefined;
  };

  async function judge(trx: Db, state: LinkState): Promise<LinkVerdict> {
    const account = await changedAt(trx, state.accountId);
    // A password changed since (another link, a code, the school) or a disabled account: this link is no link.
    if (!account || account.state === 'disabled' || account.at !== state.passwordChangedAt) return state.usedAt ? { kind: 'used' } : { kind: 'invalid' };
    if (state.usedAt) return { kind: 'used' };
    if (now() >= state.expiresAt) return { kind: 'expired' };
    return { kind: 'valid', accountId: state.accountId, interactionUid: state.interactionUid, clientName: state.clientName };
  }

  return {
    async issue(accountId, context) {
      const token = newLinkToken();
      const account = await changedAt(db, accountId);
      await store.create(rowId(token), {
        accountId, expiresAt: now() + options.ttlSeconds * 1000, usedAt: null, passwordChangedAt: account?.at ?? null, ...context,
      });
      return token;
    },

    async inspect(token) {
      if (!LINK_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
      const state = await store.load(rowId(token));
      return state ? judge(db, state) : { kind: 'invalid' };
    },

    async spend(token) {
      if (!LINK_TOKEN_PATTERN.test(token)) return { kind: 'invalid' };
      const verdict = await store.update<LinkVerdict>(rowId(token), async (state, trx) => {
        const judged = await judge(trx, state);
        return { state: judged.kind === 'valid' ? { ...state, usedAt: now() } : state, result: judged };
      });
      return verdict ?? { kind: 'invalid' };
    },
  };
}
