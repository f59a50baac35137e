// What Sésame counts for Prometheus (GET /metrics on the admin listener): requests and their latency by route,
// security events by kind and outcome (sign-ins, activations, recovery… fed by the audit trail), SMS sent, failed
// and refused, the day's SMS budget left, directory rows imported, the database and Redis connections, and the
// process itself (event-loop lag, memory, CPU: prom-client's defaults). One registry per Sésame, so tests and
// several instances in one process never mix their figures. No label ever carries a person, a number or a token.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** The PostgreSQL pool's connections (undefined on the embedded store, which has one in-process connection). */
  pool?: () => { total: number; idle: number; waiting: number } | undefined;
  /** Whether the Redis connection is ready (undefined without Redis). */
  redisReady?: () => boolean;
  /** SMS the daily budget still allows (read from the shared counter at scrape time). */
  smsBudgetLeft?: () => Promise<number>;
}

export interface Metrics {
  registry: Registry;
  requests: Histogram<'route' | 'method' | 'status'>;
  events: Counter<'kind' | 'outcome'>;
  sms: Counter<'outcome'>;
  importRows: Counter<'result'>;
}

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sesame_process_' });
  const requests = new Histogram({
    name: 'sesame_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status, with their duration',
    labelNames: ['route', 'method', 'status'] as const,
    // From a cached page (a few ms) to a sign-in with argon2id under load (around a second).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const events = new Counter({
    name: 'sesame_events_total',
    help: 'Security events by kind and outcome (sign-in, lockout, activation, first connection, recovery, consent…)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const sms = new Counter({ name: 'sesame_sms_total', help: 'SMS by outcome: sent, failed (by the transport), limited (refused by a limit before sending)', labelNames: ['outcome'] as const, registers: [registry] });
  const importRows = new Counter({ name: 'sesame_import_rows_total', help: 'Directory rows read by imports, by result', labelNames: ['result'] as const, registers: [registry] });

  const { pool, redisReady, smsBudgetLeft } = sources;
  if (pool) {
    new Gauge({
      name: 'sesame_db_pool_connections',
      help: 'PostgreSQL pool connections by state (waiting: requests queued for a connection)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = pool();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }
  if (redisReady) {
    new Gauge({ name: 'sesame_redis_up', help: '1 when the Redis connection is ready', registers: [registry], collect() { this.set(redisReady() ? 1 : 0); } });
  }
  if (smsBudgetLeft) {
    new Gauge({
      name: 'sesame_sms_budget_left',
      help: 'SMS the daily budget still allows (SMS_DAILY_BUDGET)',
      registers: [registry],
      async collect() {
        // A store that is down must not fail the whole scrape: the gauge is simply absent this time.
        const left = await smsBudgetLeft().catch(() => undefined);
        if (left === undefined) this.reset();
        else this.set(left);
      },
    });
  }
  return { registry, requests, events, sms, importRows };
}
