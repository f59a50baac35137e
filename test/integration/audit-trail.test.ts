// The audit trail's writer, reader and purge on both stores: events are buffered and written in one go, never carry
// a secret, are append-only, leave only through the retention purge, and survive a clean shutdown.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createAuditTrail, type AuditTrail } from '../../src/audit/trail.js';
import { REDACTED, sanitizeDetails, type AuditEvent } from '../../src/audit/events.js';
import { purgeAuditEvents, queryAuditEvents, recentSignIns } from '../../src/audit/queries.js';
import type { Clock } from '../../src/clock.js';
import { withRequestId } from '../../src/request-id.js';
import { createSesame } from '../../src/sesame.js';
import { migrate, openDatabase, type Db } from '../../src/store/database.js';
import { createPostgresDatabase, createTestDatabase, STORES, type StoreKind, type TestDatabase } from '../support/databases.js';
import { freePort, testConfig } from '../support/sesame.js';

const silent = pino({ level: 'silent' });
const ACCOUNT = '6f1c2a52-1a7e-4a8e-9a43-0c8a1f7e2b11';
const OTHER = '0b9d8c7e-2f3a-4c5d-8e9f-1a2b3c4d5e6f';

function fixedClock(at: string): Clock & { set(at: string): void } {
  let now = new Date(at).getTime();
  return { now: () => now, sleepUntil: async () => {}, set: (a) => void (now = new Date(a).getTime()) };
}

async function countEvents(db: Db): Promise<number> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(STORES)('audit trail (%s)', (store: StoreKind) => {
  let database: TestDatabase;
  let trail: AuditTrail;
  const clock = fixedClock('2026-09-10T08:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase(store);
    await migrate(database.db);
    // A long interval: the tests decide when to flush.
    trail = createAuditTrail({ db: database.db, logger: silent, clock, flushIntervalMs: 3_600_000, flushAtEvents: 1000 });
  });
  afterAll(async () => {
    await trail?.close();
    await database?.drop();
  });

  test('record returns at once; flush writes the buffered events with the request id of where they were recorded', async () => {
    withRequestId('req-test-0001', () =>
      trail.record({ kind: 'signin.success', outcome: 'success', accountId: ACCOUNT, clientId: 'ent', address: '192.0.2.1', details: { via: 'password' } }),
    );
    trail.record({ kind: 'signin.failure', outcome: 'failure', accountId: ACCOUNT, address: '192.0.2.9', details: { reason: 'wrong_credentials' } });
    expect(trail.stats().pending).toBe(2);
    expect(await countEvents(database.db)).toBe(0);
    await trail.flush();
    expect(trail.stats().pending).toBe(0);
    const events = await queryAuditEvents(database.db, { accountId: ACCOUNT });
    expect(events.map((e) => [e.kind, e.outcome, e.request_id])).toEqual(
      expect.arrayContaining([['signin.success', 'success', 'req-test-0001'], ['signin.failure', 'failure', null]]),
    );
    expect(events.find((e) => e.kind === 'signin.success')).toMatchObject({ client_id: 'ent', address: '192.0.2.1', details: { via: 'password' }, at: '2026-09-10T08:00:00.000Z' });
  });

  test('queries filter by account, kind, kind prefix, period and limit, newest first', async () => {
    clock.set('2026-09-01T10:00:00Z');
    trail.record({ kind: 'admin.clients.create', outcome: 'success', details: { method: 'POST', route: '/clients', status: 201 } });
    clock.set('2026-09-05T10:00:00Z');
    trail.record({ kind: 'logout', outcome: 'success', accountId: OTHER });
    trail.record({ kind: 'signin.locked', outcome: 'failure', accountId: OTHER, details: { reason: 'rate_limited' } });
    await trail.flush();

    expect((await queryAuditEvents(database.db, { accountId: OTHER })).map((e) => e.kind).sort()).toEqual(['logout', 'signin.locked']);
    expect((await queryAuditEvents(database.db, { kind: 'admin.' })).map((e) => e.kind)).toEqual(['admin.clients.create']);
    expect((await queryAuditEvents(database.db, { kind: 'signin.failure' })).length).toBe(1);
    // A LIKE wildcard in a prefix is taken literally.
    expect(await queryAuditEvents(database.db, { kind: '%.' })).toEqual([]);
    const september = await queryAuditEvents(database.db, { since: new Date('2026-09-02'), until: new Date('2026-09-06') });
    expect(september.map((e) => e.kind).sort()).toEqual(['logout', 'signin.locked']);
    const all = await queryAuditEvents(database.db, {});
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort().reverse());
    expect(await queryAuditEvents(database.db, { limit: 2 })).toHaveLength(2);
    // The limit has a ceiling whatever is asked.
    expect((await queryAuditEvents(database.db, { limit: 10 ** 9 })).length).toBe(all.length);
  });

  test('recentSignIns gives a person their own sign-ins and failures, not other events', async () => {
    const mine = await recentSignIns(database.db, ACCOUNT, 10);
    expect(mine.map((s) => [s.outcome, s.reason])).toEqual(expect.arrayContaining([['success', null], ['failure', 'wrong_credentials']]));
    expect(mine).toHaveLength(2);
    expect((await recentSignIns(database.db, OTHER, 10)).map((s) => s.reason)).toEqual(['rate_limited']);
  });

  test('the table is append-only: an UPDATE is refused by the database itself', async () => {
    await expect(database.db.updateTable('audit_events').set({ outcome: 'success' }).execute()).rejects.toThrow(/append-only/);
  });

  test('the retention purge deletes only events older than the retention, by the injected clock', async () => {
    const before = await countEvents(database.db);
    clock.set('2025-01-01T00:00:00Z');
    trail.record({ kind: 'signin.success', outcome: 'success', accountId: OTHER });
    await trail.flush();
    // 2026-09-10 with 365 days: 2025-01-01 is past, September 2026 is not.
    expect(await purgeAuditEvents(database.db, new Date('2026-09-10T00:00:00Z'), 365)).toBe(1);
    expect(await countEvents(database.db)).toBe(before);
  });

  test('a secret, a code or a full mobile number never reaches the table', async () => {
    clock.set('2026-09-10T09:00:00Z');
    const hostile = {
      kind: 'activation.failed',
      outcome: 'failure',
      accountId: OTHER,
      details: {
        password: 'Tr0ub4dor&3', code: '123456', token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig', client_secret: 'x'.repeat(43),
        mobile: '+33612345678', reason: 'SMS au 06 12 34 56 78 refusé', error: 'eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ', state: '123456',
        via: 'A'.repeat(40), ids: { id: 'ok', secret: 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA' }, scopes: ['openid', 123],
      },
    } as unknown as AuditEvent;
    trail.record(hostile);
    await trail.flush();
    const [row] = await queryAuditEvents(database.db, { kind: 'activation.failed', accountId: OTHER });
    const stored = JSON.stringify(row);
    for (const secret of ['Tr0ub4dor&3', '123456', 'eyJhbGci', 'xxxxxxxxxx', '12345678', '12 34 56 78', 'AAAAAAAAAA', 'Zm9vYmFy']) {
      expect(stored).not.toContain(secret);
    }
    expect(row!.details).toEqual({
      mobile: '+33 6 ** ** ** 78', reason: 'SMS au +33 6 ** ** ** 78 refusé', error: REDACTED, state: REDACTED, via: REDACTED,
      ids: { id: 'ok', secret: REDACTED }, scopes: ['openid'],
    });
  });

  test('an unknown kind or outcome is refused and logged, not stored', async () => {
    const before = await countEvents(database.db);
    trail.record({ kind: 'password.shown', outcome: 'success' } as unknown as AuditEvent);
    trail.record({ kind: 'logout', outcome: 'maybe' } as unknown as AuditEvent);
    await trail.flush();
    expect(await countEvents(database.db)).toBe(before);
  });
});

