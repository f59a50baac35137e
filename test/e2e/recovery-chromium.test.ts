// «Mot de passe oublié» in a real browser (Chromium, 360 px wide like a small phone): from a relying party's sign-in,
// the link on the login form, the code received by SMS, a new password, and «Continuer vers …» to the callback.
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { uniqueMobile } from '../support/directory-fixtures.js';
import { codeIn, NEW_PASSWORD, newAccount } from '../support/recovery.js';
import { discover, oidc, registerClient, startAuthorization } from '../support/relying-party.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
import { startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

describeInChromium('«Mot de passe oublié» in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let twilio: TwilioStandIn;
  let rp: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    twilio = await startTwilioStandIn();
    sesame = await startTestSesame('embedded', { RECOVERY_MIN_RESPONSE_MS: '0' }, { sms: twilio.sender(pino({ level: 'silent' })) });
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à Pronote</p>')).listen(port, '127.0.0.1');
    // PGlite starting on a machine shared with other runs can take longer than the default minute.
  }, 180_000);
  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
    await twilio?.close();
  });

  test('a parent on a phone recovers the password by SMS and lands at the relying party', async () => {
    const mobile = uniqueMobile().e164;
    const { identifiant, sub } = await newAccount(sesame, { kind: 'responsable', mobile });
    const client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile', redirect_uris: [callbackUrl] });
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile');

    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(start.url.toString());
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();

    await page.getByRole('heading', { name: 'Étape 1 sur 3 — Votre identifiant' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByRole('button', { name: 'Recevoir un code ou un lien' }).click();

    await page.getByLabel('Code reçu par SMS').waitFor();
    await sesame.sesame.smsQueue.drain();
    await page.getByLabel('Code reçu par SMS').fill(codeIn(twilio.messages, mobile));
    await page.getByRole('button', { name: 'Vérifier le code' }).click();

    await page.getByRole('heading', { name: 'Étape 3 sur 3 — Votre nouveau mot de passe' }).waitFor();
    await page.getByLabel('Choisissez votre nouveau mot de passe').fill(NEW_PASSWORD);
    await page.getByLabel('Confirmez votre mot de passe').fill('autre chose');
    await page.getByRole('button', { name: 'Changer mon mot de passe' }).click();
    await page.getByRole('link', { name: /ne sont pas identiques/ }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
    await page.getByLabel('Choisissez votre nouveau mot de passe').fill(NEW_PASSWORD);
    await page.getByLabel('Confirmez votre mot de passe').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Changer mon mot de passe' }).click();

    await page.getByRole('heading', { name: 'Votre mot de passe a été changé' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Continuer vers Pronote' }).click();
    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: start.verifier, expectedState: start.state });
    expect(tokens.claims()!.sub).toBe(sub);
    await context.close();
  });
});
