// Turns a mobile number as a school typed it (national «06 12 34 56 78», «0692 …» in La Réunion, or international)
// into E.164, the one form activation compares against. Metropolitan France is tried first, then the overseas
// departments, whose national numbers also start with 0. The full metadata («max») is needed to tell mobiles apart.
import { createRequire } from 'node:module';
import type { CountryCode } from 'libphonenumber-js/max';

type PhoneLibrary = typeof import('libphonenumber-js/max');
let library: PhoneLibrary | undefined;
/**
 * libphonenumber-js with its full metadata, loaded by the first number read (an import, an activation), not at start:
 * the metadata is a large object that an instance may go long without, and it cost idle memory (docs/performance.md,
 * «Idle memory»). Its CommonJS build, so that reading a number stays synchronous.
 */
export function phoneLibrary(): PhoneLibrary {
  return (library ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLibrary);
}

const NATIONAL_REGIONS: CountryCode[] = ['FR', 'RE', 'GP', 'MQ', 'GF', 'YT', 'PM'];
const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

export type MobileResult = { ok: true; e164: string } | { ok: false; reason: string };

// Metropolitan mobiles written plainly («06 12 34 56 78», «06.12.34.56.78», «+33 6 12 34 56 78») are most of a file.
// They are recognised with the very pattern libphonenumber-js checks for French mobiles, from its own metadata,
// skipping its full parse, which costs more per row than everything else in the row's check.
let frenchMobile: RegExp | null | undefined;
function frenchMobilePattern(): RegExp | null {
  if (frenchMobile !== undefined) return frenchMobile;
  // The CommonJS build of libphonenumber-js/max does not export Metadata: the core's, given the same metadata file.
  const require = createRequire(import.meta.url);
  const { Metadata } = require('libphonenumber-js/core') as typeof import('libphonenumber-js/core');
  const metadata = new Metadata(require('libphonenumber-js/metadata.max.json') as import('libphonenumber-js/core').MetadataJson);
  metadata.selectNumberingPlan('FR');
  const plan = metadata.numberingPlan as unknown as { type(t: string): { pattern(): string } | undefined } | undefined;
  const pattern = plan?.type('MOBILE')?.pattern();
  return (frenchMobile = pattern ? new RegExp(`^(?:${pattern})$`) : null);
}

function plainFrenchMobile(raw: string): string | null {
  const FRENCH_MOBILE = frenchMobilePattern();
  if (!FRENCH_MOBILE || !/^(?:0|\+33)[0-9 .-]+$/.test(raw)) return null;
  const digits = raw.replace(/[ .-]/g, '');
  const national = /^0[1-9][0-9]{8}$/.test(digits) ? digits.slice(1) : /^\+33[1-9][0-9]{8}$/.test(digits) ? digits.slice(3) : null;
  return national && FRENCH_MOBILE.test(national) ? `+33${national}` : null;
}

export function normaliseMobile(value: string): MobileResult {
  const raw = value.trim();
  if (!/^[+0-9 ().\-/]{6,30}$/.test(raw)) return { ok: false, reason: 'numéro de portable illisible (chiffres, espaces, points ou tirets attendus)' };
  const plain = plainFrenchMobile(raw);
  if (plain) return { ok: true, e164: plain };
  return parseMobile(raw);
}

/** The full parse, through libphonenumber-js: every form and region (exported so a test can compare both paths). */
export function parseMobile(raw: string): MobileResult {
  const regions = raw.startsWith('+') || raw.startsWith('00') ? ['FR' as CountryCode] : NATIONAL_REGIONS;
  const international = raw.startsWith('00') ? `+${raw.slice(2)}` : raw;
  const { parsePhoneNumberFromString } = phoneLibrary();
  let valid = false;
  for (const region of regions) {
    const phone = parsePhoneNumberFromString(international, region);
    if (!phone?.isValid()) continue;
    valid = true;
    const type = phone.getType();
    // Some numbering plans do not say which numbers are mobiles; a valid number of unknown type is accepted.
    if (type === undefined || MOBILE_TYPES.has(type)) return { ok: true, e164: phone.number };
  }
  return valid
    ? { ok: false, reason: 'ce numéro n’est pas un numéro de portable : l’activation par SMS a besoin d’un portable' }
    : { ok: false, reason: 'numéro de portable invalide' };
}
