import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { preparedQuery } from '@xinyuan/database';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { CandidateTeam, jurisdictionOf } from './candidate-ranking';
import { CANDIDATE_SQL } from './candidate-sql';
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

/** A row of CANDIDATE_SQL (`dispatch_candidates`): the team, with its scoring facts. */
interface CandidateRow {
  id: string;
  name: string;
  region_id: string;
  distance_m: number;
  service_radius_m: number;
  active_orders: number;
  capacity: number;
  region_path: string[];
  previously_offered: boolean;
  /** count(*) is bigint: node-postgres returns a string */
  members: string | null;
  qualified: string | null;
  rating_count: number | null;
  stars_sum: number | null;
  continuity: string | number | null;
  recent_offers: string;
}

/** Runs the candidate query (`candidate-sql.ts`): the nearest eligible teams within DISPATCH_MAX_RADIUS_M. */
@Injectable()
export class CandidateFinder {
  constructor(private readonly config: AppConfig) {}

  async find(manager: EntityManager, q: CandidateQuery): Promise<CandidateTeam[]> {
    // Search a tight ring first: in a dense area it already holds `limit` eligible teams, and those are
    // exactly the nearest `limit` of the whole search (anyone farther is outside the ring), so the
    // wide ring is only read where teams are sparse. Same result, far fewer rows to sort.
    const rows = await this.query(manager, q, this.config.DISPATCH_MAX_RADIUS_M);
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
      reputation: r.rating_count ? (weight * mean + (r.stars_sum ?? 0)) / (weight + r.rating_count) : null,
      continuity: r.continuity === null ? 0 : Number(r.continuity),
      recentOffers: Number(r.recent_offers),
      jurisdiction: jurisdictionOf(r.region_path, q.ancestors),
      previouslyOffered: r.previously_offered,
    }));
  }

  private query(manager: EntityManager, q: CandidateQuery, ringM: number): Promise<CandidateRow[]> {
    return preparedQuery(
      manager,
      CANDIDATE_SQL,
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

  /** The order's station (站), township and county: the ancestors of the region placement gave it (`region_of_point`). */
  async ancestorsOf(manager: EntityManager, regionId: string | null): Promise<OrderAncestors> {
    if (!regionId) return CandidateFinder.ancestorsFrom([]);
    const rows: { id: string; level: string }[] = await manager.query(
      `SELECT r.id, r.level FROM regions me JOIN regions r ON r.id = ANY(me.path) WHERE me.id = $1`,
      [regionId],
    );
    return CandidateFinder.ancestorsFrom(rows);
  }

  /** The station, township and county among a region's path (its ancestors and itself). */
  static ancestorsFrom(path: { id: string; level: string }[]): OrderAncestors {
    const a: OrderAncestors = { stationId: null, townshipId: null, countyId: null };
    for (const r of path) {
      if (r.level === 'village') a.stationId = r.id;
      if (r.level === 'township') a.townshipId = r.id;
      if (r.level === 'county') a.countyId = r.id;
    }
    return a;
  }
}
