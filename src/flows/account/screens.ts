// «Mon compte»'s screens as view models: each page gets the account's navigation locals (section, account) and
// the frame every form screen shares (src/flows/common/screen.ts).
import { passwordRules } from '../../accounts/password-policy.js';
import { maskPhone } from '../../logger.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import type { AccountDetails } from './account-settings.js';
import type { SignedInAccount } from './guard.js';
import type { RecentSignIn } from './recent-sign-ins.js';
import { tr } from '../../i18n/request-language.js';

export type Section = 'informations' | 'mot-de-passe' | 'enfants' | 'applications' | 'cles-d-acces';

const page = (view: string, heading: string, section: Section, account: SignedInAccount, base: ScreenBase, extra: Record<string, unknown> = {}): Screen => {
  const screen = formScreen(`account/${view}`, heading, base, { section, account, ...extra });
  // «Mon compte» leads nowhere else: the header names no relying application.
  screen.locals.title = tr('common:pageTitle', { page: tr('account:pageTitle', { page: base.errors?.length ? tr('common:errorTitle', { page: heading }) : heading }) });
  return screen;
};

/** `+33612345678` → `06 ** ** ** 78`: the person recognises their number; a shoulder-surfer learns little. */
export function maskMobile(e164: string | null): string | null {
  if (!e164) return null;
  const fr = /^\+33(\d)\d{6}(\d{2})$/.exec(e164);
  return fr ? `0${fr[1]}\u00a0**\u00a0**\u00a0**\u00a0${fr[2]}` : maskPhone(e164);
}

export function informationsScreen(base: ScreenBase, account: SignedInAccount, details: AccountDetails, signIns: RecentSignIn[], notice?: string, upstreamLabel?: string): Screen {
  const a = details.account;
  return page('informations', tr('account:informations.heading'), 'informations', account, base, {
    identifiant: a.identifiant,
    givenName: a.given_name,
    familyName: a.family_name,
    email: a.email,
    emailVerified: a.email_verified,
    pendingEmail: details.pendingEmail,
    mobile: maskMobile(a.mobile),
    signIns,
    notice,
    upstreamLabel: account.kind === 'responsable' ? upstreamLabel : undefined,
  });
}

export const emailScreen = (base: ScreenBase, account: SignedInAccount, currentEmail: string | null, values: Record<string, string> = {}) =>
  page('email', tr('account:email.heading'), 'informations', account, base, { currentEmail, values });

export const passwordScreen = (base: ScreenBase, account: SignedInAccount, identifiant: string, notice?: string) =>
  page('password', tr('account:password.heading'), 'mot-de-passe', account, base, { rules: passwordRules({ identifiantShown: true }), identifiant, notice });

export interface ApplicationItem {
  clientId: string;
  name: string;
  firstParty: boolean;
  items: string[];
}

export const applicationsScreen = (base: ScreenBase, account: SignedInAccount, applications: ApplicationItem[], notice?: string) =>
  page('applications', tr('account:applications.heading'), 'applications', account, base, { applications, notice });

type LinkPage = 'confirm' | 'confirmed' | 'invalid' | 'used' | 'expired';

// Each page is `account:emailLink.<page>.heading` and `.paragraphs.<n>` (with the new address as {{email}}).
const LINK_PAGES: Record<LinkPage, number> = { confirm: 1, confirmed: 2, invalid: 1, used: 1, expired: 1 };

export function emailLinkScreen(base: ScreenBase, kind: LinkPage, options: { email?: string; token?: string } = {}): Screen {
  const heading = tr(`account:emailLink.${kind}.heading`);
  const paragraphs = Array.from({ length: LINK_PAGES[kind] }, (_, i) => tr(`account:emailLink.${kind}.paragraphs.${i + 1}`, { email: options.email ?? '' }));
  return formScreen('account/email-link', heading, base, { heading, page: kind, paragraphs, token: options.token });
}
