// Reads the mobile number a parent types into E.164 with the directory's own rules (so both sides compare the
// same form, overseas numbers included), and says why a number is refused: unreadable, or a landline.
import { normaliseMobile, phoneLibrary } from '../../directory/mobile.js';

export type MobileReading = { ok: true; e164: string } | { ok: false; reason: 'invalid' | 'not_mobile' };

export function readMobile(typed: string): MobileReading {
  const result = normaliseMobile(typed);
  if (result.ok) return result;
  const phone = phoneLibrary().parsePhoneNumberFromString(typed, 'FR');
  return { ok: false, reason: phone?.isValid() ? 'not_mobile' : 'invalid' };
}
