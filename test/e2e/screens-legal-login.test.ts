// The legal pages and the login page (issue 11, items 8 and 9): the operator's facts from LEGAL_* settings, the
// retention of each kind of data from the settings the service runs with, the declared accessibility status in
// every footer, examples marked as such outside production and «non renseigné» in production; a favicon; the login
// page never cached; `login_hint` pre-filling the identifiant (and choosing the profile when it says which),
// hostile hints escaped or dropped, never a 500.
import { ConfigError, loadConfig } from '../../src/config.js';
import { renderView } from '../../src/http/views.js';
import { Browser, inputValue } from '../support/browser.js';
import { expectFrenchPage, visibleText } from '../support/http.js';
import { discover, oidc, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { startTestSesame, type TestSesame } from '../support/sesame.js';

const OPERATOR = {
  LEGAL_PUBLISHER: 'Académie de Bordeaux, rectorat',
  LEGAL_PUBLISHER_ADDRESS: '5 rue Joseph de Carayon-Latour, 33060 Bordeaux Cedex',
  LEGAL_PUBLICATION_DIRECTOR: 'la rectrice de l’académie de Bordeaux',
  LEGAL_HOST: 'Pôle de compétences numériques',
  LEGAL_HOST_ADDRESS: '10 avenue des Serveurs, 33000 Bordeaux',
  LEGAL_HOST_PHONE: '05 57 57 38 00',
  LEGAL_DPO_CONTACT: 'dpd@ac-bordeaux.fr',
  LEGAL_CONTACT: 'https://www.ac-bordeaux.fr/contact',
  LEGAL_ACCOUNT_RETENTION: 'jusqu’à la fin de la scolarité du dernier enfant',
  LEGAL_LOG_RETENTION: '1 an',
  LEGAL_ACCESSIBILITY_STATUS: 'totale',
  LEGAL_ACCESSIBILITY_DATE: '2026-11-03',
  LEGAL_ACCESSIBILITY_RATE: '100',
  ACTIVATION_FLOW_TTL_SECONDS: '7200',
  EMAIL_LINK_TTL_SECONDS: '259200',
  SESSION_TTL: '14400',
};

/** The visible text with no-break spaces read as spaces (the typography puts them before units and inside dates). */
const seen = (html: string) => visibleText(html).replace(/[\u00a0\u202f]/g, ' ');

describe('legal pages with the operator’s settings', () => {
  let sesame: TestSesame;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded', OPERATOR);
  });
  afterAll(() => sesame?.shutdown());

  const page = async (path: string) => {
    const answer = await new Browser().request(`${sesame.issuer}${path}`);
    expectFrenchPage(answer, 200);
    return answer;
  };

  test('mentions légales name the publisher, the director of publication and the host', async () => {
    const text = seen((await page('/mentions-legales')).html);
    for (const key of ['LEGAL_PUBLISHER', 'LEGAL_PUBLISHER_ADDRESS', 'LEGAL_PUBLICATION_DIRECTOR', 'LEGAL_HOST', 'LEGAL_HOST_ADDRESS', 'LEGAL_HOST_PHONE'] as const) {
      expect(text).toContain(OPERATOR[key]);
    }
    expect(text).not.toContain('exemple');
    expect(text).not.toContain('non renseigné');
  });

  test('données personnelles: controller, legal basis, retention of each kind from the running settings, rights, DPO', async () => {
    const answer = await page('/donnees-personnelles');
    const text = seen(answer.html);
    expect(text).toContain(`Responsable du traitement ${OPERATOR.LEGAL_PUBLISHER}`);
    expect(text).toContain('mission d’intérêt public');
    expect(text).toMatch(/Demande d’activation en cours[^|]*2 heures au plus ; le code lui-même n’est valable que 10 minutes/);
    expect(text).toContain('Lien de confirmation envoyé par courriel 3 jours, puis il ne fonctionne plus');
    expect(text).toContain('Connexion ouverte (session) 4 heures au plus');
    expect(text).toContain('10 minutes ; 14 jours pour un accès prolongé');
    expect(text).toContain(`Compte et informations transmises par l’établissement ${OPERATOR.LEGAL_ACCOUNT_RETENTION}`);
    expect(text).toContain(`Journaux de fonctionnement ${OPERATOR.LEGAL_LOG_RETENTION}`);
    expect(text).toContain('articles 15, 16, 18 et 21 du RGPD');
    expect(answer.html).toContain('href="mailto:dpd@ac-bordeaux.fr"');
    expect(text).toContain('CNIL');
  });

  test('the accessibility statement follows the RGAA model, and every footer shows the declared status', async () => {
    const answer = await page('/accessibilite');
    const text = seen(answer.html);
    expect(text).toContain('Sésame est totalement conforme avec le référentiel général d’amélioration de l’accessibilité (RGAA)');
    expect(text).toContain('100 % des critères du RGAA sont respectés');
    expect(text).toContain('Cette déclaration a été établie le 3 novembre 2026');
    expect(text).toContain('Dérogations pour charge disproportionnée Aucune.');
    expect(answer.html).toContain('href="https://www.ac-bordeaux.fr/contact"');
    expect(text).toContain('Défenseur des droits');
    expect(text).toContain('Libre réponse 71120, 75342 Paris CEDEX 07');
    for (const path of ['/', '/aide', '/activation', '/nulle-part']) {
      const other = await new Browser().request(`${sesame.issuer}${path}`);
      expect({ path, footer: /<a href="\/accessibilite">([^<]+)<\/a>/.exec(other.html)?.[1]?.replace(/\s/g, ' ') }).toEqual({ path, footer: 'Accessibilité : totalement conforme' });
    }
  });

  test('a favicon is linked from every page and served as SVG', async () => {
    const home = await page('/');
    expect(home.html).toContain('<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">');
    const icon = await fetch(`${sesame.issuer}/static/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });
});

describe('legal settings', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'test', ...env });
      return undefined;
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
  };

  test('outside production, unset facts are examples; in production they are «non renseigné» and listed', () => {
    const demo = loadConfig({ NODE_ENV: 'development' }).legal;
    expect(demo.publisher).toEqual({ text: expect.any(String), example: true });
    expect(demo.examples).toBe(true);
    expect(demo.missing).toEqual([]);
    const production = loadConfig({
      NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(32), ISSUER: 'https://sesame.example.org', SMTP_URL: 'smtp://127.0.0.1:2525',
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x'.repeat(32), TWILIO_FROM: 'Sesame', LEGAL_PUBLISHER: 'Académie de Lyon',
    }).legal;
    expect(production.publisher).toEqual({ text: 'Académie de Lyon', example: false });
    expect(production.host).toBeNull();
    expect(production.accessibility.status).toEqual({ text: 'non conforme', example: false });
    expect(production.examples).toBe(false);
    expect(production.missing).toEqual(expect.arrayContaining(['LEGAL_HOST', 'LEGAL_DPO_CONTACT', 'LEGAL_ACCESSIBILITY_STATUS', 'LEGAL_ACCESSIBILITY_DATE']));
    expect(production.missing).not.toContain('LEGAL_PUBLISHER');
    // What the pages then say: the operator's value, or «non renseigné», never an example.
    const mentions = seen(renderView('info/mentions-legales', { title: 'Mentions légales – Sésame', legal: production }));
    expect(mentions).toContain('Académie de Lyon');
    expect(mentions).toMatch(/Hébergeur non renseigné/);
    expect(mentions).not.toContain('exemple');
  });

  test('malformed values are refused at start, naming the setting', () => {
    const bad: [string, string][] = [
      ['LEGAL_PUBLISHER', 'Académie\u0000'], ['LEGAL_PUBLISHER', 'Acad\u202Eémie'], ['LEGAL_PUBLISHER', 'x'.repeat(301)], ['LEGAL_HOST', '   '],
      ['LEGAL_DPO_CONTACT', 'javascript:alert(1)'], ['LEGAL_DPO_CONTACT', 'http://dpd.example.org'], ['LEGAL_CONTACT', 'pas une adresse'],
      ['LEGAL_ACCESSIBILITY_STATUS', 'partiellement'], ['LEGAL_ACCESSIBILITY_DATE', '2026-02-30'], ['LEGAL_ACCESSIBILITY_DATE', '03/11/2026'],
      ['LEGAL_ACCESSIBILITY_RATE', '101'], ['LEGAL_ACCESSIBILITY_RATE', 'beaucoup'],
    ];
    for (const [name, value] of bad) expect({ name, value, refused: refusal({ [name]: value }) }).toEqual({ name, value, refused: expect.stringContaining(name) });
    expect(refusal({ LEGAL_DPO_CONTACT: 'https://dpd.example.org/contact', LEGAL_CONTACT: 'a11y@example.org' })).toBeUndefined();
  });
});

describe('legal pages of a demonstration, and the login page', () => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  beforeAll(async () => {
    sesame = await startTestSesame('embedded');
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile' });
    config = await discover(sesame, client);
  });
  afterAll(() => sesame?.shutdown());

  test('example values are marked as examples, and the footer shows the example status', async () => {
    for (const path of ['/mentions-legales', '/donnees-personnelles', '/accessibilite']) {
      const text = seen((await new Browser().request(`${sesame.issuer}${path}`)).html);
      expect(text).toContain('sont celles de la démonstration');
      expect(text).toMatch(/\(exemple\)/);
    }
    const home = await new Browser().request(`${sesame.issuer}/`);
    expect(visibleText(home.html)).toContain('Accessibilité : partiellement conforme');
  });

  /** Opens the sign-in with `login_hint` (as a relying party sends it) and returns the first page shown. */
  async function withHint(hint: string | undefined) {
    const browser = new Browser();
    const start = await startAuthorization(config, client, 'openid');
    if (hint !== undefined) start.url.searchParams.set('login_hint', hint);
    const page = await browser.navigate(start.url.toString(), {}, sesame.issuer);
    return { browser, page };
  }

  test('the login page, profile choice and form, is never cached', async () => {
    const { browser, page } = await withHint(undefined);
    expect(visibleText(page.html)).toContain('Vous êtes :');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const form = await browser.request(`${page.url}?profil=responsable`);
    expect(form.headers.get('cache-control')).toBe('no-store');
  });

  test('login_hint pre-fills the identifiant; with a profile it skips the choice, and «Changer de profil» brings it back', async () => {
    const plain = await withHint('claire.moreau');
    expect(visibleText(plain.page.html)).toContain('Vous êtes :');
    const form = await plain.browser.request(`${plain.page.url}?profil=responsable`);
    expect(inputValue(form.html, 'username')).toBe('claire.moreau');

    const parent = await withHint('responsable:claire.moreau');
    expect(visibleText(parent.page.html)).not.toContain('Vous êtes :');
    expect(inputValue(parent.page.html, 'username')).toBe('claire.moreau');
    expect(inputValue(parent.page.html, 'profil')).toBe('responsable');
    expect(seen(parent.page.html)).toContain('Je n’ai pas de compte');

    const pupil = await withHint('eleve:');
    expect(inputValue(pupil.page.html, 'profil')).toBe('eleve');
    expect(inputValue(pupil.page.html, 'username')).toBeUndefined();
    expect(seen(pupil.page.html)).not.toContain('Je n’ai pas de compte');

    const change = /href="([^"]+)">Changer de profil</.exec(parent.page.html)![1]!;
    const choice = await parent.browser.request(new URL(change, sesame.issuer).toString());
    expect(visibleText(choice.html)).toContain('Vous êtes :');
  });

  test('hostile hints are escaped, truncated or dropped, never a 500', async () => {
    const script = await withHint('responsable:"><script>alert(1)</script>');
    expect(script.page.status).toBe(200);
    expect(script.page.html).not.toContain('<script>alert');
    expect(inputValue(script.page.html, 'username')).toBe('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');

    const long = await withHint(`responsable:${'a'.repeat(1500)}`);
    expect(long.page.status).toBe(200);
    expect(inputValue(long.page.html, 'username')).toBe('a'.repeat(100));

    for (const hint of ['x'.repeat(5000), 'claire\u0000moreau', 'claire\u202Emoreau', 'responsable:\nclaire', 'autre:claire.moreau', ' ', '\ud800']) {
      const { page } = await withHint(hint);
      expect({ hint: hint.slice(0, 20), status: page.status }).toEqual({ hint: hint.slice(0, 20), status: page.status < 500 ? page.status : 'not a 500' });
      // The provider itself sends a NUL or a lone surrogate back to the relying party as invalid_request.
      if (page.location) {
        expect(new URL(page.location).searchParams.get('error')).toBe('invalid_request');
        continue;
      }
      expectFrenchPage(page);
      if (page.html.includes('name="username"')) expect(inputValue(page.html, 'username') ?? '').not.toMatch(/[\u0000\u202e]/);
    }
    // An unknown prefix is an identifiant like any other: pre-filled, the choice still shown.
    const other = await withHint('autre:claire.moreau');
    expect(visibleText(other.page.html)).toContain('Vous êtes :');
  });
});
