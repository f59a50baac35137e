// «Mes clés d'accès» as view models: the list with the dates said in the request's language, the removal's
// confirmation, and the check of a name the person gives a key.
import { hasInvisibleCharacters } from '../../accounts/invisible-characters.js';
import type { Passkey } from '../../passkeys/store.js';
import { formatDay as DAY, formatDayAndTime as WHEN } from '../../i18n/dates.js';
import { tr } from '../../i18n/request-language.js';
import { CONTROL } from '../common/form-input.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import type { SignedInAccount } from './guard.js';

export const PASSKEY_NAME_MAX = 60;


/** The name given to a key when the person gives none: the day it was added (in the language of that moment). */
export const defaultPasskeyName = (at: Date) => tr('account:passkeys.defaultName', { date: DAY(at) });

export function checkPasskeyName(raw: string | undefined, options: { optional?: boolean } = {}): { ok: true; value: string | undefined } | { ok: false; message: string } {
  const value = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!value) return options.optional ? { ok: true, value: undefined } : { ok: false, message: tr('account:passkeys.errors.nameMissing') };
  if (value.length > PASSKEY_NAME_MAX) return { ok: false, message: tr('account:passkeys.errors.nameTooLong', { max: PASSKEY_NAME_MAX }) };
  if (CONTROL.test(value) || hasInvisibleCharacters(value)) return { ok: false, message: tr('account:passkeys.errors.nameInvisible') };
  return { ok: true, value };
}

const page = (view: string, heading: string, base: ScreenBase, account: SignedInAccount, extra: Record<string, unknown>): Screen => {
  const screen = formScreen(`account/${view}`, heading, base, { section: 'cles-d-acces', account, ...extra });
  screen.locals.title = tr('common:pageTitle', { page: tr('account:pageTitle', { page: base.errors?.length ? tr('common:errorTitle', { page: heading }) : heading }) });
  return screen;
};

export function passkeyListScreen(base: ScreenBase, account: SignedInAccount, keys: Passkey[], options: { available: boolean; notice: string | undefined; asksPassword: boolean }): Screen {
  return page('cles-d-acces', tr('account:passkeys.heading'), base, account, {
    available: options.available,
    asksPassword: options.asksPassword,
    notice: options.notice,
    keys: keys.map((k) => ({ id: k.id, name: k.name, added: DAY(k.createdAt), lastUsed: k.lastUsedAt ? WHEN(k.lastUsedAt) : null })),
  });
}

export function removeScreen(base: ScreenBase, account: SignedInAccount, key: Passkey): Screen {
  return page('cle-d-acces-supprimer', tr('account:passkeys.removal.heading'), base, account, { key: { id: key.id, name: key.name, added: DAY(key.createdAt) } });
}
