// «Mes dernières connexions» in «Mon compte»: the account's latest sign-ins from the audit trail, said in French
// (when, to which service, whether it worked), so that a parent notices a sign-in that was not theirs.
import type Provider from 'oidc-provider';
import type { AuditTrail } from '../../audit/trail.js';
import { recentSignIns } from '../../audit/queries.js';
import type { Db } from '../../store/database.js';
import { formatDayAndTime as when } from '../../i18n/dates.js';
import { tr } from '../../i18n/request-language.js';

export interface RecentSignIn {
  /** «2 décembre 2026 à 17 h 05», Paris time. */
  when: string;
  /** The application's name, or «Sésame» when the sign-in was to «Mon compte» or none is known. */
  service: string;
  result: string;
  failed: boolean;
}

// `account:signIns.result.<reason>`; other reasons are a plain «Échec».
const REASONS = new Set(['wrong_credentials', 'rate_limited', 'provisional_expired', 'missing_fields', 'passkey_refused', 'account_disabled']);

export function createRecentSignIns(deps: { db: Db; audit: Pick<AuditTrail, 'flush'>; provider: () => Provider; hidden: string[] }) {
  return async function latest(accountId: string, limit = 5): Promise<RecentSignIn[]> {
    // The sign-in that just opened this page may still be in the trail's buffer.
    await deps.audit.flush();
    const rows = await recentSignIns(deps.db, accountId, limit);
    const names = new Map<string, string>();
    for (const id of new Set(rows.map((r) => r.client_id).filter((c): c is string => Boolean(c) && !deps.hidden.includes(c!)))) {
      const client = await deps.provider().Client.find(id).catch(() => undefined);
      if (client?.clientName) names.set(id, client.clientName);
    }
    return rows.map((r) => ({
      when: when(new Date(r.at)),
      service: (r.client_id && names.get(r.client_id)) ?? 'Sésame',
      result: tr(r.outcome === 'success' ? 'account:signIns.result.success' : REASONS.has(r.reason ?? '') ? `account:signIns.result.${r.reason}` : 'account:signIns.result.failed'),
      failed: r.outcome !== 'success',
    }));
  };
}
