// The directory CSV's columns and the check of each row: what a valid row becomes, and for a bad one, the column
// and the French reason the school reads in the import summary.
import { hasInvisibleCharacters } from '../accounts/invisible-characters.js';
import { DirectoryFileError } from './csv-source.js';
import { normaliseMobile } from './mobile.js';
import { nameKey } from './name-key.js';

export const COLUMNS = [
  'uai', 'etablissement', 'eleve_id', 'ine', 'eleve_nom', 'eleve_prenom', 'eleve_naissance', 'niveau', 'classe',
  'resp_civilite', 'resp_nom', 'resp_prenom', 'resp_mobile', 'resp_email', 'resp_lien', 'resp_legal',
] as const;
export type Column = (typeof COLUMNS)[number];

/** Columns a file must have; the others may be left out (read as empty). */
export const REQUIRED_COLUMNS: Column[] = ['uai', 'etablissement', 'eleve_id', 'eleve_nom', 'eleve_prenom', 'eleve_naissance', 'resp_nom', 'resp_prenom'];

const GUARDIAN_COLUMNS: Column[] = ['resp_civilite', 'resp_nom', 'resp_prenom', 'resp_mobile', 'resp_email', 'resp_lien', 'resp_legal'];

export interface Problem {
  line: number;
  column: Column | null;
  reason: string;
}

export interface PupilFields {
  ine: string | null;
  familyName: string;
  givenNames: string;
  birthdate: string;
  level: string | null;
  className: string | null;
}

export interface GuardianFields {
  civilite: string | null;
  familyName: string;
  givenName: string;
  nameKey: string;
  mobile: string | null;
  email: string | null;
  relation: string | null;
  legal: boolean;
}

/** A row whose school and pupil are known. Its pupil or guardian part may still be rejected (null / 'rejected'). */
export interface DirectoryRow {
  line: number;
  uai: string;
  schoolName: string | null;
  localId: string;
  pupil: PupilFields | null;
  guardian: GuardianFields | 'none' | 'rejected';
}

/** Maps the header's names (any case, spaces around) to positions; a missing required column refuses the file. */
export function readHeader(fields: string[]): Map<Column, number> {
  const positions = new Map<Column, number>();
  fields.forEach((name, index) => {
    const key = name.trim().toLowerCase().replace(/^\uFEFF/, '') as Column;
    if ((COLUMNS as readonly string[]).includes(key) && !positions.has(key)) positions.set(key, index);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !positions.has(c));
  if (missing.length) {
    throw new DirectoryFileError(
      `La première ligne doit nommer les colonnes ; il manque : ${missing.join(', ')}. Voir le format dans docs/directory-format.md.`,
    );
  }
  return positions;
}

// Control characters and markup have no place in a name; they would only end up in someone's page or letter.
const TEXT = /^[^\p{Cc}<>]*$/u;
const UAI = /^[0-9]{7}[A-Z]$/;
const LOCAL_ID = /^[A-Za-z0-9._-]{1,64}$/;
const INE = /^[0-9A-Z]{11}$/;
const LEVEL = /^[0-9A-Z]{1,10}$/;
const EMAIL = /^[^\s\p{Cc}@<>"',;]+@[^\s\p{Cc}@<>"',;]+\.[^\s\p{Cc}@<>"',;]+$/u;
const CIVILITES: Record<string, string> = { m: 'M.', 'm.': 'M.', monsieur: 'M.', mme: 'Mme', 'mme.': 'Mme', madame: 'Mme', mlle: 'Mme', mademoiselle: 'Mme' };
const YES = new Set(['1', 'o', 'oui', 'true', 'vrai', 'x']);
const NO = new Set(['0', 'n', 'non', 'false', 'faux']);

/** A calendar date from `YYYY-MM-DD` or `DD/MM/YYYY`, as `YYYY-MM-DD`; null when it is neither or not a real day. */
export function parseDate(value: string): string | null {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value))) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return null;
  // Years before 100 are refused, as `Date.UTC` would read them as 19xx. Checked by hand: a Date per row is costly.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

const invisible = (label: string) =>
  `${label} refusé : il contient un caractère invisible (contrôle du sens d’écriture ou espace sans largeur) ; retapez-le sans copier-coller`;

function name(value: string, label: string): Check<string> {
  const v = value.replace(/\s+/g, ' ').trim();
  if (!v) return { ok: false, reason: `${label} manquant` };
  if (v.length > 100) return { ok: false, reason: `${label} trop long (100 caractères au plus)` };
  if (!TEXT.test(v) || !/\p{L}/u.test(v)) return { ok: false, reason: `${label} illisible (lettres attendues, sans < > ni caractères de contrôle)` };
  // On the raw value: `\s` would have turned a U+FEFF into a plain space.
  if (hasInvisibleCharacters(value)) return { ok: false, reason: invisible(label) };
  return { ok: true, value: v };
}

function optionalText(value: string, label: string, max: number): Check<string | null> {
  const v = value.replace(/\s+/g, ' ').trim();
  if (!v) return { ok: true, value: null };
  if (v.length > max) return { ok: false, reason: `${label} trop long (${max} caractères au plus)` };
  if (!TEXT.test(v)) return { ok: false, reason: `${label} illisible (sans < > ni caractères de contrôle)` };
  // On the raw value: `\s` would have turned a U+FEFF into a plain space.
  if (hasInvisibleCharacters(value)) return { ok: false, reason: invisible(label) };
  return { ok: true, value: v };
}

