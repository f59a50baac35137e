// Every link a person can follow from the login page and the footer leads to a French page, never a 404.
import { Browser } from '../support/browser.js';
import { expectFrenchPage } from '../support/http.js';
import { discover, registerClient, startAuthorization } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

describe('links from the login page and the footer', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
  });
  afterAll(() => sesame?.shutdown());

  test('each one answers with a French page, and the «oublié» pages lead back to the sign-in in progress', async () => {
    const client = await registerClient(sesame);
    const config = await discover(sesame, client);
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    const profile = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    const form = await browser.request(`${profile.url}?profil=responsable`);
    const links = [...form.html.matchAll(/href="([^"#]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')).filter((h) => h.startsWith('/') && !h.startsWith('/static/'));
    // The language switch changes the language and goes back (languages.test.ts): every other link is a French page.
    expect(links.filter((l) => l.startsWith('/langue?'))).toHaveLength(1);
    links.splice(links.findIndex((l) => l.startsWith('/langue?')), 1);
    // Opened from a sign-in, the footer's pages carry it, so each can lead back (screens-dead-ends.test.ts).
    const uid = new URL(profile.url).pathname.split('/').at(-1)!;
    expect(links).toEqual(expect.arrayContaining(['/aide', '/accessibilite', '/mentions-legales', '/donnees-personnelles'].map((p) => `${p}?interaction=${uid}`)));
    expect(links.some((l) => l.startsWith('/mot-de-passe-oublie?interaction='))).toBe(true);
    for (const link of links) {
      const page = await browser.request(new URL(link, sesame.issuer).toString());
      expect({ link, status: page.status }).toEqual({ link, status: 200 });
      expectFrenchPage(page);
    }
    const forgotten = await browser.request(new URL(links.find((l) => l.startsWith('/mot-de-passe-oublie'))!, sesame.issuer).toString());
    expect(forgotten.html).toContain(`href="${new URL(profile.url).pathname}"`);
    expect(forgotten.html).toContain('Revenir à la connexion');
  });

  test('a forged interaction parameter is not echoed into the page', async () => {
    const page = await new Browser().request(`${sesame.issuer}/identifiant-oublie?interaction=%22%3E%3Cscript%3E`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('<script>');
    expect(page.html).not.toContain('Revenir à la connexion');
  });
});
