// The home page's «Mes services» in a real Chromium at 320 px: a parent reaches each listed service with the keyboard
// alone, in the order shown, and its description is read with it; no sideways scrolling.
import { describeInChromium, useChromium } from '../support/chromium.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';
import { registerClient } from '../support/relying-party.js';

describeInChromium('«Mes services» on the home page in Chromium', () => {
  const chromium = useChromium();
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    for (const [name, url, description] of [
      ['Pronote', 'https://pronote.example.org/', 'Notes, emploi du temps et absences.'],
      ['I-Cart', 'https://ent.example.org/', 'L’ENT (espace numérique de travail) de l’établissement.'],
    ] as const) {
      const client = await registerClient(sesame, { name });
      expect((await admin(sesame, 'PATCH', `/clients/${client.client_id}`, { home_url: url, home_description: description })).status).toBe(200);
    }
  });
  afterAll(() => sesame?.shutdown());

  test('each service is reached with Tab, in order, at 320 px', async () => {
    const context = await chromium.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/`);
    expect(await page.locator('h2#mes-services').textContent()).toBe('Mes services');
    const reached: string[] = [];
    for (let i = 0; i < 8 && reached.length < 2; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLAnchorElement | null;
        return el?.closest('ul.services') ? `${el.textContent}|${el.getAttribute('href')}` : null;
      });
      if (focused) reached.push(focused);
    }
    expect(reached).toEqual(['I-Cart|https://ent.example.org/', 'Pronote|https://pronote.example.org/']);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    expect(wide).toBe(false);
  });
});
