// Ends every sign-in of one account at once: its oidc-provider sessions, its grants with their access and refresh
// tokens, and a back-channel logout to each relying party the sessions were signed in to. Called by a password
// reset with --revoke, and «Mon compte» after a password or email change (keeping the session that made it).
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/trail.js';

/** Finds an account's sessions and grants in the OIDC store (each adapter keeps its own index). */
export interface AccountRecordIndex {
  /** Ids of the account's unexpired sessions and grants; some may be gone already (logged out, revoked). */
  find(accountId: string): Promise<{ sessions: string[]; grants: string[] }>;
}

export interface EndedSessions {
  sessions: number;
  grants: number;
  /** Back-channel logouts delivered / not delivered (the latter are logged). */
  notified: number;
  failed: number;
}

export interface EndOptions {
  /**
   * A session to leave signed in, with the grants it holds (a password or email changed from «Mon compte»: the
   * person who made the change stays signed in in this browser; every other sign-in ends).
   */
  keepSessionId?: string | undefined;
}

export type EndAccountSessions = (accountId: string, options?: EndOptions) => Promise<EndedSessions>;

interface LogoutTarget {
  clientId: string;
  sid: string;
}

type LogoutClient = { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> };

// Every model oidc-provider ties to a grant with our features (no device flow, no CIBA).
const GRANT_MODELS = ['AccessToken', 'RefreshToken', 'AuthorizationCode'] as const;

export async function revokeGrant(provider: Provider, grantId: string): Promise<void> {
  await Promise.all(GRANT_MODELS.map((model) => provider[model].adapter.revokeByGrantId(grantId)));
  await provider.Grant.adapter.destroy(grantId);
}

/** Destroys the sessions; returns the logouts owed to relying parties and the grants the sessions held. */
async function destroySessions(provider: Provider, accountId: string, ids: string[]) {
  const logouts = new Map<string, LogoutTarget>();
  const grants = new Set<string>();
  let destroyed = 0;
  for (const id of ids) {
    const session = await provider.Session.adapter.find(id);
    // An index entry may outlive its session, and a session id is never reused for another account; checked anyway.
    if (!session || session.accountId !== accountId) continue;
    for (const [clientId, authorization] of Object.entries(session.authorizations ?? {})) {
      if (authorization.sid) logouts.set(`${clientId}\0${authorization.sid}`, { clientId, sid: authorization.sid });
      if (authorization.grantId) grants.add(authorization.grantId);
    }
    await provider.Session.adapter.destroy(id);
    destroyed += 1;
  }
  return { destroyed, logouts: [...logouts.values()], grants };
}

/** The grants a session holds (one per client it signed in to), when it is the account's. */
async function grantsOfSession(provider: Provider, accountId: string, sessionId: string): Promise<Set<string>> {
  const session = await provider.Session.adapter.find(sessionId);
  if (!session || session.accountId !== accountId) return new Set();
  return new Set(Object.values(session.authorizations ?? {}).map((a) => a.grantId).filter((g): g is string => Boolean(g)));
}

const originOf = (uri: string) => {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
};

/** Why a logout was not delivered, without the token or the full URI (which may carry a secret in its query). */
function failure(err: unknown): Record<string, unknown> {
  const e = err as Error & { response?: { status?: number }; cause?: { code?: string; message?: string } };
  if (e.response?.status) return { status: e.response.status };
  return { reason: e.name, ...(e.cause?.code ? { cause: e.cause.code } : e.cause?.message ? { cause: e.cause.message } : {}) };
}

export function createEndAccountSessions(deps: { provider: () => Provider; index: AccountRecordIndex; logger: Logger; audit?: AuditTrail }): EndAccountSessions {
  async function notify(provider: Provider, accountId: string, { clientId, sid }: LogoutTarget): Promise<boolean | undefined> {
    const client = (await provider.Client.find(clientId)) as unknown as LogoutClient | undefined;
    if (!client?.backchannelLogoutUri) return undefined;
    try {
      // The provider turns the account id into the client's pairwise subject when the client uses one.
      await client.backchannelLogout(accountId, sid);
      return true;
    } catch (err) {
      const why = failure(err);
      deps.logger.warn({ clientId, origin: originOf(client.backchannelLogoutUri), ...why }, 'back-channel logout not delivered');
      deps.audit?.record({
        kind: 'backchannel.failed', outcome: 'failure', accountId, clientId,
        details: { reason: typeof why.status === 'number' ? `http_${why.status}` : String(why.reason ?? 'delivery_failed') },
      });
      return false;
    }
  }

  return async function endAccountSessions(accountId, options = {}) {
    const provider = deps.provider();
    const found = await deps.index.find(accountId);
    const keep = options.keepSessionId;
    const kept = keep ? await grantsOfSession(provider, accountId, keep) : new Set<string>();
    const { destroyed, logouts, grants } = await destroySessions(provider, accountId, found.sessions.filter((id) => id !== keep));
    for (const grantId of found.grants) grants.add(grantId);
    for (const grantId of kept) grants.delete(grantId);
    // Grants go before relying parties are told, so that an RP reacting to the logout finds its tokens already dead.
    for (const grantId of grants) await revokeGrant(provider, grantId);
    const delivered = await Promise.all(logouts.map((target) => notify(provider, accountId, target)));
    const ended = {
      sessions: destroyed,
      grants: grants.size,
      notified: delivered.filter((d) => d === true).length,
      failed: delivered.filter((d) => d === false).length,
    };
    deps.logger.info({ accountId, ...ended }, 'account sessions ended');
    return ended;
  };
}
