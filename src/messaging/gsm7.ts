// Knows the GSM 03.38 alphabet, so Sésame can keep every SMS in GSM-7 and in one segment: a single character outside
// it switches the whole message to UCS-2 (70 characters a segment instead of 160), twice the price or more.

/** The basic table (one septet each), 3GPP TS 23.038 §6.2.1. Note `Ç` is there, lower-case `ç` is not. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: each costs two septets (escape + character). */
const EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(BASIC);
const extension = new Set(EXTENSION);

const GSM7_SINGLE = 160;
const GSM7_PART = 153; // a multipart message spends 7 septets of each part on its header
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** True when every character of `text` is in GSM-7 (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

export function smsEncoding(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/** How many SMS parts `text` is billed as. An escaped pair or a surrogate pair is never split across parts. */
export function smsSegments(text: string): number {
  if (text.length === 0) return 1;
  const gsm = isGsm7(text);
  // Cost of each character in the unit of its encoding: septets for GSM-7, UTF-16 code units for UCS-2.
  const costs = [...text].map((ch) => (gsm ? (extension.has(ch) ? 2 : 1) : ch.length));
  const total = costs.reduce((a, b) => a + b, 0);
  if (total <= (gsm ? GSM7_SINGLE : UCS2_SINGLE)) return 1;
  const part = gsm ? GSM7_PART : UCS2_PART;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return segments;
}
