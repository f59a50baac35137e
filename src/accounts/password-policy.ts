// The rules a chosen password must follow (PRODUCT.md): ≥ 12 characters, or ≥ 8 with 3 of 4 character classes;
// never the identifiant, a name or a birth date; not a common password. Each failure is a French sentence.
import { COMMON_PASSWORDS } from './common-passwords.js';
import { foldToAscii } from './fold.js';
import { tr } from '../i18n/request-language.js';

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
  if (password.length === 0) return tr('common:form.passwordMissing');
  if (password.length > PASSWORD_MAX_LENGTH) {
    return tr('common:form.passwordTooLong', { max: PASSWORD_MAX_LENGTH });
  }
  const long = password.length >= 12;
  const mixed = password.length >= 8 && classes(password) >= 3;
  if (!long && !mixed) {
    return tr('common:password.weak');
  }
  const folded = fold(password);
  if (COMMON_PASSWORDS.has(password.toLowerCase()) || COMMON_PASSWORDS.has(folded)) {
    return tr('common:password.common');
  }
  // The real reason, most personal first: a parent refused for a child's first name is told so.
  const contains = (values: (string | null | undefined)[] | undefined) => significant(values).some((p) => folded.includes(p));
  const ownNames = tr('common:password.ownNames');
  if (contains(context.names)) return ownNames;
  if (contains([context.identifiant])) {
    return context.identifiantShown === false ? ownNames : tr('common:password.identifiant');
  }
  if (contains(context.familyGivenNames)) {
    return tr('common:password.familyGivenName');
  }
  if (contains(context.familyNames)) {
    return tr('common:password.familyName');
  }
  const dates = (context.birthdates ?? []).filter((v): v is string => Boolean(v)).flatMap(birthdateForms);
  if (dates.some((d) => folded.includes(d))) {
    return tr('common:password.birthdate');
  }
  return null;
}

/**
 * The rules as shown to a person before they type, in one sentence (tied to the field by aria-describedby). The
 * identifiant is named only once the person has seen it: not while activating, where it is given at the end.
 */
export function passwordRules(options: { identifiantShown: boolean }): string {
  return tr(options.identifiantShown ? 'common:password.rulesWithIdentifiant' : 'common:password.rules');
}
