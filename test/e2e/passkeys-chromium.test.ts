// Passkeys in a real Chromium with the DevTools protocol's virtual authenticator (a phone with a fingerprint
// reader, as far as WebAuthn can tell): «Ajouter une clé d'accès» in «Mon compte», then a relying party's sign-in
// to its callback with «Se connecter avec une clé d'accès»; a removed key no longer opens anything; a key whose
// user handle names another account is refused. WebAuthn refuses an IP address as RP ID, so Sésame's issuer is
// http://localhost:<port> and Chromium maps localhost to 127.0.0.1, where the server listens.
import { createServer, type Server } from 'node:http';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { describeInChromium, useChromium } from '../support/chromium.js';
import { discover, oidc, registerClient, startAuthorization, type TestClient } from '../support/relying-party.js';
import { admin, freePort, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

describeInChromium('passkeys in Chromium with a virtual authenticator (embedded store)', () => {
  const chromium = useChromium({ args: ['--host-resolver-rules=MAP localhost 127.0.0.1'] });
  let sesame: TestSesame;
  let rp: Server;
  let callbackUrl: string;
  let client: TestClient;
  let config: oidc.Configuration;
  const people: Record<'claire' | 'lucas', { identifiant: string; sub: string }> = {} as never;

  beforeAll(async () => {
    sesame = await startTestSesame('embedded', {}, { issuerHost: 'localhost' });
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    rp = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<p>Retour à Pronote</p>')).listen(port, '127.0.0.1');
    for (const [key, given] of [['claire', 'Claire'], ['lucas', 'Lucas']] as const) {
      const { json } = await admin(sesame, 'POST', '/accounts', { kind: key === 'claire' ? 'responsable' : 'eleve', given_name: given, family_name: 'Moreau', password: PASSWORD });
      people[key] = { identifiant: json.identifiant, sub: json.sub };
    }
    client = await registerClient(sesame, { name: 'Pronote', scope: 'openid profile', redirect_uris: [callbackUrl] });
    config = await discover(sesame, client);
    // A browser and an embedded database starting together take long on a loaded 2-core machine.
  }, 180_000);

  afterAll(async () => {
    rp?.close();
    await sesame?.shutdown();
  });

  /**
   * A page whose browser has a phone-like authenticator: resident keys, user verification that succeeds. Chromium
   * answers the identifiant field's suggestions (conditional UI) at once with the virtual authenticator's key;
   * `suggestions: false` plays a browser without them, where the button is the way.
   */
  async function withAuthenticator(options: { suggestions?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; cdp: CDPSession; authenticatorId: string }> {
    // A small phone's width: nothing may scroll sideways.
    const context = await chromium.newContext({ viewport: { width: 320, height: 640 } });
    if (options.suggestions === false) {
      await context.addInitScript(() => {
        Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: () => Promise.resolve(false) });
      });
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { context, page, cdp, authenticatorId };
  }

  async function signInToAccount(page: Page, identifiant: string, kind: 'responsable' | 'eleve'): Promise<void> {
    await page.goto(`${sesame.issuer}/compte/cles-d-acces`);
    await page.getByRole('link', { name: kind === 'responsable' ? 'Parent ou responsable légal' : 'Élève' }).click();
    await page.getByLabel('Identifiant').fill(identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.getByRole('heading', { name: 'Mes clés d’accès' }).waitFor();
  }

  async function addPasskey(page: Page, name: string): Promise<void> {
    await page.getByLabel('Nom de la clé (facultatif)').fill(name);
    // Asked again: whoever finds «Mon compte» open on a shared computer cannot add a key of their own.
    await page.getByLabel('Votre mot de passe actuel', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Ajouter une clé d’accès' }).click();
    await page.getByText('Votre clé d’accès est ajoutée').waitFor();
  }

  /** From the relying party's authorization URL to the login form, signed out of Sésame. */
  async function openRpSignIn(context: BrowserContext, page: Page) {
    await context.clearCookies();
    const start = await startAuthorization(config, client, 'openid profile');
    await page.goto(start.url.toString());
    await page.getByRole('link', { name: 'Parent ou responsable légal' }).click();
    return start;
  }

  async function expectCallback(page: Page, start: { verifier: string; state: string }) {
    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    return oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: start.verifier, expectedState: start.state });
  }

  test('a parent adds a passkey in «Mon compte», signs in to a relying party with it, then removes it', async () => {
    const { context, page, cdp, authenticatorId } = await withAuthenticator();
    await signInToAccount(page, people.claire.identifiant, 'responsable');
    await page.getByText('Vous n’avez pas encore de clé d’accès.').waitFor();
    await addPasskey(page, 'Téléphone de Claire');
    await page.getByRole('heading', { name: 'Téléphone de Claire' }).waitFor();
    await page.getByText('Pas encore utilisée.').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as { credentials: VirtualCredential[] };
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');

    // The identifiant field offers the key among its suggestions (conditional UI): picked, it signs in.
    const start = await openRpSignIn(context, page);
    const tokens = await expectCallback(page, start);
    expect(tokens.claims()!.sub).toBe(people.claire.sub);
    expect(tokens.claims()!.amr).toEqual(['pop', 'mfa']);

    // Signed in by the passkey: «Mon compte» shows when it was last used, and removes it after a confirmation.
    await page.goto(`${sesame.issuer}/compte/cles-d-acces`);
    await page.getByText(/Dernière utilisation/).waitFor();
    await page.getByRole('link', { name: 'Supprimer la clé « Téléphone de Claire »' }).click();
    await page.getByRole('heading', { name: 'Supprimer une clé d’accès' }).waitFor();
    await page.getByRole('button', { name: 'Supprimer la clé' }).click();
    await page.getByText('La clé d’accès est supprimée').waitFor();
    await page.getByText('Vous n’avez pas encore de clé d’accès.').waitFor();

    // The phone still holds the key, but Sésame no longer knows it: refused, in French, and no callback.
    await openRpSignIn(context, page);
    expect(await page.getByLabel('Identifiant').getAttribute('autocomplete')).toBe('username webauthn');
    await page.getByText('Cette clé d’accès n’est pas reconnue').waitFor();
    expect(page.url().startsWith(sesame.issuer)).toBe(true);
    // The password path is complete as ever.
    await page.getByLabel('Identifiant').fill(people.claire.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    await page.waitForURL((url) => url.toString().startsWith(callbackUrl));
    await context.close();
  });

  test('with the button: a key presented with another account’s user handle is refused, the owner’s signs in', async () => {
    // Each person registers a key on their own phone; these browsers offer no suggestions, only the button.
    const claire = await withAuthenticator({ suggestions: false });
    await signInToAccount(claire.page, people.claire.identifiant, 'responsable');
    await addPasskey(claire.page, 'Téléphone de Claire');
    const lucas = await withAuthenticator({ suggestions: false });
    await signInToAccount(lucas.page, people.lucas.identifiant, 'eleve');
    await addPasskey(lucas.page, 'Téléphone de Lucas');
    const [claireKey] = ((await claire.cdp.send('WebAuthn.getCredentials', { authenticatorId: claire.authenticatorId })) as { credentials: VirtualCredential[] }).credentials;
    const [lucasKey] = ((await lucas.cdp.send('WebAuthn.getCredentials', { authenticatorId: lucas.authenticatorId })) as { credentials: VirtualCredential[] }).credentials;
    expect(claireKey!.userHandle).not.toBe(lucasKey!.userHandle);

    // A third phone holds Claire's key, altered to name Lucas's account.
    const forged = await withAuthenticator({ suggestions: false });
    await forged.cdp.send('WebAuthn.addCredential', {
      authenticatorId: forged.authenticatorId,
      credential: { ...claireKey!, userHandle: lucasKey!.userHandle, signCount: claireKey!.signCount + 1 },
    });
    await openRpSignIn(forged.context, forged.page);
    expect(await forged.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await forged.page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).click();
    await forged.page.getByText('Cette clé d’accès n’est pas reconnue').waitFor();
    expect(forged.page.url().startsWith(sesame.issuer)).toBe(true);

    // Claire's own phone still signs her in.
    const start = await openRpSignIn(claire.context, claire.page);
    await claire.page.getByRole('button', { name: 'Se connecter avec une clé d’accès' }).click();
    const tokens = await expectCallback(claire.page, start);
    expect(tokens.claims()!.sub).toBe(people.claire.sub);
    await Promise.all([claire.context.close(), lucas.context.close(), forged.context.close()]);
  });
});
