// The audit trail's writer. `record` never waits for the database: events go to a bounded in-memory buffer, written
// by one multi-row INSERT every `flushIntervalMs` or as soon as `flushAtEvents` are waiting. A sign-in thus costs an
// array push. `flush()` (called by Sesame.close before the store closes) writes what is left: nothing is lost on a
// clean shutdown.
//
// When the buffer is full (the database has been unreachable for a while), the OLDEST events are dropped and
// counted, and the count is logged at error level with the next write. The alternative, writing synchronously,
// would make every sign-in wait on the very database that is failing; the trail must never stop a sign-in.
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { currentRequestId } from '../request-id.js';
import type { Db } from '../store/database.js';
import { sanitizeEvent, type AuditEvent, type AuditRow } from './events.js';

export interface AuditTrailOptions {
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Write at least this often while events wait (default 1000 ms). */
  flushIntervalMs?: number;
  /** Write as soon as this many events wait (default 100). */
  flushAtEvents?: number;
  /** Events kept in memory at most; beyond, the oldest are dropped (default 10 000). */
  capacity?: number;
}

export interface AuditTrail {
  /** Queues one event; returns at once. Never throws: a bad event is logged and ignored. */
  record(event: AuditEvent): void;
  /** Writes every queued event now; resolves once they are stored (or their write failed and was logged). */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
  /** Events waiting and dropped so far (for the log and the tests). */
  stats(): { pending: number; dropped: number };
}

/** Rows per INSERT: 8 parameters each stays far below PostgreSQL's 65 535. */
const ROWS_PER_INSERT = 500;

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { db, logger, clock } = options;
  const flushAtEvents = options.flushAtEvents ?? 100;
  const capacity = Math.max(options.capacity ?? 10_000, flushAtEvents);
  let buffer: AuditRow[] = [];
  let dropped = 0;
  let droppedReported = 0;
  let writing: Promise<void> | undefined;

  async function write(rows: AuditRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await db.insertInto('audit_events').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    }
  }

  async function writeBuffered(): Promise<void> {
    while (buffer.length > 0) {
      const rows = buffer;
      buffer = [];
      try {
        await write(rows);
      } catch (err) {
        // Put them back in front, within capacity, and try again at the next tick; one line per failed write.
        const room = capacity - buffer.length;
        const kept = rows.slice(Math.max(0, rows.length - room));
        dropped += rows.length - kept.length;
        buffer = [...kept, ...buffer];
        logger.warn({ err, pending: buffer.length }, 'audit events not written yet; will retry');
        break;
      }
    }
    if (dropped > droppedReported) {
      logger.error({ dropped: dropped - droppedReported, total: dropped }, 'audit events dropped: the buffer was full');
      droppedReported = dropped;
    }
  }

  function flush(): Promise<void> {
    // One write at a time; a flush asked for during a write waits for it, then writes what came in meanwhile.
    const run: Promise<void> = (writing ?? Promise.resolve()).then(writeBuffered).finally(() => {
      if (writing === run) writing = undefined;
    });
    writing = run;
    return run;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0 && !writing) void flush();
  }, options.flushIntervalMs ?? 1000);
  timer.unref();

  return {
    record(event) {
      try {
        const row = sanitizeEvent(event, new Date(clock.now()), currentRequestId());
        if (!row) {
          logger.error({ kind: String(event.kind).slice(0, 80) }, 'audit event refused: unknown kind or outcome');
          return;
        }
        if (buffer.length >= capacity) {
          buffer.shift();
          dropped += 1;
        }
        buffer.push(row);
        if (buffer.length >= flushAtEvents && !writing) void flush();
      } catch (err) {
        logger.error({ err }, 'audit event not recorded');
      }
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      if (buffer.length > 0) logger.error({ lost: buffer.length }, 'audit events lost at shutdown: the database refused them');
    },
    stats: () => ({ pending: buffer.length, dropped }),
  };
}
