import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `dispatch_candidates`: `previously_offered` is no longer looked up when the search already left out
 * every team offered this order (`p_exclude_offered`, automatic dispatch): it is then false for every
 * row, and the EXISTS over `offers` was one index probe per candidate (30 per search) for nothing. Only
 * staff searches (`p_exclude_offered` false) still look it up. The rows returned are the same, in the
 * same order (`test/candidate-search.e2e-spec.ts`); on a copy of the quick bench world, 2,000 searches
 * alternating old and new: 0.87 / 0.89 / 0.92 / 0.48 / 0.56 / 0.77 / 0.83 / 0.86 / 0.92 ms per search
 * before, 0.83 / 0.82 / 0.91 / 0.46 / 0.71 / 0.75 / 0.71 / 0.90 / 0.78 after (a busy machine; the new
 * one was faster in 7 of 9 pairs).
 */
/** The function as of 1766930000000, with `previouslyOffered` the expression of its `previously_offered` column. */
function dispatchCandidates(previouslyOffered: string): string {
  return `
      CREATE OR REPLACE FUNCTION dispatch_candidates(
        p_origin geography, p_max_radius_m double precision, p_order_id uuid, p_required_skills text[],
        p_exclude_offered boolean, p_limit integer, p_scope_region uuid, p_resident_id uuid, p_fairness_hours integer)
      RETURNS TABLE (id uuid, name text, service_radius_m integer, active_orders integer, capacity integer, region_id uuid,
                     distance_m double precision, region_path uuid[], previously_offered boolean, members bigint, qualified bigint,
                     rating_count integer, stars_sum integer, continuity numeric, recent_offers bigint)
      LANGUAGE plpgsql STABLE ROWS 30
      SET enable_bitmapscan = off
      SET plan_cache_mode = force_generic_plan
      AS $$
      DECLARE
        -- every required skill as a quoted tsquery lexeme (quote and backslash escaped); '*' when none
        v_skills tsquery := coalesce(nullif(array_to_string(
          ARRAY(SELECT '''' || replace(replace(s, '\\', '\\\\'), '''', '\\''') || '''' FROM unnest(p_required_skills) s WHERE s <> ''),
          ' & '), ''), '''*''')::tsquery;
      BEGIN
        RETURN QUERY
        WITH n AS MATERIALIZED (
          SELECT t.id, t.name, t.service_radius_m, t.active_orders, t.capacity, t.region_id, ST_Distance(t.location, p_origin) AS distance_m
            FROM teams t
           WHERE t.active
             AND ST_DWithin(t.location, p_origin, LEAST(p_max_radius_m, (SELECT max(x.service_radius_m) FROM teams x WHERE x.active)))
             AND ST_DWithin(t.location, p_origin, t.service_radius_m)
             AND t.skill_lexemes @@ v_skills
             AND t.skills @> p_required_skills
             AND t.active_orders < t.capacity
             AND (NOT p_exclude_offered OR NOT EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = t.id))
             AND (p_scope_region IS NULL OR EXISTS (SELECT 1 FROM regions rr WHERE rr.id = t.region_id AND p_scope_region = ANY (rr.path)))
           ORDER BY t.location <-> p_origin
           LIMIT p_limit)
        SELECT n.id, n.name, n.service_radius_m, n.active_orders, n.capacity, n.region_id, n.distance_m,
               (SELECT r.path FROM regions r WHERE r.id = n.region_id),
               ${previouslyOffered},
               m.members, m.qualified,
               rep.rating_count, rep.stars_sum,
               (SELECT max(CASE WHEN rt.stars >= 4 THEN 1 WHEN rt.stars IS NULL THEN 0.5 ELSE 0 END)
                  FROM orders o2 LEFT JOIN ratings rt ON rt.order_id = o2.id
                 WHERE o2.resident_id = p_resident_id AND o2.team_id = n.id AND o2.status IN ('completed', 'closed')),
               (SELECT count(*) FROM offers f2 WHERE f2.team_id = n.id AND f2.created_at > now() - make_interval(hours => p_fairness_hours))
          FROM n
          CROSS JOIN LATERAL (SELECT count(*) AS members,
                                     count(*) FILTER (WHERE tm.skills = '{}' OR tm.skills @> p_required_skills) AS qualified
                                FROM team_members tm WHERE tm.team_id = n.id) m
          LEFT JOIN team_reputation rep ON rep.team_id = n.id;
      END
      $$`;
}

export class CandidatesSkipPreviouslyOffered1766950000000 implements MigrationInterface {
  name = 'CandidatesSkipPreviouslyOffered1766950000000';

  async up(q: QueryRunner): Promise<void> {
    // with p_exclude_offered every such team was filtered out in the search: no look-up needed
    await q.query(dispatchCandidates(`CASE WHEN p_exclude_offered THEN false
                    ELSE EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = n.id) END`));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(dispatchCandidates(`EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = n.id)`));
  }
}
