// The mails Sésame sends, from the message catalogue (`locales/<lang>/mail.json`) in the language of the request
// that asked for them, each in a text and an HTML version: what to do (a link, and the address spelled
// out for mail readers that hide links), who sends it and why, and what to do if it was not you (SCREENS.md).
import type { MailMessage } from './mailer.js';
import { currentLanguage, tr } from '../i18n/request-language.js';
import { catalogue } from '../i18n/catalogue.js';

export type MailContent = Omit<MailMessage, 'to'>;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}


export interface Letter {
  /** Paragraphs before the action. */
  lead: string[];
  /** The link to follow, when the mail asks for something (a notice has none). */
  action?: { intro: string; label: string; href: string };
  /** Paragraphs after it: validity, why this person gets the mail, what to do if it was not them. */
  after: string[];
}

/** One letter, two renderings: plain text, and HTML with every value escaped and the address spelled out too. */
export function letter({ lead, action, after }: Letter): { text: string; html: string } {
  const sender = tr('mail:sender');
  const text = [tr('mail:hello'), ...lead, ...(action ? [`${action.intro}\n${action.href}`] : []), ...after, `— ${sender}`].join('\n\n');
  const actionHtml = action
    ? [
        `${escapeHtml(action.intro)}<br><a href="${escapeHtml(action.href)}">${escapeHtml(action.label)}</a>`,
        `${escapeHtml(tr('mail:linkFallback'))}<br>${escapeHtml(action.href)}`,
      ]
    : [];
  const paragraphs = [
    escapeHtml(tr('mail:hello')),
    ...lead.map(escapeHtml),
    ...actionHtml,
    ...after.map(escapeHtml),
    `— ${escapeHtml(sender)}`,
  ];
  const html = [
    '<!doctype html>',
    `<html lang="${currentLanguage()}" dir="${catalogue().dir(currentLanguage())}"><head><meta charset="utf-8"><title>Sésame</title></head>`,
    '<body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1e1e1e;">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    '</body></html>',
  ].join('\n');
  return { text, html };
}

export interface ActivationMailInput {
  /** The activation link, absolute (https://…). */
  link: string;
  /** How long the link works, in hours. */
  validHours: number;
  /** The school that gave this address, when known: says why this person receives the mail. */
  schoolName?: string | undefined;
}

export function activationLinkMail({ link, validHours, schoolName }: ActivationMailInput): MailContent {
  const why = schoolName ? tr('mail:activation.whySchool', { school: schoolName }) : tr('mail:activation.why');
  const delay = tr('mail:linkHours', { count: validHours });
  const notYou = tr('mail:activation.notYou');
  return {
    subject: tr('mail:activation.subject'),
    ...letter({
      lead: [],
      action: { intro: tr('mail:activation.intro'), label: tr('mail:activation.label'), href: link },
      after: [delay, why, notYou],
    }),
  };
}

export interface IdentifiantReminderMailInput {
  identifiant: string;
  /** The login page, absolute. */
  loginUrl: string;
}

export function identifiantReminderMail({ identifiant, loginUrl }: IdentifiantReminderMailInput): MailContent {
  const why = tr('mail:identifiant.why');
  const password = tr('mail:identifiant.password');
  const notYou = tr('mail:identifiant.notYou');
  return {
    subject: tr('mail:identifiant.subject'),
    ...letter({
      lead: [tr('mail:identifiant.lead', { identifiant })],
      action: { intro: tr('mail:identifiant.intro'), label: tr('mail:signInLabel'), href: loginUrl },
      after: [password, why, notYou],
    }),
  };
}

export interface RecoveryLinkMailInput {
  link: string;
  /** How long the link works, in minutes. */
  validMinutes: number;
}

/** «Mot de passe oublié» by mail: a single-use link to choose a new password. */
export function recoveryLinkMail({ link, validMinutes }: RecoveryLinkMailInput): MailContent {
  const delay = tr('mail:linkMinutes', { count: validMinutes });
  const why = tr('mail:recovery.why');
  const notYou = tr('mail:recovery.notYou');
  return {
    subject: tr('mail:recovery.subject'),
    ...letter({
      lead: [],
      action: { intro: tr('mail:recovery.intro'), label: tr('mail:recovery.label'), href: link },
      after: [delay, why, notYou],
    }),
  };
}

export interface PasswordChangedMailInput {
  identifiant: string;
  /** The login page, absolute. */
  loginUrl: string;
}

/** Sent once a recovery changed the password: the owner learns of a change they may not have made. */
export function passwordChangedMail({ identifiant, loginUrl }: PasswordChangedMailInput): MailContent {
  return {
    subject: tr('mail:passwordChanged.subject'),
    ...letter({
      lead: [tr('mail:passwordChanged.lead', { identifiant })],
      action: { intro: tr('mail:passwordChanged.intro'), label: tr('mail:signInLabel'), href: loginUrl },
      after: [tr('mail:passwordChanged.notYou')],
    }),
  };
}
