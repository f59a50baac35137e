// Checks what the parent typed at each step, before it reaches the flow: each problem is a French sentence tied
// to its field, and nothing is written while any remains.
import { CONTROL, keep, text, type Checked, type FieldError } from '../common/form-input.js';
import { readMobile } from './mobile-number.js';
import { tr } from '../../i18n/request-language.js';

// Birth dates and the password step are shared with the first connection (src/flows/common/form-input.ts).
export { checkBirthdates, checkPasswordFields, readBirthdate, type Checked, type FieldError } from '../common/form-input.js';

export const NAME_MAX = 100;
export const MOBILE_MAX = 30;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u;

/** A name as typed (NFC, spaces squeezed), or the French sentence saying why it is refused. */
export function checkName(value: string | undefined, field: string, label: { empty: string; what: string }): FieldError | string {
  const v = (value ?? '').normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!v) return { field, message: label.empty };
  if (v.length > NAME_MAX) return { field, message: tr('common:form.nameTooLong', { what: label.what, max: NAME_MAX }) };
  if (CONTROL.test(v) || !NAME.test(v)) {
    return { field, message: tr('common:form.nameCharacters', { what: label.what }) };
  }
  return v;
}

/** A mobile number in E.164 (field `mobile`), or the French sentence saying why it is refused. */
export function checkMobile(value: string | undefined): FieldError | string {
  const typed = (value ?? '').trim();
  const invalid = { field: 'mobile', message: tr('common:form.mobileInvalid') };
  if (!typed) return { field: 'mobile', message: tr('common:form.mobileMissing') };
  if (typed.length > MOBILE_MAX || CONTROL.test(typed) || !/^[0-9+().\s-]+$/.test(typed)) return invalid;
  const reading = readMobile(typed);
  if (reading.ok) return reading.e164;
  if (reading.reason === 'not_mobile') {
    return { field: 'mobile', message: tr('common:form.mobileLandline') };
  }
  return invalid;
}

export interface IdentityInput {
  familyName: string;
  givenName: string;
  mobile: string;
}

export function checkIdentity(body: Record<string, unknown>): Checked<IdentityInput> {
  const errors: FieldError[] = [];
  const family = checkName(text(body, 'family_name'), 'family_name', { empty: tr('common:form.familyNameMissing'), what: tr('common:form.familyNameWhat') });
  const given = checkName(text(body, 'given_name'), 'given_name', { empty: tr('common:form.givenNameMissing'), what: tr('common:form.givenNameWhat') });
  if (typeof family !== 'string') errors.push(family);
  if (typeof given !== 'string') errors.push(given);
  const checkedMobile = checkMobile(text(body, 'mobile'));
  let mobile = '';
  if (typeof checkedMobile === 'string') mobile = checkedMobile;
  else errors.push(checkedMobile);
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
  if (!typed) return { ok: false, errors: [{ field: 'code', message: tr('activation:errors.codeMissing') }], kept: {} };
  if (!/^[0-9]{6}$/.test(typed)) {
    return { ok: false, errors: [{ field: 'code', message: tr('activation:errors.codeFormat') }], kept: {} };
  }
  return { ok: true, value: typed };
}
