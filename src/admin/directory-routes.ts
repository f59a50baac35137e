// Admin API for the school directory: the CSV import (streamed), the schools' notification letters, provisional
// password resets and activation statistics. The work is done in src/directory/; this file only speaks HTTP.
import type Router from '@koa/router';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { DirectoryFileError, importDirectory } from '../directory/import.js';

export function mountDirectoryRoutes(router: Router, core: SesameCore): void {
  router.post('/directory/import', async (ctx) => {
    const type = ctx.request.type;
    if (type !== 'text/csv' && type !== 'text/plain' && type !== 'application/octet-stream') {
      throw new AppError('unsupported_media_type', 415, 'Envoyez le fichier CSV tel quel (Content-Type: text/csv).', 'send the CSV file as the body, Content-Type: text/csv');
    }
    try {
      ctx.body = await importDirectory(core.db, ctx.req, { identifierStyle: core.config.identifierStyle });
    } catch (err) {
      if (err instanceof DirectoryFileError) throw new AppError('invalid_file', 400, err.message, err.message);
      throw err;
    }
    core.logger.info({ summary: { ...(ctx.body as object), rejected: undefined } }, 'directory imported');
  });
}
