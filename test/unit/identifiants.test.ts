// Identifiants built from real French names: particles, apostrophes, hyphens, diacritics, ligatures, regional and
// overseas names, one-letter names, capitals; both shapes (IDENTIFIER_STYLE) and the documented truncation.
import { baseIdentifiant, foldNamePart, NAME_PART_MAX } from '../../src/accounts/identifiants.js';

const CASES: Array<[given: string, family: string, prenomNom: string, pNom: string]> = [
  // Particles stay, glued to the name: that is how people are listed, and it keeps «de La Fontaine» one word.
  ['Jean', 'de La Fontaine', 'jean.delafontaine', 'j.delafontaine'],
  ['Marie', 'du Bellay', 'marie.dubellay', 'm.dubellay'],
  ['Anne', 'Le Pen', 'anne.lepen', 'a.lepen'],
  // Apostrophes (straight and typographic) disappear.
  ['Charles', "d'Artagnan", 'charles.dartagnan', 'c.dartagnan'],
  ['Awa', "N'Diaye", 'awa.ndiaye', 'a.ndiaye'],
  ['Yves', 'L’Hôte', 'yves.lhote', 'y.lhote'],
  ["O'Neil", 'Mc Donald', 'oneil.mcdonald', 'o.mcdonald'],
  // Hyphens are kept; a compound given name stays whole, a second given name is dropped.
  ['Jean-Pierre', 'Martin', 'jean-pierre.martin', 'j.martin'],
  ['Yann', 'Le Goff-Nguyen', 'yann.legoff-nguyen', 'y.legoff-nguyen'],
  ['Zoë', 'Saint-Exupéry', 'zoe.saint-exupery', 'z.saint-exupery'],
  ['Marie Claire', 'Dupont', 'marie.dupont', 'm.dupont'],
  ['Marie-Claire', 'Dupont', 'marie-claire.dupont', 'm.dupont'],
  // Diacritics folded, ligatures expanded.
  ['Hélène', 'Françoise', 'helene.francoise', 'h.francoise'],
  ['Thị', 'Nguyễn', 'thi.nguyen', 't.nguyen'],
  ['Éloïse', 'Đặng', 'eloise.dang', 'e.dang'],
  ['Éloïse', 'Ðặng', 'eloise.dang', 'e.dang'],
  ['Lætitia', 'Cœur', 'laetitia.coeur', 'l.coeur'],
  ['Ægidius', 'Œuvray', 'aegidius.oeuvray', 'a.oeuvray'],
  ['Björn', 'Øster', 'bjorn.oster', 'b.oster'],
  // Breton, Basque, Corsican.
  ['Maël', 'Le Bihan', 'mael.lebihan', 'm.lebihan'],
  ['Gwenaëlle', 'Kerjean', 'gwenaelle.kerjean', 'g.kerjean'],
  ['Iñaki', 'Etxeberria', 'inaki.etxeberria', 'i.etxeberria'],
  ['Santu', 'Orsoni', 'santu.orsoni', 's.orsoni'],
  ['Ghjuvan Petru', 'Santucci', 'ghjuvan.santucci', 'g.santucci'],
  // Overseas: La Réunion, Polynesia, New Caledonia, the Antilles, Mayotte.
  ['Kévin', 'Hoarau', 'kevin.hoarau', 'k.hoarau'],
  ['Moana', 'Teriitehau', 'moana.teriitehau', 'm.teriitehau'],
  ['Hinano', "Tehei'ura", 'hinano.teheiura', 'h.teheiura'],
  ['Théo', 'Tjibaou', 'theo.tjibaou', 't.tjibaou'],
  ['Ludovic', 'Rosine-Lacroix', 'ludovic.rosine-lacroix', 'l.rosine-lacroix'],
  ['Anziza', 'Madi Combo', 'anziza.madicombo', 'a.madicombo'],
  // One-letter names and capitals.
  ['A', 'Ba', 'a.ba', 'a.ba'],
  ['Li', 'O', 'li.o', 'l.o'],
  ['JEAN-BAPTISTE', 'DUPONT-AIGNAN', 'jean-baptiste.dupont-aignan', 'j.dupont-aignan'],
  ['ÉMILIE', 'LEFÈVRE', 'emilie.lefevre', 'e.lefevre'],
  // Stray punctuation around a name does not leave a dangling hyphen.
  ['Ana-', '-Lia', 'ana.lia', 'a.lia'],
  ['Jean--Luc', 'Martin – Roy', 'jean-luc.martin-roy', 'j.martin-roy'],
];

describe('identifiants from real names', () => {
  test.each(CASES)('%s %s → %s / %s', (given, family, prenomNom, pNom) => {
    expect(baseIdentifiant(given, family, 'prenom.nom')).toBe(prenomNom);
    expect(baseIdentifiant(given, family, 'p.nom')).toBe(pNom);
  });

  test('every identifiant is lower-case ASCII letters, dots and hyphens', () => {
    for (const [given, family] of CASES) {
      expect(baseIdentifiant(given, family, 'prenom.nom')).toMatch(/^[a-z-]+\.[a-z-]+$/);
    }
  });

  test(`each name part is cut at ${NAME_PART_MAX} characters, never on a trailing hyphen`, () => {
    expect(NAME_PART_MAX).toBe(20);
    expect(baseIdentifiant('Jean', 'Maximilien-Alexandre-Hyacinthe de Montmorency-Laval', 'prenom.nom')).toBe('jean.maximilien-alexandre');
    expect(baseIdentifiant('Marie-Bernadette-Apolline', 'Durand', 'prenom.nom')).toBe('marie-bernadette-apo.durand');
    // Cutting at 20 would end on the hyphen of «abcdefghijklmnopqrs-t»: the hyphen goes too.
    expect(foldNamePart('Abcdefghijklmnopqrs-Tuv')).toBe('abcdefghijklmnopqrs');
  });

  test('digits are dropped, so that a base never ends like a homonym number', () => {
    expect(baseIdentifiant('Louis', 'XIV', 'prenom.nom')).toBe('louis.xiv');
    expect(baseIdentifiant('Jean2', 'Dupont 3', 'prenom.nom')).toBe('jean.dupont');
  });

  test('a name with nothing usable still gives an identifiant', () => {
    expect(baseIdentifiant('   ', '  ', 'prenom.nom')).toBe('x.x');
    expect(baseIdentifiant('—', '·', 'prenom.nom')).toBe('x.x');
  });

  test('names in other scripts are transliterated (any-ascii), not reduced to x.x', () => {
    expect(baseIdentifiant('李', '王', 'prenom.nom')).toBe('li.wang');
    expect(baseIdentifiant('Иван', 'ИВАНОВ', 'prenom.nom')).toBe('ivan.ivanov');
    expect(baseIdentifiant('Γιώργος', 'Παπαδόπουλος', 'p.nom')).toBe('g.papadopoylos');
    expect(baseIdentifiant('محمد', 'العلوي', 'prenom.nom')).toBe('mhmd.llwy');
  });
});
