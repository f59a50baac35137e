// Relying applications registered by operators (the admin API and `sesame clients …`). They are stored where
// oidc-provider keeps dynamically registered clients, so both kinds persist and are found the same way.
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';
import { errors, type Adapter } from 'oidc-provider';
import type { Db } from '../store/database.js';
import { AppError } from '../http/app-error.js';
import { sql } from 'kysely';
import { HOME_DESCRIPTION, HOME_URL, isWebAddress } from './client-metadata.js';

export interface NewClient {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  backchannelLogoutUri?: string | undefined;
  scope?: string | undefined;
  firstParty?: boolean | undefined;
  /** May introspect tokens issued to other clients (an API receiving them); confidential clients only. */
  resourceServer?: boolean | undefined;
  public?: boolean | undefined;
  subjectType?: 'public' | 'pairwise' | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** The home page listing («Mes services»). */
  homeUrl?: string | undefined;
  homeDescription?: string | undefined;
}

/** What `update` changes: the home page listing (null removes it). */
export interface HomeListingChange {
  homeUrl?: string | null | undefined;
  homeDescription?: string | null | undefined;
}

/** One entry of the home page's «Mes services». */
export interface HomeService {
  name: string;
  url: string;
  description: string | null;
}

export type Clients = ReturnType<typeof createClients>;

