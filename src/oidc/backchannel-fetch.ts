// oidc-provider's outgoing requests (back-channel logout) refuse loopback and private addresses, which protects
// us from a registered client pointing its logout URI at our internal network. Our own relying parties do live on
// internal hosts, so their origins — and only theirs — are exempted by name (BACKCHANNEL_ALLOWED_ORIGINS).
type FetchOptions = RequestInit & { dispatcher?: unknown };

export function createBackchannelFetch(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins.map((o) => new URL(o).origin));
  return (url: URL | string, options: FetchOptions): Promise<Response> => {
    const origin = new URL(url).origin;
    if (allowed.has(origin)) {
      const { dispatcher: _ssrfGuard, ...rest } = options;
      return fetch(url, rest);
    }
    return fetch(url, options as RequestInit);
  };
}
