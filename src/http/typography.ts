// French typography, applied once to every rendered page (src/http/views.ts) rather than by hand in each string:
// no-break spaces where a line must not break (SCREENS.md «French typography»). Only text between tags changes;
// tags, attributes (URLs, values) and the content of <script>, <style>, <pre> and <textarea> are left as written.

/** U+00A0: before `:`, inside phone numbers, between a number and its unit. */
export const NBSP = '\u00A0';
/** U+202F: before `; ! ?` and inside « ». */
export const NNBSP = '\u202F';

// Breakable white space; and any space, no-break ones included, where the space is replaced (no doubling).
const SPACE = '[ \\t\\r\\n]';
const ANY_SPACE = '[ \\t\\r\\n\\u00A0\\u202F]';

// Months spelled out, so that «14 mars 2015» stays on one line.
const MONTHS = 'janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre';

const RULES: [RegExp, string | ((...groups: string[]) => string)][] = [
  // 06 12 34 56 78, +33 6 12 34 56 78, and the masked forms shown in «Mon compte» (06 ** ** ** 78): never split.
  [/(?<![\d])(?:\+\d{2,3}[ \u00A0]\d|0\d)(?:[ \u00A0](?:\d{2}|\*\*)){4}(?!\d)/g, (phone) => phone.replace(/ /g, NBSP)],
  [new RegExp(`${ANY_SPACE}*:(?=${ANY_SPACE}|$|&)`, 'g'), `${NBSP}:`],
  [new RegExp(`${ANY_SPACE}+([;!?])`, 'g'), `${NNBSP}$1`],
  [new RegExp(`«${ANY_SPACE}*`, 'g'), `«${NNBSP}`],
  [new RegExp(`${ANY_SPACE}*»`, 'g'), `${NNBSP}»`],
  // A number and what it counts: «10 minutes», «3 essais», «14 mars».
  [new RegExp(`(\\d)${SPACE}+(?=\\p{L})`, 'gu'), `$1${NBSP}`],
  // «mars 2015».
  [new RegExp(`(${MONTHS})${SPACE}+(?=\\d)`, 'giu'), `$1${NBSP}`],
];

/** The text of one text node with French no-break spaces. */
export function frenchSpaces(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement as string);
  return out;
}

const RAW_ELEMENTS = /^<(script|style|pre|textarea)\b/i;

/** Applies frenchSpaces to every text node of an HTML document produced by our templates. */
export function withFrenchTypography(html: string): string {
  const parts = html.split(/(<[^>]*>)/);
  let raw: string | null = null;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] as string;
    if (i % 2 === 1) {
      if (raw) {
        if (new RegExp(`^</${raw}\\s*>`, 'i').test(part)) raw = null;
      } else {
        raw = RAW_ELEMENTS.exec(part)?.[1]?.toLowerCase() ?? null;
      }
      continue;
    }
    if (!raw && part) parts[i] = frenchSpaces(part);
  }
  return parts.join('');
}
