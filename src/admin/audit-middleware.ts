// Every admin request that changes something leaves one audit event, from this one middleware rather than from each
// route: a route added later is audited without anyone remembering to. The kind comes from the route's template,
// the outcome from the status; details are the method, the template and the path's ids — never the body, which
// carries secrets (client secrets, passwords, CSV files).
import type { Context, Next } from 'koa';
import type { AuditTrail } from '../audit/trail.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * `POST /clients` → `admin.clients.create`, `DELETE /clients/:id/charter` → `admin.clients.charter.delete`,
 * `POST /keys/rotate` → `admin.keys.rotate`: the template's fixed segments, plus what a bare method on them means.
 */
export function adminKind(method: string, template: string | undefined, prefix: string): `admin.${string}` {
  if (!template) return 'admin.unmatched';
  const segments = template.slice(template.startsWith(prefix) ? prefix.length : 0).split('/')
    .filter((s) => s && !s.startsWith(':'))
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '_'));
  const verb = method === 'DELETE' ? ['delete'] : method === 'PUT' || method === 'PATCH' ? ['update'] : segments.length === 1 ? ['create'] : [];
  return `admin.${[...segments, ...verb].join('.') || 'root'}`;
}

export function auditAdminRequests(audit: AuditTrail, prefix: string) {
  return async function auditAdmin(ctx: Context, next: Next): Promise<void> {
    if (!MUTATING.has(ctx.method)) return next();
    // Read now: once a refused upload has been answered the socket may be gone, and ctx.ip would throw.
    const address = ctx.ip;
    try {
      await next();
    } finally {
      const template = (ctx as Context & { _matchedRoute?: string })._matchedRoute;
      const params = (ctx.params ?? {}) as Record<string, string>;
      audit.record({
        // A request refused for its token reaches no route: named apart, so token guessing stands out.
        kind: ctx.status === 401 ? 'admin.unauthorized' : adminKind(ctx.method, template, prefix),
        outcome: ctx.status < 400 ? 'success' : 'failure',
        address,
        details: {
          method: ctx.method,
          route: template ? template.slice(template.startsWith(prefix) ? prefix.length : 0) : 'unmatched',
          status: ctx.status,
          ...(Object.keys(params).length ? { ids: params } : {}),
        },
      });
    }
  };
}
