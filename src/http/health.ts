// Liveness and readiness for orchestrators: /healthz says the process answers, /readyz that the database does.
import type Router from '@koa/router';

export function mountHealthRoutes(router: Router, deps: { ready: () => Promise<boolean> }): void {
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const ok = await deps.ready();
    ctx.status = ok ? 200 : 503;
    ctx.body = ok ? { status: 'ready' } : { error: 'unavailable', error_description: 'database unreachable' };
  });
}
