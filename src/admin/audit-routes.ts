// Admin API for the audit trail: GET /audit?account=&kind=&since=&until=&limit= (newest first, JSON).
import type Router from '@koa/router';
import { z } from 'zod';
import { AUDIT_QUERY_MAX, queryAuditEvents } from '../audit/queries.js';
import { AUDIT_DATE_RULE, parseAuditDate } from '../audit/query-dates.js';
import type { SesameCore } from '../sesame.js';
import { parseInput } from './validate.js';

const instant = z.string().transform((s, ctx) => {
  const d = parseAuditDate(s);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: AUDIT_DATE_RULE });
    return z.NEVER;
  }
  return d;
});

const auditQuery = z.object({
  account: z.string().min(1).max(64).regex(/^[\w-]+$/, 'expected an account id').optional(),
  kind: z.string().min(1).max(100).regex(/^[a-z0-9_.-]+$/, 'expected a kind such as signin.failure or a prefix such as admin.').optional(),
  since: instant.optional(),
  until: instant.optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_QUERY_MAX).optional(),
}).strict();

export function mountAuditRoutes(router: Router, core: SesameCore): void {
  router.get('/audit', async (ctx) => {
    const q = parseInput(auditQuery, ctx.query);
    // What is still buffered is written first: an operator asking right after an event sees it.
    await core.audit.flush();
    const events = await queryAuditEvents(core.db, { accountId: q.account, kind: q.kind, since: q.since, until: q.until, limit: q.limit });
    ctx.body = { events };
  });
}
