// What an account has given applications, as «Mon compte» lists it: the remembered consents of third-party
// applications (src/oidc/consents.ts) and the grants oidc-provider holds for any client (found through the same
// account index as account-sessions.ts). Taking an application's access back ends both for that one client.
import type Provider from 'oidc-provider';
import type { AccountRecordIndex } from './account-sessions.js';
import { revokeGrant } from './account-sessions.js';
import { FIRST_PARTY } from './client-metadata.js';
import type { Consents } from './consents.js';
import type { AuditTrail } from '../audit/trail.js';

export interface GrantedApplication {
  clientId: string;
  name: string;
  /** Our académie's own applications never asked for consent; their access still ends when taken back. */
  firstParty: boolean;
  /** Every scope allowed: the remembered consent and what live grants hold. */
  scopes: string[];
}

export interface AccountGrants {
  /** Applications that hold or may silently regain access, without `hidden` clients (Sésame's own «Mon compte»). */
  list(accountId: string): Promise<GrantedApplication[]>;
  /**
   * Withdraws the consent and revokes every grant of the account for this client, with its access and refresh
   * tokens and codes. Returns how many grants ended; false when the client held nothing of this account.
   */
  revoke(accountId: string, clientId: string): Promise<{ revoked: boolean; grants: number }>;
}

interface LiveGrant {
  id: string;
  clientId: string;
  scopes: string[];
}

export function createAccountGrants(deps: {
  provider: () => Provider;
  index: AccountRecordIndex;
  consents: Consents;
  hidden: string[];
  audit: Pick<AuditTrail, 'record'>;
}): AccountGrants {
  const hidden = new Set(deps.hidden);

  async function liveGrants(accountId: string): Promise<LiveGrant[]> {
    const provider = deps.provider();
    const { grants } = await deps.index.find(accountId);
    const found: LiveGrant[] = [];
    for (const id of grants) {
      const grant = await provider.Grant.find(id);
      // An index entry may outlive its grant; a grant is never another account's, checked anyway.
      if (!grant || grant.accountId !== accountId || !grant.clientId) continue;
      found.push({ id, clientId: grant.clientId, scopes: (grant.getOIDCScope() ?? '').split(' ').filter(Boolean) });
    }
    return found;
  }

  return {
    async list(accountId) {
      const provider = deps.provider();
      const scopes = new Map<string, Set<string>>();
      const add = (clientId: string, list: string[]) => {
        if (hidden.has(clientId)) return;
        const set = scopes.get(clientId) ?? new Set<string>();
        list.forEach((s) => set.add(s));
        scopes.set(clientId, set);
      };
      for (const { clientId, scopes: list } of await deps.consents.listFor(accountId)) add(clientId, list);
      for (const grant of await liveGrants(accountId)) add(grant.clientId, grant.scopes);
      const apps: GrantedApplication[] = [];
      for (const [clientId, set] of scopes) {
        const client = (await provider.Client.find(clientId)) as unknown as Record<string, unknown> | undefined;
        // A client removed by the operator can no longer use anything it was given: nothing to show or take back.
        if (!client) continue;
        const name = typeof client.clientName === 'string' && client.clientName.trim() ? client.clientName : clientId;
        apps.push({ clientId, name, firstParty: client[FIRST_PARTY] === true, scopes: [...set].sort() });
      }
      return apps.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    },

    async revoke(accountId, clientId) {
      if (hidden.has(clientId)) return { revoked: false, grants: 0 };
      const provider = deps.provider();
      const consented = (await deps.consents.scopesFor(accountId, clientId)).length > 0;
      const grants = (await liveGrants(accountId)).filter((g) => g.clientId === clientId);
      // The consent first: a sign-in racing with this cannot rebuild a grant from what is being withdrawn.
      await deps.consents.withdraw(accountId, clientId);
      for (const grant of grants) await revokeGrant(provider, grant.id);
      if (consented || grants.length > 0) deps.audit.record({ kind: 'consent.withdrawn', outcome: 'success', accountId, clientId, details: { count: grants.length } });
      return { revoked: consented || grants.length > 0, grants: grants.length };
    },
  };
}
