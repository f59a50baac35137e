// «Mon compte»: where a finished sign-in may send the browser back to, and how the school's mobile is shown.
import { safeReturnPath } from '../../src/flows/account/guard.js';
import { maskMobile } from '../../src/flows/account/screens.js';

describe('safeReturnPath', () => {
  test('keeps the pages of «Mon compte»', () => {
    for (const path of ['/compte', '/compte/', '/compte/mot-de-passe', '/compte/enfants', '/compte/applications']) expect(safeReturnPath(path)).toBe(path);
  });

  test('anything else goes back to /compte: other sites, other paths, the callback itself', () => {
    for (const path of ['//evil.example/compte', 'https://evil.example/compte', '/comptex', '/compte/../auth', '/compte/connexion', '/auth', '/compte?x=1', '', '/compte/\u0000']) {
      expect(safeReturnPath(path)).toBe('/compte');
    }
  });
});

describe('maskMobile', () => {
  test('a French mobile keeps its first two and last two digits, with no-break spaces', () => {
    expect(maskMobile('+33612345678')).toBe('06\u00a0**\u00a0**\u00a0**\u00a078');
  });

  test('other numbers keep little; none shows nothing', () => {
    expect(maskMobile('+262692123456')).toBe('+262 6 ** ** ** 56');
    expect(maskMobile(null)).toBeNull();
  });
});
