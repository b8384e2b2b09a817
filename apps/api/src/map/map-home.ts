import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { LatLng } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';

export type MapHomeSource = 'last_order' | 'beneficiary' | 'own_region' | 'config' | 'deployment' | 'none';

export interface MapHomeRegion {
  id: string;
  name: string;
  level: string;
}

/** Where a map should open for one person: their own area, never the bounding box of every region. */
export interface MapHome {
  source: MapHomeSource;
  /** The area to open on (a township, or the person's own region), with its ancestors root first. */
  region: MapHomeRegion | null;
  path: MapHomeRegion[];
  /** [west, south, east, north] of the region's boundary (WGS84). */
  bbox: [number, number, number, number] | null;
  /** The resident's last order or profile location, to mark on the map; staff get none. */
  point: LatLng | null;
}

interface AreaRow {
  id: string;
  name: string;
  level: string;
  path: string[];
  west: number;
  south: number;
  east: number;
  north: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Finds the area a map picker opens on. Residents: where they last ordered, else the location of a
 * profile they recorded (一人一档, e.g. for a mother), else the deployment's home region. Staff and
 * grid workers: their own region. The home region is MAP_HOME_REGION (a region id or name), else
 * the county with the most active teams.
 */
@Injectable()
export class MapHomeFinder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async find(user: AuthUser): Promise<MapHome> {
    if (user.regionId && user.roles.some((r) => r === 'dispatcher' || r === 'admin' || r === 'grid_worker')) {
      const own = await this.area(`SELECT $1::uuid AS id`, [user.regionId]);
      if (own) return this.answer('own_region', own, null);
    }
    const lastOrder = await this.pointOf(
      `SELECT location FROM orders WHERE resident_id = $1 AND region_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`, [user.id]);
    if (lastOrder) {
      const area = await this.areaAround(lastOrder);
      if (area) return this.answer('last_order', area, lastOrder);
    }
    const profile = await this.pointOf(
      `SELECT location FROM beneficiaries WHERE created_by = $1 AND archived_at IS NULL AND region_id IS NOT NULL ORDER BY created_at DESC LIMIT 1`, [user.id]);
    if (profile) {
      const area = await this.areaAround(profile);
      if (area) return this.answer('beneficiary', area, profile);
    }
    const configured = this.config.MAP_HOME_REGION?.trim();
    if (configured) {
      const area = await this.area(
        UUID.test(configured)
          ? `SELECT $1::uuid AS id`
          : `SELECT id FROM regions WHERE name = $1 AND boundary IS NOT NULL ORDER BY array_position(ARRAY['county','township','village','point'], level) LIMIT 1`,
        [configured],
      );
      if (area) return this.answer('config', area, null);
    }
    const busiest = await this.area(
      `SELECT c.id FROM regions c
        WHERE c.level = 'county' AND c.parent_id IS NULL AND c.boundary IS NOT NULL
        ORDER BY (SELECT count(*) FROM teams t JOIN regions tr ON tr.id = t.region_id WHERE t.active AND tr.path @> ARRAY[c.id]) DESC, c.name
        LIMIT 1`,
      [],
    );
    return busiest ? this.answer('deployment', busiest, null) : { source: 'none', region: null, path: [], bbox: null, point: null };
  }

  private async pointOf(sql: string, params: unknown[]): Promise<LatLng | null> {
    const [row] = await this.dataSource.query(`SELECT ST_Y(q.location::geometry) AS lat, ST_X(q.location::geometry) AS lng FROM (${sql}) q`, params);
    return row ? { lat: row.lat, lng: row.lng } : null;
  }

  /** The township of the point (walking down the tree from the roots: `region_of_point`), else its county. */
  private areaAround(p: LatLng): Promise<AreaRow | null> {
    return this.area(
      `SELECT COALESCE(me.path[2], me.path[1]) AS id FROM regions me
        WHERE me.id = region_of_point(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography)`,
      [p.lng, p.lat],
    );
  }

  /** The region `idSql` names, with its boundary's box; null when it has no boundary. */
  private async area(idSql: string, params: unknown[]): Promise<AreaRow | null> {
    const [row] = await this.dataSource.query(
      `SELECT r.id, r.name, r.level, r.path,
              ST_XMin(b.box) AS west, ST_YMin(b.box) AS south, ST_XMax(b.box) AS east, ST_YMax(b.box) AS north
         FROM (${idSql}) pick
         JOIN regions r ON r.id = pick.id
         CROSS JOIN LATERAL (SELECT ST_Envelope(r.boundary::geometry) AS box) b
        WHERE r.boundary IS NOT NULL`,
      params,
    );
    return row ?? null;
  }

  private async answer(source: MapHomeSource, area: AreaRow, point: LatLng | null): Promise<MapHome> {
    const ancestors: MapHomeRegion[] = await this.dataSource.query(
      `SELECT r.id, r.name, r.level FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, i) JOIN regions r ON r.id = p.id ORDER BY p.i`,
      [area.path],
    );
    return {
      source,
      region: { id: area.id, name: area.name, level: area.level },
      path: ancestors,
      bbox: [area.west, area.south, area.east, area.north],
      point,
    };
  }
}
