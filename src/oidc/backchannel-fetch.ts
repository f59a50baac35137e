// oidc-provider's outgoing requests (back-channel logout) refuse loopback and private addresses, which protects
// us from a registered client pointing its logout URI at our internal network. Our own relying parties do live on
// internal hosts, so their origins — and only theirs — are exempted by name (BACKCHANNEL_ALLOWED_ORIGINS).
type FetchOptions = RequestInit & { dispatcher?: unknown };

export function createBackchannelFetch(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return (url: URL | string, options: FetchOptions): Promise<Response> => {
    const origin = new URL(url).origin;
    // Only back-channel logout (a POST) is exempted: a registered client's jwks_uri or sector_identifier_uri (GETs)
    // pointing at one of these hosts keeps the protection.
    if (allowed.has(origin) && options.method === 'POST') {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return fetch(url, rest);
    }
    return fetch(url, options as RequestInit);
  };
}
