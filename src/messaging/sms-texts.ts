// The SMS Sésame sends, from the message catalogue (`locales/<lang>/sms.json`), in the language of the request that
// asked for them (the person's language at that moment). Each must stay in GSM-7 and within 160 characters (one
// segment) even with the longest identifiant we hand out: no typographic quotes or apostrophes, no ê â î ô û ë ï œ ç
// in French — test/unit/sms-text.test.ts checks every language written in the Latin script.
import { catalogue } from '../i18n/catalogue.js';
import { currentLanguage } from '../i18n/request-language.js';

const text = (lang: string, key: string, values?: Record<string, unknown>) => catalogue().t(lang, `sms:${key}`, values);

/** The activation code, the one message a parent waits for on the activation screen. */
export function activationCodeSms(code: string, validMinutes = 10, lang = currentLanguage()): string {
  return text(lang, 'activationCode', { code, count: validMinutes });
}

/** Sent instead of a code when the guardian's account is already active: the identifiant and the way back in. */
export function accountExistsSms(identifiant: string, lang = currentLanguage()): string {
  return text(lang, 'accountExists', { identifiant });
}

/** Answers «Identifiant oublié». */
export function identifiantReminderSms(identifiant: string, lang = currentLanguage()): string {
  return text(lang, 'identifiantReminder', { identifiant });
}

/** After «Mot de passe oublié»: the owner learns of a change they may not have made. */
export function passwordChangedSms(lang = currentLanguage()): string {
  return text(lang, 'passwordChanged');
}
