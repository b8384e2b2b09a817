import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The hard-filter part of the candidate query (libs/dispatch/src/candidate-sql.ts) as a SQL function,
 * so that it can carry its own planner setting.
 *
 * Why: with the filters inline, the planner estimated one surviving row (the product of the filters'
 * selectivities), so LIMIT looked useless and it chose a BitmapAnd of the skills GIN index (tens of
 * thousands of entries for a common skill) and the GiST ring, fetched every team in the ring and
 * sorted them — p99 62 ms on 100,000 teams, plus ~50 ms of JIT compilation whenever the estimated cost
 * crossed jit_above_cost. `SET enable_bitmapscan = off` leaves it the GiST index scan in KNN order
 * (`ORDER BY location <-> origin`, bounded by the ring), which stops after the `limit` nearest
 * eligible teams: p99 ~8 ms on the same world, the same teams.
 *
 * The ring is clamped to the largest service radius of any active team (an index-only look-up on
 * `teams_active_radius_idx`): no team is eligible beyond its own radius, so one query finds what the
 * former tight-ring-then-full-radius pair found, exactly.
 */
export class CandidateSearch1765600000000 implements MigrationInterface {
  name = 'CandidateSearch1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX teams_active_radius_idx ON teams (service_radius_m) WHERE active`);
    await q.query(`
      CREATE FUNCTION dispatch_nearest_teams(
        p_origin geography, p_max_radius_m double precision, p_order_id uuid, p_required_skills text[],
        p_exclude_offered boolean, p_limit integer, p_scope_region uuid)
      RETURNS TABLE (id uuid, name text, service_radius_m integer, active_orders integer, capacity integer, region_id uuid, distance_m double precision)
      LANGUAGE sql STABLE ROWS 30
      SET enable_bitmapscan = off
      AS $$
        SELECT t.id, t.name, t.service_radius_m, t.active_orders, t.capacity, t.region_id, ST_Distance(t.location, p_origin)
          FROM teams t
         WHERE t.active
           AND ST_DWithin(t.location, p_origin, LEAST(p_max_radius_m, (SELECT max(x.service_radius_m) FROM teams x WHERE x.active)))
           AND ST_DWithin(t.location, p_origin, t.service_radius_m)
           AND t.skills @> p_required_skills
           AND t.active_orders < t.capacity
           AND (NOT p_exclude_offered OR NOT EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = t.id))
           AND (p_scope_region IS NULL OR EXISTS (SELECT 1 FROM regions rr WHERE rr.id = t.region_id AND p_scope_region = ANY (rr.path)))
         ORDER BY t.location <-> p_origin
         LIMIT p_limit
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION dispatch_nearest_teams(geography, double precision, uuid, text[], boolean, integer, uuid)`);
    await q.query(`DROP INDEX teams_active_radius_idx`);
  }
}
