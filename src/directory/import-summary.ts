// What an import reports: counts of people and links (see docs/directory-format.md for exactly what each counts)
// and the refused rows with their line, column and French reason.
import type { Problem } from './csv-rows.js';

/** At most this many refused rows are listed; `rejected_rows` still counts them all. */
export const MAX_LISTED_PROBLEMS = 5000;

export interface ImportCounts {
  rows: number;
  rejectedRows: number;
  problems: Problem[];
  schools: number;
  pupils: { added: number; updated: number; unchanged: number; detached: number };
  guardians: { added: number; updated: number; unchanged: number };
  links: { added: number; updated: number; unchanged: number; removed: number };
  accounts: { created: number; disabled: number; enabled: number };
}

export interface ImportSummary {
  added: number;
  updated: number;
  unchanged: number;
  detached: number;
  rejected: Problem[];
  /** Rows refused (a row can have several problems in `rejected`). */
  rejected_rows: number;
  /** True when `rejected` was cut at MAX_LISTED_PROBLEMS entries. */
  rejected_truncated: boolean;
  rows: number;
  schools: number;
  details: {
    pupils: ImportCounts['pupils'];
    guardians: ImportCounts['guardians'];
    links: ImportCounts['links'];
    accounts: ImportCounts['accounts'];
  };
}

export function emptyCounts(): ImportCounts {
  return {
    rows: 0,
    rejectedRows: 0,
    problems: [],
    schools: 0,
    pupils: { added: 0, updated: 0, unchanged: 0, detached: 0 },
    guardians: { added: 0, updated: 0, unchanged: 0 },
    links: { added: 0, updated: 0, unchanged: 0, removed: 0 },
    accounts: { created: 0, disabled: 0, enabled: 0 },
  };
}

/** `guardiansInFile`: guardians of the file that existed before it (matched, not created). */
export function summarise(counts: ImportCounts, guardiansInFile: number, truncated: boolean): ImportSummary {
  const guardians = {
    added: counts.guardians.added,
    updated: counts.guardians.updated,
    unchanged: Math.max(0, guardiansInFile - counts.guardians.updated),
  };
  const { pupils, links } = counts;
  return {
    added: pupils.added + guardians.added + links.added,
    updated: pupils.updated + guardians.updated + links.updated,
    unchanged: pupils.unchanged + guardians.unchanged + links.unchanged,
    detached: pupils.detached + links.removed,
    rejected: counts.problems,
    rejected_rows: counts.rejectedRows,
    rejected_truncated: truncated,
    rows: counts.rows,
    schools: counts.schools,
    details: { pupils, guardians, links, accounts: counts.accounts },
  };
}
