// The key two spellings of one person's name share: «LE GOFF-NGUYEN Yann» and «Le Goff Nguyễn  yann» both give
// `legoffnguyen|yann`; «ПЕТРОВА Анна» gives `петрова|анна`. Used to match a parent's typing against the school's
// data and to group one guardian's rows. A name with no letter or digit gives the empty key, which matches nothing.
import { foldToAscii } from '../accounts/fold.js';

/** The key of a name that has none: never stored as a match, never equal to a guardian's (see `hasNameKey`). */
export const NO_NAME_KEY = '';

/**
 * Unicode folding: Latin ligatures expanded as before (œ → oe), compatibility decomposition (NFKD), combining marks
 * removed, case folded (Greek final sigma included), then only letters and digits of every script kept.
 * Plain ASCII (most names) skips it: it gives the same result at a much higher cost per row.
 */
function squash(value: string): string {
  if (!/[^\x00-\x7f]/.test(value)) return value.toLowerCase().replace(/[^a-z0-9]/g, '');
  return foldToAscii(value)
    .replace(/\p{M}+/gu, '')
    .replace(/ς/g, 'σ')
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export function nameKey(familyName: string, givenName: string): string {
  const family = squash(familyName);
  const given = squash(givenName);
  // A half-empty key («|anna») would still join every letterless family name to each other: none at all.
  return family && given ? `${family}|${given}` : NO_NAME_KEY;
}
