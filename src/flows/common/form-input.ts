// Form checks that several journeys share (activation, first connection): each problem is a French sentence tied
// to its field; birth dates in every common typing; the password and its confirmation.
import { PASSWORD_MAX_LENGTH } from '../../accounts/password-policy.js';
import { tr } from '../../i18n/request-language.js';

export interface FieldError {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; kept: Record<string, string> };

export const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;

export function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** A value safe to show again in the form: no control characters, bounded length. */
export function keep(value: string | undefined, max: number): string {
  return (value ?? '').replace(new RegExp(CONTROL.source, 'gu'), '').slice(0, max);
}

/**
 * Reads a date of birth into YYYY-MM-DD. Accepted (docs/activation.md): JJ/MM/AAAA, J/M/AAAA, with / - . or spaces
 * between the parts, JJMMAAAA (a phone's numeric keypad has no slash), and AAAA-MM-JJ (what a date picker sends).
 */
export function readBirthdate(typed: string): string | undefined {
  const v = typed.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const m = iso
    ? [v, iso[3], iso[2], iso[1]]
    : /^(\d{1,2})\s*[/.\s-]\s*(\d{1,2})\s*[/.\s-]\s*(\d{4})$/.exec(v) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(v);
  if (!m) return undefined;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  if (year < 1900 || date.getTime() > Date.now()) return undefined;
  return `${String(year)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Dates of birth typed in the given fields (`birthdate`, or `birthdate_1…`), in that order. */
export function checkBirthdateFields(body: Record<string, unknown>, fields: string[]): Checked<string[]> {
  const errors: FieldError[] = [];
  const kept: Record<string, string> = {};
  const values: string[] = [];
  for (const field of fields) {
    const typed = text(body, field) ?? '';
    kept[field] = keep(typed, 20);
    if (!typed.trim()) {
      errors.push({ field, message: tr('common:form.birthdateMissing') });
      continue;
    }
    const iso = typed.length <= 20 && !CONTROL.test(typed) ? readBirthdate(typed) : undefined;
    if (!iso) errors.push({ field, message: tr('common:form.birthdateInvalid') });
    else values.push(iso);
  }
  return errors.length ? { ok: false, errors, kept } : { ok: true, value: values };
}

/** One field per child: `birthdate_1` … `birthdate_<count>`. */
export function checkBirthdates(body: Record<string, unknown>, count: number): Checked<string[]> {
  return checkBirthdateFields(body, Array.from({ length: count }, (_, i) => `birthdate_${i + 1}`));
}

export function checkPasswordFields(body: Record<string, unknown>): Checked<string> {
  const password = text(body, 'password') ?? '';
  const confirm = text(body, 'password_confirm') ?? '';
  if (!password) return { ok: false, errors: [{ field: 'password', message: tr('common:form.passwordMissing') }], kept: {} };
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { ok: false, errors: [{ field: 'password', message: tr('common:form.passwordTooLong', { max: PASSWORD_MAX_LENGTH }) }], kept: {} };
  }
  if (CONTROL.test(password)) {
    return { ok: false, errors: [{ field: 'password', message: tr('common:form.passwordControl') }], kept: {} };
  }
  if (!confirm) return { ok: false, errors: [{ field: 'password_confirm', message: tr('common:form.confirmMissing') }], kept: {} };
  if (confirm !== password) {
    return { ok: false, errors: [{ field: 'password_confirm', message: tr('common:form.confirmDifferent') }], kept: {} };
  }
  return { ok: true, value: password };
}
