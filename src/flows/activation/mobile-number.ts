// Reads a mobile number as people type it (06 12 34 56 78, +33 6…, 0033 6…, overseas numbers) into E.164, and
// refuses landlines: the code goes by SMS.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type MobileReading = { ok: true; e164: string } | { ok: false; reason: 'invalid' | 'not_mobile' };

export function readMobile(typed: string): MobileReading {
  const phone = parsePhoneNumberFromString(typed, 'FR');
  if (!phone || !phone.isValid()) return { ok: false, reason: 'invalid' };
  const type = phone.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, reason: 'not_mobile' };
  return { ok: true, e164: phone.number };
}
