import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole candidate query (libs/dispatch/src/candidate-sql.ts) as one PL/pgSQL function,
 * `dispatch_candidates`, so that its plan is made once per connection instead of once per order.
 *
 * Why: measured on the quick bench world (10,000 teams), the former statement — a call of the SQL
 * function `dispatch_nearest_teams` wrapped in the scoring look-ups — spent more Postgres CPU planning
 * than executing: a SQL function that carries a `SET` clause is never inlined, so its body was parsed
 * and planned on every call, and the outer statement (unnamed, with parameters) was planned again on
 * every execution too. 2.0 ms of backend CPU per search, of which about 0.5 ms executing. PL/pgSQL keeps
 * the plan of `RETURN QUERY` for the life of the connection; `plan_cache_mode = force_generic_plan`
 * makes that the one generic plan from the first call (the shape never depends on the parameters:
 * the GiST scan in KNN order, the scoring look-ups by primary key or index). 1.1 ms per search,
 * the same rows.
 *
 * The hard filters and the scoring facts are exactly those of `dispatch_nearest_teams` (migration
 * 1765600000000) and the former CANDIDATE_SQL; `enable_bitmapscan = off` is kept for the reason given
 * there (the planner must take the KNN index scan that stops after `p_limit` eligible teams). The
 * nearest teams are a MATERIALIZED CTE so the look-ups run once per candidate, after the LIMIT.
 * `dispatch_nearest_teams` stays for now (nothing calls it any more).
 */
export class DispatchCandidates1766870000000 implements MigrationInterface {
  name = 'DispatchCandidates1766870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION dispatch_candidates(
        p_origin geography, p_max_radius_m double precision, p_order_id uuid, p_required_skills text[],
        p_exclude_offered boolean, p_limit integer, p_scope_region uuid, p_resident_id uuid, p_fairness_hours integer)
      RETURNS TABLE (id uuid, name text, service_radius_m integer, active_orders integer, capacity integer, region_id uuid,
                     distance_m double precision, region_path uuid[], previously_offered boolean, members bigint, qualified bigint,
                     rating_count integer, stars_sum integer, continuity numeric, recent_offers bigint)
      LANGUAGE plpgsql STABLE ROWS 30
      SET enable_bitmapscan = off
      SET plan_cache_mode = force_generic_plan
      AS $$
      BEGIN
        RETURN QUERY
        WITH n AS MATERIALIZED (
          SELECT t.id, t.name, t.service_radius_m, t.active_orders, t.capacity, t.region_id, ST_Distance(t.location, p_origin) AS distance_m
            FROM teams t
           WHERE t.active
             AND ST_DWithin(t.location, p_origin, LEAST(p_max_radius_m, (SELECT max(x.service_radius_m) FROM teams x WHERE x.active)))
             AND ST_DWithin(t.location, p_origin, t.service_radius_m)
             AND t.skills @> p_required_skills
             AND t.active_orders < t.capacity
             AND (NOT p_exclude_offered OR NOT EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = t.id))
             AND (p_scope_region IS NULL OR EXISTS (SELECT 1 FROM regions rr WHERE rr.id = t.region_id AND p_scope_region = ANY (rr.path)))
           ORDER BY t.location <-> p_origin
           LIMIT p_limit)
        SELECT n.id, n.name, n.service_radius_m, n.active_orders, n.capacity, n.region_id, n.distance_m,
               (SELECT r.path FROM regions r WHERE r.id = n.region_id),
               EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = n.id),
               (SELECT count(*) FROM team_members tm WHERE tm.team_id = n.id),
               (SELECT count(*) FROM team_members tm WHERE tm.team_id = n.id AND (tm.skills = '{}' OR tm.skills @> p_required_skills)),
               rep.rating_count, rep.stars_sum,
               (SELECT max(CASE WHEN rt.stars >= 4 THEN 1 WHEN rt.stars IS NULL THEN 0.5 ELSE 0 END)
                  FROM orders o2 LEFT JOIN ratings rt ON rt.order_id = o2.id
                 WHERE o2.resident_id = p_resident_id AND o2.team_id = n.id AND o2.status IN ('completed', 'closed')),
               (SELECT count(*) FROM offers f2 WHERE f2.team_id = n.id AND f2.created_at > now() - make_interval(hours => p_fairness_hours))
          FROM n LEFT JOIN team_reputation rep ON rep.team_id = n.id;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION dispatch_candidates(geography, double precision, uuid, text[], boolean, integer, uuid, uuid, integer)`);
  }
}
