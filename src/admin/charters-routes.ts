// Admin API for usage charters: add a version, list and show them, attach one to a relying application, and list
// who accepted which version.
import type Router from '@koa/router';
import { z } from 'zod';
import { CHARTER_NAME, CHARTER_NAME_RULE, charterTextProblem, MAX_CHARTER_CHARS } from '../charters/rules.js';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { parseInput } from './validate.js';

const charterName = z.string().regex(CHARTER_NAME, CHARTER_NAME_RULE);

// The length bound here only keeps zod from walking a huge string; charterTextProblem gives the reason people read.
const newVersion = z.object({ name: charterName, text: z.string().max(MAX_CHARTER_CHARS * 2) });

const attachment = z.object({ charter: charterName });

const charterNotFound = () => new AppError('charter_not_found', 404, 'Charte introuvable.', 'no charter with this name');
const clientNotFound = () => new AppError('not_found', 404, 'Client introuvable.', 'no client with this client_id');

export function mountCharterRoutes(router: Router, core: SesameCore): void {
  router.post('/charters', async (ctx) => {
    const input = parseInput(newVersion, ctx.request.body);
    const problem = charterTextProblem(input.text);
    if (problem) throw new AppError('invalid_request', 400, 'Texte de charte invalide.', `text: ${problem}`);
    const added = await core.charters.addVersion(input.name, input.text);
    core.logger.info({ charter: added.name, version: added.version }, 'charter version added');
    ctx.status = 201;
    ctx.body = { name: added.name, version: added.version, created_at: added.created_at };
  });

  router.get('/charters', async (ctx) => {
    ctx.body = { charters: await core.charters.list() };
  });

  router.get('/charters/:name', async (ctx) => {
    const name = ctx.params.name!;
    const charter = CHARTER_NAME.test(name) ? await core.charters.show(name) : undefined;
    if (!charter) throw charterNotFound();
    ctx.body = charter;
  });

  router.get('/charters/:name/acceptances', async (ctx) => {
    const name = ctx.params.name!;
    const charter = CHARTER_NAME.test(name) ? await core.charters.current(name) : undefined;
    if (!charter) throw charterNotFound();
    ctx.body = { charter: name, current_version: charter.version, acceptances: await core.charters.acceptances(name) };
  });

  router.post('/clients/:id/charter', async (ctx) => {
    const clientId = ctx.params.id!;
    const input = parseInput(attachment, ctx.request.body);
    if (!(await core.clients.get(clientId))) throw clientNotFound();
    if (!(await core.charters.attach(clientId, input.charter))) throw charterNotFound();
    core.logger.info({ clientId, charter: input.charter }, 'charter attached to client');
    ctx.body = { client_id: clientId, charter: input.charter };
  });

  router.delete('/clients/:id/charter', async (ctx) => {
    const clientId = ctx.params.id!;
    if (!(await core.clients.get(clientId))) throw clientNotFound();
    const detached = await core.charters.detach(clientId);
    if (detached) core.logger.info({ clientId }, 'charter detached from client');
    ctx.body = { client_id: clientId, charter: null };
  });
}
