/**
 * The candidate query, on its own (no Nest) so the dispatcher and the benchmarks run the same text.
 *
 * The work is in the PL/pgSQL function `dispatch_candidates` (migration 1766870000000), which keeps
 * its plan for the life of the connection. Hard filters first: active, every required skill, inside
 * the team's own service radius, below capacity, inside the scope, not offered this order before (when
 * asked), the `limit` nearest by a KNN scan of the GiST index. Then the scoring facts of those few
 * teams — region path, members, reputation, continuity with this resident, recent offers — each from
 * a small indexed look-up.
 *
 * Parameters: $1 order location (EWKT), $2 search radius in m (DISPATCH_MAX_RADIUS_M; clamped to the
 * largest active team radius), $3 order id, $4 required skills, $5 exclude teams already offered,
 * $6 limit, $7 scope region (null: any), $8 resident id, $9 DISPATCH_FAIRNESS_WINDOW_HOURS.
 */
export const CANDIDATE_SQL = `SELECT * FROM dispatch_candidates($1::geography, $2, $3, $4::text[], $5, $6, $7::uuid, $8::uuid, $9)`;
