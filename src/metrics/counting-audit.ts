// Every audit event also counts in `sesame_events_total{kind,outcome}`: sign-ins, lockouts, activations, recovery…
// come from one place, so the dashboard and the trail never disagree about what happened.
import type { AuditTrail } from '../audit/trail.js';
import type { Metrics } from './metrics.js';

export function countingAudit(trail: AuditTrail, metrics: Metrics): AuditTrail {
  return {
    ...trail,
    record(event) {
      metrics.events.inc({ kind: event.kind, outcome: event.outcome });
      trail.record(event);
    },
  };
}
