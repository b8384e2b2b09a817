import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { Dashboard, Percentiles } from './dashboard';
import { LaggingReads } from '@xinyuan/database';

export interface DashboardFilter {
  /** First and last day (inclusive), YYYY-MM-DD in STATS_TIME_ZONE. */
  from: string;
  to: string;
  regionId?: string;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/**
 * The dashboard's figures, computed in Postgres: orders created in a period (days in
 * STATS_TIME_ZONE), optionally inside a region and everything beneath it, by day and status, by
 * menu group, time to accept and to complete (median and p90 via percentile_cont), ratings,
 * volunteer minutes, and per region one level below the chosen one (townships of a county, …).
 */
/** One row of the per-region figures. */
interface RegionFigures {
  group_id: string | null;
  region: string;
  orders: number;
  completed: number;
  cancelled: number;
  p50_accept_s: unknown;
  p90_accept_s: unknown;
  p50_complete_s: unknown;
  p90_complete_s: unknown;
  average_stars: number | null;
  minutes: number;
}

@Injectable()
export class StatsQueries {
  constructor(
    private readonly reads: LaggingReads,
    private readonly config: AppConfig,
  ) {}

  async dashboard(filter: DashboardFilter): Promise<Dashboard> {
    const tz = this.config.STATS_TIME_ZONE;
    let depth = 1;
    if (filter.regionId) {
      const [region] = await this.reads.query(`SELECT array_length(path, 1) AS depth FROM regions WHERE id = $1`, [filter.regionId]);
      if (!region) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'regionId', messages: ['region not found'] }]);
      depth = region.depth;
    }
    // the orders of the period: $1 from, $2 to, $3 time zone, $4 region (or null)
    const base = `
      WITH o AS (
        SELECT o.*, (o.created_at AT TIME ZONE $3)::date AS day
          FROM orders o
         WHERE o.created_at >= ($1::date)::timestamp AT TIME ZONE $3
           AND o.created_at < ($2::date + 1)::timestamp AT TIME ZONE $3
           AND ($4::uuid IS NULL OR o.region_id IN (SELECT id FROM regions WHERE $4::uuid = ANY(path)))
      ),
      timed AS (
        SELECT o.id, o.region_id, o.status,
               EXTRACT(EPOCH FROM (a.responded_at - o.created_at)) AS accept_s,
               EXTRACT(EPOCH FROM (sr.completed_at - o.created_at)) AS complete_s,
               sr.minutes, sr.completed_by, sr.completed_at, sr.volunteer_ids
          FROM o
          LEFT JOIN LATERAL (SELECT min(e.at) AS responded_at FROM order_events e WHERE e.order_id = o.id AND e.type = 'accept') a ON true
          LEFT JOIN service_records sr ON sr.order_id = o.id
      )`;
    const params = [filter.from, filter.to, tz, filter.regionId ?? null];
    const pct = (col: string) =>
      `count(${col})::int AS n_${col},
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ${col}) AS p50_${col},
       percentile_cont(0.9) WITHIN GROUP (ORDER BY ${col}) AS p90_${col}`;
    const [perDay, byGroup, [timing], [sat], [mins], perRegion] = await Promise.all([
      this.reads.query(`${base} SELECT day::text AS day, status, count(*)::int AS count FROM o GROUP BY 1, 2 ORDER BY 1, 2`, params),
      this.reads.query(
        `${base} SELECT s.group_name AS "group", count(*)::int AS orders,
                count(*) FILTER (WHERE o.status IN ('completed', 'closed'))::int AS completed,
                count(*) FILTER (WHERE o.status = 'cancelled')::int AS cancelled
           FROM o JOIN services s ON s.id = o.service_id GROUP BY 1 ORDER BY 2 DESC, 1`,
        params,
      ),
      this.reads.query(`${base} SELECT ${pct('accept_s')}, ${pct('complete_s')} FROM timed`, params),
      this.reads.query(
        `${base} SELECT count(*)::int AS ratings, avg(rt.stars)::float AS average, avg(rt.solved::int)::float AS solved,
                count(*) FILTER (WHERE rt.stars = 1)::int AS s1, count(*) FILTER (WHERE rt.stars = 2)::int AS s2,
                count(*) FILTER (WHERE rt.stars = 3)::int AS s3, count(*) FILTER (WHERE rt.stars = 4)::int AS s4,
                count(*) FILTER (WHERE rt.stars = 5)::int AS s5
           FROM o JOIN ratings rt ON rt.order_id = o.id`,
        params,
      ),
      this.reads.query(
        `${base} SELECT COALESCE(sum(minutes), 0)::int AS total, count(minutes)::int AS orders,
                (SELECT count(DISTINCT v)::int
                   FROM timed t, unnest(CASE WHEN cardinality(t.volunteer_ids) > 0 THEN t.volunteer_ids ELSE ARRAY[t.completed_by] END) v
                  WHERE t.completed_at IS NOT NULL) AS volunteers
           FROM timed WHERE completed_at IS NOT NULL`,
        params,
      ),
      this.reads.query(
        `${base}, grouped AS (
           SELECT t.*, rt.stars,
                  CASE WHEN rg.id IS NULL THEN NULL ELSE COALESCE(rg.path[${depth + 1}], rg.path[array_length(rg.path, 1)]) END AS group_id
             FROM timed t LEFT JOIN regions rg ON rg.id = t.region_id LEFT JOIN ratings rt ON rt.order_id = t.id
         )
         SELECT g.group_id, COALESCE(r.name, '（无区域）') AS region, count(*)::int AS orders,
                count(*) FILTER (WHERE g.status IN ('completed', 'closed'))::int AS completed,
                count(*) FILTER (WHERE g.status = 'cancelled')::int AS cancelled,
                ${pct('accept_s')}, ${pct('complete_s')},
                avg(g.stars)::float AS average_stars, COALESCE(sum(g.minutes), 0)::int AS minutes
           FROM grouped g LEFT JOIN regions r ON r.id = g.group_id
          GROUP BY g.group_id, r.name ORDER BY orders DESC, region`,
        params,
      ),
    ]);
    const percentiles = (row: Record<string, unknown>, col: string): Percentiles => ({
      count: Number(row[`n_${col}`] ?? 0),
      medianSeconds: num(row[`p50_${col}`]),
      p90Seconds: num(row[`p90_${col}`]),
    });
    const totals = { orders: 0, completed: 0, cancelled: 0, open: 0 };
    for (const r of perDay as { status: string; count: number }[]) {
      totals.orders += r.count;
      if (r.status === 'completed' || r.status === 'closed') totals.completed += r.count;
      else if (r.status === 'cancelled') totals.cancelled += r.count;
      else if (r.status !== 'rejected') totals.open += r.count;
    }
    return {
      from: filter.from,
      to: filter.to,
      timeZone: tz,
      regionId: filter.regionId ?? null,
      totals,
      ordersPerDay: perDay,
      byGroup,
      timeToAccept: percentiles(timing, 'accept_s'),
      timeToComplete: percentiles(timing, 'complete_s'),
      satisfaction: {
        ratings: sat.ratings,
        averageStars: num(sat.average),
        solvedRate: num(sat.solved),
        stars: { '1': sat.s1, '2': sat.s2, '3': sat.s3, '4': sat.s4, '5': sat.s5 },
      },
      volunteerMinutes: { total: mins.total, orders: mins.orders, volunteers: mins.volunteers },
      perRegion: (perRegion as RegionFigures[]).map((r) => ({
        regionId: r.group_id,
        region: r.region,
        orders: r.orders,
        completed: r.completed,
        cancelled: r.cancelled,
        medianAcceptSeconds: num(r.p50_accept_s),
        p90AcceptSeconds: num(r.p90_accept_s),
        medianCompleteSeconds: num(r.p50_complete_s),
        p90CompleteSeconds: num(r.p90_complete_s),
        averageStars: num(r.average_stars),
        volunteerMinutes: r.minutes,
      })),
    };
  }
}
