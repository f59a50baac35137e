// The mails «Mon compte» sends: the link that confirms a new address, and the notices that the password or the
// address changed («si ce n'est pas vous…»), in the shape of src/messaging/mail-texts.ts (text and HTML).
import { letter, type MailContent } from '../../messaging/mail-texts.js';

export function emailChangeMail(input: { link: string; identifiant: string; validHours: number }): MailContent {
  return {
    subject: 'Confirmez votre nouvelle adresse électronique',
    ...letter({
      lead: [],
      action: {
        intro: `Pour confirmer que cette adresse est désormais celle du compte Sésame ${input.identifiant}, ouvrez ce lien :`,
        label: 'Confirmer ma nouvelle adresse',
        href: input.link,
      },
      after: [
        `Ce lien fonctionne pendant ${input.validHours} heure${input.validHours > 1 ? 's' : ''}, une seule fois. Tant qu’il n’est pas ouvert, l’ancienne adresse reste celle du compte.`,
        'Vous recevez ce message parce que cette adresse a été indiquée dans « Mon compte » sur Sésame.',
        'Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : l’adresse du compte ne changera pas.',
      ],
    }),
  };
}

const NOT_YOU = 'Si ce n’est pas vous, quelqu’un connaît peut-être votre mot de passe : choisissez « Mot de passe oublié » sur la page de connexion, ou contactez l’établissement.';

export function passwordChangedMail(input: { identifiant: string }): MailContent {
  return {
    subject: 'Votre mot de passe Sésame a été changé',
    ...letter({ after: [], lead: [
      `Le mot de passe du compte Sésame ${input.identifiant} vient d’être changé depuis « Mon compte ».`,
      'Si c’est vous, vous n’avez rien à faire. Vous avez été déconnecté des autres appareils et services.',
      NOT_YOU,
    ] }),
  };
}

export function emailChangedMail(input: { identifiant: string; masked: string }): MailContent {
  return {
    subject: 'L’adresse électronique de votre compte Sésame a changé',
    ...letter({ after: [], lead: [
      `L’adresse électronique du compte Sésame ${input.identifiant} est désormais ${input.masked}. Vous ne recevrez plus de message de Sésame à cette adresse-ci.`,
      'Si c’est vous, vous n’avez rien à faire.',
      NOT_YOU,
    ] }),
  };
}
