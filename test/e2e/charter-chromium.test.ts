// The usage charter in a real browser at 360 px: a long text scrolls inside its box, nothing sticks out of the
// screen, the printed page is the charter alone, and ticking the box then «Accepter et continuer» reaches the
// relying party.
import { createServer, type Server } from 'node:http';
import { discover, oidc, registerClient, startAuthorization } from '../support/relying-party.js';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const LONG_CHARTER = ['# Charte de l’ENT', '', ...Array.from({ length: 40 }, (_, i) => `## Article ${i + 1}\n\nJe respecte les autres utilisateurs et https://un-lien-tres-long.example/sans-espace-${'x'.repeat(60)}.\n`)].join('\n');

describeInChromium('usage charter in Chromium (embedded store)', () => {
  const chromium = useChromium();
  let sesame: TestSesame;
  let rp: Server;
  let callbackUrl: string;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à l’ENT</p>')).listen(port, '127.0.0.1');
    // A browser and an embedded database starting together take long on a loaded 2-core machine.
  }, 180_000);
  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
  });

  test('a pupil on a phone reads, prints and accepts the charter, then reaches the application', async () => {
    const client = await registerClient(sesame, { name: 'ENT du collège', scope: 'openid profile', redirect_uris: [callbackUrl] });
    await admin(sesame, 'POST', '/charters', { name: 'ent', text: LONG_CHARTER });
    await admin(sesame, 'POST', `/clients/${client.client_id}/charter`, { charter: 'ent' });
    const account = (await admin(sesame, 'POST', '/accounts', { kind: 'eleve', given_name: 'Jules', family_name: 'Moreau', password: PASSWORD })).json;
    const config = await discover(sesame, client);
    const start = await startAuthorization(config, client, 'openid profile');

    const context = await chromium.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(start.url.toString());
    await page.getByRole('link', { name: 'Élève', exact: true }).click();
    await page.getByLabel('Identifiant').fill(account.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();

    await page.getByRole('heading', { level: 1, name: 'Charte d’utilisation' }).waitFor();
    const box = page.getByRole('region', { name: 'Texte de la charte' });
    expect(await box.evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // On paper: the whole text, no form, no header.
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByRole('button', { name: 'Accepter et continuer' }).isVisible()).toBe(false);
    expect(await box.evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    await page.getByRole('button', { name: 'Accepter et continuer' }).click();
    await page.getByRole('link', { name: /Cochez la case/ }).waitFor();
    await page.getByLabel('J’ai lu et j’accepte la charte').check();
    await page.getByRole('button', { name: 'Accepter et continuer' }).click();

    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: start.verifier, expectedState: start.state });
    expect(tokens.claims()!.sub).toBe(account.sub);
  });
});
