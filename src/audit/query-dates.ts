// The dates `sesame audit` and GET /audit accept: `2026-09-01` or an ISO instant. Kept free of imports so that the
// command can check its options without loading zod.
export const AUDIT_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
export const AUDIT_DATE_RULE = 'expected a date such as 2026-09-01, or an ISO instant';

/** The date, or undefined when it is not one (or before 2000: a typo, not an audit query). */
export function parseAuditDate(value: string): Date | undefined {
  if (value.length > 40 || !AUDIT_DATE.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 ? undefined : d;
}
