import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { CandidateTeam, jurisdictionOf } from './candidate-ranking';
import { OrderAncestors } from './widening';

export interface CandidateQuery {
  orderId: string;
  residentId: string;
  location: LatLng;
  requiredSkills: string[];
  ancestors: OrderAncestors;
  /** Only teams whose region lies under this one (the current widening scope); null: any region. */
  scopeRegionId: string | null;
  /** Leave out teams this order was already offered to (automatic dispatch); staff see them flagged. */
  excludePreviouslyOffered: boolean;
  limit: number;
}

/**
 * Hard filters in one indexed PostGIS query: active, every required skill (GIN `@>`), inside the
 * team's own service radius, below capacity, inside the scope. The GiST index is searched with the
 * constant DISPATCH_MAX_RADIUS_M (KNN order), each team's own radius is checked on the rows it
 * returns; the `limit` nearest then get their scoring facts (members, reputation, continuity with
 * this resident, recent offers) from small indexed look-ups.
 */
/** Radius of the first, tight search ring (most teams serve 2–10 km). */
const FIRST_RING_M = 8000;

@Injectable()
export class CandidateFinder {
  constructor(private readonly config: AppConfig) {}

  async find(manager: EntityManager, q: CandidateQuery): Promise<CandidateTeam[]> {
    // Search a tight ring first: in a dense area it already holds `limit` eligible teams, and those are
    // exactly the nearest `limit` of the whole search (anyone farther is outside the ring), so the
    // wide ring is only read where teams are sparse. Same result, far fewer rows to sort.
    const tight = Math.min(this.config.DISPATCH_MAX_RADIUS_M, FIRST_RING_M);
    let rows = await this.query(manager, q, tight);
    if (rows.length < q.limit && tight < this.config.DISPATCH_MAX_RADIUS_M) rows = await this.query(manager, q, this.config.DISPATCH_MAX_RADIUS_M);
    const { REPUTATION_PRIOR_MEAN: mean, REPUTATION_PRIOR_WEIGHT: weight } = this.config;
    return rows.map((r) => ({
      teamId: r.id,
      name: r.name,
      distanceM: Number(r.distance_m),
      serviceRadiusM: r.service_radius_m,
      activeOrders: r.active_orders,
      capacity: r.capacity,
      members: Number(r.members),
      qualifiedMembers: Number(r.qualified),
      reputation: r.rating_count ? (weight * mean + r.stars_sum) / (weight + r.rating_count) : null,
      continuity: r.continuity === null ? 0 : Number(r.continuity),
      recentOffers: Number(r.recent_offers),
      jurisdiction: jurisdictionOf(r.region_path, q.ancestors),
      previouslyOffered: r.previously_offered,
    }));
  }

  private query(manager: EntityManager, q: CandidateQuery, ringM: number): Promise<Record<string, any>[]> {
    return manager.query(
      `WITH p AS (SELECT $1::geography AS geog),
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
             FROM team_members tm WHERE tm.team_id = n.id) m ON true`,
      [
        toEwkt(q.location),
        ringM,
        q.orderId,
        q.requiredSkills,
        q.excludePreviouslyOffered,
        q.limit,
        q.scopeRegionId,
        q.residentId,
        this.config.DISPATCH_FAIRNESS_WINDOW_HOURS,
      ],
    );
  }

  /** The order's station (站), township and county, from the deepest region covering it. */
  async ancestorsOf(manager: EntityManager, regionId: string | null): Promise<OrderAncestors> {
    const a: OrderAncestors = { stationId: null, townshipId: null, countyId: null };
    if (!regionId) return a;
    const rows: { id: string; level: string }[] = await manager.query(
      `SELECT r.id, r.level FROM regions me JOIN regions r ON r.id = ANY(me.path) WHERE me.id = $1`,
      [regionId],
    );
    for (const r of rows) {
      if (r.level === 'village') a.stationId = r.id;
      if (r.level === 'township') a.townshipId = r.id;
      if (r.level === 'county') a.countyId = r.id;
    }
    return a;
  }
}
