// Checks what the parent typed at each step, before it reaches the flow: each problem is a French sentence tied
// to its field, and nothing is written while any remains.
import { PASSWORD_MAX_LENGTH } from '../../accounts/password-policy.js';
import { readMobile } from './mobile-number.js';

export interface FieldError {
  field: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[]; kept: Record<string, string> };

export const NAME_MAX = 100;
export const MOBILE_MAX = 30;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u;

function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** A value safe to show again in the form: no control characters, bounded length. */
function keep(value: string | undefined, max: number): string {
  return (value ?? '').replace(new RegExp(CONTROL.source, 'gu'), '').slice(0, max);
}

function checkName(value: string | undefined, field: string, label: { empty: string; what: string }): FieldError | string {
  const v = (value ?? '').normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!v) return { field, message: label.empty };
  if (v.length > NAME_MAX) return { field, message: `${label.what} est trop long : ${NAME_MAX} caractères au maximum.` };
  if (CONTROL.test(v) || !NAME.test(v)) {
    return { field, message: `${label.what} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.` };
  }
  return v;
}

export interface IdentityInput {
  familyName: string;
  givenName: string;
  mobile: string;
}

export function checkIdentity(body: Record<string, unknown>): Checked<IdentityInput> {
  const errors: FieldError[] = [];
  const family = checkName(text(body, 'family_name'), 'family_name', { empty: 'Indiquez votre nom.', what: 'Le nom' });
  const given = checkName(text(body, 'given_name'), 'given_name', { empty: 'Indiquez votre prénom.', what: 'Le prénom' });
  if (typeof family !== 'string') errors.push(family);
  if (typeof given !== 'string') errors.push(given);
  const typed = (text(body, 'mobile') ?? '').trim();
  let mobile = '';
  if (!typed) errors.push({ field: 'mobile', message: 'Indiquez votre numéro de téléphone portable.' });
  else if (typed.length > MOBILE_MAX || CONTROL.test(typed) || !/^[0-9+().\s-]+$/.test(typed)) {
    errors.push({ field: 'mobile', message: 'Le numéro de téléphone n’est pas valide. Exemple : 06 12 34 56 78.' });
  } else {
    const reading = readMobile(typed);
    if (reading.ok) mobile = reading.e164;
    else if (reading.reason === 'not_mobile') {
      errors.push({ field: 'mobile', message: 'Ce numéro est celui d’un téléphone fixe. Indiquez un numéro de téléphone portable, qui peut recevoir des SMS.' });
    } else errors.push({ field: 'mobile', message: 'Le numéro de téléphone n’est pas valide. Exemple : 06 12 34 56 78.' });
  }
  if (errors.length || typeof family !== 'string' || typeof given !== 'string') {
    return {
      ok: false,
      errors,
      kept: {
        family_name: keep(text(body, 'family_name'), NAME_MAX),
        given_name: keep(text(body, 'given_name'), NAME_MAX),
        mobile: keep(text(body, 'mobile'), MOBILE_MAX),
      },
    };
  }
  return { ok: true, value: { familyName: family, givenName: given, mobile } };
}

export function checkCode(body: Record<string, unknown>): Checked<string> {
  const typed = (text(body, 'code') ?? '').replace(/[\s.-]/g, '');
  if (!typed) return { ok: false, errors: [{ field: 'code', message: 'Indiquez le code reçu par SMS.' }], kept: {} };
  if (!/^[0-9]{6}$/.test(typed)) {
    return { ok: false, errors: [{ field: 'code', message: 'Le code est fait de 6 chiffres. Recopiez-le depuis le SMS reçu.' }], kept: {} };
  }
  return { ok: true, value: typed };
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

export function checkBirthdates(body: Record<string, unknown>, count: number): Checked<string[]> {
  const errors: FieldError[] = [];
  const kept: Record<string, string> = {};
  const values: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const field = `birthdate_${i}`;
    const typed = text(body, field) ?? '';
    kept[field] = keep(typed, 20);
    if (!typed.trim()) {
      errors.push({ field, message: 'Indiquez la date de naissance, par exemple 14/03/2015.' });
      continue;
    }
    const iso = typed.length <= 20 && !CONTROL.test(typed) ? readBirthdate(typed) : undefined;
    if (!iso) errors.push({ field, message: 'Cette date n’est pas valide. Écrivez-la sous la forme JJ/MM/AAAA, par exemple 14/03/2015.' });
    else values.push(iso);
  }
  return errors.length ? { ok: false, errors, kept } : { ok: true, value: values };
}

export function checkPasswordFields(body: Record<string, unknown>): Checked<string> {
  const password = text(body, 'password') ?? '';
  const confirm = text(body, 'password_confirm') ?? '';
  if (!password) return { ok: false, errors: [{ field: 'password', message: 'Choisissez un mot de passe.' }], kept: {} };
  if (password.length > PASSWORD_MAX_LENGTH) {
    return { ok: false, errors: [{ field: 'password', message: `Le mot de passe est trop long : ${PASSWORD_MAX_LENGTH} caractères au maximum.` }], kept: {} };
  }
  if (CONTROL.test(password)) {
    return { ok: false, errors: [{ field: 'password', message: 'Le mot de passe contient un caractère invisible ou de contrôle. Choisissez-en un autre.' }], kept: {} };
  }
  if (!confirm) return { ok: false, errors: [{ field: 'password_confirm', message: 'Confirmez votre mot de passe en le tapant une seconde fois.' }], kept: {} };
  if (confirm !== password) {
    return { ok: false, errors: [{ field: 'password_confirm', message: 'Les deux mots de passe ne sont pas identiques. Tapez-les de nouveau.' }], kept: {} };
  }
  return { ok: true, value: password };
}
