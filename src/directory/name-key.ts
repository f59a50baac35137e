// The key two spellings of one person's name share: «LE GOFF-NGUYEN Yann» and «Le Goff Nguyễn  yann» both give
// `legoffnguyen|yann`. Used to match a parent's typing against the school's data and to group siblings.
import { foldToAscii } from '../accounts/fold.js';

// Plain ASCII (most names) skips the Unicode folding, which gives the same result at a much higher cost per row.
const squash = (value: string) => (/[^\x00-\x7f]/.test(value) ? foldToAscii(value) : value.toLowerCase()).replace(/[^a-z0-9]/g, '');

export function nameKey(familyName: string, givenName: string): string {
  return `${squash(familyName)}|${squash(givenName)}`;
}
