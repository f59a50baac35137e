// Times every request of the public app and counts it under a route TEMPLATE (`/interaction/:uid/login`, `token`),
// never the raw path: paths carry interaction ids and tokens, and one label value per id would grow without bound.
import type { Context, Next } from 'koa';
import { PROVIDER_ROUTES } from '../oidc/provider.js';
import type { Metrics } from './metrics.js';

const PROVIDER_BY_PATH = Object.entries(PROVIDER_ROUTES).map(([name, path]) => [path, name] as const).sort((a, b) => b[0].length - a[0].length);

export function routeLabel(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (ctx.path.startsWith('/.well-known/')) return 'discovery';
  for (const [path, name] of PROVIDER_BY_PATH) if (ctx.path === path || ctx.path.startsWith(`${path}/`)) return name;
  return 'other';
}

export function httpMetrics(metrics: Metrics) {
  return async function measure(ctx: Context, next: Next): Promise<void> {
    const stop = metrics.requests.startTimer();
    try {
      await next();
    } finally {
      // The provider answers on the raw response (ctx.respond = false); everything else through Koa.
      const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
      stop({ route: routeLabel(ctx), method: ctx.method, status: String(status) });
    }
  };
}
