// Every word a person reads on a screen comes from the message catalogue (src/i18n/): a heuristic scan of the pug
// views for French left outside t() — text after a tag, piped text, and quoted strings in mixin calls. Proper
// names (Sésame) and technical values (classes, URLs, attribute values without spaces) are not text.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { VIEWS_DIR } from '../../src/package-paths.js';

/** Views not converted yet (none today): listed here, they are skipped. */
const NOT_CONVERTED = new Set<string>([]);

/** Words that show a French sentence (lower case, whole words). */
const FRENCH_WORDS = /(?:^|[\s'’(«])(vous|votre|vos|le|la|les|des|du|une|un|est|et|pour|avec|au|aux|ce|cette|sur|dans|pas|ne|à|de|en|ou|qui|que|mon|mes|ma|il|elle)(?=[\s,.;:!?)»]|$)/iu;
const ACCENTED = /[àâäçéèêëîïôöùûüÿœæ’«»]/iu;

function views(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return views(full, `${prefix}${name}/`);
    return name.endsWith('.pug') ? [`${prefix}${name}`] : [];
  });
}

/** What of a pug line a person could read, once t() calls, interpolations and code are taken out. */
export function readableParts(line: string): string[] {
  let rest = line.trim();
  if (!rest || rest.startsWith('//') || rest.startsWith('-') || /^(extends|include|block|mixin|if|else|unless|each|for|case|when|doctype)\b/.test(rest)) return [];
  // t('…', { … }) calls and #{…} / !{…} interpolations print catalogue text or values.
  rest = rest.replace(/\bt\((?:[^()]|\([^()]*\))*\)/g, ' ').replace(/[#!]\{[^}]*\}/g, ' ');
  // Quoted strings without a space are identifiers, classes, URLs, field names.
  const quoted = [...rest.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2] ?? '').filter((s) => /\s/.test(s));
  rest = rest.replace(/'[^']*'|"[^"]*"/g, ' ');
  // The text after a tag (`p.lead Text`, `li: a(href=x) Text`), after `|`, or after `=` (code: nothing readable).
  const text = /^\|(.*)$/.exec(rest)?.[1] ?? /^[\w.#:-]+(?:\([^)]*\))?(?::\s*[\w.#-]+(?:\([^)]*\))?)*(?!=)\s+(.*)$/.exec(rest)?.[1] ?? '';
  return [...quoted, text].map((s) => s.replace(/\bSésame\b/g, '').trim()).filter(Boolean);
}

describe('views', () => {
  const all = views(VIEWS_DIR);

  test('there are views to check, and every one not converted yet still exists', () => {
    expect(all.length).toBeGreaterThan(50);
    for (const view of NOT_CONVERTED) expect(all).toContain(view);
  });

  test.each(all.filter((v) => !NOT_CONVERTED.has(v)))('%s has no French text outside t()', (view) => {
    const lines = readFileSync(path.join(VIEWS_DIR, view), 'utf8').split('\n');
    const found = lines.flatMap((line, i) => readableParts(line).filter((part) => FRENCH_WORDS.test(part) || ACCENTED.test(part)).map((part) => `${view}:${i + 1}: ${part}`));
    expect(found).toEqual([]);
  });

  test('the scan notices French text where it is', () => {
    expect(readableParts('  p.lead Indiquez votre nom.')).toEqual(['Indiquez votre nom.']);
    expect(readableParts("  +field('x', 'Date de naissance', { hint: 'Exemple : 06' })")).toEqual(['Date de naissance', 'Exemple : 06']);
    expect(readableParts('    | Référence de l’erreur')).toEqual(['Référence de l’erreur']);
    expect(readableParts("  p= t('a:b', { x: 'y z' })")).toEqual([]);
    expect(readableParts('  a(href="/") Sésame')).toEqual([]);
  });
});
