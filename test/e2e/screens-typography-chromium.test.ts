// French typography as laid out by a real browser at 320 px (SCREENS.md): on key screens, no line starts with `:`,
// `;` or `»`, and no phone number is split across two lines. The HTTP tests check the spaces on every page; this
// checks that the browser honours them where lines are the narrowest.
import { lastCode } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { badLineBreaks, describeInChromium, useChromium } from '../support/chromium.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

describeInChromium('typography at 320 px in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '0' });
  });
  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('activation’s first steps, recovery, help and the missing page break no line wrongly', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const context = await chromium.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    const seen: Record<string, string[]> = {};

    await page.goto(`${sesame.issuer}/activation`);
    seen.identity = await badLineBreaks(page);
    await page.getByLabel('Nom', { exact: true }).fill('Moreau');
    await page.getByLabel('Prénom').fill('Claire');
    await page.getByLabel('Numéro de téléphone portable').fill(mobile.typed);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByLabel('Code reçu par SMS').waitFor();
    seen.code = await badLineBreaks(page);
    await page.getByLabel('Code reçu par SMS').fill('000000');
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.locator('.error-summary').waitFor();
    seen.wrongCode = await badLineBreaks(page);
    await page.getByLabel('Code reçu par SMS').fill(await lastCode(sesame.dataDir, mobile.e164));
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.getByRole('button', { name: 'Confirmer les dates de naissance' }).waitFor();
    seen.children = await badLineBreaks(page);

    for (const path of ['/mot-de-passe-oublie', '/aide', '/nulle-part', '/premiere-connexion/courrier']) {
      await page.goto(`${sesame.issuer}${path}`);
      seen[path] = await badLineBreaks(page);
    }
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((k) => [k, []])));
  });
});
