// «Je ne suis pas le représentant légal de cet élève»: a parent reports that the school linked them to a child by
// mistake. The report is recorded once per link (idempotent), the reporter stops receiving that child in claims
// (guardianship.ts `linkNotReported`), and the school reads the reports through the admin API and `sesame reports`.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../store/database.js';
import { UUID_PATTERN } from './account-children.js';
import { linkShowsChild, type GuardianChildren } from './guardianship.js';

export type ReportOutcome =
  | { kind: 'recorded'; reportedAt: Date }
  | { kind: 'already'; reportedAt: Date }
  /** The account is not shown this child (no such pupil, another family's child, a detached pupil, a malformed id). */
  | { kind: 'not_linked' };

export interface AttachmentReport {
  id: string;
  status: 'open' | 'closed';
  created_at: string;
  uai: string;
  school_name: string;
  pupil: { id: string; given_names: string; family_name: string; class_name: string | null };
  guardian: { id: string; given_name: string; family_name: string };
  /** The identifiant of the account that reported, so the school can reach the family. */
  reported_by: string;
}

export type AttachmentReports = ReturnType<typeof createAttachmentReports>;

export function createAttachmentReports(db: Db, options: { guardianChildren: GuardianChildren }) {
  return {
    /** Records a report on every link of the account to the child it is shown; a second report changes nothing. */
    async report(accountId: string, pupilId: string): Promise<ReportOutcome> {
      if (!UUID_PATTERN.test(accountId) || !UUID_PATTERN.test(pupilId)) return { kind: 'not_linked' };
      return db.transaction().execute(async (trx) => {
        const links = (await sql<{ guardian_id: string; uai: string }>`
          select pg.guardian_id, p.uai from guardians g
          join pupil_guardians pg on pg.guardian_id = g.id
          join pupils p on p.id = pg.pupil_id
          where g.account_id = ${accountId} and p.id = ${pupilId} and p.detached_at is null
            and ${linkShowsChild(options.guardianChildren, 'pg')}`.execute(trx)).rows;
        if (links.length === 0) return { kind: 'not_linked' };
        // The partial unique index makes a double click, or two tabs, one report.
        const inserted = await sql<{ created_at: Date }>`
          insert into attachment_reports (id, account_id, guardian_id, pupil_id, uai)
          select * from unnest(${links.map(() => randomUUID())}::uuid[], ${links.map(() => accountId)}::uuid[],
            ${links.map((l) => l.guardian_id)}::uuid[], ${links.map(() => pupilId)}::uuid[], ${links.map((l) => l.uai)}::text[])
          on conflict (guardian_id, pupil_id) where status = 'open' do nothing
          returning created_at`.execute(trx);
        if (inserted.rows.length) return { kind: 'recorded', reportedAt: new Date(inserted.rows[0]!.created_at) };
        const first = await trx.selectFrom('attachment_reports').select('created_at').where('pupil_id', '=', pupilId)
          .where('guardian_id', 'in', links.map((l) => l.guardian_id)).where('status', '=', 'open')
          .orderBy('created_at').executeTakeFirstOrThrow();
        return { kind: 'already', reportedAt: new Date(first.created_at) };
      });
    },

    /** The reports, newest first, for one school or all of them. */
    async list(filter: { uai?: string | undefined } = {}): Promise<AttachmentReport[]> {
      let query = db
        .selectFrom('attachment_reports as r')
        .innerJoin('pupils as p', 'p.id', 'r.pupil_id')
        .innerJoin('guardians as g', 'g.id', 'r.guardian_id')
        .innerJoin('accounts as a', 'a.id', 'r.account_id')
        .leftJoin('schools as s', 's.uai', 'r.uai')
        .select([
          'r.id', 'r.status', 'r.created_at', 'r.uai', 's.name as school_name', 'p.id as pupil_id', 'p.given_names', 'p.family_name',
          'p.class_name', 'g.id as guardian_id', 'g.given_name as guardian_given_name', 'g.family_name as guardian_family_name',
          'a.identifiant',
        ])
        .orderBy('r.created_at', 'desc')
        .orderBy('r.id');
      if (filter.uai) query = query.where('r.uai', '=', filter.uai);
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        status: r.status,
        created_at: new Date(r.created_at).toISOString(),
        uai: r.uai,
        school_name: r.school_name ?? '',
        pupil: { id: r.pupil_id, given_names: r.given_names, family_name: r.family_name, class_name: r.class_name },
        guardian: { id: r.guardian_id, given_name: r.guardian_given_name, family_name: r.guardian_family_name },
        reported_by: r.identifiant,
      }));
    },
  };
}
