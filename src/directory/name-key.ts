// The key two spellings of one person's name share: «LE GOFF-NGUYEN Yann» and «Le Goff Nguyễn  yann» both give
// `legoffnguyen|yann`. Used to match a parent's typing against the school's data and to group siblings.
import { foldToAscii } from '../accounts/fold.js';

const squash = (value: string) => foldToAscii(value).replace(/[^a-z0-9]/g, '');

export function nameKey(familyName: string, givenName: string): string {
  return `${squash(familyName)}|${squash(givenName)}`;
}
