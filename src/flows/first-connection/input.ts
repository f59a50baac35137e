// Checks what the person typed in the first connection's own fields (the email; the letter form's identifiant and
// provisional password), before it reaches the flow: each problem is a French sentence tied to its field.
import { isMailAddress } from '../../messaging/mailer.js';
import { CONTROL, keep, text, type Checked } from '../common/form-input.js';
import { tr } from '../../i18n/request-language.js';

export const EMAIL_MAX = 254;

/** The address, lower-cased domain; `null` when left empty where it is optional (`skip` pressed or nothing typed). */
export function checkEmail(body: Record<string, unknown>, required: boolean): Checked<string | null> {
  const typed = (text(body, 'email') ?? '').trim();
  const kept = { email: keep(typed, EMAIL_MAX) };
  if (!typed) {
    if (!required) return { ok: true, value: null };
    return { ok: false, errors: [{ field: 'email', message: tr('first-connection:errors.emailMissing') }], kept };
  }
  if (typed.length > EMAIL_MAX) {
    return { ok: false, errors: [{ field: 'email', message: tr('common:form.emailTooLong', { max: EMAIL_MAX }) }], kept };
  }
  if (CONTROL.test(typed) || !isMailAddress(typed)) {
    return { ok: false, errors: [{ field: 'email', message: tr('common:form.emailInvalid') }], kept };
  }
  const at = typed.lastIndexOf('@');
  return { ok: true, value: `${typed.slice(0, at)}@${typed.slice(at + 1).toLowerCase()}` };
}
