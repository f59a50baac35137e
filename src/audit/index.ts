// The audit trail's public surface, for the modules and helpers that record or read it (docs/audit.md).
export { createAuditTrail, type AuditTrail, type AuditTrailOptions } from './trail.js';
export {
  JOURNEY_KINDS, isAuditKind, sanitizeDetails, sanitizeEvent,
  type AdminKind, type AuditDetails, type AuditEvent, type AuditKind, type AuditOutcome, type SignInFailureReason,
} from './events.js';
export { queryAuditEvents, recentSignIns, purgeAuditEvents, AUDIT_QUERY_MAX, type AuditQuery, type AuditRecord, type SignInRecord } from './queries.js';
