// Generates directory files in the import format (issue 3, docs/directory-format.md): one row per
// (pupil, guardian) pair, two guardians per pupil, about 800 pupils per school, unique mobiles and e-mails.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const HEADER = 'uai;etablissement;eleve_id;ine;eleve_nom;eleve_prenom;eleve_naissance;niveau;classe;resp_civilite;resp_nom;resp_prenom;resp_mobile;resp_email;resp_lien;resp_legal';
const FAMILY = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'García', 'N’Diaye', 'Le Gall', 'Étienne-Roux'];
const GIVEN = ['Léa', 'Hugo', 'Chloé', 'Louis', 'Emma', 'Gabriel', 'Inès', 'Raphaël', 'Jade', 'Arthur', 'Zoé', 'Noé', 'Maëlys', 'Jules', 'Anaïs', 'Timothée'];
const PARENTS = [['Mme', 'Claire', 'mère'], ['M.', 'Olivier', 'père']] as const;
const LEVELS = [['2111', '6e'], ['2112', '5e'], ['2115', '4e'], ['2116', '3e']] as const;
const PUPILS_PER_SCHOOL = 800;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `n` spelled with letters (names may hold only letters): 0 → "A", 27 → "Bb". */
function letters(n: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return out[0]!.toUpperCase() + out.slice(1);
}

/** The person of the `index`-th row: pupil index/2, guardian index%2 (what the activation journey types in). */
export function guardianOf(index: number) {
  const pupil = Math.floor(index / 2);
  const school = Math.floor(pupil / PUPILS_PER_SCHOOL);
  const [civilite, given, lien] = PARENTS[index % 2]!;
  // Mobiles 06 00 00 00 00 upward: unique per guardian, valid French numbers.
  const digits = pad(index, 8);
  return {
    pupil,
    school,
    family: `${FAMILY[pupil % FAMILY.length]}-${letters(pupil)}`,
    civilite,
    given,
    lien,
    mobile: `06 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 8)}`,
    mobileE164: `+336${digits}`,
    childBirthdate: `${pad(1 + (pupil % 28), 2)}/${pad(1 + (pupil % 12), 2)}/${2010 + (pupil % 5)}`,
  };
}

function row(index: number): string {
  const g = guardianOf(index);
  const uai = `${pad(750000 + g.school, 7)}${String.fromCharCode(65 + (g.school % 26))}`;
  const given = GIVEN[(g.pupil >> 3) % GIVEN.length]!;
  const [level, levelName] = LEVELS[g.pupil % LEVELS.length]!;
  return [
    uai, `Collège ${g.school}`, `E${g.pupil}`, `${pad(g.pupil, 9)}AB`, g.family, given, g.childBirthdate, level, `${levelName}${1 + (g.pupil % 6)}`,
    g.civilite, g.family, g.given, g.mobile, `parent${index}@example.org`, g.lien, 'oui',
  ].join(';');
}

/**
 * Writes a file of `rows` data rows (plus the header) to `file`, streaming. Rows are numbered from `first`
 * (a multiple of 2 × 800), so files made with distinct ranges hold distinct schools, pupils and guardians.
 */
export async function writeDirectoryCsv(file: string, rows: number, first = 0): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  let chunk: string[] = [];
  for (let i = first; i < first + rows; i += 1) {
    chunk.push(row(i));
    if (chunk.length === 5000 || i === first + rows - 1) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end();
  await once(out, 'finish');
}
