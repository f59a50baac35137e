// Serves the few static files (stylesheet, enhancement script, icon) from memory, read once at start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import { PUBLIC_DIR } from '../package-paths.js';

const FILES: Record<string, string> = {
  'sesame.css': 'text/css; charset=utf-8',
  'sesame.js': 'text/javascript; charset=utf-8',
  'passkeys.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export function staticFiles() {
  const contents = new Map(Object.entries(FILES).map(([name, type]) => [`/static/${name}`, { type, body: readFileSync(path.join(PUBLIC_DIR, name)) }]));
  return async function serveStatic(ctx: Context, next: Next): Promise<void> {
    const file = ctx.method === 'GET' || ctx.method === 'HEAD' ? contents.get(ctx.path) : undefined;
    if (!file) return next();
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = file.body;
  };
}
