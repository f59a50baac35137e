// GET /metrics on the admin listener (private by default: ADMIN_LISTEN is loopback). Prometheus gets its own
// token, METRICS_TOKEN, when set: a scraper must not hold the admin token, which can create clients and reset
// passwords. Nothing in the figures names a person.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Metrics } from './metrics.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsEndpoint(metrics: Metrics, token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async function serveMetrics(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== '/metrics') return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      ctx.body = { error: 'invalid_request', error_description: 'use GET' };
      return;
    }
    if (expected) {
      const header = ctx.get('authorization');
      const sent = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (!sent || !timingSafeEqual(digest(sent), expected)) {
        ctx.status = 401;
        ctx.set('WWW-Authenticate', 'Bearer');
        ctx.body = { error: 'unauthorized', error_description: 'missing or invalid metrics token' };
        return;
      }
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
