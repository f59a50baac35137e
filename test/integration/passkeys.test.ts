// Passkeys as the domain sees them, on PGlite and PostgreSQL, with a software authenticator: registering (user
// verification required, the challenge used once), signing in (counter and last use kept, a counter gone backwards
// or another origin refused, a user handle naming another account refused), renaming and removing (only one's own
// keys), the per-account cap, and a revoking reset forgetting every key.
import { createAccounts } from '../../src/accounts/accounts.js';
import { resetProvisionalPassword } from '../../src/directory/provisional-passwords.js';
import { createPasskeyCeremonies, relyingPartyFor, type PasskeyCeremonies } from '../../src/passkeys/ceremonies.js';
import { createChallengeStore } from '../../src/passkeys/challenges.js';
import { authenticationResponse, registrationResponse } from '../../src/passkeys/responses.js';
import { createPasskeyStore, MAX_PASSKEYS_PER_ACCOUNT, type PasskeyStore } from '../../src/passkeys/store.js';
import { migrate } from '../../src/store/database.js';
import { createTestDatabase, STORES, type TestDatabase } from '../support/databases.js';
import { createSoftwareAuthenticator } from '../support/software-authenticator.js';

const rp = relyingPartyFor('https://sesame.example.fr')!;

describe('the relying party', () => {
  test('is the issuer’s host and origin; an IP address is none (browsers refuse it)', () => {
    expect(relyingPartyFor('https://sesame.example.fr')).toEqual({ id: 'sesame.example.fr', name: 'Sésame', origin: 'https://sesame.example.fr' });
    expect(relyingPartyFor('http://localhost:3000')).toEqual({ id: 'localhost', name: 'Sésame', origin: 'http://localhost:3000' });
    expect(relyingPartyFor('http://127.0.0.1:3000')).toBeUndefined();
    expect(relyingPartyFor('http://[::1]:3000')).toBeUndefined();
  });
});

