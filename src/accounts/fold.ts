// Folds a name to lower-case ASCII: ligatures expanded (œ → oe), accents and other marks removed (ễ → e).
// Ð/ð (eth) stand in for Vietnamese Đ in many school systems: they look the same.
const LIGATURES: Record<string, string> = { œ: 'oe', Œ: 'oe', æ: 'ae', Æ: 'ae', ß: 'ss', ø: 'o', Ø: 'o', ł: 'l', Ł: 'l', đ: 'd', Đ: 'd', ð: 'd', Ð: 'd', þ: 'th', Þ: 'th' };

export function foldToAscii(value: string): string {
  return value
    .replace(/[œŒæÆßøØłŁđĐðÐþÞ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
