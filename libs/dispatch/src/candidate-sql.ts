/**
 * The candidate query, on its own (no Nest) so the dispatcher and the benchmarks run the same text.
 *
 * Hard filters first, in `dispatch_nearest_teams` (migration 1765600000000-candidate-search): active,
 * every required skill, inside the team's own service radius, below capacity, inside the scope, not
 * offered this order before (when asked), the `limit` nearest by a KNN scan of the GiST index. Then the
 * scoring facts of those few teams — members, reputation, continuity with this resident, recent offers —
 * each from a small indexed look-up. The LATERAL look-ups carry `OFFSET 0` so the planner cannot pull
 * them up into joins: it estimates the function's rows badly enough to have chosen a sequential scan
 * of team_reputation per candidate.
 *
 * Parameters: $1 order location (EWKT), $2 search radius in m (DISPATCH_MAX_RADIUS_M; clamped to the
 * largest active team radius), $3 order id, $4 required skills, $5 exclude teams already offered,
 * $6 limit, $7 scope region (null: any), $8 resident id, $9 DISPATCH_FAIRNESS_WINDOW_HOURS.
 */
export const CANDIDATE_SQL = `SELECT n.*, r.path AS region_path,
              EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = n.id) AS previously_offered,
              m.members, m.qualified,
              rep.rating_count, rep.stars_sum,
              (SELECT max(CASE WHEN rt.stars >= 4 THEN 1 WHEN rt.stars IS NULL THEN 0.5 ELSE 0 END)
                 FROM orders o2 LEFT JOIN ratings rt ON rt.order_id = o2.id
                WHERE o2.resident_id = $8 AND o2.team_id = n.id AND o2.status IN ('completed', 'closed')) AS continuity,
              (SELECT count(*) FROM offers f2
                WHERE f2.team_id = n.id AND f2.created_at > now() - make_interval(hours => $9)) AS recent_offers
         FROM dispatch_nearest_teams($1::geography, $2, $3, $4::text[], $5, $6, $7::uuid) n
         CROSS JOIN LATERAL (SELECT r.path FROM regions r WHERE r.id = n.region_id OFFSET 0) r
         LEFT JOIN LATERAL (SELECT x.rating_count, x.stars_sum FROM team_reputation x WHERE x.team_id = n.id OFFSET 0) rep ON true
         LEFT JOIN LATERAL (
           SELECT count(*) AS members,
                  count(*) FILTER (WHERE tm.skills = '{}' OR tm.skills @> $4::text[]) AS qualified
             FROM team_members tm WHERE tm.team_id = n.id) m ON true`;
