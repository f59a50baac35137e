// The rules a chosen password must follow (PRODUCT.md): ≥ 12 characters, or ≥ 8 with 3 of 4 character classes;
// never the identifiant, a name or a birth date; not a common password. Each failure is a French sentence.
import { COMMON_PASSWORDS } from './common-passwords.js';
import { foldToAscii } from './fold.js';

export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordContext {
  identifiant?: string | undefined;
  names?: (string | null | undefined)[];
  birthdates?: (string | null | undefined)[];
}

function fold(value: string): string {
  return foldToAscii(value).replace(/[^a-z0-9]/g, '');
}

function classes(password: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
}

function birthdateForms(iso: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return [];
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  return [`${d}${mo}${y}`, `${y}${mo}${d}`, `${d}${mo}${y.slice(2)}`];
}

/** Returns the French reason the password is refused, or null when it is acceptable. */
export function checkPassword(password: string, context: PasswordContext = {}): string | null {
  if (password.length === 0) return 'Choisissez un mot de passe.';
  if (password.length > PASSWORD_MAX_LENGTH) {
    return `Le mot de passe est trop long : ${PASSWORD_MAX_LENGTH} caractères au maximum.`;
  }
  const long = password.length >= 12;
  const mixed = password.length >= 8 && classes(password) >= 3;
  if (!long && !mixed) {
    return 'Le mot de passe doit contenir au moins 12 caractères, ou au moins 8 caractères avec trois types parmi : minuscules, majuscules, chiffres, caractères spéciaux.';
  }
  const folded = fold(password);
  if (COMMON_PASSWORDS.has(password.toLowerCase()) || COMMON_PASSWORDS.has(folded)) {
    return 'Ce mot de passe est trop courant. Choisissez-en un autre, par exemple une phrase de plusieurs mots.';
  }
  const personal = [context.identifiant, ...(context.names ?? [])]
    .filter((v): v is string => Boolean(v))
    .map(fold)
    .filter((v) => v.length >= 3);
  if (personal.some((p) => folded.includes(p))) {
    return 'Le mot de passe ne doit contenir ni votre identifiant ni votre nom.';
  }
  const dates = (context.birthdates ?? []).filter((v): v is string => Boolean(v)).flatMap(birthdateForms);
  if (dates.some((d) => folded.includes(d))) {
    return 'Le mot de passe ne doit pas contenir de date de naissance.';
  }
  return null;
}

/** The rules as shown to a person before they type. */
export const PASSWORD_RULES = [
  'au moins 12 caractères,',
  'ou au moins 8 caractères avec trois types parmi : minuscules, majuscules, chiffres, caractères spéciaux ;',
  'ni votre identifiant, ni votre nom, ni une date de naissance ;',
  'pas un mot de passe courant (comme « azerty123 »).',
];
