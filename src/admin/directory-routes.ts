// Admin API for the school directory: the CSV import (streamed), the schools' notification letters, provisional
// password resets and activation statistics. The work is done in src/directory/; this file only speaks HTTP.
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { DirectoryFileError, importDirectory } from '../directory/import.js';
import { printLetters, UnknownSchoolError } from '../directory/letters.js';
import { ProvisionalConflictError, resetProvisionalPassword } from '../directory/provisional-passwords.js';
import { activationStats } from '../directory/stats.js';
import { parseInput } from './validate.js';

const uai = z.string().trim().toUpperCase().regex(/^[0-9]{7}[A-Z]$/, 'must be a UAI code (7 digits and a letter)');
const lettersRequest = z.object({
  uai,
  classe: z.string().trim().min(1).max(50).regex(/^[^\p{Cc}<>]+$/u, 'must not contain control characters or markup').optional(),
  include_notified: z.boolean().optional(),
});
const statsQuery = z.object({ uai: uai.optional() });
const resetRequest = z.object({ revoke: z.boolean().optional() }).strict();
const identifiant = z.string().trim().min(1).max(120).regex(/^[A-Za-z0-9.-]+$/, 'must be an identifiant such as claire.moreau');

/**
 * Ends the account's sessions (and forgets its consents) after a revoking reset. The password is already reset by then and only this answer
 * carries the new provisional one, so a failure here is reported beside it rather than losing it; the account is
 * *notifié* meanwhile, which no session or token is accepted for.
 */
async function endSessions(core: SesameCore, accountId: string): Promise<boolean> {
  try {
    await core.endAccountSessions(accountId);
    // Whoever held the old password may have allowed applications in the owner's name: the owner is asked again.
    await core.consents.forgetAccount(accountId);
    return true;
  } catch (err) {
    core.logger.error({ err, accountId }, 'ending the sessions of a reset account failed');
    return false;
  }
}

export function mountDirectoryRoutes(router: Router, core: SesameCore): void {
  router.post('/directory/import', async (ctx) => {
    const type = ctx.request.type;
    if (type !== 'text/csv' && type !== 'text/plain' && type !== 'application/octet-stream') {
      throw new AppError('unsupported_media_type', 415, 'Envoyez le fichier CSV tel quel (Content-Type: text/csv).', 'send the CSV file as the body, Content-Type: text/csv');
    }
    try {
      ctx.body = await importDirectory(core.db, ctx.req, { identifierStyle: core.config.identifierStyle });
    } catch (err) {
      if (err instanceof DirectoryFileError) {
        // Read the rest of the upload away, so that the client gets this answer rather than a reset connection.
        ctx.req.resume();
        throw new AppError('invalid_file', 400, err.message, err.message);
      }
      throw err;
    }
    const summary = ctx.body as { rows: number; rejected_rows: number };
    core.metrics.importRows.inc({ result: 'accepted' }, summary.rows - summary.rejected_rows);
    core.metrics.importRows.inc({ result: 'rejected' }, summary.rejected_rows);
    core.logger.info({ summary: { ...(ctx.body as object), rejected: undefined } }, 'directory imported');
  });

  // The letters' PDF carries the provisional passwords; the JSON beside it never does. Passwords are stored only once
  // the PDF is rendered (printLetters), so a failure here leaves every account as it was.
  router.post('/directory/letters', async (ctx) => {
    const input = parseInput(lettersRequest, ctx.request.body);
    let printed;
    try {
      printed = await printLetters(core.db, { uai: input.uai, className: input.classe, includeNotified: input.include_notified, guardianChildren: core.config.guardianChildren }, core.renderLetters, { serviceUrl: core.config.issuer });
    } catch (err) {
      if (err instanceof UnknownSchoolError) throw new AppError('not_found', 404, 'Établissement inconnu.', 'no school with this UAI has been imported');
      if (err instanceof ProvisionalConflictError) {
        throw new AppError('conflict', 409, 'Des comptes ont changé pendant l’impression : relancez-la.', 'accounts changed while the letters were printed; nothing was stored, run it again');
      }
      throw err;
    }
    const { schoolName, letters, pdf } = printed;
    core.logger.info({ uai: input.uai, classe: input.classe, letters: letters.length }, 'notification letters issued');
    ctx.body = {
      school: { uai: input.uai, name: schoolName },
      count: letters.length,
      accounts: letters.map((l) => ({ identifiant: l.identifiant, kind: l.kind, given_name: l.givenName, family_name: l.familyName })),
      pdf: pdf ? pdf.toString('base64') : null,
    };
  });

  router.post('/accounts/:identifiant/reset-password', async (ctx) => {
    const id = parseInput(identifiant, ctx.params.identifiant);
    const { revoke } = parseInput(resetRequest, ctx.request.body ?? {});
    const outcome = await resetProvisionalPassword(core.db, id, { revoke });
    if (!outcome.ok && outcome.reason === 'unknown') throw new AppError('not_found', 404, 'Identifiant inconnu.', 'no account with this identifiant');
    if (!outcome.ok) throw new AppError('account_disabled', 409, 'Ce compte est désactivé.', 'the account is disabled; it comes back when a school lists the person again');
    core.logger.info({ identifiant: outcome.identifiant, revoke: outcome.revoked }, 'provisional password reset');
    const sessionsEnded = outcome.revoked ? await endSessions(core, outcome.accountId) : undefined;
    ctx.body = {
      identifiant: outcome.identifiant,
      provisional_password: outcome.password,
      expires_at: outcome.expiresAt.toISOString(),
      revoked: outcome.revoked,
      ...(sessionsEnded !== undefined ? { sessions_ended: sessionsEnded } : {}),
    };
  });

  router.get('/directory/stats', async (ctx) => {
    const query = parseInput(statsQuery, { uai: typeof ctx.query.uai === 'string' ? ctx.query.uai : undefined });
    ctx.body = { schools: await activationStats(core.db, { uai: query.uai }) };
  });
}
