// Admin API for signing keys: rotation (publish-then-sign) and the list of published keys.
import type Router from '@koa/router';
import type { SesameCore } from '../sesame.js';

export function mountKeyRoutes(router: Router, core: SesameCore): void {
  router.post('/keys/rotate', async (ctx) => {
    const current = await core.rotateKeys();
    ctx.body = { current };
  });

  router.get('/keys', async (ctx) => {
    const rows = await core.db.selectFrom('signing_keys').select(['kid', 'alg', 'status', 'created_at', 'retired_at']).orderBy('created_at').execute();
    ctx.body = { keys: rows };
  });
}
