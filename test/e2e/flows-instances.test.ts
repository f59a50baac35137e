// Two instances on one PostgreSQL and one Redis (REDIS_URL): an activation started on A finishes on B, and the SMS A
// queued is sent by B although A died in the middle of sending it. A is a real `npm start` process (src/main.ts)
// whose Twilio requests go to a proxy that never answers; it is killed (SIGKILL) once its send has begun. B, started
// after, gives A's job back to the queue when A's heartbeat has expired (SMS_QUEUE_VISIBILITY_SECONDS, here 1 s,
// waited for by polling, never timed), sends it through the Twilio stand-in and records it in the flow; the parent
// types that code on B, then the birth dates and the password. The flow state lived in Redis only. Then «Mot de passe
// oublié» alternates between two more instances at each step.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Browser } from '../support/browser.js';
import { post, shownIdentifiant } from '../support/activation-journey.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { addFamily, uniqueMobile } from '../support/directory-fixtures.js';
import { redisEnv } from '../support/env.js';
import { visibleText } from '../support/http.js';
import { NEW_PASSWORD, codeIn, newAccount, submit } from '../support/recovery.js';
import { freePort, startTestSesame, type TestSesame } from '../support/sesame.js';
import { STAND_IN_ENV, startTwilioStandIn, type TwilioStandIn } from '../support/twilio-stand-in.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, attempts = 600): Promise<T> {
  for (let i = 0; i < attempts; i += 1) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await pause(100);
  }
  throw new Error(`never happened: ${what}`);
}

/** A proxy that takes connections and never answers: A's SMS stays «being sent» for as long as A lives. */
async function blackHole(): Promise<{ port: number; connected: Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let seen!: () => void;
  const connected = new Promise<void>((resolve) => (seen = resolve));
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    seen();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connected,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

describe('activation across two instances sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let standIn: TwilioStandIn;
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let a: ChildProcess | undefined;
  let aDataDir: string;
  let b: TestSesame | undefined;
  const others: TestSesame[] = [];
  const redis = redisEnv();
  const shared = { ...redis, ACTIVATION_MIN_RESPONSE_MS: '0', SMS_QUEUE_VISIBILITY_SECONDS: '1' };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    standIn = await startTwilioStandIn();
    hole = await blackHole();
    aDataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-a-'));
  });

  afterAll(async () => {
    if (a && a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
    await b?.shutdown();
    for (const o of others) await o.shutdown();
    await database?.drop();
    await standIn?.close();
    await hole?.close();
    if (aDataDir) await rm(aDataDir, { recursive: true, force: true });
  });

  test('started on A, whose SMS A never sent (killed), finished on B with the code B sent', async () => {
    const port = await freePort();
    const aIssuer = `http://127.0.0.1:${port}`;
    a = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: database.url!,
        ...shared,
        ...STAND_IN_ENV,
        // Every Twilio request of A goes to the black hole: the send begins and never ends.
        HTTP_PROXY: `http://127.0.0.1:${hole.port}`,
        TWILIO_TIMEOUT_MS: '600000',
        SMS_RETRY_MAX: '0',
        PORT: String(port),
        HOST: '127.0.0.1',
        ISSUER: aIssuer,
        ADMIN_LISTEN: '127.0.0.1:0',
        ADMIN_TOKEN: 'a-instance-admin-token-for-tests-only',
        DATA_DIR: aDataDir,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'silent',
      },
    });
    await until('A ready', async () => ((await fetch(`${aIssuer}/readyz`)).status === 200 ? true : undefined));

    const mobile = uniqueMobile();
    await addFamily(database.db, { family: 'Moreau', given: 'Claire', mobile: mobile.e164 }, [{ given: 'Jules', family: 'Moreau', birthdate: '2014-03-14' }]);
    const browser = new Browser();
    const form = await browser.navigate(`${aIssuer}/activation`);
    const codePage = await post(browser, aIssuer, form, '/activation', { family_name: 'Moreau', given_name: 'Claire', mobile: mobile.typed });
    expect(visibleText(codePage.html)).toContain('Activer mon compte Étape 2 sur 4');

    // A has taken the SMS and is sending it when it dies.
    await hole.connected;
    const killed = once(a, 'exit');
    a.kill('SIGKILL');
    await killed;
    expect(standIn.messages).toEqual([]);

    b = await startTestSesame(database, shared, { sms: standIn.sender(pino({ level: 'silent' })) });
    const sms = await until('B sends the SMS A queued', async () => standIn.messages.find((m) => m.to === mobile.e164));
    const code = /\b(\d{6})\b/.exec(sms.body)![1]!;
    expect(standIn.messages.filter((m) => m.to === mobile.e164)).toHaveLength(1);

    // The same browser (its signed flow cookie) carries on at B.
    const children = await post(browser, b.issuer, codePage, '/activation/code', { code });
    expect(visibleText(children.html)).toContain('Activer mon compte Étape 3 sur 4');
    const password = await post(browser, b.issuer, children, '/activation/enfants', { birthdate_1: '14/03/2014' });
    const done = await post(browser, b.issuer, password, '/activation/mot-de-passe', { password: 'Cartable-rouge-2026', password_confirm: 'Cartable-rouge-2026' });
    expect(done.html).toContain('Votre compte est activé.');
    const account = await database.db.selectFrom('guardians as g').innerJoin('accounts as x', 'x.id', 'g.account_id')
      .select(['x.identifiant', 'x.state']).where('g.mobile', '=', mobile.e164).executeTakeFirstOrThrow();
    expect(account).toEqual({ identifiant: shownIdentifiant(done.html), state: 'active' });
    // The flow never touched SQL: it lived in Redis, under its TTL.
    expect(await database.db.selectFrom('activation_flows').select('id').execute()).toEqual([]);
  });

  test('«Mot de passe oublié» asked on C, its code typed on D, the new password chosen on C', async () => {
    const sender = standIn.sender(pino({ level: 'silent' }));
    const c = await startTestSesame(database, shared, { sms: sender });
    others.push(c);
    const d = await startTestSesame(database, shared, { sms: sender });
    others.push(d);
    const mobile = uniqueMobile().e164;
    const { identifiant } = await newAccount(c, { kind: 'responsable', mobile });

    const browser = new Browser();
    const page = await browser.navigate(`${c.issuer}/mot-de-passe-oublie`);
    const codePage = await submit(c, browser, page, /^\/mot-de-passe-oublie$/, { identifiant });
    expect(codePage.status).toBe(200);
    const code = await until('the recovery code sent by either instance', async () => (standIn.messages.some((m) => m.to === mobile) ? codeIn(standIn.messages, mobile) : undefined));
    const passwordPage = await submit(d, browser, codePage, /\/code$/, { code });
    expect(passwordPage.html).toContain('Votre nouveau mot de passe</h1>');
    const done = await submit(c, browser, passwordPage, /\/mot-de-passe$/, { password: NEW_PASSWORD, password_confirm: NEW_PASSWORD });
    expect(done.html).toContain('Votre mot de passe a été changé');
    expect(await database.db.selectFrom('activation_flows').select('id').execute()).toEqual([]);
  });
});
