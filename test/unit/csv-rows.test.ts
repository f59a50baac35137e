// A control character anywhere in a directory row is a bad row with a French reason, never a database error.
import { COLUMNS, checkRow, readHeader } from '../../src/directory/csv-rows.js';

const header = readHeader([...COLUMNS]);
const good: Record<string, string> = {
  uai: '0750001A', etablissement: 'Collège Jean-Moulin', eleve_id: 'E1', ine: '123456789AB', eleve_nom: 'MOREAU',
  eleve_prenom: 'Jules', eleve_naissance: '12/04/2013', niveau: '2115', classe: '4eB', resp_civilite: 'Mme',
  resp_nom: 'MOREAU', resp_prenom: 'Claire', resp_mobile: '06 12 34 56 78', resp_email: 'claire@example.org',
  resp_lien: 'mère', resp_legal: 'oui',
};
const fieldsWith = (column: string, value: string) => COLUMNS.map((c) => (c === column ? value : good[c]!));

test('the reference row is accepted', () => {
  const { row, problems } = checkRow(2, fieldsWith('uai', good.uai!), header, '2026-11-29');
  expect(problems).toEqual([]);
  expect(row).not.toBeNull();
});

test.each(['uai', 'etablissement', 'eleve_id', 'ine', 'eleve_nom', 'eleve_prenom', 'niveau', 'classe', 'resp_civilite', 'resp_nom', 'resp_prenom', 'resp_mobile', 'resp_email', 'resp_lien', 'resp_legal'])(
  'a NUL or other control character in %s is reported on that column, in French',
  (column) => {
    for (const bad of [`${good[column]}\u0000`, `${good[column]}\u0007x`]) {
      const { problems } = checkRow(3, fieldsWith(column, bad), header, '2026-11-29');
      expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ line: 3, column })]));
      expect(problems.every((p) => /[a-zé]/.test(p.reason))).toBe(true);
    }
  },
);
