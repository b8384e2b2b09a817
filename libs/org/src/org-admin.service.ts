import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { DomainException, ErrorCode, Page } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { fromGeoJsonPoint, LatLng, toEwkt } from '@xinyuan/geo';
import { IdentityService } from '@xinyuan/identity';
import type { RegionLevel } from './region.entity';
import type { TeamMemberRole } from './team.entity';

const LEVEL_DEPTH: Record<RegionLevel, number> = { county: 0, township: 1, village: 2, point: 3 };

export interface TeamView {
  id: string;
  name: string;
  regionId: string;
  location: LatLng;
  serviceRadiusM: number;
  skills: string[];
  capacity: number;
  activeOrders: number;
  active: boolean;
}

function toTeamView(r: Record<string, any>): TeamView {
  return {
    id: r.id,
    name: r.name,
    regionId: r.region_id,
    location: fromGeoJsonPoint(r.location)!,
    serviceRadiusM: r.service_radius_m,
    skills: r.skills,
    capacity: r.capacity,
    activeOrders: r.active_orders,
    active: r.active,
  };
}

const TEAM_COLUMNS = `id, name, region_id, ST_AsGeoJSON(location)::json AS location, service_radius_m, skills, capacity, active_orders, active`;

/** The organisation: region hierarchy, teams and their members, staff. Admin operations. */
@Injectable()
export class OrgAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly identity: IdentityService,
    private readonly config: AppConfig,
  ) {}

  async createRegion(input: { name: string; level: RegionLevel; parentId?: string; boundary?: object }) {
    if (input.parentId) {
      const [parent] = await this.dataSource.query(`SELECT level FROM regions WHERE id = $1`, [input.parentId]);
      if (!parent) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'parentId', messages: ['parent region not found'] }]);
      if (LEVEL_DEPTH[parent.level as RegionLevel] >= LEVEL_DEPTH[input.level]) {
        throw new DomainException(ErrorCode.InvalidRegionParent, 422, `上级区域（${parent.level}）必须高于 ${input.level}`, [
          { field: 'parentId', messages: ['parent must be of a higher level'] },
        ]);
      }
    } else if (input.level !== 'county') {
      throw DomainException.validation([{ field: 'parentId', messages: ['only a county may have no parent'] }]);
    }
    try {
      const [row] = await this.dataSource.query(
        `INSERT INTO regions (name, level, parent_id, boundary)
         VALUES ($1, $2, $3, CASE WHEN $4::text IS NULL THEN NULL
                                  ELSE ST_Multi(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON($4::text), 4326)))::geography END)
         RETURNING id, name, level, parent_id, boundary IS NOT NULL AS has_boundary, created_at`,
        [input.name, input.level, input.parentId ?? null, input.boundary ? JSON.stringify(input.boundary) : null],
      );
      return { id: row.id, name: row.name, level: row.level, parentId: row.parent_id, hasBoundary: row.has_boundary, createdAt: row.created_at };
    } catch (e) {
      if (e instanceof QueryFailedError) {
        throw new DomainException(ErrorCode.InvalidGeometry, 422, undefined, [{ field: 'boundary', messages: ['not a valid polygon'] }]);
      }
      throw e;
    }
  }

  /** Regions, the top of the hierarchy first then by name; one page (keyset over level, name, id). */
  async listRegions(limit: number, cursor?: string): Promise<Page<{ id: string; name: string; level: RegionLevel; parentId: string | null }>> {
    const after = decodeRegionCursor(cursor);
    const rows = await this.dataSource.query(
      `SELECT id, name, level, parent_id, array_position(ARRAY['county','township','village','point'], level::text) AS depth
         FROM regions
        WHERE $1::int IS NULL
           OR (array_position(ARRAY['county','township','village','point'], level::text), name, id) > ($1::int, $2::text, $3::uuid)
        ORDER BY depth, name, id
        LIMIT $4`,
      [after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1],
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r: Record<string, any>) => ({ id: r.id, name: r.name, level: r.level, parentId: r.parent_id })),
      nextCursor: rows.length > limit ? Buffer.from(JSON.stringify([last.depth, last.name, last.id])).toString('base64url') : null,
    };
  }

  async createTeam(input: { name: string; regionId: string; location: LatLng; serviceRadiusM: number; skills: string[]; capacity: number }): Promise<TeamView> {
    if (input.serviceRadiusM > this.config.DISPATCH_MAX_RADIUS_M) {
      throw DomainException.validation([
        { field: 'serviceRadiusM', messages: [`serviceRadiusM must not be greater than ${this.config.DISPATCH_MAX_RADIUS_M}`] },
      ]);
    }
    await this.requireRegion(input.regionId);
    const [row] = await this.dataSource.query(
      `INSERT INTO teams (name, region_id, location, service_radius_m, skills, capacity)
       VALUES ($1, $2, $3::geography, $4, $5::text[], $6) RETURNING ${TEAM_COLUMNS}`,
      [input.name, input.regionId, toEwkt(input.location), input.serviceRadiusM, [...new Set(input.skills)], input.capacity],
    );
    return toTeamView(row);
  }

  async getTeam(teamId: string): Promise<TeamView> {
    const [row] = await this.dataSource.query(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = $1`, [teamId]);
    if (!row) throw DomainException.notFound(ErrorCode.TeamNotFound);
    return toTeamView(row);
  }

  async addMember(teamId: string, input: { phone: string; name: string; password: string; role: TeamMemberRole; skills?: string[] }) {
    return this.dataSource.transaction(async (m) => {
      const [team] = await m.query(`SELECT id FROM teams WHERE id = $1`, [teamId]);
      if (!team) throw DomainException.notFound(ErrorCode.TeamNotFound);
      const user = await this.identity.upsertWithRole(m, { phone: input.phone, name: input.name, password: input.password, role: 'volunteer' });
      await m.query(
        `INSERT INTO team_members (team_id, user_id, role, skills) VALUES ($1, $2, $3, $4::text[])
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role, skills = EXCLUDED.skills`,
        [teamId, user.id, input.role, input.skills ?? []],
      );
      return { teamId, userId: user.id, role: input.role, skills: input.skills ?? [], userCreated: user.created };
    });
  }

  async createStaff(input: { phone: string; name: string; password: string; role: 'dispatcher' | 'admin'; regionId: string }) {
    await this.requireRegion(input.regionId);
    const user = await this.identity.upsertWithRole(this.dataSource.manager, input);
    return { userId: user.id, role: input.role, regionId: input.regionId, userCreated: user.created };
  }

  private async requireRegion(regionId: string): Promise<void> {
    const [region] = await this.dataSource.query(`SELECT id FROM regions WHERE id = $1`, [regionId]);
    if (!region) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'regionId', messages: ['region not found'] }]);
  }
}

function decodeRegionCursor(raw: string | undefined): [number, string, string] | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 3 && Number.isInteger(value[0]) && typeof value[1] === 'string' &&
      typeof value[2] === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value[2])) {
      return value as [number, string, string];
    }
  } catch {
    // fall through
  }
  throw DomainException.validation([{ field: 'cursor', messages: ['cursor is invalid'] }], '分页游标无效');
}
