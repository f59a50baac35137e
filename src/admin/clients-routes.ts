// Admin API for relying applications and initial access tokens (for integrators' dynamic registration).
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../http/app-error.js';
import type { SesameCore } from '../sesame.js';
import { hasInvisibleCharacters } from '../accounts/invisible-characters.js';
import { parseInput } from './validate.js';
import { HOME_DESCRIPTION_MAX, isWebAddress } from '../oidc/client-metadata.js';

const uri = z.url().max(2000);

/** The home page listing («Mes services»): where parents open the application, and one sentence about it. */
const homeUrl = uri.refine(isWebAddress, 'must be an http(s) URL without credentials');
const homeDescription = z
  .string()
  .refine((v) => !hasInvisibleCharacters(v) && !/\p{Cc}/u.test(v), 'must not contain control, bidirectional or zero-width characters')
  .trim()
  .min(1)
  .max(HOME_DESCRIPTION_MAX);

/** PATCH /clients/:id changes only the listing; null removes a value. */
const homeListing = z.object({ home_url: homeUrl.nullable().optional(), home_description: homeDescription.nullable().optional() }).strict();

const newClient = z.object({
  // Checked before trimming: `trim` would quietly drop a U+FEFF at either end.
  name: z.string().refine((v) => !hasInvisibleCharacters(v), 'must not contain bidirectional controls or zero-width characters').trim().min(1).max(200),
  redirect_uris: z.array(uri).min(1).max(20),
  post_logout_redirect_uris: z.array(uri).max(20).optional(),
  backchannel_logout_uri: uri.optional(),
  scope: z.string().trim().max(500).regex(/^[A-Za-z0-9_:. -]*$/).optional(),
  first_party: z.boolean().optional(),
  resource_server: z.boolean().optional(),
  public: z.boolean().optional(),
  subject_type: z.enum(['public', 'pairwise']).optional(),
  client_id: z.string().regex(/^[A-Za-z0-9._-]{3,100}$/).optional(),
  home_url: homeUrl.optional(),
  home_description: homeDescription.optional(),
});

const newIat = z.object({ expires_in: z.number().int().min(60).max(90 * 24 * 3600).optional() });

export function mountClientRoutes(router: Router, core: SesameCore): void {
  router.post('/clients', async (ctx) => {
    const input = parseInput(newClient, ctx.request.body);
    ctx.status = 201;
    ctx.body = await core.clients.add({
      name: input.name,
      redirectUris: input.redirect_uris,
      postLogoutRedirectUris: input.post_logout_redirect_uris,
      backchannelLogoutUri: input.backchannel_logout_uri,
      scope: input.scope,
      firstParty: input.first_party,
      resourceServer: input.resource_server,
      public: input.public,
      subjectType: input.subject_type,
      clientId: input.client_id,
      homeUrl: input.home_url,
      homeDescription: input.home_description,
    });
  });

  router.get('/clients', async (ctx) => {
    ctx.body = { clients: await core.clients.list() };
  });

  router.get('/clients/:id', async (ctx) => {
    const client = await core.clients.get(ctx.params.id!);
    if (!client) throw new AppError('not_found', 404, 'Client introuvable.', 'no client with this client_id');
    ctx.body = client;
  });

  router.patch('/clients/:id', async (ctx) => {
    const input = parseInput(homeListing, ctx.request.body);
    const client = await core.clients.update(ctx.params.id!, { homeUrl: input.home_url, homeDescription: input.home_description });
    if (!client) throw new AppError('not_found', 404, 'Client introuvable.', 'no client with this client_id');
    ctx.body = client;
  });

  router.delete('/clients/:id', async (ctx) => {
    if (!(await core.clients.remove(ctx.params.id!))) throw new AppError('not_found', 404, 'Client introuvable.', 'no client with this client_id');
    ctx.status = 204;
  });

  router.post('/initial-access-tokens', async (ctx) => {
    const input = parseInput(newIat, ctx.request.body);
    const { InitialAccessToken } = core.provider.get();
    const expiresIn = input.expires_in ?? 7 * 24 * 3600;
    const token = new InitialAccessToken({ expiresIn });
    const value = await token.save();
    ctx.status = 201;
    ctx.body = { initial_access_token: value, expires_in: expiresIn };
  });
}
