// Folds a name to lower-case ASCII: ligatures expanded (œ → oe), accents and other marks removed (ễ → e); and, for
// identifiants, other scripts transliterated. Ð/ð (eth) stand in for Vietnamese Đ in many school systems.
import anyAscii from 'any-ascii';

const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', þ: 'th', Þ: 'th' };

export function foldToAscii(value: string): string {
  return value
    .replace(/[œŒæÆßøØłŁđĐðÐþÞ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * `foldToAscii`, then letters of other scripts transliterated by any-ascii (Иван → ivan, Γιώργος → giorgos,
 * 王小明 → wangxiaoming, محمد → mhmd): per-character tables for every script, no dependency. A name that
 * `foldToAscii` already brings to ASCII (every Latin name the import has seen so far) never reaches it.
 */
export function transliterate(value: string): string {
  const folded = foldToAscii(value);
  return /[^\x00-\x7f]/.test(folded) ? anyAscii(folded).toLowerCase() : folded;
}
