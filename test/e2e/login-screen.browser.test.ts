// The sign-in screens in a real Chromium, from a relying party's authorization URL to its callback: what a person
// notices — French page, labels, focus on errors, keyboard only, the password toggle, no JavaScript, a 320 px phone.
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { discover, oidc, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

describeInChromium('login screens in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let identifiant: string;
  let rp: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    // The relying party's callback: a page that only says it was reached.
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Pronote</title><p>Retour à Pronote</p>')).listen(port, '127.0.0.1');
    client = await registerClient(sesame, { name: 'Pronote', redirect_uris: [callbackUrl] });
    config = await discover(sesame, client);
    identifiant = (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: 'Claire', family_name: 'Moreau', password: PASSWORD })).json.identifiant;
  });

  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
  });

  async function openSignIn(options: Parameters<typeof chromium.newContext>[0] = {}): Promise<Page> {
    const context = await chromium.newContext(options);
    const page = await context.newPage();
    const start = await startAuthorization(config, client, 'openid');
    await page.goto(start.url.toString());
    return page;
  }

  async function expectCallbackReached(page: Page): Promise<void> {
    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    await page.getByText('Retour à Pronote').waitFor();
  }

  /** Presses Tab until the focused element matches `selector`; fails if it is never reached. */
  async function tabTo(page: Page, selector: string): Promise<void> {
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`${selector} cannot be reached with the Tab key`);
  }

  /** The common frame every screen must have. */
  async function expectFrame(page: Page): Promise<void> {
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.title()).toMatch(/Sésame/);
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('main').count()).toBe(1);
  }

  test('a person signs in with the mouse: profile, form, back at the relying party', async () => {
    const page = await openSignIn();
    await expectFrame(page);
    await page.getByText('pour accéder à Pronote').waitFor();
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await expectFrame(page);
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expectCallbackReached(page);
  });

  test('every visible field of the form has a visible label tied to it', async () => {
    const page = await openSignIn();
    await page.getByRole('link', { name: 'Élève', exact: true }).click();
    const fields = await page.locator('form input:not([type=hidden])').evaluateAll((inputs) =>
      inputs.map((input) => {
        const labels = [...((input as HTMLInputElement).labels ?? [])];
        const visible = labels.filter((l) => {
          const box = l.getBoundingClientRect();
          return box.width > 0 && box.height > 0 && getComputedStyle(l).visibility !== 'hidden' && l.textContent!.trim() !== '';
        });
        return { id: input.id, labels: visible.map((l) => l.textContent!.trim()) };
      }),
    );
    expect(fields.map((f) => f.id)).toEqual(expect.arrayContaining(['username', 'password', 'password-show']));
    for (const field of fields) expect(field.labels.length).toBeGreaterThan(0);
    expect(await page.getByLabel('Identifiant').getAttribute('autocomplete')).toBe('username');
    expect(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('autocomplete')).toBe('current-password');
  });

  test('after a wrong password the error summary takes the focus and the field points at the message', async () => {
    const page = await openSignIn();
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('.error-summary').waitFor();
    await expectFrame(page);
    expect(await page.title()).toMatch(/^Erreur/);
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    const password = page.getByLabel('Mot de passe', { exact: true });
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby'))!.split(' ');
    const messages = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(messages.join(' ')).toContain('L’identifiant ou le mot de passe est incorrect');
    // The identifiant typed stays; the password does not.
    expect(await page.getByLabel('Identifiant').inputValue()).toBe(identifiant);
    expect(await password.inputValue()).toBe('');
    // The summary's link leads to the field.
    await page.locator('.error-summary a').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('password');
  });

  test('the keyboard alone is enough: Tab and Enter from the profile to the relying party', async () => {
    const page = await openSignIn();
    await tabTo(page, 'a[href$="profil=responsable"]');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await tabTo(page, '#username');
    await page.keyboard.type(identifiant);
    await tabTo(page, '#password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await expectCallbackReached(page);
  });

  test('«Afficher le mot de passe» shows the password, and hides it again', async () => {
    const page = await openSignIn();
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    const password = page.locator('#password');
    await password.fill('secret-visible');
    expect(await password.getAttribute('type')).toBe('password');
    await page.getByLabel('Afficher le mot de passe').check();
    expect(await password.getAttribute('type')).toBe('text');
    expect(await password.inputValue()).toBe('secret-visible');
    await page.getByLabel('Afficher le mot de passe').uncheck();
    expect(await password.getAttribute('type')).toBe('password');
  });

  test('without JavaScript the sign-in works just the same', async () => {
    const page = await openSignIn({ javaScriptEnabled: false });
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('L’identifiant ou le mot de passe est incorrect').first().waitFor();
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expectCallbackReached(page);
  });

  test('on a 320 px wide phone nothing sticks out sideways', async () => {
    const page = await openSignIn({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const overflow = () => page.evaluate(() => document.scrollingElement!.scrollWidth);
    expect(await overflow()).toBeLessThanOrEqual(320);
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(320);
    await page.screenshot({ path: '/tmp/login-320.png', fullPage: true });
  });
});
