// The French SMS Sésame sends. Each must stay in GSM-7 and within 160 characters (one segment) even with the
// longest identifiant we hand out: no typographic quotes or apostrophes, no ê â î ô û ë ï œ ç (test/unit/sms-text.test.ts).

import { countOf } from '../http/count.js';

/** The activation code, the one message a parent waits for on the activation screen. */
export function activationCodeSms(code: string, validMinutes = 10): string {
  return `Sésame : votre code est ${code}. Il expire dans ${countOf(validMinutes, 'minute')}. Ne le communiquez à personne.`;
}

/** Sent instead of a code when the guardian's account is already active: the identifiant and the way back in. */
export function accountExistsSms(identifiant: string): string {
  return `Sésame : compte déjà activé. Identifiant : ${identifiant}. Mot de passe perdu : "Mot de passe oublié" sur la page de connexion.`;
}

/** Answers «Identifiant oublié». */
export function identifiantReminderSms(identifiant: string): string {
  return `Sésame : votre identifiant est ${identifiant}. Mot de passe perdu : "Mot de passe oublié" sur la page de connexion.`;
}

/** After «Mot de passe oublié»: the owner learns of a change they may not have made. */
export function passwordChangedSms(): string {
  return `Sésame : le mot de passe de votre compte a été changé. Si ce n'est pas vous, contactez vite l'établissement.`;
}
