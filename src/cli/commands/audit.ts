// `sesame audit --account ID --since 2026-09-01 [--until …] [--kind K] [--limit N] [--json]`: the audit trail,
// newest first, read through the admin API (GET /audit). A table for people, JSON with --json.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { adminClient } from '../admin-client.js';
import { printResult, table } from '../output.js';
import { AUDIT_DATE_RULE, parseAuditDate } from '../../audit/query-dates.js';

interface AuditOptions {
  account?: string;
  kind?: string;
  since?: string;
  until?: string;
  limit?: number;
  json?: boolean;
}

interface AuditEventRow {
  at: string;
  kind: string;
  outcome: string;
  account_id: string | null;
  client_id: string | null;
  address: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** Dates are checked by the server too; refusing them here gives commander's one-line message at once. */
function date(value: string): string {
  if (!parseAuditDate(value)) throw new InvalidArgumentError(`${AUDIT_DATE_RULE}.`);
  return value;
}

function limit(value: string): number {
  const n = /^\d{1,4}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 1000)) throw new InvalidArgumentError('expected a whole number from 1 to 1000.');
  return n;
}

function describeDetails(details: Record<string, unknown>): string {
  return Object.entries(details).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('show the audit trail (sign-ins, logouts, consents, admin actions…), newest first')
    .option('--account <id>', 'only the events of this account (its id)')
    .option('--kind <kind>', 'only this kind (signin.failure), or kinds starting with a prefix ending in a dot (admin.)')
    .option('--since <date>', 'from this date or instant (2026-09-01)', date)
    .option('--until <date>', 'before this date or instant', date)
    .option('--limit <n>', 'at most this many events (default 100, at most 1000)', limit)
    .option('--json', 'print JSON')
    .action(async (options: AuditOptions) => {
      const query = new URLSearchParams();
      if (options.account) query.set('account', options.account);
      if (options.kind) query.set('kind', options.kind);
      if (options.since) query.set('since', options.since);
      if (options.until) query.set('until', options.until);
      if (options.limit) query.set('limit', String(options.limit));
      const suffix = query.size ? `?${query}` : '';
      const { events } = await adminClient().request<{ events: AuditEventRow[] }>('GET', `/audit${suffix}`);
      printResult(options, events, (rows) =>
        rows.length === 0
          ? 'No audit event matches.'
          : table([
              ['at', 'kind', 'outcome', 'account', 'client', 'address', 'details'],
              ...rows.map((e) => [e.at, e.kind, e.outcome, e.account_id ?? '-', e.client_id ?? '-', e.address ?? '-', describeDetails(e.details)]),
            ]),
      );
    });
}
