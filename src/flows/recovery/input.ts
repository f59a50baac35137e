// Checks what the person typed in recovery's own fields before it reaches the flow: each problem is a French
// sentence tied to its field. None of these sentences depends on whether an account exists.
import { checkEmail } from '../first-connection/input.js';
import { checkMobile, checkName } from '../activation/input.js';
import { CONTROL, keep, text, type Checked, type FieldError } from '../common/form-input.js';
import type { ForgottenInput } from './forgotten-identifiant.js';
import { tr } from '../../i18n/request-language.js';

export { checkCode } from '../activation/input.js';
export { checkPasswordFields } from '../common/form-input.js';

export const IDENTIFIANT_MAX = 100;

export function checkIdentifiant(body: Record<string, unknown>): Checked<string> {
  const typed = (text(body, 'identifiant') ?? '').trim();
  const kept = { identifiant: keep(typed, IDENTIFIANT_MAX) };
  const refuse = (message: string): Checked<string> => ({ ok: false, errors: [{ field: 'identifiant', message }], kept });
  if (!typed) return refuse(tr('recovery:errors.identifiantMissing'));
  if (typed.length > IDENTIFIANT_MAX) return refuse(tr('recovery:errors.identifiantTooLong', { max: IDENTIFIANT_MAX }));
  if (CONTROL.test(typed) || /\p{Cc}/u.test(typed)) return refuse(tr('recovery:errors.identifiantControl'));
  return { ok: true, value: typed };
}

/** Names, then a mobile or an address (the one filled in; both filled in is asked to choose). */
export function checkForgotten(body: Record<string, unknown>): Checked<ForgottenInput> {
  const errors: FieldError[] = [];
  const family = checkName(text(body, 'family_name'), 'family_name', { empty: tr('common:form.familyNameMissing'), what: tr('common:form.familyNameWhat') });
  const given = checkName(text(body, 'given_name'), 'given_name', { empty: tr('common:form.givenNameMissing'), what: tr('common:form.givenNameWhat') });
  if (typeof family !== 'string') errors.push(family);
  if (typeof given !== 'string') errors.push(given);
  const typedMobile = (text(body, 'mobile') ?? '').trim();
  const typedEmail = (text(body, 'email') ?? '').trim();
  let contact: ForgottenInput['contact'] | undefined;
  if (!typedMobile && !typedEmail) {
    errors.push({ field: 'mobile', message: tr('recovery:errors.contactMissing') });
  } else if (typedMobile && typedEmail) {
    errors.push({ field: 'email', message: tr('recovery:errors.contactBoth') });
  } else if (typedMobile) {
    const mobile = checkMobile(typedMobile);
    if (typeof mobile === 'string') contact = { kind: 'mobile', value: mobile };
    else errors.push(mobile);
  } else {
    const email = checkEmail(body, true);
    if (email.ok && email.value) contact = { kind: 'email', value: email.value };
    else if (!email.ok) errors.push(...email.errors);
  }
  if (errors.length || typeof family !== 'string' || typeof given !== 'string' || !contact) {
    return {
      ok: false,
      errors,
      kept: {
        family_name: keep(text(body, 'family_name'), 100),
        given_name: keep(text(body, 'given_name'), 100),
        mobile: keep(typedMobile, 30),
        email: keep(typedEmail, 254),
      },
    };
  }
  return { ok: true, value: { familyName: family, givenName: given, contact } };
}
