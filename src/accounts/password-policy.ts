// The rules a chosen password must follow (PRODUCT.md): ≥ 12 characters, or ≥ 8 with 3 of 4 character classes;
// never the identifiant, a name or a birth date; not a common password. Each failure is a French sentence.
import { COMMON_PASSWORDS } from './common-passwords.js';
import { foldToAscii } from './fold.js';

export const PASSWORD_MAX_LENGTH = 128;

export interface PasswordContext {
  identifiant?: string | undefined;
  /**
   * False while activating: the identifiant is only shown at the end, so a refusal must not name it (it is made of
   * the person's names, whose refusal is said instead).
   */
  identifiantShown?: boolean;
  /** The person's own given and family names. */
  names?: (string | null | undefined)[];
  /** The given names of the person's family (a parent's children): refused as «un prénom de votre famille». */
  familyGivenNames?: (string | null | undefined)[];
  /** Their family names, when they differ from the person's own. */
  familyNames?: (string | null | undefined)[];
  birthdates?: (string | null | undefined)[];
}

function fold(value: string): string {
  return foldToAscii(value).replace(/[^a-z0-9]/g, '');
}

/** Names worth refusing: folded, and long enough not to refuse every password containing «li» or «bo». */
function significant(values: (string | null | undefined)[] | undefined): string[] {
  return (values ?? []).filter((v): v is string => Boolean(v)).flatMap((v) => [v, ...v.split(/[\s,'’-]+/)]).map(fold).filter((v) => v.length >= 3);
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
  // The real reason, most personal first: a parent refused for a child's first name is told so.
  const contains = (values: (string | null | undefined)[] | undefined) => significant(values).some((p) => folded.includes(p));
  const ownNames = 'Le mot de passe contient votre nom ou votre prénom. Choisissez-en un autre, sans nom ni prénom.';
  if (contains(context.names)) return ownNames;
  if (contains([context.identifiant])) {
    return context.identifiantShown === false ? ownNames : 'Le mot de passe contient votre identifiant. Choisissez-en un autre.';
  }
  if (contains(context.familyGivenNames)) {
    return 'Le mot de passe contient un prénom de votre famille. Choisissez-en un autre, sans nom ni prénom.';
  }
  if (contains(context.familyNames)) {
    return 'Le mot de passe contient un nom de votre famille. Choisissez-en un autre, sans nom ni prénom.';
  }
  const dates = (context.birthdates ?? []).filter((v): v is string => Boolean(v)).flatMap(birthdateForms);
  if (dates.some((d) => folded.includes(d))) {
    return 'Le mot de passe ne doit pas contenir de date de naissance.';
  }
  return null;
}

/**
 * The rules as shown to a person before they type, in one sentence (tied to the field by aria-describedby). The
 * identifiant is named only once the person has seen it: not while activating, where it is given at the end.
 */
export function passwordRules(options: { identifiantShown: boolean }): string {
  const personal = options.identifiantShown
    ? 'ni votre identifiant, ni votre nom, ni un prénom de votre famille, ni une date de naissance'
    : 'ni votre nom, ni un prénom de votre famille, ni une date de naissance';
  return 'Votre mot de passe doit compter au moins 12 caractères, ou au moins 8 s’il mêle trois sortes de caractères '
    + 'parmi les minuscules, les majuscules, les chiffres et les caractères spéciaux ; il ne doit pas être un mot de '
    + `passe courant (comme « azerty123 ») et ne doit contenir ${personal}.`;
}
