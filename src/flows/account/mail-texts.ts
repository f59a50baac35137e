// The mails «Mon compte» sends: the link that confirms a new address, and the notices that the password or the
// address changed («si ce n'est pas vous…»), in the shape of src/messaging/mail-texts.ts (text and HTML).
import { letter, type MailContent } from '../../messaging/mail-texts.js';
import { tr } from '../../i18n/request-language.js';

export function emailChangeMail(input: { link: string; identifiant: string; validHours: number }): MailContent {
  return {
    subject: tr('mail:emailChange.subject'),
    ...letter({
      lead: [],
      action: {
        intro: tr('mail:emailChange.intro', { identifiant: input.identifiant }),
        label: tr('account:emailLink.confirmButton'),
        href: input.link,
      },
      after: [
        `${tr('mail:linkHours', { count: input.validHours })} ${tr('mail:emailChange.untilOpened')}`,
        tr('mail:emailChange.why'),
        tr('mail:emailChange.notYou'),
      ],
    }),
  };
}

const notYou = () => tr('mail:account.notYou');

export function passwordChangedMail(input: { identifiant: string }): MailContent {
  return {
    subject: tr('mail:passwordChanged.subject'),
    ...letter({ after: [], lead: [
      tr('mail:account.passwordChanged', { identifiant: input.identifiant }),
      tr('mail:account.passwordChangedYou'),
      notYou(),
    ] }),
  };
}

export function emailChangedMail(input: { identifiant: string; masked: string }): MailContent {
  return {
    subject: tr('mail:account.emailChangedSubject'),
    ...letter({ after: [], lead: [
      tr('mail:account.emailChanged', { identifiant: input.identifiant, masked: input.masked }),
      tr('mail:account.emailChangedYou'),
      notYou(),
    ] }),
  };
}

export function passkeyAddedMail(input: { identifiant: string; name: string }): MailContent {
  return {
    subject: tr('mail:account.passkeyAddedSubject'),
    ...letter({ after: [], lead: [
      tr('mail:account.passkeyAdded', { identifiant: input.identifiant, name: input.name }),
      tr('mail:account.passkeyAddedYou'),
      tr('mail:account.passkeyAddedNotYou'),
    ] }),
  };
}
