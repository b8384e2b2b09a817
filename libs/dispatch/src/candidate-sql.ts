/**
 * The candidate query, on its own (no Nest) so the dispatcher and the benchmarks run the same text.
 *
 * Hard filters in one indexed PostGIS query: active, every required skill (GIN `@>`), inside the
 * team's own service radius, below capacity, inside the scope. The GiST index is searched with a
 * constant ring radius (KNN order), each team's own radius is checked on the rows it returns; the
 * `limit` nearest then get their scoring facts (members, reputation, continuity with this resident,
 * recent offers) from small indexed look-ups.
 *
 * Parameters: $1 order location (EWKT), $2 ring radius in m, $3 order id, $4 required skills,
 * $5 exclude teams already offered, $6 limit, $7 scope region (null: any), $8 resident id,
 * $9 DISPATCH_FAIRNESS_WINDOW_HOURS.
 */
export const CANDIDATE_SQL = `WITH p AS (SELECT $1::geography AS geog),
       near AS (
         SELECT t.id, t.name, t.service_radius_m, t.active_orders, t.capacity, t.region_id,
                ST_Distance(t.location, p.geog) AS distance_m
           FROM teams t, p
          WHERE t.active
            AND ST_DWithin(t.location, p.geog, $2)
            AND ST_DWithin(t.location, p.geog, t.service_radius_m)
            AND t.skills @> $4::text[]
            AND t.active_orders < t.capacity
            AND ($5::boolean = false OR NOT EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = t.id))
            AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM regions rr WHERE rr.id = t.region_id AND $7::uuid = ANY(rr.path)))
          ORDER BY t.location <-> p.geog
          LIMIT $6)
       SELECT n.*, r.path AS region_path,
              EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = n.id) AS previously_offered,
              m.members, m.qualified,
              rep.rating_count, rep.stars_sum,
              (SELECT max(CASE WHEN rt.stars >= 4 THEN 1 WHEN rt.stars IS NULL THEN 0.5 ELSE 0 END)
                 FROM orders o2 LEFT JOIN ratings rt ON rt.order_id = o2.id
                WHERE o2.resident_id = $8 AND o2.team_id = n.id AND o2.status IN ('completed', 'closed')) AS continuity,
              (SELECT count(*) FROM offers f2
                WHERE f2.team_id = n.id AND f2.created_at > now() - make_interval(hours => $9)) AS recent_offers
         FROM near n
         JOIN regions r ON r.id = n.region_id
         LEFT JOIN team_reputation rep ON rep.team_id = n.id
         LEFT JOIN LATERAL (
           SELECT count(*) AS members,
                  count(*) FILTER (WHERE tm.skills = '{}' OR tm.skills @> $4::text[]) AS qualified
             FROM team_members tm WHERE tm.team_id = n.id) m ON true`;

/** Radius of the first, tight search ring (most teams serve 2–10 km). */
export const FIRST_RING_M = 8000;
