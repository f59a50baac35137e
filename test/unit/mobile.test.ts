// The fast path for plainly written metropolitan mobiles gives exactly what the full libphonenumber-js parse gives.
import { normaliseMobile, parseMobile } from '../../src/directory/mobile.js';

describe('normaliseMobile', () => {
  it('agrees with the full parse on every 06/07 prefix, written in every common way', () => {
    const forms = (n: string) => [
      n,
      `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n.slice(8)}`,
      `${n.slice(0, 2)}.${n.slice(2, 4)}.${n.slice(4, 6)}.${n.slice(6, 8)}.${n.slice(8)}`,
      `${n.slice(0, 2)}-${n.slice(2, 4)}-${n.slice(4, 6)}-${n.slice(6, 8)}-${n.slice(8)}`,
      `+33${n.slice(1)}`,
      `+33 ${n.slice(1, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6, 8)} ${n.slice(8)}`,
      `+33 0${n.slice(1)}`,
      ` 0 ${n.slice(1)} `,
    ];
    let compared = 0;
    for (const lead of ['01', '05', '06', '07', '08', '09']) {
      for (let p = 0; p < 100; p += 1) {
        for (const rest of ['000000', '123456', '999999']) {
          for (const raw of forms(`${lead}${String(p).padStart(2, '0')}${rest}`)) {
            expect([raw, normaliseMobile(raw)]).toEqual([raw, parseMobile(raw.trim())]);
            compared += 1;
          }
        }
      }
    }
    expect(compared).toBe(6 * 100 * 3 * 8);
  });

  it('still reads overseas and international numbers', () => {
    expect(normaliseMobile('0692 12 34 56')).toEqual({ ok: true, e164: '+262692123456' });
    expect(normaliseMobile('0690 12 34 56')).toEqual({ ok: true, e164: '+590690123456' });
    expect(normaliseMobile('06 12 34 56 78')).toEqual({ ok: true, e164: '+33612345678' });
    expect(normaliseMobile('01 23 45 67 89').ok).toBe(false);
  });
});
