// The whole activation journey in a real browser (Chromium, 360 px wide like a small phone): from a relying
// party's sign-in, «Je n'ai pas de compte», the four steps, and «Continuer vers …» back to the relying party.
import { createServer, type Server } from 'node:http';
import { lastCode } from '../support/activation-journey.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { discover, oidc, registerClient, startAuthorization } from '../support/relying-party.js';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

describeInChromium('activation in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let rp: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', { ACTIVATION_MIN_RESPONSE_MS: '0' });
    // A relying party's callback that just says it was reached, so the browser ends on a real page.
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à Pronote</p>')).listen(port, '127.0.0.1');
  });
  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
  });

  test('a parent on a phone goes from «Je n’ai pas de compte» to the relying party, signed in', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [
      { given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' },
      { given: 'Lina', family: 'Moreau', birthdate: '2017-07-01', uai: '0750002B', schoolName: 'École Victor-Hugo' },
    ]);
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile', redirect_uris: [callbackUrl] });
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile');

    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(start.url.toString());
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByRole('link', { name: 'Je n’ai pas de compte' }).click();

    await page.getByRole('heading', { name: 'Étape 1 sur 4 — Vos informations' }).waitFor();
    await page.getByText('pour accéder à Pronote').waitFor();
    // Nothing sticks out of a 360 px screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // A mistake first: the summary appears, names the field and takes the focus.
    await page.getByLabel('Nom', { exact: true }).fill('Moreau');
    await page.getByLabel('Prénom').fill('Claire');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByRole('link', { name: 'Indiquez votre numéro de téléphone portable.' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);

    await page.getByLabel('Numéro de téléphone portable').fill(mobile.typed);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByRole('heading', { name: 'Étape 2 sur 4 — Code reçu par SMS' }).waitFor();
    await page.getByText('Je n’ai pas reçu de code').click();
    await page.getByRole('button', { name: 'Renvoyer le code' }).waitFor();
    await page.getByLabel('Code reçu par SMS').fill(await lastCode(sesame.dataDir, mobile.e164));
    await page.getByRole('button', { name: 'Vérifier le code' }).click();

    await page.getByRole('heading', { name: 'Étape 3 sur 4 — Vos enfants' }).waitFor();
    await page.getByLabel('Date de naissance de Jules MOREAU (Collège Jean-Moulin)').fill('14/03/2014');
    await page.getByLabel('Date de naissance de Lina MOREAU (École Victor-Hugo)').fill('01072017');
    await page.getByRole('button', { name: 'Confirmer les dates de naissance' }).click();

    await page.getByRole('heading', { name: 'Étape 4 sur 4 — Votre mot de passe' }).waitFor();
    await page.getByText('au moins 12 caractères').waitFor();
    const password = page.getByLabel('Choisissez votre mot de passe');
    await password.fill('Cartable-rouge-2026');
    await page.getByLabel('Afficher le mot de passe').first().check();
    expect(await password.getAttribute('type')).toBe('text');
    await page.getByLabel('Confirmez votre mot de passe').fill('Cartable-rouge-2026');
    await page.getByRole('button', { name: 'Activer mon compte' }).click();

    await page.getByRole('heading', { name: 'Votre compte est activé.' }).waitFor();
    const identifiant = (await page.locator('.identifiant').textContent())?.trim();
    expect(identifiant).toBe('claire.moreau');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Continuer vers Pronote' }).click();

    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: start.verifier, expectedState: start.state });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    expect(info.preferred_username).toBe('claire.moreau');
  });

  test('without JavaScript, every step still works (plain forms), down to «Votre compte est activé.»', async () => {
    const mobile = uniqueMobile();
    await addFamily(sesame.sesame.db, { family: 'Durand', given: 'Paul', mobile: mobile.e164 }, [{ given: 'Zoé', family: 'Durand', birthdate: '2016-10-10' }]);
    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/activation`);
    await page.getByLabel('Nom', { exact: true }).fill('Durand');
    await page.getByLabel('Prénom').fill('Paul');
    await page.getByLabel('Numéro de téléphone portable').fill(mobile.typed);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await page.getByLabel('Code reçu par SMS').fill(await lastCode(sesame.dataDir, mobile.e164));
    await page.getByRole('button', { name: 'Vérifier le code' }).click();
    await page.getByLabel('Date de naissance de Zoé DURAND (Collège Jean-Moulin)').fill('10/10/2016');
    await page.getByRole('button', { name: 'Confirmer les dates de naissance' }).click();
    await page.getByLabel('Choisissez votre mot de passe').fill('Cartable-rouge-2026');
    await page.getByLabel('Confirmez votre mot de passe').fill('Cartable-rouge-2026');
    await page.getByRole('button', { name: 'Activer mon compte' }).click();
    await page.getByRole('heading', { name: 'Votre compte est activé.' }).waitFor();
    expect((await page.locator('.identifiant').textContent())?.trim()).toBe('paul.durand');
  });
});
