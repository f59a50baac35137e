// Characters that change how a name reads without being seen: bidirectional controls (they can turn «Pronote» into
// text read right to left, or hide part of a name) and zero-width characters (two names that look the same differ).
// Refused everywhere a name is accepted: directory rows, the admin API, client names, activation.

/** U+202A–202E, U+2066–2069, U+200E/200F, U+061C (bidi); U+200B–200D, U+2060, U+FEFF (zero width). */
export const INVISIBLE_CHARACTERS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\u2060\ufeff]/u;

export function hasInvisibleCharacters(value: string): boolean {
  return INVISIBLE_CHARACTERS.test(value);
}
