// «Mon compte» in a real Chromium on a 320 px phone: from the home page through Sésame's sign-in and back, the
// sections' navigation, a wrong current password (focus on the summary, the field pointing at its message), the
// password changed, then «Se déconnecter» to the truthful signed-out page.
import type { Page } from 'playwright-core';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const NEW_PASSWORD = 'Trousse-verte-2027';

describeInChromium('«Mon compte» in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let identifiant: string;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { MAIL_TRANSPORT: 'outbox' });
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
    // A browser and an embedded database starting together take long on a loaded 2-core machine.
  }, 180_000);

  afterAll(async () => {
    await sesame?.shutdown();
  });

  async function expectFrame(page: Page): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.title()).toMatch(/Sésame/);
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('main').count()).toBe(1);
    // Nothing wider than a 320 px screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  }

  test('a parent walks through «Mon compte» and signs out', async () => {
    const context = await chromium.newContext({ viewport: { width: 320, height: 640 } });
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/`);
    await page.getByRole('link', { name: /Mon compte/ }).click();

    // Sésame's own sign-in, for «Mon compte».
    await page.getByText('pour accéder à Mon compte').waitFor();
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    await page.getByRole('heading', { name: 'Mes informations' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/compte');
    await expectFrame(page);
    await page.getByText(identifiant, { exact: true }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Mon compte' });
    expect(await nav.getByRole('link', { name: 'Mes informations' }).getAttribute('aria-current')).toBe('page');

    await nav.getByRole('link', { name: 'Changer mon mot de passe' }).click();
    await page.getByRole('heading', { name: 'Changer mon mot de passe' }).waitFor();
    await expectFrame(page);
    await page.getByLabel('Votre mot de passe actuel').fill('pas-le-bon');
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirmez votre nouveau mot de passe').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Changer mon mot de passe' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.title()).toMatch(/^Erreur/);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    const current = page.getByLabel('Votre mot de passe actuel');
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await current.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.join(' ')).toContain('n’est pas votre mot de passe actuel');

    await current.fill(PASSWORD);
    await page.getByLabel('Nouveau mot de passe', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirmez votre nouveau mot de passe').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Changer mon mot de passe' }).click();
    await page.getByText('Votre mot de passe est changé').waitFor();
    await expectFrame(page);

    await page.getByRole('navigation', { name: 'Mon compte' }).getByRole('link', { name: 'Mes applications' }).click();
    await page.getByText('Aucune application n’a reçu d’accès à votre compte.').waitFor();

    await page.getByRole('link', { name: 'Se déconnecter' }).click();
    await page.getByText('Voulez-vous vous déconnecter').waitFor();
    await page.getByRole('button', { name: /Se déconnecter/ }).click();
    await page.getByText('Vous n’êtes plus connecté').waitFor();

    // Back to «Mon compte»: the sign-in again.
    await page.goto(`${sesame.issuer}/compte`);
    await page.getByText('pour accéder à Mon compte').waitFor();
  });
});
