// Reads the relying party's `login_hint` (OpenID Connect Core 3.1.2.1) for the login page: the identifiant to
// pre-fill and, when the hint names it, the profile, so the profile choice is skipped. Forms accepted:
// `claire.moreau` (identifiant only), `responsable:claire.moreau`, `eleve:jules.moreau`, or `responsable:` / `eleve:`
// alone. Nothing is looked up: skipping the choice for known accounts only would tell who has one (docs/screens.md).
import { hasInvisibleCharacters } from '../../accounts/invisible-characters.js';

export type Profil = 'responsable' | 'eleve';

export interface LoginHint {
  username?: string;
  profil?: Profil;
}

/** The identifiant field's own limit (views/login/form.pug). */
const MAX_USERNAME = 100;

/** What the hint gives, or nothing for a value that is not a plain line of text. */
export function readLoginHint(value: unknown): LoginHint {
  if (typeof value !== 'string' || value.length > 2000) return {};
  // A hint is typed by no one: any control or invisible character means it is not an identifiant.
  if (/\p{Cc}/u.test(value) || hasInvisibleCharacters(value) || !value.isWellFormed()) return {};
  const match = /^(responsable|eleve):(.*)$/s.exec(value.trim());
  const profil = match ? (match[1] as Profil) : undefined;
  const username = (match ? match[2]! : value).trim().slice(0, MAX_USERNAME).trim();
  return { ...(username ? { username } : {}), ...(profil ? { profil } : {}) };
}