export function createClients(db: Db, provider: () => Provider) {
  const clientStore = () => (provider().Client as unknown as { adapter: Pick<Adapter, 'upsert' | 'destroy'> }).adapter;
  return {
    async add(input: NewClient): Promise<Record<string, unknown>> {
      if (input.resourceServer && input.public) {
        // Introspection needs client authentication: a public client could not prove it is the resource server.
        throw new AppError('invalid_client_metadata', 400, 'Les informations du client sont invalides.', 'a resource server must be a confidential client');
      }
      const metadata: Record<string, unknown> = {
        client_id: input.clientId ?? `sesame-${randomBytes(9).toString('base64url')}`,
        client_name: input.name,
        redirect_uris: input.redirectUris,
        post_logout_redirect_uris: input.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: input.scope ?? 'openid profile email phone offline_access',
        first_party: Boolean(input.firstParty),
        subject_type: input.subjectType ?? 'public',
        token_endpoint_auth_method: input.public ? 'none' : 'client_secret_basic',
        client_id_issued_at: Math.floor(Date.now() / 1000),
      };
      if (input.resourceServer) metadata.resource_server = true;
      if (input.homeUrl) metadata[HOME_URL] = input.homeUrl;
      if (input.homeDescription) metadata[HOME_DESCRIPTION] = input.homeDescription;
      if (!input.public) metadata.client_secret = input.clientSecret ?? randomBytes(32).toString('base64url');
      if (input.backchannelLogoutUri) {
        metadata.backchannel_logout_uri = input.backchannelLogoutUri;
        metadata.backchannel_logout_session_required = true;
      }
      const { Client } = provider();
      const exists = await Client.find(String(metadata.client_id));
      if (exists) throw new AppError('client_exists', 409, 'Ce client existe déjà.', 'a client with this client_id already exists');
      try {
        await Client.validate(metadata as never);
      } catch (err) {
        if (err instanceof errors.OIDCProviderError) {
          throw new AppError('invalid_client_metadata', 400, 'Les informations du client sont invalides.', err.error_description ?? err.message);
        }
        throw err;
      }
      await clientStore().upsert(String(metadata.client_id), metadata as never, 0);
      return metadata;
    },

    async list(): Promise<Record<string, unknown>[]> {
      const rows = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Client').orderBy('id').execute();
      return rows.map((r) => withoutSecret(r.payload as Record<string, unknown>));
    },

    async get(clientId: string): Promise<Record<string, unknown> | undefined> {
      // PostgreSQL text cannot hold NUL: such an id names no client (and would be a database error, a 500).
      if (clientId.includes('\u0000')) return undefined;
      const row = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Client').where('id', '=', clientId).executeTakeFirst();
      return row ? withoutSecret(row.payload as Record<string, unknown>) : undefined;
    },

    /**
     * Sets or removes the home page listing of an operator-registered client (a self-registered one is refused:
     * our home page lists only what the académie runs). Validated by the provider like any metadata.
     */
    async update(clientId: string, change: HomeListingChange): Promise<Record<string, unknown> | undefined> {
      if (clientId.includes('\u0000')) return undefined;
      const row = await db.selectFrom('oidc_payloads').select('payload').where('model', '=', 'Client').where('id', '=', clientId).executeTakeFirst();
      if (!row) return undefined;
      const metadata = { ...(row.payload as Record<string, unknown>) };
      if (!isOperatorRegistered(metadata)) {
        throw new AppError('not_operator_client', 409, 'Ce client ne peut pas être modifié ici.', 'only clients registered by an operator can be listed on the home page');
      }
      for (const [key, value] of [[HOME_URL, change.homeUrl], [HOME_DESCRIPTION, change.homeDescription]] as const) {
        if (value === null) delete metadata[key];
        else if (value !== undefined) metadata[key] = value;
      }
      if (metadata[HOME_DESCRIPTION] !== undefined && metadata[HOME_URL] === undefined) {
        throw new AppError('invalid_client_metadata', 400, 'Les informations du client sont invalides.', 'home_description needs a home_url');
      }
      try {
        await provider().Client.validate(metadata as never);
      } catch (err) {
        if (err instanceof errors.OIDCProviderError) {
          throw new AppError('invalid_client_metadata', 400, 'Les informations du client sont invalides.', err.error_description ?? err.message);
        }
        throw err;
      }
      // Through the provider's adapter, so that its cache of clients sees the change at once.
      await clientStore().upsert(clientId, metadata as never, 0);
      return withoutSecret(metadata);
    },

    /** «Mes services»: the operator's applications that have a home address, by name. */
    async homeServices(): Promise<HomeService[]> {
      const rows = await db
        .selectFrom('oidc_payloads')
        .select('payload')
        .where('model', '=', 'Client')
        .where(sql<boolean>`payload->>'home_url' is not null`)
        .execute();
      return rows
        .map((r) => r.payload as Record<string, unknown>)
        .filter((m) => isOperatorRegistered(m) && typeof m[HOME_URL] === 'string' && isWebAddress(m[HOME_URL]))
        .map((m) => ({
          name: String(m.client_name ?? m.client_id),
          url: m[HOME_URL] as string,
          description: typeof m[HOME_DESCRIPTION] === 'string' ? (m[HOME_DESCRIPTION] as string) : null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
    },

    async remove(clientId: string): Promise<boolean> {
      if (clientId.includes('\u0000')) return false;
      if (!(await this.get(clientId))) return false;
      // Through the provider's adapter, so that its cache of clients forgets this one at once.
      await clientStore().destroy(clientId);
      return true;
    },
  };
}

function withoutSecret(metadata: Record<string, unknown>): Record<string, unknown> {
  const { client_secret: _secret, registration_access_token: _rat, ...rest } = metadata;
  return rest;
}

/**
 * Clients registered here always carry `first_party` (true or false), which registration refuses in any form
 * (client-metadata.ts): its presence is what tells an operator's client from a self-registered one.
 */
function isOperatorRegistered(metadata: Record<string, unknown>): boolean {
  return typeof metadata.first_party === 'boolean';
}

/** Whether `uri` is, exactly (as a normalised URL), the back-channel logout URI of an operator-registered client. */
export async function isOperatorBackchannelUri(db: Db, uri: string): Promise<boolean> {
  const rows = await db
    .selectFrom('oidc_payloads')
    .select('payload')
    .where('model', '=', 'Client')
    .where(sql<boolean>`payload->>'backchannel_logout_uri' is not null`)
    .execute();
  return rows.some(({ payload }) => {
    const metadata = payload as Record<string, unknown>;
    return isOperatorRegistered(metadata) && URL.canParse(String(metadata.backchannel_logout_uri)) && new URL(String(metadata.backchannel_logout_uri)).href === uri;
  });
}
