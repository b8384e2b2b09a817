import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { Clock, DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';

export interface CareCoverageView {
  at: string;
  people: number;
  withPlan: number;
  planShare: number;
  dailyCheckIn: { people: number; checkedInToday: number; rate: number };
  policy: {
    /** 特困: visited (a done visit) in the last 30 days. */
    extremePovertyMonthly: { people: number; visited: number; rate: number };
    /** High risk (独居老人): visited in the last 7 days. */
    livingAloneWeekly: { people: number; visited: number; rate: number };
  };
  alerts: { open: number; openedLast30Days: number; medianMinutesToResolve: number | null };
  followUps: { open: number; overdue: number; redo: number };
  notSeen: { beneficiaryId: string; name: string; area: string | null; lastSeenAt: string | null; days: number | null }[];
}

/**
 * Coverage for officials, over the caller's jurisdiction: the share of people with a plan, today's
 * check-in rate, visits against the policy (特困 monthly, 独居 weekly), people not seen for the
 * longest (last check-in or done visit), alert counts and the median time to resolve, 回访 counts.
 * The read is audited (it names people).
 */
@Injectable()
export class CareCoverage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  /** `regionId` narrows it to a region the caller covers (403 OUTSIDE_JURISDICTION otherwise). */
  async coverage(user: AuthUser, meta: RequestMeta, options: { regionId?: string; notSeenLimit?: number } = {}): Promise<CareCoverageView> {
    const notSeenLimit = options.notSeenLimit ?? 20;
    const now = this.clock.now();
    const params: unknown[] = [now];
    const staff = scopeSql(await this.jurisdiction.staffScope(user), 'b.region_id', params);
    const grid = scopeSql(await this.jurisdiction.gridScope(user), 'b.region_id', params);
    if (staff === 'false' && grid === 'false') throw DomainException.forbidden();
    let scope = `(${staff} OR ${grid})`;
    if (options.regionId) {
      const covered = (await this.jurisdiction.staffCovers(user, options.regionId)) || (await this.jurisdiction.gridCovers(user, options.regionId));
      if (!covered) throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
      params.push(options.regionId);
      scope = `(${scope} AND b.region_id IN (SELECT cr.id FROM regions cr WHERE cr.path @> ARRAY[$${params.length}::uuid]))`;
    }
    const vScope = scope.replaceAll('b.region_id', 'COALESCE(v.region_id, b.region_id)');
    return this.dataSource.transaction(async (m) => {
      const [c] = await m.query(
        `WITH people AS (SELECT b.id, b.tags FROM beneficiaries b WHERE b.archived_at IS NULL AND ${scope}),
              plans AS (SELECT p.* FROM care_plans p JOIN people ON people.id = p.beneficiary_id),
              done AS (SELECT v.beneficiary_id, max(v.completed_at) AS at FROM care_visits v JOIN people ON people.id = v.beneficiary_id
                        WHERE v.status = 'done' AND v.kind IN ('visit', 'check') GROUP BY v.beneficiary_id)
         SELECT (SELECT count(*) FROM people)::int AS people,
                (SELECT count(*) FROM plans)::int AS with_plan,
                (SELECT count(*) FROM plans WHERE daily_by IS NOT NULL)::int AS daily,
                (SELECT count(*) FROM plans p WHERE p.daily_by IS NOT NULL AND EXISTS (
                   SELECT 1 FROM care_check_ins c WHERE c.beneficiary_id = p.beneficiary_id
                      AND c.local_day = to_char($1::timestamptz AT TIME ZONE p.time_zone, 'YYYY-MM-DD')))::int AS checked_today,
                (SELECT count(*) FROM people WHERE tags @> ARRAY['extreme_poverty'])::int AS poverty,
                (SELECT count(*) FROM people JOIN done ON done.beneficiary_id = people.id
                  WHERE tags @> ARRAY['extreme_poverty'] AND done.at > $1::timestamptz - interval '30 days')::int AS poverty_visited,
                (SELECT count(*) FROM people WHERE tags @> ARRAY['living_alone'])::int AS alone,
                (SELECT count(*) FROM people JOIN done ON done.beneficiary_id = people.id
                  WHERE tags @> ARRAY['living_alone'] AND done.at > $1::timestamptz - interval '7 days')::int AS alone_visited,
                (SELECT count(*) FROM care_alerts a JOIN people ON people.id = a.beneficiary_id WHERE a.status = 'open')::int AS alerts_open,
                (SELECT count(*) FROM care_alerts a JOIN people ON people.id = a.beneficiary_id WHERE a.opened_at > $1::timestamptz - interval '30 days')::int AS alerts_30d,
                (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.resolved_at - a.opened_at) / 60)
                   FROM care_alerts a JOIN people ON people.id = a.beneficiary_id
                  WHERE a.status = 'resolved' AND a.opened_at > $1::timestamptz - interval '30 days') AS median_minutes`,
        params,
      );
      const [f] = await m.query(
        `SELECT count(*) FILTER (WHERE v.status = 'open')::int AS open,
                count(*) FILTER (WHERE v.status = 'open' AND v.due_at < $1)::int AS overdue,
                count(*) FILTER (WHERE v.status = 'done' AND v.data->>'outcome' = 'redo')::int AS redo
           FROM care_visits v LEFT JOIN beneficiaries b ON b.id = v.beneficiary_id WHERE v.kind = 'followup' AND ${vScope}`,
        params,
      );
      const notSeen = await m.query(
        `SELECT b.id, b.name, r.name AS area, seen.at AS last_seen
           FROM beneficiaries b JOIN care_plans p ON p.beneficiary_id = b.id LEFT JOIN regions r ON r.id = b.region_id
           LEFT JOIN LATERAL (
             SELECT max(x.at) AS at FROM (
               SELECT max(c.at) AS at FROM care_check_ins c WHERE c.beneficiary_id = b.id
               UNION ALL SELECT max(v.completed_at) FROM care_visits v WHERE v.beneficiary_id = b.id AND v.status = 'done') x) seen ON true
          WHERE b.archived_at IS NULL AND ${scope} AND $1::timestamptz IS NOT NULL
          ORDER BY seen.at ASC NULLS FIRST, b.id LIMIT ${Math.max(1, Math.min(100, notSeenLimit))}`,
        params,
      );
      if (notSeen.length) {
        await this.audit.record({ actor: user, action: 'care.coverage.read', objectType: 'beneficiary', objectId: null, outcome: 'success', statusCode: 200, meta,
          data: { ids: notSeen.map((r: any) => r.id) } }, m);
      }
      const rate = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : 0);
      return {
        at: now.toISOString(),
        people: c.people,
        withPlan: c.with_plan,
        planShare: rate(c.with_plan, c.people),
        dailyCheckIn: { people: c.daily, checkedInToday: c.checked_today, rate: rate(c.checked_today, c.daily) },
        policy: {
          extremePovertyMonthly: { people: c.poverty, visited: c.poverty_visited, rate: rate(c.poverty_visited, c.poverty) },
          livingAloneWeekly: { people: c.alone, visited: c.alone_visited, rate: rate(c.alone_visited, c.alone) },
        },
        alerts: { open: c.alerts_open, openedLast30Days: c.alerts_30d, medianMinutesToResolve: c.median_minutes === null ? null : Math.round(Number(c.median_minutes)) },
        followUps: { open: f.open, overdue: f.overdue, redo: f.redo },
        notSeen: notSeen.map((r: any) => {
          const at = r.last_seen ? new Date(r.last_seen) : null;
          return { beneficiaryId: r.id, name: r.name, area: r.area, lastSeenAt: at?.toISOString() ?? null,
            days: at ? Math.floor((now.getTime() - at.getTime()) / 86_400_000) : null };
        }),
      };
    });
  }
}