describe('audit trail buffer', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('embedded');
    await migrate(database.db);
  });
  afterAll(() => database?.drop());

  test('a full buffer drops the oldest events, counts them and says so in the log at error level', async () => {
    const lines: { level: number; msg: string; dropped?: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const trail = createAuditTrail({ db: database.db, logger, clock: fixedClock('2026-09-10T08:00:00Z'), flushIntervalMs: 3_600_000, flushAtEvents: 5, capacity: 5 });
    // record() starts a write at 5 waiting events; these all land in the same synchronous run, before it takes them.
    for (let i = 0; i < 8; i += 1) trail.record({ kind: 'logout', outcome: 'success', details: { count: i } });
    expect(trail.stats()).toEqual({ pending: 5, dropped: 3 });
    await trail.close();
    const rows = await queryAuditEvents(database.db, { kind: 'logout' });
    expect(rows.map((r) => r.details.count).sort()).toEqual([3, 4, 5, 6, 7]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'audit events dropped: the buffer was full', dropped: 3 }));
  });
});

describe('details are safe by their type', () => {
  test('the compiler refuses a key that could hold a secret, and the run time drops it anyway', () => {
    const event: AuditEvent = {
      kind: 'signin.failure',
      outcome: 'failure',
      // @ts-expect-error: `password` is not a detail key.
      details: { reason: 'wrong_credentials', password: 'secret' },
    };
    // @ts-expect-error: an unknown kind does not type-check.
    const badKind: AuditEvent = { kind: 'password.changed_to', outcome: 'success' };
    expect(sanitizeDetails(event.details)).toEqual({ reason: 'wrong_credentials' });
    expect(badKind.kind).toBe('password.changed_to');
  });

  test('details stay short', () => {
    const long = sanitizeDetails({ scopes: Array.from({ length: 100 }, (_, i) => `scope_${i}_${'é'.repeat(60)}`) });
    expect(JSON.stringify(long).length).toBeLessThanOrEqual(1024);
  });
});

describe.each(STORES)('clean shutdown (%s)', (store: StoreKind) => {
  test('events still buffered when Sésame closes are in the database when it is opened again', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sesame-audit-'));
    const pgdb = store === 'postgres' ? await createPostgresDatabase() : undefined;
    try {
      const env: Record<string, string> = pgdb ? { DATABASE_URL: pgdb.url } : {};
      const config = testConfig(await freePort(), dataDir, env);
      const sesame = await createSesame(config, { logger: silent, adminToken: 'a'.repeat(32) });
      for (let i = 0; i < 25; i += 1) sesame.audit.record({ kind: 'signin.success', outcome: 'success', accountId: ACCOUNT, details: { count: i } });
      expect(sesame.audit.stats().pending).toBe(25);
      await sesame.close();

      const reopened = await openDatabase({ databaseUrl: pgdb?.url, dataDir });
      try {
        expect(await countEvents(reopened)).toBe(25);
      } finally {
        await reopened.destroy();
      }
    } finally {
      await pgdb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
