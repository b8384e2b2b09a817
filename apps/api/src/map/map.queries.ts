import { Injectable } from '@nestjs/common';
import { coarsen } from '@xinyuan/geo';
import { Scope, scopeSql } from '@xinyuan/org';
import { LaggingReads } from '@xinyuan/database';

export interface Feature<P = Record<string, unknown>> {
  type: 'Feature';
  id?: string;
  geometry: { type: string; coordinates: unknown };
  properties: P;
}

export interface FeatureCollection<P = Record<string, unknown>> {
  type: 'FeatureCollection';
  features: Feature<P>[];
}

/** Orders still open on the map: from placing to service. */
export const OPEN_ORDER_STATUSES = ['pending_review', 'dispatching', 'offered', 'escalated', 'accepted', 'in_service'] as const;

interface RegionRow {
  id: string;
  name: string;
  level: string;
  parent_id: string | null;
  geometry: { type: string; coordinates: unknown };
}

const point = (lng: number, lat: number) => ({ type: 'Point', coordinates: [lng, lat] });

/**
 * GeoJSON straight from PostGIS for the console map (drawn without any tile server) and the
 * apps' map pickers. Staff get exact points; everyone else gets coarse cells (~1 km, counts only),
 * so no map can pinpoint an elder's home.
 */
@Injectable()
export class MapQueries {
  constructor(private readonly reads: LaggingReads) {}

  /**
   * Region boundaries inside `scope`, simplified for drawing (`tolerance` in degrees; 0.0002° ≈ 20 m).
   * The scope is the caller's jurisdiction (staff, grid workers), or everything for the service area.
   */
  async regions(filter: { level?: string; parentId?: string; tolerance: number }, scope: Scope): Promise<FeatureCollection> {
    const params: unknown[] = [filter.level ?? null, filter.parentId ?? null, filter.tolerance];
    const inScope = scopeSql(scope, 'id', params);
    const rows: RegionRow[] = await this.reads.query(
      `SELECT id, name, level, parent_id,
              ST_AsGeoJSON(ST_SimplifyPreserveTopology(boundary::geometry, $3), 6)::json AS geometry
         FROM regions
        WHERE boundary IS NOT NULL AND ($1::text IS NULL OR level = $1) AND ($2::uuid IS NULL OR parent_id = $2) AND ${inScope}
        ORDER BY array_position(ARRAY['county','township','village','point'], level), name`,
      params,
    );
    return {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.id,
        geometry: r.geometry,
        properties: { id: r.id, name: r.name, level: r.level, parentId: r.parent_id },
      })),
    };
  }

  /** `staffScope`: the exact view, limited to the jurisdiction; null: the coarse public view of active teams. */
  async teams(staffScope: Scope | null): Promise<FeatureCollection> {
    const staff = staffScope !== null;
    const params: unknown[] = [];
    const where = staffScope ? scopeSql(staffScope, 't.region_id', params) : 't.active';
    const rows: Record<string, any>[] = await this.reads.query(
      `SELECT t.id, t.name, t.region_id, r.name AS region_name, ST_X(t.location::geometry) AS lng, ST_Y(t.location::geometry) AS lat,
              t.service_radius_m, t.skills, t.capacity, t.active_orders, t.active,
              (SELECT count(*)::int FROM team_members m WHERE m.team_id = t.id) AS members
         FROM teams t JOIN regions r ON r.id = t.region_id
        WHERE ${where}
        ORDER BY t.name`,
      params,
    );
    return {
      type: 'FeatureCollection',
      features: rows.map((r) => {
        const at = staff ? { lat: r.lat, lng: r.lng } : coarsen({ lat: r.lat, lng: r.lng });
        const base = { id: r.id, name: r.name, regionId: r.region_id, region: r.region_name, skills: r.skills };
        return {
          type: 'Feature' as const,
          id: r.id,
          geometry: point(at.lng, at.lat),
          properties: staff
            ? { ...base, serviceRadiusM: r.service_radius_m, capacity: r.capacity, activeOrders: r.active_orders, active: r.active, members: r.members }
            : base,
        };
      }),
    };
  }

  /**
   * Open orders of a staff member's jurisdiction, one exact point each. Nobody else gets this layer:
   * even ~1 km cells with counts would show where, in a sparse village, somebody needs help.
   */
  async openOrders(staffScope: Scope): Promise<FeatureCollection> {
    const params: unknown[] = [OPEN_ORDER_STATUSES];
    const inScope = scopeSql(staffScope, 'o.region_id', params);
    const rows: Record<string, any>[] = await this.reads.query(
      `SELECT o.id, o.status, o.urgent, o.service_code, s.name AS service_name, s.group_name, r.name AS area_name, o.created_at,
              ST_X(o.location::geometry) AS lng, ST_Y(o.location::geometry) AS lat
         FROM orders o JOIN services s ON s.id = o.service_id LEFT JOIN regions r ON r.id = o.region_id
        WHERE o.status = ANY($1::text[]) AND ${inScope}
        ORDER BY o.created_at DESC
        LIMIT 5000`,
      params,
    );
    return {
      type: 'FeatureCollection',
      features: rows.map((r) => ({
        type: 'Feature',
        id: r.id,
        geometry: point(r.lng, r.lat),
        properties: {
          id: r.id, status: r.status, urgent: r.urgent, serviceCode: r.service_code, serviceName: r.service_name,
          group: r.group_name, area: r.area_name, createdAt: new Date(r.created_at).toISOString(),
        },
      })),
    };
  }
}
