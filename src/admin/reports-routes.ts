// Admin API for the wrong-attachment reports parents make from «Mes enfants» (src/directory/attachment-reports.ts):
// the school lists them, for one UAI or every school, to correct its own records.
import type Router from '@koa/router';
import { z } from 'zod';
import type { SesameCore } from '../sesame.js';
import { parseInput } from './validate.js';

const reportsQuery = z.object({
  uai: z.string().trim().toUpperCase().regex(/^[0-9]{7}[A-Z]$/, 'must be a UAI code (7 digits and a letter)').optional(),
});

export function mountReportRoutes(router: Router, core: SesameCore): void {
  router.get('/reports', async (ctx) => {
    // A repeated parameter (?uai=A&uai=B) is an array: refused like any other malformed value.
    const query = parseInput(reportsQuery, { uai: ctx.query.uai });
    ctx.body = { reports: await core.attachmentReports.list({ uai: query.uai }) };
  });
}
