// oidc-provider's outgoing requests (back-channel logout) refuse loopback and private addresses, which protects
// us from a registered client pointing its logout URI at our internal network. Our own relying parties do live on
// internal hosts, so a logout POST is exempted only when it goes to the exact `backchannel_logout_uri` of a client
// an operator registered, on an origin listed in BACKCHANNEL_ALLOWED_ORIGINS. A dynamically registered client
// never gets the exemption, whatever URI it registers.
import { BlockList, isIP } from 'node:net';

type FetchOptions = RequestInit & { dispatcher?: unknown };

// oidc-provider builds its SSRF guard from undici's global dispatcher, which Node creates only at the first fetch:
// if the provider's first outgoing request came first, the guard would fail to set up, for good, and every later
// request would go out unchecked ("failed to setup SSRF protection"). A data: URL creates it without any network.
await fetch('data:,').catch(() => undefined);

/** Loopback, private, link-local and other special-use ranges, refused here too when written as a literal address. */
const SPECIAL_USE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  SPECIAL_USE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [['::', 127], ['::ffff:0:0', 96], ['fc00::', 7], ['fe80::', 10]] as const) SPECIAL_USE.addSubnet(net, bits, 'ipv6');

function isSpecialUseLiteral(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  return family !== 0 && SPECIAL_USE.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether `uri` is, exactly, the back-channel logout URI of an operator-registered client. */
export type OperatorLogoutUriCheck = (uri: string) => Promise<boolean>;

export function createBackchannelFetch(allowedOrigins: string[], isOperatorLogoutUri: OperatorLogoutUriCheck) {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return async (url: URL | string, options: FetchOptions): Promise<Response> => {
    const href = new URL(url).href;
    // Only back-channel logout (a POST) is exempted: a registered client's jwks_uri or sector_identifier_uri (GETs)
    // pointing at one of these hosts keeps the protection.
    if (options.method === 'POST' && allowed.has(new URL(href).origin) && (await isOperatorLogoutUri(href))) {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return fetch(url, rest);
    }
    // The provider's guard checks the address actually connected to; this one does not depend on it being set up.
    if (isSpecialUseLiteral(new URL(href).hostname)) throw new TypeError('refusing a request to a special-use IP address');
    return fetch(url, options as RequestInit);
  };
}
