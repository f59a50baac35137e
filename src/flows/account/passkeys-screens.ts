// «Mes clés d'accès» as view models: the list with the dates said in French, the removal's confirmation, and the
// check of a name the person gives a key.
import { hasInvisibleCharacters } from '../../accounts/invisible-characters.js';
import type { Passkey } from '../../passkeys/store.js';
import { CONTROL } from '../common/form-input.js';
import { formScreen, type Screen, type ScreenBase } from '../common/screen.js';
import type { SignedInAccount } from './guard.js';

export const PASSKEY_NAME_MAX = 60;

const DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });
const WHEN = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });

/** The name given to a key when the person gives none: the day it was added. */
export const defaultPasskeyName = (at: Date) => `Clé d’accès du ${DAY.format(at)}`;

export function checkPasskeyName(raw: string | undefined, options: { optional?: boolean } = {}): { ok: true; value: string | undefined } | { ok: false; message: string } {
  const value = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!value) return options.optional ? { ok: true, value: undefined } : { ok: false, message: 'Indiquez un nom pour cette clé d’accès, par exemple « Téléphone de Claire ».' };
  if (value.length > PASSKEY_NAME_MAX) return { ok: false, message: `Le nom est trop long : ${PASSKEY_NAME_MAX} caractères au plus.` };
  if (CONTROL.test(value) || hasInvisibleCharacters(value)) return { ok: false, message: 'Le nom contient des caractères invisibles. Retapez-le.' };
  return { ok: true, value };
}

const page = (view: string, heading: string, base: ScreenBase, account: SignedInAccount, extra: Record<string, unknown>): Screen => {
  const screen = formScreen(`account/${view}`, heading, base, { section: 'cles-d-acces', account, ...extra });
  screen.locals.title = `${base.errors?.length ? 'Erreur – ' : ''}${heading} – Mon compte – Sésame`;
  return screen;
};

export function passkeyListScreen(base: ScreenBase, account: SignedInAccount, keys: Passkey[], options: { available: boolean; notice: string | undefined; asksPassword: boolean }): Screen {
  return page('cles-d-acces', 'Mes clés d’accès', base, account, {
    available: options.available,
    asksPassword: options.asksPassword,
    notice: options.notice,
    keys: keys.map((k) => ({ id: k.id, name: k.name, added: DAY.format(k.createdAt), lastUsed: k.lastUsedAt ? WHEN.format(k.lastUsedAt) : null })),
  });
}

export function removeScreen(base: ScreenBase, account: SignedInAccount, key: Passkey): Screen {
  return page('cle-d-acces-supprimer', 'Supprimer une clé d’accès', base, account, { key: { id: key.id, name: key.name, added: DAY.format(key.createdAt) } });
}
