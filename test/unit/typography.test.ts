// French no-break spaces, done once when a page is rendered (src/http/typography.ts): text nodes change, tags,
// attributes, URLs and scripts do not.
import { frenchSpaces, NBSP, NNBSP, withFrenchTypography } from '../../src/http/typography.js';
import { renderView } from '../../src/http/views.js';
import { typographyProblems } from '../support/typography.js';

const shown = (text: string) => text.replace(/\u00A0/g, '_').replace(/\u202F/g, '^');

describe('French typography', () => {
  test('punctuation, guillemets, phone numbers, units and dates get the right no-break spaces', () => {
    expect(shown(frenchSpaces('Exemple : 06 12 34 56 78 ; « Renvoyer le code » ! Vraiment ?'))).toBe('Exemple_: 06_12_34_56_78^; «^Renvoyer le code^»^! Vraiment^?');
    expect(shown(frenchSpaces('+33 6 12 34 56 78, 06 ** ** ** 78'))).toBe('+33_6_12_34_56_78, 06_**_**_**_78');
    expect(shown(frenchSpaces('valable 10 minutes, 3 essais, le 14 mars 2015'))).toBe('valable 10_minutes, 3_essais, le 14_mars_2015');
  });

  test('spaces already right are kept, never doubled; a colon inside an address or a time is left alone', () => {
    expect(frenchSpaces(`Exemple${NBSP}: «${NNBSP}x${NNBSP}» !`)).toBe(`Exemple${NBSP}: «${NNBSP}x${NNBSP}»${NNBSP}!`);
    expect(frenchSpaces('https://sesame.example.fr/aide à 10:30')).toBe('https://sesame.example.fr/aide à 10:30');
  });

  test('only text between tags changes: attributes, URLs and scripts are left as written', () => {
    const html = '<a href="/x?a=1 ;b" title="Oui ?">Oui ?</a><script>var a = "b : c";</script><style>a { b : c }</style>';
    expect(withFrenchTypography(html)).toBe(`<a href="/x?a=1 ;b" title="Oui ?">Oui${NNBSP}?</a><script>var a = "b : c";</script><style>a { b : c }</style>`);
  });

  test('every page rendered through renderView passes the check, written with ordinary spaces in its template', () => {
    const html = renderView('error', { title: 'Page expirée – Sésame', heading: 'Page expirée', message: 'Trop de tentatives ? Réessayez : « Renvoyer le code ».', code: 'invalid_client' });
    expect(typographyProblems(html)).toEqual([]);
    expect(html).toContain('<span lang="en">invalid_client</span>');
    expect(typographyProblems('<p>Exemple : 06 12 34 56 78</p>')).toEqual(['breakable space: «Exemple : 06 12 34 56 78»', 'breakable phone number: «06 12 34 56 78»']);
  });
});
