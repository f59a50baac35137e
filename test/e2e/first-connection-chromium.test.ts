// The first connection in a real browser (Chromium, 360 px wide like a small phone): from a relying party's sign-in
// with the letter's provisional password, the three steps, «Continuer vers …» back to the relying party, then the
// email link; and once without JavaScript, from Sésame's home page.
import { createServer, type Server } from 'node:http';
import { pupilRow } from '../support/directory-csv.js';
import { importDirectory, letterFor, linkIn } from '../support/first-connection.js';
import { discover, oidc, registerClient, startAuthorization } from '../support/relying-party.js';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

const PASSWORD = 'Cartable-rouge-2026';

describeInChromium('first connection in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let smtp: TestSmtpServer;
  let rp: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    sesame = await startTestSesame('embedded', { SMTP_URL: smtp.url });
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à Pronote</p>')).listen(port, '127.0.0.1');
    const parent = { resp_nom: 'Morel', resp_prenom: 'Agnès', resp_mobile: '06 55 44 33 22', resp_email: '' };
    await importDirectory(sesame, [pupilRow({ uai: '0780001A', etablissement: 'Collège Jean-Moulin', ine: '', ...parent, eleve_id: 'C1', eleve_prenom: 'Yanis', eleve_nom: 'Morel', eleve_naissance: '2012-04-04' })]);
    await importDirectory(sesame, [pupilRow({ uai: '0780002B', etablissement: 'École Victor-Hugo', ine: '', ...parent, eleve_id: 'C2', eleve_prenom: 'Jade', eleve_nom: 'Morel', eleve_naissance: '2017-08-30', niveau: '1115', classe: 'CP' })]);
  });
  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
    await smtp?.close();
  });

  test('a parent on a phone signs in with the letter, goes through the steps, and lands at the relying party', async () => {
    const letter = await letterFor(sesame.sesame.db, { givenName: 'Agnès', familyName: 'Morel', kind: 'responsable' });
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile email', redirect_uris: [callbackUrl] });
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile email');

    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(start.url.toString());
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByLabel('Identifiant').fill(letter.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(letter.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    await page.getByRole('heading', { name: 'Étape 1 sur 3 — Votre mot de passe' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByLabel('Choisissez votre mot de passe').fill(PASSWORD);
    await page.getByLabel('Confirmez votre mot de passe').fill('autre chose');
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await page.getByRole('link', { name: /ne sont pas identiques/ }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    await page.getByLabel('Choisissez votre mot de passe').fill(PASSWORD);
    await page.getByLabel('Confirmez votre mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();

    await page.getByRole('heading', { name: 'Étape 2 sur 3 — Votre adresse électronique' }).waitFor();
    await page.getByLabel('Adresse électronique').fill('agnes.morel@example.org');
    await page.getByRole('button', { name: 'Continuer', exact: true }).click();

    await page.getByRole('heading', { name: 'Étape 3 sur 3 — Vérification de votre identité' }).waitFor();
    await page.getByLabel('Date de naissance de Yanis MOREL (Collège Jean-Moulin)').fill('04/04/2012');
    await page.getByLabel('Date de naissance de Jade MOREL (École Victor-Hugo)').fill('30082017');
    await page.getByRole('button', { name: 'Confirmer' }).click();

    await page.getByRole('heading', { name: 'Votre compte est prêt' }).waitFor();
    expect((await page.locator('.identifiant').textContent())?.trim()).toBe(letter.identifiant);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Continuer vers Pronote' }).click();
    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: start.verifier, expectedState: start.state });
    expect(tokens.claims()!.sub).toBe(letter.accountId);

    await page.goto(linkIn(smtp.mails, 'agnes.morel@example.org'));
    await page.getByRole('button', { name: 'Confirmer mon adresse' }).click();
    await page.getByRole('heading', { name: 'Votre compte est activé' }).waitFor();
  });

  test('without JavaScript, from the home page, down to «Votre compte est prêt»', async () => {
    const letter = await letterFor(sesame.sesame.db, { givenName: 'Yanis', familyName: 'Morel', kind: 'eleve' });
    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${sesame.issuer}/`);
    await page.getByRole('link', { name: 'Première connexion avec le courrier de l’établissement' }).click();
    await page.getByLabel('Identifiant').fill(letter.identifiant);
    await page.getByLabel('Mot de passe provisoire').fill(letter.password);
    await page.getByRole('button', { name: 'Commencer' }).click();
    await page.getByLabel('Choisissez votre mot de passe').fill(PASSWORD);
    await page.getByLabel('Confirmez votre mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await page.getByRole('button', { name: 'Continuer sans adresse électronique' }).click();
    await page.getByLabel('Votre date de naissance').fill('04/04/2012');
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByRole('heading', { name: 'Votre compte est prêt' }).waitFor();
    expect((await page.locator('.identifiant').textContent())?.trim()).toBe(letter.identifiant);
  });
});
