// The mails «Mon compte» sends: the link that confirms a new address, and the notices that the password or the
// address changed («si ce n'est pas vous…»), in the shape of src/messaging/mail-texts.ts (text and HTML).
import type { MailContent } from '../../messaging/mail-texts.js';

const SENDER = 'Sésame, le service de connexion aux services numériques de l’école';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Paragraphs, the link (when any) after the first one, then the sender: as text, and as HTML with values escaped. */
function render(paragraphs: string[], link?: { label: string; href: string }): { text: string; html: string } {
  const [first = '', ...rest] = paragraphs;
  const text = ['Bonjour,', first, ...(link ? [link.href] : []), ...rest, `— ${SENDER}`].join('\n\n');
  const linkHtml = link
    ? [`<a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a><br>Si le lien ne s’ouvre pas, copiez cette adresse dans votre navigateur :<br>${escapeHtml(link.href)}`]
    : [];
  const parts = ['Bonjour,', escapeHtml(first), ...linkHtml, ...rest.map(escapeHtml), `— ${escapeHtml(SENDER)}`];
  const html = [
    '<!doctype html>',
    '<html lang="fr"><head><meta charset="utf-8"><title>Sésame</title></head>',
    '<body style="font-family: Arial, sans-serif; line-height: 1.5; color: #1e1e1e;">',
    ...parts.map((p) => `<p>${p}</p>`),
    '</body></html>',
  ].join('\n');
  return { text, html };
}

export function emailChangeMail(input: { link: string; identifiant: string; validHours: number }): MailContent {
  return {
    subject: 'Confirmez votre nouvelle adresse électronique',
    ...render(
      [
        `Pour confirmer que cette adresse est désormais celle du compte Sésame ${input.identifiant}, ouvrez ce lien :`,
        `Ce lien fonctionne pendant ${input.validHours} heure${input.validHours > 1 ? 's' : ''}, une seule fois. Tant qu’il n’est pas ouvert, l’ancienne adresse reste celle du compte.`,
        'Vous recevez ce message parce que cette adresse a été indiquée dans « Mon compte » sur Sésame.',
        'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : l’adresse du compte ne changera pas.',
      ],
      { label: 'Confirmer ma nouvelle adresse', href: input.link },
    ),
  };
}

const NOT_YOU = 'Si ce n’est pas vous, quelqu’un connaît peut-être votre mot de passe : choisissez « Mot de passe oublié » sur la page de connexion, ou contactez l’établissement.';

export function passwordChangedMail(input: { identifiant: string }): MailContent {
  return {
    subject: 'Votre mot de passe Sésame a été changé',
    ...render([
      `Le mot de passe du compte Sésame ${input.identifiant} vient d’être changé depuis « Mon compte ».`,
      'Si c’est vous, vous n’avez rien à faire. Vous avez été déconnecté des autres appareils et services.',
      NOT_YOU,
    ]),
  };
}

export function emailChangedMail(input: { identifiant: string; masked: string }): MailContent {
  return {
    subject: 'L’adresse électronique de votre compte Sésame a changé',
    ...render([
      `L’adresse électronique du compte Sésame ${input.identifiant} est désormais ${input.masked}. Vous ne recevrez plus de message de Sésame à cette adresse-ci.`,
      'Si c’est vous, vous n’avez rien à faire.',
      NOT_YOU,
    ]),
  };
}
