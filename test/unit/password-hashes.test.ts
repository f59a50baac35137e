// Stored passwords are argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane): a change of algorithm or a
// weaker setting shows here, not only in a review of src/accounts/passwords.ts.
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.js';

describe('password hashes', () => {
  it('are argon2id v1.3 with m=19456 KiB, t=2, p=1, a salt of their own, and verify only the right password', async () => {
    const [first, second] = await Promise.all([hashPassword('Cartable-rouge-2026'), hashPassword('Cartable-rouge-2026')]);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(second).not.toBe(first);
    expect(await verifyPassword(first!, 'Cartable-rouge-2026')).toBe(true);
    expect(await verifyPassword(first!, 'cartable-rouge-2026')).toBe(false);
  });

  it('a stored value that is not a hash verifies nothing instead of throwing', async () => {
    for (const stored of ['', 'plain-text', '$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB', '\u0000'.repeat(64)]) {
      expect(await verifyPassword(stored, 'Cartable-rouge-2026')).toBe(false);
    }
  });
});
