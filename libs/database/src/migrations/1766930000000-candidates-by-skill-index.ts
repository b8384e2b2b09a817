import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The candidate search (`dispatch_candidates`) filters on the required skills inside the GiST index.
 *
 * Why: the KNN scan of `teams_location_gist` stops after `p_limit` eligible teams — or, when fewer
 * than that are eligible within the search radius, only after reading every active team in it. Most
 * of those are rejected for their skills (on the quick bench world a service's skills are held by one
 * team in ten), each after a heap fetch: in a dense town the slowest searches read about 1,000 teams
 * to return 25, and made the slow end of the search time (1.4 of 1.9 ms). `teams.skill_lexemes` holds the
 * skills as a tsvector, generated from `skills`, so it is right by construction — every insert and
 * update of `skills` recomputes it in the same statement; no trigger or backfill job to keep it so.
 * `teams_location_skills_gist` is a GiST index on (location, skill_lexemes): the search's `@@` is an
 * index condition, so a team without the skills is skipped inside the index, without its heap row
 * (the same search: 110 teams read, 0.5 ms; over the bench's 2,000 samples, p99 2.0 → 1.4 ms with
 * the first scope, warm). The index replaces `teams_location_gist`, which the
 * other location searches of teams can use in its place (its first column is the location).
 *
 * Exactness: `skills @> p_required_skills` stays the filter that decides; the index condition is only
 * a necessary condition of it. `array_to_tsvector` takes each skill as one lexeme, verbatim (no
 * parsing, no stemming), and the query quotes each required skill as a tsquery lexeme. Every team's
 * lexemes include '*', and a search without required skills asks for '*' (an empty tsquery matches
 * nothing). Empty strings and nulls, which a tsvector cannot hold, are left out on both sides.
 *
 * The same migration folds two look-ups per candidate into one: both member counts come from one scan
 * of the team's members (a lateral subquery, joined by nested loop, so the rows keep the KNN order).
 * The rows returned are the same, in the same order (`test/candidate-search.e2e-spec.ts`).
 *
 * The ALTER rewrites `teams` under an exclusive lock: teams are few (10,000 on the quick bench world,
 * 0.1 s), so the migration takes no special care; dispatch waits for it.
 */
export class CandidatesBySkillIndex1766930000000 implements MigrationInterface {
  name = 'CandidatesBySkillIndex1766930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE teams ADD COLUMN skill_lexemes tsvector NOT NULL GENERATED ALWAYS AS (array_to_tsvector(array_remove(array_remove(skills, ''), NULL) || '*'::text)) STORED`);
    await q.query(`CREATE INDEX teams_location_skills_gist ON teams USING gist (location, skill_lexemes) WHERE active`);
    await q.query(`DROP INDEX teams_location_gist`);
    await q.query(`
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
               EXISTS (SELECT 1 FROM offers f WHERE f.order_id = p_order_id AND f.team_id = n.id),
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
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
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
    await q.query(`CREATE INDEX teams_location_gist ON teams USING gist (location) WHERE active`);
    await q.query(`DROP INDEX teams_location_skills_gist`);
    await q.query(`ALTER TABLE teams DROP COLUMN skill_lexemes`);
  }
}
