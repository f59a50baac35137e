// Choosing a language among those the catalogue has: OpenID Connect's `ui_locales` (space-separated tags, in order
// of preference) and the browser's `Accept-Language` (comma-separated, with q-values). «en-GB» is served by «en».

/** The first of `wanted` (in order) that `available` has, exactly or by its primary language. */
export function firstAvailable(wanted: readonly string[], available: readonly string[]): string | undefined {
  const byLower = new Map(available.map((a) => [a.toLowerCase(), a]));
  for (const tag of wanted) {
    const lower = tag.trim().toLowerCase();
    if (!lower || lower.length > 35) continue;
    const exact = byLower.get(lower);
    if (exact) return exact;
    const primary = byLower.get(lower.split('-')[0] as string);
    if (primary) return primary;
  }
  return undefined;
}

/** `ui_locales`: «en fr». */
export function fromUiLocales(value: unknown, available: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  return firstAvailable(value.split(/\s+/), available);
}

/** Longer `Accept-Language` headers are not read (browsers send a few dozen characters). */
export const MAX_ACCEPT_LANGUAGE = 500;

/** `Accept-Language`: «en-GB,en;q=0.8,fr;q=0.5»; `*` and q=0 are ignored. */
export function fromAcceptLanguage(header: string | undefined, available: readonly string[]): string | undefined {
  if (!header || header.length > MAX_ACCEPT_LANGUAGE) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.tag !== '*' && r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return firstAvailable(ranked.map((r) => r.tag), available);
}
