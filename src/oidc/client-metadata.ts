// Sésame's own client metadata. `first_party` marks our own applications (they skip the consent page); only an
// operator may set it, so dynamic registration and registration management refuse it.
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

export const FIRST_PARTY = 'first_party';

const REGISTRATION_ROUTES = new Set(['registration', 'client_update']);

export function clientMetadataValidator(ctx: KoaContextWithOIDC | undefined, key: string, value: unknown): void {
  if (key !== FIRST_PARTY || value === undefined) return;
  if (ctx && REGISTRATION_ROUTES.has(ctx.oidc?.route ?? '')) {
    throw new errors.InvalidClientMetadata('first_party cannot be set through registration');
  }
  if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata('first_party must be a boolean');
}
