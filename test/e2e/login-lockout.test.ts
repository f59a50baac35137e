// A lockout that only slows strangers: failures are counted before the password is checked (a parallel burst
// reaches argon2 at most as often as the limit allows), a browser that signed in to an account is known to it by a
// signed device cookie and keeps signing in while strangers are told «Trop de tentatives», and the per-address
// limit counts distinct identifiants so a school behind one address is not locked out by its own pupils. On PGlite,
// PostgreSQL, and PostgreSQL with the counters in Redis.
import { jest } from '@jest/globals';
import { Browser } from '../support/browser.js';
import { STORES, type StoreKind } from '../support/databases.js';
import { redisEnv } from '../support/env.js';
import { expectFrenchPage } from '../support/http.js';
import { openLoginForm, postLogin } from '../support/login-form.js';
import { discover, oidc, registerClient, type TestClient } from '../support/relying-party.js';
import { admin, startTestSesame, type TestSesame } from '../support/sesame.js';

const PASSWORD = 'Cartable-rouge-2026';
const DEVICE_COOKIE = 'sesame.device';
// Per device (address or known browser) per window; unknown devices together per account per hour (ASVS's 100);
// distinct failing identifiants per address per hour (small here, so the school case runs in a few sign-ins).
const MAX_FAILURES = 10;
const ACCOUNT_MAX_FAILURES = 20;
const ADDRESS_MAX_IDENTIFIANTS = 5;

const MODES: [string, StoreKind, () => Record<string, string>][] = [
  ...STORES.map((s): [string, StoreKind, () => Record<string, string>] => [s, s, () => ({})]),
  ['postgres+redis', 'postgres', redisEnv],
];

