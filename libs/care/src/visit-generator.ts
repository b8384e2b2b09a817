import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { dutyOccurrences } from './duty-occurrences';
import { localDay, windowEnd, WINDOW_DAYS } from './recurrence';

export interface DutyToGenerate {
  id: string;
  beneficiary_id: string;
  kind: string;
  rrule: string;
  assignee_user_id: string | null;
  team_id: string | null;
  service_code: string | null;
  created_at: Date;
  time_zone: string;
}

const logger = new Logger('VisitGenerator');

/**
 * Visit tasks from a duty's rule, for the rolling window (today and the next 13 local days). The
 * unique (duty_id, due_at) index makes generation idempotent: running it twice, or from two
 * processes, makes each task once. `generated_until` says how far a duty is covered, so the sweep
 * only touches duties whose window moved on (a new local day began).
 */
@Injectable()
export class VisitGenerator {
  async generate(m: EntityManager, duty: DutyToGenerate, now: Date): Promise<number> {
    const dues = dutyOccurrences(duty, now, WINDOW_DAYS, (message) => logger.warn(message));
    let made = 0;
    if (dues.length) {
      const rows = await m.query(
        `INSERT INTO care_visits (beneficiary_id, duty_id, kind, due_at, time_zone, assignee_user_id, team_id, service_code)
         SELECT $1, $2, $3, due, $5, $6, $7, $8 FROM unnest($4::timestamptz[]) AS due
         ON CONFLICT (duty_id, due_at) WHERE duty_id IS NOT NULL DO NOTHING RETURNING id`,
        [duty.beneficiary_id, duty.id, duty.kind, dues.map((d) => d.toISOString()), duty.time_zone, duty.assignee_user_id, duty.team_id, duty.service_code],
      );
      made = rows.length;
    }
    await m.query(`UPDATE care_duties SET generated_until = $2 WHERE id = $1`, [duty.id, windowEnd(now, duty.time_zone, WINDOW_DAYS)]);
    return made;
  }

  /**
   * Duties whose window moved on (or never made), claimed so that processes share the work. The
   * batch is written set-based: one INSERT of every task of the claimed duties and one UPDATE of their
   * `generated_until`; duties that share a rule, zone and start day share one expansion.
   */
  async generateDue(m: EntityManager, now: Date, limit: number): Promise<{ duties: number; tasks: number }> {
    const duties: DutyToGenerate[] = await m.query(
      `SELECT d.id, d.beneficiary_id, d.kind, d.rrule, d.assignee_user_id, d.team_id, d.service_code, d.created_at, p.time_zone
         FROM care_duties d JOIN care_plans p ON p.beneficiary_id = d.beneficiary_id
        WHERE d.retired_at IS NULL AND (d.generated_until IS NULL OR d.generated_until <= $1::timestamptz + interval '13 days')
        ORDER BY d.generated_until NULLS FIRST LIMIT $2 FOR UPDATE OF d SKIP LOCKED`,
      [now, limit],
    );
    if (!duties.length) return { duties: 0, tasks: 0 };
    const expanded = new Map<string, Date[]>();
    const cols = { beneficiary: [] as string[], duty: [] as string[], kind: [] as string[], due: [] as string[], tz: [] as string[],
      assignee: [] as (string | null)[], team: [] as (string | null)[], service: [] as (string | null)[] };
    const until: string[] = [];
    for (const d of duties) {
      const created = new Date(d.created_at);
      const key = `${d.rrule}|${d.time_zone}|${localDay(created, d.time_zone)}|${localDay(now, d.time_zone)}`;
      let dues = expanded.get(key);
      // a stored rule that no longer passes the checks makes no tasks (logged) instead of stalling the sweep
      if (!dues) expanded.set(key, (dues = dutyOccurrences(d, now, WINDOW_DAYS, (message) => logger.warn(message))));
      for (const due of dues) {
        cols.beneficiary.push(d.beneficiary_id); cols.duty.push(d.id); cols.kind.push(d.kind); cols.due.push(due.toISOString());
        cols.tz.push(d.time_zone); cols.assignee.push(d.assignee_user_id); cols.team.push(d.team_id); cols.service.push(d.service_code);
      }
      until.push(windowEnd(now, d.time_zone, WINDOW_DAYS).toISOString());
    }
    let tasks = 0;
    if (cols.duty.length) {
      const [row] = await m.query(
        `WITH made AS (
           INSERT INTO care_visits (beneficiary_id, duty_id, kind, due_at, time_zone, assignee_user_id, team_id, service_code)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[], $7::uuid[], $8::text[])
           ON CONFLICT (duty_id, due_at) WHERE duty_id IS NOT NULL DO NOTHING RETURNING 1)
         SELECT count(*)::int AS n FROM made`,
        [cols.beneficiary, cols.duty, cols.kind, cols.due, cols.tz, cols.assignee, cols.team, cols.service],
      );
      tasks = row.n;
    }
    await m.query(
      `UPDATE care_duties d SET generated_until = u.until FROM unnest($1::uuid[], $2::timestamptz[]) AS u(id, until) WHERE d.id = u.id`,
      [duties.map((d) => d.id), until],
    );
    return { duties: duties.length, tasks };
  }
}