function birthdate(value: string, today: string): Check<string> {
  if (!value) return { ok: false, reason: 'date de naissance manquante' };
  const date = parseDate(value);
  if (!date) return { ok: false, reason: 'date de naissance invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA)' };
  if (date > today || date < '1900-01-01') return { ok: false, reason: 'date de naissance impossible (dans le futur ou avant 1900)' };
  return { ok: true, value: date };
}

// The number of fields a row needs, computed once per header rather than once per row.
const needed = new WeakMap<Map<Column, number>, number>();
function columnsNeeded(header: Map<Column, number>): number {
  let n = needed.get(header);
  if (n === undefined) needed.set(header, (n = Math.max(...header.values()) + 1));
  return n;
}

/**
 * Checks one record. Returns the row when its school and pupil id are readable (even if other parts are not, so
 * that the pupil is neither detached nor stripped of guardians because of a typo), and every problem found.
 */
export function checkRow(line: number, fields: string[], header: Map<Column, number>, today: string): { row: DirectoryRow | null; problems: Problem[] } {
  const get = (c: Column) => {
    const i = header.get(c);
    return i === undefined ? '' : (fields[i] ?? '').trim();
  };
  const problems: Problem[] = [];
  const fail = (column: Column | null, reason: string) => problems.push({ line, column, reason });
  const take = <T>(column: Column, check: Check<T>): T | undefined => {
    if (check.ok) return check.value;
    fail(column, check.reason);
    return undefined;
  };

  const expected = columnsNeeded(header);
  if (fields.length < expected) {
    fail(null, `ligne incomplète : ${fields.length} colonnes au lieu de ${expected} (vérifiez le séparateur et les guillemets)`);
    return { row: null, problems };
  }

  const uai = get('uai').toUpperCase();
  if (!uai) fail('uai', 'code UAI manquant');
  else if (!UAI.test(uai)) fail('uai', 'code UAI invalide (7 chiffres et une lettre, par exemple 0750001A)');
  const localId = get('eleve_id');
  if (!localId) fail('eleve_id', 'identifiant de l’élève manquant');
  else if (!LOCAL_ID.test(localId)) fail('eleve_id', 'identifiant de l’élève invalide (lettres, chiffres, . _ -, 64 caractères au plus)');
  if (problems.length) return { row: null, problems };

  const pupilStart = problems.length;
  const schoolName = take('etablissement', name(get('etablissement'), 'nom de l’établissement'));
  const ineRaw = get('ine').toUpperCase().replace(/\s+/g, '');
  if (ineRaw && !INE.test(ineRaw)) fail('ine', 'INE invalide (11 caractères : chiffres et lettres)');
  const familyName = take('eleve_nom', name(get('eleve_nom'), 'nom de l’élève'));
  const givenNames = take('eleve_prenom', name(get('eleve_prenom'), 'prénom de l’élève'));
  const born = take('eleve_naissance', birthdate(get('eleve_naissance'), today));
  const levelRaw = get('niveau').toUpperCase();
  if (levelRaw && !LEVEL.test(levelRaw)) fail('niveau', 'code de niveau invalide (par exemple 2115 pour la 4e)');
  const className = take('classe', optionalText(get('classe'), 'nom de classe', 50));
  const pupilOk = problems.length === pupilStart;

  const guardianStart = problems.length;
  let guardian: DirectoryRow['guardian'] = 'none';
  if (GUARDIAN_COLUMNS.some((c) => get(c) !== '')) {
    const civiliteRaw = get('resp_civilite');
    const civilite = civiliteRaw ? CIVILITES[civiliteRaw.toLowerCase()] : null;
    if (civilite === undefined) fail('resp_civilite', 'civilité inconnue (M. ou Mme)');
    const gFamily = take('resp_nom', name(get('resp_nom'), 'nom du responsable'));
    const gGiven = take('resp_prenom', name(get('resp_prenom'), 'prénom du responsable'));
    let mobile: string | null = null;
    if (get('resp_mobile')) {
      const m = normaliseMobile(get('resp_mobile'));
      if (m.ok) mobile = m.e164;
      else fail('resp_mobile', m.reason);
    }
    const emailRaw = get('resp_email').toLowerCase();
    if (emailRaw && (emailRaw.length > 254 || !EMAIL.test(emailRaw))) fail('resp_email', 'adresse e-mail invalide');
    const relation = take('resp_lien', optionalText(get('resp_lien'), 'lien avec l’élève', 50));
    const legalRaw = get('resp_legal').toLowerCase();
    let legal = true;
    if (legalRaw) {
      if (YES.has(legalRaw)) legal = true;
      else if (NO.has(legalRaw)) legal = false;
      else fail('resp_legal', 'responsabilité légale illisible (oui/non, 1/0)');
    }
    guardian =
      problems.length === guardianStart
        ? {
            civilite: civilite ?? null,
            familyName: gFamily!,
            givenName: gGiven!,
            nameKey: nameKey(gFamily!, gGiven!),
            mobile,
            email: emailRaw || null,
            relation: relation ?? null,
            legal,
          }
        : 'rejected';
  }

  return {
    row: {
      line,
      uai,
      schoolName: schoolName ?? null,
      localId,
      pupil: pupilOk ? { ine: ineRaw || null, familyName: familyName!, givenNames: givenNames!, birthdate: born!, level: levelRaw || null, className: className ?? null } : null,
      guardian,
    },
    problems,
  };
}
