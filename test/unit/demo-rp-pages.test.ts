// What a person sees on the demo applications once signed in: their details, the school claims as Sésame sends
// them (whatever their shape), and never markup coming from a claim.
import { signedInHome, signedOutHome } from '../../scripts/demo-rp/pages.js';

const pronote = { id: 'pronote', name: 'Pronote', description: 'Notes & <devoirs>' };
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

test('a parent sees their children and school details as readable French text', () => {
  const page = signedInHome(pronote, {
    sub: 's', sid: 'x', idToken: 't',
    claims: {
      sub: 's', given_name: 'Claire', family_name: 'Moreau', preferred_username: 'claire.moreau',
      FrEduCtPersonAffiliation: 'parent',
      enfants: [{ given_name: 'Jules', classe: '4eB', FrEduCtEleveUAI: '0750001A' }, { given_name: 'Inès', classe: '6eA' }],
      email_verified: true,
    },
  });
  const shown = text(page);
  expect(shown).toContain('Nom Claire Moreau Identifiant claire.moreau');
  expect(shown).toContain('Profil parent');
  expect(shown).toContain('Prénom : Jules, Classe : 4eB, UAI : 0750001A');
  expect(shown).toContain('Prénom : Inès, Classe : 6eA');
  expect(page).toContain('<html lang="fr">');
  expect(page).not.toMatch(/<script|style=/);
});

test('without school claims the page says none came, and claims never become markup', () => {
  const page = signedInHome(pronote, { sub: 's', sid: undefined, idToken: 't', claims: { sub: 's', given_name: '"><img src=x onerror=alert(1)>', email: "a'b@example.org" } });
  expect(text(page)).toContain('Sésame n’a transmis aucune information de scolarité pour l’instant.');
  expect(page).not.toContain('<img');
  expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  expect(page).toContain('a&#39;b@example.org');
  expect(signedOutHome(pronote)).toContain('Notes &amp; &lt;devoirs&gt;');
});
