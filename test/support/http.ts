// Raw HTTP calls for protocol tests, and the checks every error answer must pass: machines get
// `{ error, error_description }` JSON with a 4xx status, people get a French HTML page without a stack trace.
import { typographyProblems } from './typography.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON, otherwise undefined. */
  json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<RawResponse> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  const text = await response.text();
  let json: unknown;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Asserts a machine-readable client error; returns its `error` code. */
export function expectJsonError(response: RawResponse, status?: number): string {
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get('content-type')).toMatch(/json/);
  expect(response.json).toEqual(expect.objectContaining({ error: expect.any(String), error_description: expect.any(String) }));
  return response.json.error as string;
}

/** Asserts a page for people: HTML in French, no JSON, no stack trace; returns the visible text. */
export function expectFrenchPage(response: { status: number; headers: Headers; text?: string; html?: string }, status?: number): string {
  const html = response.text ?? response.html ?? '';
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/text\/html/);
  expect(html).toMatch(/<html lang="fr"/);
  expect(html).not.toMatch(/\bat [\w.<>]+ \(|node_modules|Error:/);
  expect(typographyProblems(html)).toEqual([]);
  return visibleText(html);
}

/** The text a person sees: tags dropped, entities a browser would decode decoded, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

export const jsonBody = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
