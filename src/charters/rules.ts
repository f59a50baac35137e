// What a charter name and a charter text may be. Plain functions without dependencies: the admin API checks them
// at its edge, and the `sesame` command checks a file before sending it, with the same words.

/** Lower-case ASCII, digits, `-` and `_`: a name an operator types in a command and that reads well in a log. */
export const CHARTER_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Far above any real charter (a long one is ~30 000 characters), far below what would slow a page down. */
export const MAX_CHARTER_CHARS = 200_000;

export const CHARTER_NAME_RULE = 'a charter name is 1 to 63 characters: lower-case letters, digits, "-" and "_", starting with a letter or digit';

export function charterNameProblem(name: string): string | undefined {
  return CHARTER_NAME.test(name) ? undefined : CHARTER_NAME_RULE;
}

/** Why `text` cannot be a charter, in one English line, or undefined when it can. */
export function charterTextProblem(text: string): string | undefined {
  if (!text.isWellFormed()) return 'the charter is not valid Unicode text';
  if (!text.trim()) return 'the charter is empty';
  if (text.length > MAX_CHARTER_CHARS) return `the charter is longer than ${MAX_CHARTER_CHARS} characters`;
  // Tabs and line breaks are text; any other control character means a binary file (or a NUL PostgreSQL refuses).
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return 'the charter contains control characters: is it a text file?';
  return undefined;
}
