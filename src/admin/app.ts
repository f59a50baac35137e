// The admin API: a separate listener (ADMIN_LISTEN, loopback by default) behind a bearer token. The `sesame`
// command is a thin client of it, so it works while the server holds the embedded database.
import { timingSafeEqual, createHash } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { metricsEndpoint } from '../metrics/metrics-route.js';
import { mountAccountRoutes } from './accounts-routes.js';
import { mountClientRoutes } from './clients-routes.js';
import { mountKeyRoutes } from './keys-routes.js';
import { mountDirectoryRoutes } from './directory-routes.js';
import { mountCharterRoutes } from './charters-routes.js';
import { mountReportRoutes } from './reports-routes.js';
import { mountAuditRoutes } from './audit-routes.js';
import { auditAdminRequests } from './audit-middleware.js';
import { assignRequestId } from '../http/request-context.js';

export const ADMIN_PREFIX = '/admin/api/v1';

export type AdminMount = (router: Router, core: SesameCore) => void;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function requireToken(token: string) {
  const expected = digest(token);
  return async function checkToken(ctx: Context, next: Next): Promise<void> {
    const header = ctx.get('authorization');
    const sent = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    // Compare digests so that the comparison takes the same time whatever the length sent.
    if (!sent || !timingSafeEqual(digest(sent), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new AppError('unauthorized', 401, 'Jeton d’administration manquant ou invalide.', 'missing or invalid admin token');
    }
    await next();
  };
}

async function jsonErrors(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body == null) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'no such admin endpoint' };
    }
  } catch (err) {
    const e = err as AppError & { status?: number; expose?: boolean; message?: string };
    if (err instanceof AppError) {
      ctx.status = err.status;
      ctx.body = { error: err.code, error_description: err.description };
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      ctx.status = e.status;
      ctx.body = { error: 'invalid_request', error_description: e.expose ? String(e.message) : 'malformed request' };
    } else {
      ctx.app.emit('error', err, ctx);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'unexpected error, see the server log' };
    }
  }
}

export function createAdminApp(core: SesameCore, extraMounts: AdminMount[] = []): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err) => core.logger.error({ err }, 'admin API error'));
  const router = new Router({ prefix: ADMIN_PREFIX });
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' }));
  for (const mount of [mountClientRoutes, mountAccountRoutes, mountKeyRoutes, mountDirectoryRoutes, mountCharterRoutes, mountReportRoutes, mountAuditRoutes, ...extraMounts]) mount(router, core);
  app.use(assignRequestId({ trustProxy: core.config.trustProxy }));
  // Outside jsonErrors, so it sees the final status of every request, refused ones included.
  app.use(auditAdminRequests(core.audit, ADMIN_PREFIX));
  app.use(jsonErrors);
  app.use(metricsEndpoint(core.metrics, core.config.admin.metricsToken));
  app.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    await next();
  });
  app.use(requireToken(core.adminToken));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
