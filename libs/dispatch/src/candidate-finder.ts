import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { CandidateTeam } from './candidate-ranking';

export interface CandidateQuery {
  orderId: string;
  location: LatLng;
  requiredSkills: string[];
  /** Leave out teams this order was already offered to (automatic dispatch); staff see them flagged. */
  excludePreviouslyOffered: boolean;
  limit: number;
}

/**
 * Hard filters in one indexed PostGIS query: active, every required skill (GIN `@>`), inside the
 * team's own service radius, below capacity. The GiST index is searched with the constant
 * DISPATCH_MAX_RADIUS_M, and each team's own radius is checked on the rows it returns.
 */
@Injectable()
export class CandidateFinder {
  constructor(private readonly config: AppConfig) {}

  async find(manager: EntityManager, q: CandidateQuery): Promise<CandidateTeam[]> {
    const rows: Record<string, any>[] = await manager.query(
      `SELECT t.id, t.name, t.service_radius_m, t.active_orders, t.capacity,
              ST_Distance(t.location, p.geog) AS distance_m,
              EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = t.id) AS previously_offered
         FROM teams t, (SELECT $1::geography AS geog) p
        WHERE t.active
          AND ST_DWithin(t.location, p.geog, $2)
          AND ST_DWithin(t.location, p.geog, t.service_radius_m)
          AND t.skills @> $4::text[]
          AND t.active_orders < t.capacity
          AND ($5::boolean = false OR NOT EXISTS (SELECT 1 FROM offers f WHERE f.order_id = $3 AND f.team_id = t.id))
        ORDER BY t.location <-> p.geog
        LIMIT $6`,
      [toEwkt(q.location), this.config.DISPATCH_MAX_RADIUS_M, q.orderId, q.requiredSkills, q.excludePreviouslyOffered, q.limit],
    );
    return rows.map((r) => ({
      teamId: r.id,
      name: r.name,
      distanceM: Number(r.distance_m),
      serviceRadiusM: r.service_radius_m,
      activeOrders: r.active_orders,
      capacity: r.capacity,
      previouslyOffered: r.previously_offered,
    }));
  }
}
