// A browser stand-in over fetch: keeps cookies, follows redirects by hand (so tests can stop at the relying
// party's callback), and reads forms' hidden fields the way a person's browser would post them back.
import { expectFrenchTypography } from './typography.js';

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

/** RFC 6265 §5.1.4: a cookie set for `/interaction/abc` goes to `/interaction/abc/consent`, not to `/interaction`. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}

/** RFC 6265 §5.1.4: without a Path attribute, the folder of the address that set the cookie. */
function defaultPath(requestPath: string): string {
  const slash = requestPath.lastIndexOf('/');
  return slash <= 0 ? '/' : requestPath.slice(0, slash);
}

export class Browser {
  /** Keyed by name and path, as a browser keeps them: oidc-provider scopes its interaction cookies by path. */
  private cookies = new Map<string, { name: string; value: string; path: string }>();

  /** `headers` go with every request (e.g. X-Forwarded-For to act as another address behind a trusted proxy). */
  constructor(private readonly headers: Record<string, string> = {}) {}

  /** Forgets every cookie, like a person clearing them or a tab opened much later. */
  clearCookies(): void {
    this.cookies.clear();
  }

  /** One cookie's value, as this browser would send it (the last one set under that name, whatever its path). */
  cookie(name: string): string | undefined {
    return [...this.cookies.values()].filter((c) => c.name === name).at(-1)?.value;
  }

  /** Sets a cookie by hand, for the whole site: another browser's copy, or an altered one a script would send. */
  setCookie(name: string, value: string): void {
    this.cookies.set(`${name}\u0000/`, { name, value, path: '/' });
  }

  /** The Cookie header this browser sends to `url`; without one, every cookie it holds (hand-made requests). */
  cookieHeader(url?: string): string {
    const path = url === undefined ? undefined : new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => path === undefined || pathMatches(path, c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private keep(url: string, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const pathAttribute = attributes.map((a) => a.trim()).find((a) => /^path=/i.test(a))?.slice(5);
      const path = pathAttribute?.startsWith('/') ? pathAttribute : defaultPath(new URL(url).pathname);
      const key = `${name}\u0000${path}`;
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  /** One request, no redirect followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { accept: 'text/html', cookie: this.cookieHeader(url), ...this.headers, ...init.headers };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.keep(url, response.headers);
    const html = await response.text();
    // Every screen an HTTP test reaches keeps its French no-break spaces (SCREENS.md «French typography»).
    if ((response.headers.get('content-type') ?? '').includes('text/html')) expectFrenchTypography(html, url);
    return { status: response.status, url, html, headers: response.headers };
  }

  /** Follows redirects until one leaves `origin` (returned unfollowed as `location`) or a page is shown. */
  async navigate(url: string, init: { form?: Record<string, string> } = {}, stopAtOrigin?: string): Promise<Page & { location?: string }> {
    let page = await this.request(url, init);
    for (let hops = 0; hops < 20 && page.status >= 300 && page.status < 400; hops += 1) {
      const location = new URL(page.headers.get('location')!, page.url).toString();
      if (stopAtOrigin && !location.startsWith(stopAtOrigin)) return { ...page, location };
      page = await this.request(location);
      page.url = location;
    }
    return page;
  }
}

/** The value of a hidden or text input in an HTML page. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];
  return tag ? /value="([^"]*)"/.exec(tag)?.[1] : undefined;
}

/** The action of the first form whose action matches `pattern`. */
export function formAction(html: string, pattern: RegExp): string | undefined {
  const actions = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  return actions.find((a) => pattern.test(a));
}
