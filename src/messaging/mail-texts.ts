// The French mails Sésame sends, each in a text and an HTML version: what to do (a link, and the address spelled
// out for mail readers that hide links), who sends it and why, and what to do if it was not you (SCREENS.md).
import type { MailMessage } from './mailer.js';

export type MailContent = Omit<MailMessage, 'to'>;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SENDER = 'Sésame, le service de connexion aux services numériques de l’école';

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
  const text = ['Bonjour,', ...lead, ...(action ? [`${action.intro}\n${action.href}`] : []), ...after, `— ${SENDER}`].join('\n\n');
  const actionHtml = action
    ? [
        `${escapeHtml(action.intro)}<br><a href="${escapeHtml(action.href)}">${escapeHtml(action.label)}</a>`,
        `Si le lien ne s’ouvre pas, copiez cette adresse dans votre navigateur :<br>${escapeHtml(action.href)}`,
      ]
    : [];
  const paragraphs = [
    'Bonjour,',
    ...lead.map(escapeHtml),
    ...actionHtml,
    ...after.map(escapeHtml),
    `— ${escapeHtml(SENDER)}`,
  ];
  const html = [
    '<!doctype html>',
    '<html lang="fr"><head><meta charset="utf-8"><title>Sésame</title></head>',
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
  const why = schoolName
    ? `Vous recevez ce message parce que l’établissement ${schoolName} a indiqué cette adresse pour vous, et qu’une activation de compte Sésame a été demandée.`
    : 'Vous recevez ce message parce qu’une activation de compte Sésame a été demandée avec cette adresse.';
  const delay = `Ce lien fonctionne pendant ${validHours} heure${validHours > 1 ? 's' : ''}, une seule fois.`;
  const notYou = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : aucun compte ne sera activé sans ce lien. Ne le transférez à personne.';
  return {
    subject: 'Activez votre compte Sésame',
    ...letter({
      lead: [],
      action: { intro: 'Pour activer votre compte Sésame, ouvrez ce lien :', label: 'Activer mon compte Sésame', href: link },
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
  const why = 'Vous recevez ce message parce que quelqu’un a demandé à recevoir l’identifiant Sésame lié à cette adresse (« Identifiant oublié »).';
  const password = 'Mot de passe oublié ? Choisissez « Mot de passe oublié » sur la page de connexion.';
  const notYou = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre compte n’a pas changé, et personne d’autre n’a reçu cet identifiant.';
  return {
    subject: 'Votre identifiant Sésame',
    ...letter({
      lead: [`Votre identifiant Sésame est : ${identifiant}`],
      action: { intro: 'Pour vous connecter, ouvrez la page de connexion :', label: 'Se connecter à Sésame', href: loginUrl },
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
  const delay = `Ce lien fonctionne pendant ${validMinutes} minute${validMinutes > 1 ? 's' : ''}, une seule fois.`;
  const why = 'Vous recevez ce message parce que quelqu’un a demandé à changer le mot de passe du compte Sésame lié à cette adresse (« Mot de passe oublié »).';
  const notYou = 'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe ne change pas sans ce lien. Ne le transférez à personne.';
  return {
    subject: 'Changez votre mot de passe Sésame',
    ...letter({
      lead: [],
      action: { intro: 'Pour choisir un nouveau mot de passe, ouvrez ce lien :', label: 'Choisir un nouveau mot de passe', href: link },
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
    subject: 'Votre mot de passe Sésame a été changé',
    ...letter({
      lead: [`Le mot de passe du compte Sésame ${identifiant} vient d’être changé. Vous avez été déconnecté de tous les services ouverts avec Sésame.`],
      action: { intro: 'Pour vous connecter avec votre nouveau mot de passe, ouvrez la page de connexion :', label: 'Se connecter à Sésame', href: loginUrl },
      after: ['Si ce n’est pas vous, contactez l’établissement au plus vite : il pourra vous remettre un nouveau mot de passe provisoire.'],
    }),
  };
}
