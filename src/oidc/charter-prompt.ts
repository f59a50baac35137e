// The interaction policy: oidc-provider's login and consent prompts, with a `charter` prompt between them. It asks
// a signed-in person to accept the usage charter of the application they are going to, when that application
// requires one and they have not accepted its current version. The charter screens (src/flows/charter) answer it.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

export const CHARTER_PROMPT = 'charter';

/** The charter (name and version) this account must still accept for this client, if any. */
export type PendingCharter = (accountId: string, clientId: string) => Promise<{ name: string; version: number } | undefined>;

type Known = { accountId: string; clientId: string; charter: Awaited<ReturnType<PendingCharter>> };

/** Charters already read in this request, with the account (sign-in-lookup.ts), keyed by the provider's context. */
const readInRequest = new WeakMap<object, Known>();

/** Remembers, for this request only, the pending charter read together with the account. */
export function rememberPendingCharter(ctx: KoaContextWithOIDC, known: Known): void {
  readInRequest.set(ctx, known);
}

function pending(lookup: PendingCharter, ctx: KoaContextWithOIDC) {
  const accountId = ctx.oidc.session?.accountId;
  const clientId = ctx.oidc.client?.clientId;
  // Without a signed-in person the login prompt, which comes first, is the one asked.
  if (!accountId || !clientId) return Promise.resolve(undefined);
  const known = readInRequest.get(ctx);
  if (known && known.accountId === accountId && known.clientId === clientId) return Promise.resolve(known.charter);
  return lookup(accountId, clientId);
}

export function createInteractionPolicy(lookup: PendingCharter | undefined): interactionPolicy.DefaultPolicy {
  const { base, Prompt, Check } = interactionPolicy;
  const policy = base();
  if (!lookup) return policy;
  const prompt = new Prompt(
    { name: CHARTER_PROMPT, requestable: false },
    new Check(
      'charter_not_accepted',
      'the End-User has not accepted the current usage charter of this client',
      'interaction_required',
      async (ctx) => ((await pending(lookup, ctx)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
      async (ctx) => {
        const charter = await pending(lookup, ctx);
        return charter ? { charter: charter.name, version: charter.version } : {};
      },
    ),
  );
  const consentAt = policy.findIndex((p) => p.name === 'consent');
  policy.add(prompt, consentAt === -1 ? policy.length : consentAt);
  return policy;
}
