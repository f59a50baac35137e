// The cookie signer (src/http/cookie-keys.ts) makes and accepts exactly keygrip's signatures, so cookies signed
// before it (or by an instance still on keygrip) stay valid, and key rotation keeps its meaning.
import { createRequire } from 'node:module';
import { cookieSigner } from '../../src/http/cookie-keys.js';

interface Keygrip {
  sign(data: string): string;
  index(data: string, digest: string): number;
}
// keygrip is what Koa's `cookies` package uses when given a list of keys.
const Keygrip = createRequire(import.meta.url)('keygrip') as new (keys: string[]) => Keygrip;

describe('cookie signer', () => {
  const keys = ['nouvelle-clé-aléatoire-0123456789abcdefghijklmnopq', 'ancienne-clé-KLMNOPQRSTUVWXYZ'];
  const data = ['_session=zCHw4dVQpGZmRC0hKc0Mj', '_interaction=abc; path=/interaction/abc', 'sesame.csrf=ÿ€ é', ''];

  test('signs as keygrip does, with the first key', () => {
    const ours = cookieSigner(keys);
    const theirs = new Keygrip(keys);
    for (const d of data) expect(ours.sign(d)).toBe(theirs.sign(d));
  });

  test('finds the key that signed, as keygrip does, and refuses anything else', () => {
    const ours = cookieSigner(keys);
    const old = new Keygrip([keys[1]!]);
    for (const d of data) {
      expect(ours.index(d, new Keygrip(keys).sign(d))).toBe(0);
      expect(ours.index(d, old.sign(d))).toBe(1);
      expect(ours.verify(d, old.sign(d))).toBe(true);
      expect(ours.index(d, new Keygrip(['une autre clé']).sign(d))).toBe(-1);
      expect(ours.index(d, `${old.sign(d)}x`)).toBe(-1);
      expect(ours.index(d, old.sign(d).slice(1))).toBe(-1);
      expect(ours.index(d, '')).toBe(-1);
      expect(ours.verify(`${d}x`, old.sign(d))).toBe(false);
    }
  });

  test('refuses an empty key list', () => {
    expect(() => cookieSigner([])).toThrow();
  });
});
