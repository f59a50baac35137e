// A browser stand-in over fetch: keeps cookies, follows redirects by hand (so tests can stop at the relying
// party's callback), and reads forms' hidden fields the way a person's browser would post them back.
import { expectFrenchTypography } from './typography.js';

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export class Browser {
  private cookies = new Map<string, string>();

  /** `headers` go with every request (e.g. X-Forwarded-For to act as another address behind a trusted proxy). */
  constructor(private readonly headers: Record<string, string> = {}) {}

  /** Forgets every cookie, like a person clearing them or a tab opened much later. */
  clearCookies(): void {
    this.cookies.clear();
  }

  /** One cookie's value, as this browser would send it. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Sets a cookie by hand: another browser's copy, or an altered one a script would send. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Page> {
    const headers: Record<string, string> = { accept: 'text/html', cookie: this.cookieHeader(), ...this.headers, ...init.headers };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.keep(response.headers);
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