describe.each(MODES)('login lockout (%s)', (_mode, store, extraEnv) => {
  let sesame: TestSesame;
  let client: TestClient;
  let config: oidc.Configuration;
  let people = 0;

  // Behind the TLS proxy (TRUST_PROXY) the address is the one the proxy saw, sent as X-Forwarded-For.
  const device = (address: string) => new Browser({ 'x-forwarded-for': address });
  // The same browser later on, its sign-in session over (closed, or another person's turn): only the device cookie stays.
  const later = (browser: Browser, address: string) => {
    const next = device(address);
    next.setCookie(DEVICE_COOKIE, browser.cookie(DEVICE_COOKIE)!);
    return next;
  };
  const attempt = async (browser: Browser, username: string, password: string) => {
    const form = await openLoginForm(sesame, config, client, { browser });
    return postLogin(sesame, form, { username, password });
  };
  const signedIn = (page: { location?: string }) => Boolean(page.location && new URL(page.location).searchParams.get('code'));
  const newAccount = async () => {
    people += 1;
    const given = `Personne${String.fromCharCode(97 + (people % 26))}${people}`;
    return (await admin(sesame, 'POST', '/accounts', { kind: 'responsable', given_name: given, family_name: 'Moreau', password: PASSWORD })).json.identifiant as string;
  };
  const expectTooMany = (page: Awaited<ReturnType<typeof attempt>>, windowSeconds: number) => {
    expect(page.location).toBeUndefined();
    const text = expectFrenchPage(page, 429);
    const retryAfter = Number(page.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
    const minutes = Math.ceil(retryAfter / 60);
    expect(text).toContain(`Trop de tentatives. Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`);
  };

  beforeAll(async () => {
    sesame = await startTestSesame(store, {
      ...extraEnv(),
      TRUST_PROXY: 'true',
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_ACCOUNT_MAX_FAILURES: String(ACCOUNT_MAX_FAILURES),
      LOGIN_ADDRESS_MAX_IDENTIFIANTS: String(ADDRESS_MAX_IDENTIFIANTS),
    });
    client = await registerClient(sesame);
    config = await discover(sesame, client);
  });

  afterAll(async () => {
    await sesame?.shutdown();
  });

  test('20 failures from ten addresses (a limit of 20 here, 100 by default) lock out unknown devices, never the owner’s own browser', async () => {
    const identifiant = await newAccount();
    const other = await newAccount();
    // The owner signs in at home once: the browser is given the device cookie (httpOnly, SameSite=Lax, long-lived,
    // not Secure on this http issuer).
    const home = device('198.51.100.9');
    const form = await openLoginForm(sesame, config, client, { browser: home });
    const posted = await home.request(form.action, { form: { _csrf: form.csrf, profil: 'responsable', username: identifiant, password: PASSWORD } });
    const setCookie = posted.headers.getSetCookie().find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
    expect(setCookie).toMatch(/expires=/i);
    expect(setCookie).not.toMatch(/;\s*secure/i);
    expect(signedIn(await home.navigate(new URL(posted.headers.get('location')!, posted.url).toString(), {}, sesame.issuer))).toBe(true);
    // A browser of someone else who signed in to another account: valid tags, but not for this identifiant.
    const neighbour = device('198.51.100.10');
    expect(signedIn(await attempt(neighbour, other, PASSWORD))).toBe(true);

    // Strangers spread 20 wrong passwords over ten addresses, within each address's own limit.
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async (_, a) => {
        const seen: number[] = [];
        for (let i = 0; i < ACCOUNT_MAX_FAILURES / 10; i += 1) seen.push((await attempt(device(`203.0.113.${a + 1}`), identifiant, `mauvais-${a}-${i}`)).status);
        return seen;
      }),
    );
    expect(statuses.flat()).toEqual(Array(ACCOUNT_MAX_FAILURES).fill(401));

    // A device without the cookie is now told to wait, even with the right password.
    expectTooMany(await attempt(device('192.0.2.44'), identifiant, PASSWORD), 3600);
    // A forged, altered or borrowed cookie counts as no cookie.
    const cookie = home.cookie(DEVICE_COOKIE)!;
    const [deviceId, ...tags] = cookie.split('.');
    const flip = (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    const forgeries = [
      `${flip(deviceId!)}.${tags.join('.')}`,
      [deviceId, ...tags.map(flip)].join('.'),
      `${'A'.repeat(22)}.${'B'.repeat(22)}`,
      neighbour.cookie(DEVICE_COOKIE)!,
    ];
    for (const forged of forgeries) {
      const browser = device('198.51.100.9');
      browser.setCookie(DEVICE_COOKIE, forged);
      expect((await attempt(browser, identifiant, PASSWORD)).status).toBe(429);
    }

    // The owner's browser signs in, at home or from an address the strangers used.
    expect(signedIn(await attempt(later(home, '198.51.100.9'), identifiant, PASSWORD))).toBe(true);
    expect(signedIn(await attempt(later(home, '203.0.113.1'), identifiant, PASSWORD))).toBe(true);
    // The owner's success does not unlock strangers.
    expect((await attempt(device('192.0.2.45'), identifiant, PASSWORD)).status).toBe(429);

    // What a successful recovery will call: unknown devices may try again.
    await sesame.sesame.clearLoginFailures(` ${identifiant.toUpperCase()} `);
    expect(signedIn(await attempt(device('192.0.2.46'), identifiant, PASSWORD))).toBe(true);
  });

  test('a parallel burst of 30 wrong passwords is checked at most as many times as the limit allows', async () => {
    const verify = jest.spyOn(sesame.sesame.accounts, 'verifyCredentials');
    try {
      const identifiant = await newAccount();
      const checksFor = () => verify.mock.calls.filter(([id]) => id === identifiant).length;
      const burst = async (browser: Browser) => {
        const form = await openLoginForm(sesame, config, client, { browser });
        const pages = await Promise.all(Array.from({ length: 30 }, (_, i) => postLogin(sesame, form, { username: identifiant, password: `rafale-${i}` })));
        return pages.map((p) => p.status);
      };

      // From an unknown device.
      const stranger = await burst(device('192.0.2.80'));
      expect(checksFor()).toBeLessThanOrEqual(MAX_FAILURES);
      expect(stranger.filter((s) => s === 401)).toHaveLength(checksFor());
      expect(stranger.filter((s) => s === 429)).toHaveLength(30 - checksFor());

      // From the owner's known browser: its own counter holds the same way.
      const owner = device('192.0.2.81');
      expect(signedIn(await attempt(owner, identifiant, PASSWORD))).toBe(true);
      const before = checksFor();
      const known = await burst(later(owner, '192.0.2.81'));
      expect(checksFor() - before).toBeLessThanOrEqual(MAX_FAILURES);
      expect(known.filter((s) => s === 401)).toHaveLength(checksFor() - before);
    } finally {
      verify.mockRestore();
    }
  });

  test('pupils behind one school address: successes and repeated typos count nothing, many distinct identifiants do', async () => {
    const school = '192.0.2.200';
    const pupils = await Promise.all(Array.from({ length: ADDRESS_MAX_IDENTIFIANTS + 5 }, () => newAccount()));
    const [typing, rest] = [pupils.slice(0, ADDRESS_MAX_IDENTIFIANTS - 1), pupils.slice(ADDRESS_MAX_IDENTIFIANTS - 1)];
    // Four pupils mistype their own password a few times, then sign in; others sign in straight away.
    for (const pupil of typing) {
      for (let i = 0; i < 3; i += 1) expect((await attempt(device(school), pupil, 'faute-de-frappe')).status).toBe(401);
      expect(signedIn(await attempt(device(school), pupil, PASSWORD))).toBe(true);
    }
    // One classroom computer, pupil after pupil.
    let classroom = device(school);
    for (const pupil of rest.slice(0, 4)) {
      expect(signedIn(await attempt(classroom, pupil, PASSWORD))).toBe(true);
      classroom = later(classroom, school);
    }
    // A fifth distinct identifiant failing is still within the limit; a sixth is not, from an unknown device.
    expect((await attempt(device(school), rest[4]!, 'devinette')).status).toBe(401);
    expectTooMany(await attempt(device(school), rest[5]!, 'devinette'), 3600);
    expect((await attempt(device(school), rest[0]!, PASSWORD)).status).toBe(429);
    // A browser that signed in to its account before is not held back by the address.
    expect(signedIn(await attempt(classroom, rest[0]!, PASSWORD))).toBe(true);
    // Another address is not concerned.
    expect(signedIn(await attempt(device('192.0.2.201'), rest[5]!, PASSWORD))).toBe(true);
  });
});