describe.each(STORES)('passkeys (%s store)', (store) => {
  let database: TestDatabase;
  let passkeys: PasskeyStore;
  let ceremonies: PasskeyCeremonies;
  const account: Record<'claire' | 'lucas', { id: string; identifiant: string }> = {} as never;

  const parseRegistration = (value: unknown) => registrationResponse.parse(value);
  const parseAssertion = (value: unknown) => authenticationResponse.parse(value);

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
    const accounts = createAccounts(database.db, { identifierStyle: 'prenom.nom' });
    for (const [key, given] of [['claire', 'Claire'], ['lucas', 'Lucas']] as const) {
      const created = await accounts.create({ kind: 'responsable', givenName: given, familyName: 'Moreau', password: 'Cartable-rouge-2026' });
      account[key] = { id: created.id, identifiant: created.identifiant };
    }
    passkeys = createPasskeyStore(database.db);
    ceremonies = createPasskeyCeremonies({ store: passkeys, challenges: createChallengeStore(database.db, { ttlSeconds: 300 }), rp, userHandleKey: 'test-key' });
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  async function register(who: 'claire' | 'lucas', authenticator = createSoftwareAuthenticator({ rpId: rp.id, origin: rp.origin }), name = 'Téléphone') {
    const purpose = `register:${who}`;
    const options = await ceremonies.registrationOptions(purpose, { ...account[who], displayName: `${who} Moreau` });
    const outcome = await ceremonies.register(purpose, account[who].id, parseRegistration(authenticator.register(options)), name);
    return { outcome, authenticator, options };
  }

  async function signIn(authenticator: ReturnType<typeof createSoftwareAuthenticator>, credentialId: string, overrides = {}) {
    const options = await ceremonies.authenticationOptions('signin:uid-1');
    return ceremonies.authenticate('signin:uid-1', parseAssertion(authenticator.authenticate(options, credentialId, overrides)));
  }

  test('registering keeps the key, its transports and name, and asks for a resident key and user verification', async () => {
    const { outcome, options } = await register('claire', undefined, 'Téléphone de Claire');
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.rp.id).toBe('sesame.example.fr');
    // The user handle is not the account id (which public-subject applications see as `sub`).
    expect(Buffer.from(options.user.id, 'base64url').toString()).not.toContain(account.claire.id);
    expect(outcome.kind).toBe('registered');
    const [key] = await passkeys.listFor(account.claire.id);
    expect(key).toMatchObject({ name: 'Téléphone de Claire', counter: 0, transports: ['internal'], lastUsedAt: null, accountId: account.claire.id });

    // The next options exclude the keys the account already has.
    const again = await ceremonies.registrationOptions('register:claire', { ...account.claire, displayName: 'Claire Moreau' });
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([key!.credentialId]);
  });

  test('a registration challenge is used once; no user verification, another origin: refused', async () => {
    const authenticator = createSoftwareAuthenticator({ rpId: rp.id, origin: rp.origin });
    const options = await ceremonies.registrationOptions('register:lucas', { ...account.lucas, displayName: 'Lucas Moreau' });
    const response = parseRegistration(authenticator.register(options, { userVerified: false }));
    expect((await ceremonies.register('register:lucas', account.lucas.id, response, 'x')).kind).toBe('invalid');
    // The challenge went with that attempt.
    const second = parseRegistration(authenticator.register(options));
    expect((await ceremonies.register('register:lucas', account.lucas.id, second, 'x')).kind).toBe('expired');
    const other = await ceremonies.registrationOptions('register:lucas', { ...account.lucas, displayName: 'Lucas Moreau' });
    const elsewhere = parseRegistration(authenticator.register(other, { origin: 'https://faux-sesame.example' }));
    expect((await ceremonies.register('register:lucas', account.lucas.id, elsewhere, 'x')).kind).toBe('invalid');
    expect(await passkeys.listFor(account.lucas.id)).toEqual([]);
  });

  test('signing in moves the counter and the last use; an old counter, another origin or no verification is refused', async () => {
    const { authenticator } = await register('lucas');
    const [credentialId] = authenticator.ids();
    const outcome = await signIn(authenticator, credentialId!);
    expect(outcome).toMatchObject({ kind: 'verified', accountId: account.lucas.id });
    const [key] = await passkeys.listFor(account.lucas.id);
    expect(key!.counter).toBe(1);
    expect(key!.lastUsedAt).toBeInstanceOf(Date);

    // A cloned key answering with a counter already seen.
    expect((await signIn(authenticator, credentialId!, { counter: 1 })).kind).toBe('invalid');
    expect((await signIn(authenticator, credentialId!, { origin: 'https://faux-sesame.example' })).kind).toBe('invalid');
    expect((await signIn(authenticator, credentialId!, { userVerified: false })).kind).toBe('invalid');
    expect((await passkeys.listFor(account.lucas.id))[0]!.counter).toBe(1);
    expect((await signIn(authenticator, credentialId!)).kind).toBe('verified');
  });

  test('an assertion is good for its own challenge only, once', async () => {
    const { authenticator } = await register('lucas');
    const credentialId = authenticator.ids()[0]!;
    const options = await ceremonies.authenticationOptions('signin:uid-2');
    const response = parseAssertion(authenticator.authenticate(options, credentialId));
    // Another sign-in's challenge does not fit it.
    await ceremonies.authenticationOptions('signin:uid-3');
    expect((await ceremonies.authenticate('signin:uid-3', response)).kind).toBe('invalid');
    expect((await ceremonies.authenticate('signin:uid-2', response)).kind).toBe('verified');
    expect((await ceremonies.authenticate('signin:uid-2', response)).kind).toBe('expired');
  });

  test('a challenge past its time is gone', async () => {
    const expired = createChallengeStore(database.db, { ttlSeconds: 0 });
    await expired.put('signin:old', 'challenge');
    expect(await expired.take('signin:old')).toBeUndefined();
  });

  test('a key whose user handle names another account, or that nobody registered, is refused', async () => {
    const claire = await register('claire');
    const lucas = await register('lucas');
    const lucasHandle = lucas.options.user.id;
    const outcome = await signIn(claire.authenticator, claire.authenticator.ids()[0]!, { userHandle: lucasHandle });
    expect(outcome).toMatchObject({ kind: 'mismatch', accountId: account.claire.id });
    expect((await signIn(claire.authenticator, claire.authenticator.ids()[0]!, { userHandle: null })).kind).toBe('mismatch');
    const stranger = createSoftwareAuthenticator({ rpId: rp.id, origin: rp.origin });
    stranger.register({ challenge: 'x', user: { id: lucasHandle } });
    expect((await signIn(stranger, stranger.ids()[0]!)).kind).toBe('unknown');
  });

  test('renaming and removing touch only one’s own keys; a removed key no longer signs in', async () => {
    const { authenticator, outcome } = await register('claire');
    if (outcome.kind !== 'registered') throw new Error(outcome.kind);
    const id = outcome.passkey.id;
    expect(await passkeys.rename(account.lucas.id, id, 'Volé')).toBe(false);
    expect(await passkeys.rename(account.claire.id, id, 'Ordinateur du salon')).toBe(true);
    expect(await passkeys.rename(account.claire.id, 'not-a-uuid', 'x')).toBe(false);
    expect((await passkeys.listFor(account.claire.id)).find((k) => k.id === id)!.name).toBe('Ordinateur du salon');
    expect(await passkeys.remove(account.lucas.id, id)).toBeUndefined();
    expect((await passkeys.remove(account.claire.id, id))?.id).toBe(id);
    expect(await passkeys.remove(account.claire.id, id)).toBeUndefined();
    expect((await signIn(authenticator, authenticator.ids()[0]!)).kind).toBe('unknown');
  });

  test('one credential belongs to one account; an account holds at most the cap', async () => {
    const [existing] = await passkeys.listFor(account.claire.id);
    const copy = { credentialId: existing!.credentialId, accountId: account.lucas.id, publicKey: existing!.publicKey, counter: 0, transports: [], name: 'Copie' };
    expect((await passkeys.add(copy)).kind).toBe('duplicate');
    const have = (await passkeys.listFor(account.lucas.id)).length;
    for (let i = have; i < MAX_PASSKEYS_PER_ACCOUNT; i += 1) {
      expect((await passkeys.add({ ...copy, credentialId: `cap-${store}-${i}`, name: `Clé ${i}` })).kind).toBe('added');
    }
    expect((await passkeys.add({ ...copy, credentialId: `cap-${store}-over`, name: 'De trop' })).kind).toBe('too_many');
  });

  test('a revoking reset forgets every key of the account; a plain reset keeps them', async () => {
    expect((await passkeys.listFor(account.lucas.id)).length).toBeGreaterThan(0);
    await resetProvisionalPassword(database.db, account.lucas.identifiant);
    expect((await passkeys.listFor(account.lucas.id)).length).toBeGreaterThan(0);
    await resetProvisionalPassword(database.db, account.lucas.identifiant, { revoke: true });
    expect(await passkeys.listFor(account.lucas.id)).toEqual([]);
    expect((await passkeys.listFor(account.claire.id)).length).toBeGreaterThan(0);
  });
});
