import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { decodeCursor, DomainException, ErrorCode, Page, toPage } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { fromGeoJsonPoint, GeoJsonPoint, LatLng, toEwkt } from '@xinyuan/geo';
import { AuthUser, ExistingAccount, IdentityService, isPasswordOnly, Role, SessionService, StaffCreatableRole } from '@xinyuan/identity';
import { planStaffChange, staffEditAccess } from './staff-change';
import { scopeSql } from './jurisdiction';
import { checkBoundary, requireBoundarySize } from './region-boundary';
import { JurisdictionService } from './jurisdiction.service';
import type { RegionLevel, RegionRow, TeamMemberRole, TeamRow } from './org.tables';

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

export interface TeamChange {
  name?: string;
  location?: LatLng;
  serviceRadiusM?: number;
  skills?: string[];
  capacity?: number;
  active?: boolean;
}

export interface TeamListItem extends TeamView {
  /** Name of the team's region. */
  region: string;
  members: number;
  ratingCount: number;
  averageStars: number | null;
}

/** A team as `TEAM_COLUMNS` selects it. */
type TeamColumns = Omit<TeamRow, 'location' | 'created_at' | 'skill_lexemes'> & { location: GeoJsonPoint };

function toTeamView(r: TeamColumns): TeamView {
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

/**
 * The organisation: region hierarchy, teams and their members, staff. Admin operations, each inside
 * the caller's jurisdiction: a township admin creates regions, teams and staff only inside the
 * township and sees only its teams; the menu is county-wide, so only county-wide admins change it.
 */
@Injectable()
export class OrgAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly identity: IdentityService,
    private readonly config: AppConfig,
    private readonly jurisdiction: JurisdictionService,
    private readonly sessions: SessionService,
  ) {}

  async createRegion(user: AuthUser, input: { name: string; level: RegionLevel; parentId?: string; boundary?: object }) {
    if (input.parentId) {
      const [parent] = await this.dataSource.query(`SELECT level FROM regions WHERE id = $1`, [input.parentId]);
      if (!parent) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'parentId', messages: ['parent region not found'] }]);
      await this.jurisdiction.requireStaffCovers(user, input.parentId);
      if (LEVEL_DEPTH[parent.level as RegionLevel] >= LEVEL_DEPTH[input.level]) {
        throw new DomainException(ErrorCode.InvalidRegionParent, 422, `上级区域（${parent.level}）必须高于 ${input.level}`, [
          { field: 'parentId', messages: ['parent must be of a higher level'] },
        ]);
      }
    } else if (input.level !== 'county') {
      throw DomainException.validation([{ field: 'parentId', messages: ['only a county may have no parent'] }]);
    } else if ((await this.jurisdiction.staffScope(user)).kind !== 'all') {
      // a new county root is outside every existing jurisdiction
      throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
    }
    if (input.boundary) requireBoundarySize(input.boundary, this.config.REGION_BOUNDARY_MAX_VERTICES);
    return this.dataSource.transaction(async (m) => {
      // inside the parent, clear of the siblings, valid as drawn (never repaired), under a statement timeout
      const boundary = input.boundary ? await checkBoundary(m, this.boundaryCheck(input.parentId ?? null, input.boundary)) : null;
      const [row] = await m.query(
        `INSERT INTO regions (name, level, parent_id, boundary)
         VALUES ($1, $2, $3, CASE WHEN $4::text IS NULL THEN NULL ELSE ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4::text), 4326))::geography END)
         RETURNING id, name, level, parent_id, boundary IS NOT NULL AS has_boundary, created_at`,
        [input.name, input.level, input.parentId ?? null, boundary],
      );
      return { id: row.id, name: row.name, level: row.level, parentId: row.parent_id, hasBoundary: row.has_boundary, createdAt: row.created_at };
    });
  }

  /**
   * Renames a region or redraws its boundary, under the same rules as a new one (inside the parent,
   * clear of the siblings) and keeping every sub-region inside. Only admins whose jurisdiction covers
   * the region's parent may change it (a township admin does not move the township's own edge); a
   * county root is changed by the everything-scope admin. Orders and profiles keep the region they
   * were given; new ones follow the new boundary.
   */
  async updateRegion(user: AuthUser, regionId: string, change: { name?: string; boundary?: object }) {
    const region = await this.jurisdiction.region(regionId);
    if (!region || !(await this.jurisdiction.staffCovers(user, regionId))) throw DomainException.notFound(ErrorCode.RegionNotFound);
    if (region.parentId) await this.jurisdiction.requireStaffCovers(user, region.parentId);
    else if ((await this.jurisdiction.staffScope(user)).kind !== 'all') throw new DomainException(ErrorCode.OutsideJurisdiction, 403);
    if (change.boundary) requireBoundarySize(change.boundary, this.config.REGION_BOUNDARY_MAX_VERTICES);
    return this.dataSource.transaction(async (m) => {
      const boundary = change.boundary ? await checkBoundary(m, { ...this.boundaryCheck(region.parentId, change.boundary), regionId }) : null;
      const [row] = await m.query(
        `WITH changed AS (
           UPDATE regions SET name = COALESCE($2, name),
                  boundary = CASE WHEN $3::text IS NULL THEN boundary ELSE ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($3::text), 4326))::geography END
            WHERE id = $1
            RETURNING id, name, level, parent_id, boundary IS NOT NULL AS has_boundary, created_at)
         SELECT * FROM changed`,
        [regionId, change.name ?? null, boundary],
      );
      if (!row) throw DomainException.notFound(ErrorCode.RegionNotFound);
      return { id: row.id, name: row.name, level: row.level, parentId: row.parent_id, hasBoundary: row.has_boundary, createdAt: row.created_at };
    });
  }

  private boundaryCheck(parentId: string | null, boundary: object) {
    return { parentId, boundary, maxVertices: this.config.REGION_BOUNDARY_MAX_VERTICES, timeoutMs: this.config.REGION_BOUNDARY_CHECK_TIMEOUT_MS };
  }

  /** The regions of the caller's jurisdiction (its subtree), the top of the hierarchy first then by name; one page (keyset over level, name, id). */
  async listRegions(
    user: AuthUser,
    limit: number,
    cursor?: string,
  ): Promise<Page<{ id: string; name: string; level: RegionLevel; parentId: string | null }>> {
    const after = decodeRegionCursor(cursor);
    const params: unknown[] = [after?.[0] ?? null, after?.[1] ?? null, after?.[2] ?? null, limit + 1];
    const inScope = scopeSql(await this.jurisdiction.staffScope(user), 'id', params);
    const rows = await this.dataSource.query(
      `SELECT id, name, level, parent_id, array_position(ARRAY['county','township','village','point'], level::text) AS depth
         FROM regions
        WHERE ${inScope}
          AND ($1::int IS NULL
           OR (array_position(ARRAY['county','township','village','point'], level::text), name, id) > ($1::int, $2::text, $3::uuid))
        ORDER BY depth, name, id
        LIMIT $4`,
      params,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r: Pick<RegionRow, 'id' | 'name' | 'level' | 'parent_id'>) => ({ id: r.id, name: r.name, level: r.level, parentId: r.parent_id })),
      nextCursor: rows.length > limit ? Buffer.from(JSON.stringify([last.depth, last.name, last.id])).toString('base64url') : null,
    };
  }

  async createTeam(user: AuthUser, input: { name: string; regionId: string; location: LatLng; serviceRadiusM: number; skills: string[]; capacity: number }): Promise<TeamView> {
    if (input.serviceRadiusM > this.config.DISPATCH_MAX_RADIUS_M) {
      throw DomainException.validation([
        { field: 'serviceRadiusM', messages: [`serviceRadiusM must not be greater than ${this.config.DISPATCH_MAX_RADIUS_M}`] },
      ]);
    }
    await this.requireRegion(input.regionId);
    await this.jurisdiction.requireStaffCovers(user, input.regionId);
    const [row] = await this.dataSource.query(
      `INSERT INTO teams (name, region_id, location, service_radius_m, skills, capacity)
       VALUES ($1, $2, $3::geography, $4, $5::text[], $6) RETURNING ${TEAM_COLUMNS}`,
      [input.name, input.regionId, toEwkt(input.location), input.serviceRadiusM, [...new Set(input.skills)], input.capacity],
    );
    return toTeamView(row);
  }

  /** A team outside the caller's jurisdiction is reported as not found. */
  async getTeam(user: AuthUser, teamId: string): Promise<TeamView> {
    const [row] = await this.dataSource.query(`SELECT ${TEAM_COLUMNS} FROM teams WHERE id = $1`, [teamId]);
    if (!row || !(await this.jurisdiction.staffCovers(user, row.region_id))) throw DomainException.notFound(ErrorCode.TeamNotFound);
    return toTeamView(row);
  }

  /** Teams of the caller's jurisdiction (optionally under one region of it), newest first. */
  /** Teams of the caller's jurisdiction, newest first, with region name, member count and rating. */
  async listTeams(user: AuthUser, filter: { regionId?: string; limit: number; cursor?: string }): Promise<Page<TeamListItem>> {
    const params: unknown[] = [];
    const where = [scopeSql(await this.jurisdiction.staffScope(user), 't.region_id', params)];
    if (filter.regionId) {
      params.push(filter.regionId);
      where.push(`t.region_id IN (SELECT id FROM regions WHERE path @> ARRAY[$${params.length}::uuid])`);
    }
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(t.created_at, t.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: (TeamColumns & { cursor_at: string; region_name: string; members: number; rating_count: number | null; average_stars: number | null })[] =
      await this.dataSource.query(
      `SELECT t.id, t.name, t.region_id, ST_AsGeoJSON(t.location)::json AS location, t.service_radius_m, t.skills, t.capacity,
              t.active_orders, t.active, t.created_at::text AS cursor_at, r.name AS region_name,
              (SELECT count(*)::int FROM team_members m WHERE m.team_id = t.id) AS members,
              tr.rating_count, CASE WHEN tr.rating_count > 0 THEN tr.stars_sum::float / tr.rating_count END AS average_stars
         FROM teams t JOIN regions r ON r.id = t.region_id LEFT JOIN team_reputation tr ON tr.team_id = t.id
        WHERE ${where.join(' AND ')}
        ORDER BY t.created_at DESC, t.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
    return {
      items: page.items.map((r) => ({
        ...toTeamView(r),
        region: r.region_name,
        members: r.members,
        ratingCount: r.rating_count ?? 0,
        averageStars: r.average_stars ?? null,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** Edits a team in one statement; capacity may not drop below the orders it is serving now. */
  async updateTeam(caller: AuthUser, teamId: string, change: TeamChange): Promise<TeamView> {
    if (change.serviceRadiusM !== undefined && change.serviceRadiusM > this.config.DISPATCH_MAX_RADIUS_M) {
      throw DomainException.validation([
        { field: 'serviceRadiusM', messages: [`serviceRadiusM must not be greater than ${this.config.DISPATCH_MAX_RADIUS_M}`] },
      ]);
    }
    return this.dataSource.transaction(async (m) => {
      await this.requireTeamCovered(caller, teamId, m);
      try {
        const [row]: TeamColumns[] = await m.query(
          `WITH changed AS (
             UPDATE teams SET name = COALESCE($2, name),
                              location = COALESCE($3::geography, location),
                              service_radius_m = COALESCE($4, service_radius_m),
                              skills = COALESCE($5::text[], skills),
                              capacity = COALESCE($6, capacity),
                              active = COALESCE($7, active)
              WHERE id = $1 RETURNING ${TEAM_COLUMNS})
           SELECT * FROM changed`,
          [teamId, change.name ?? null, change.location ? toEwkt(change.location) : null, change.serviceRadiusM ?? null,
            change.skills ? [...new Set(change.skills)] : null, change.capacity ?? null, change.active ?? null],
        );
        if (!row) throw DomainException.notFound(ErrorCode.TeamNotFound);
        return toTeamView(row);
      } catch (e) {
        if (e instanceof QueryFailedError && (e as unknown as { constraint?: string }).constraint === 'teams_capacity_respected') {
          throw new DomainException(ErrorCode.TeamCapacityBelowLoad, 409, undefined, [
            { field: 'capacity', messages: ['capacity must not be below the orders the team is serving now'] },
          ]);
        }
        throw e;
      }
    });
  }

  /**
   * Adds a volunteer to a team: a new account with the password the admin set, or an existing one
   * that gets the volunteer role (its sessions end: the role travels in the token). The answer is the
   * same either way. An existing account keeps its own password only when it has proven its phone;
   * a staff account the caller may not edit (another jurisdiction, a peer admin) is refused.
   */
  async addMember(caller: AuthUser, teamId: string, input: { phone: string; name: string; password: string; role: TeamMemberRole; skills?: string[] }) {
    const { view, revoked } = await this.dataSource.transaction(async (m) => {
      await this.requireTeamCovered(caller, teamId, m);
      const existing = await this.identity.lockByPhone(m, input.phone);
      let userId: string;
      let revoked: string[] = [];
      if (!existing) {
        userId = await this.identity.insertWithRole(m, { phone: input.phone, name: input.name, password: input.password, role: 'volunteer' });
      } else {
        if (isPasswordOnly(existing.roles)) await this.requireEditable(caller, existing, m);
        userId = existing.id;
        const roles: Role[] = existing.roles.includes('volunteer') ? existing.roles : [...existing.roles, 'volunteer'];
        const replaced = await this.identity.grantRoles(m, existing, { roles, regionId: existing.regionId, password: input.password });
        if (replaced || roles.length !== existing.roles.length) revoked = await this.sessions.revokeAllOf(m, userId, 'role_changed');
      }
      await m.query(
        `INSERT INTO team_members (team_id, user_id, role, skills) VALUES ($1, $2, $3, $4::text[])
         ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role, skills = EXCLUDED.skills`,
        [teamId, userId, input.role, input.skills ?? []],
      );
      return { view: { teamId, userId, role: input.role, skills: input.skills ?? [] }, revoked };
    });
    await this.sessions.markRevoked(revoked);
    return view;
  }

  /** 403 unless the caller may edit this staff account (the rules of PATCH /staff/:id: jurisdiction, peers). */
  private async requireEditable(caller: AuthUser, account: ExistingAccount, m: EntityManager): Promise<void> {
    const access = staffEditAccess(caller.id, await this.jurisdiction.staffScope(caller, m), {
      id: account.id, roles: account.roles, regionId: account.regionId, regionPath: account.regionPath,
    });
    if (access === 'hidden') throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '该手机号属于其他辖区的工作人员');
    if (access === 'above') throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '同级或上级管理员的账号只能由上级管理员修改');
  }

  /** Changes a member's role in the team (队长/队员) or their skills. */
  async updateMember(caller: AuthUser, teamId: string, userId: string, change: { role?: TeamMemberRole; skills?: string[] }) {
    return this.dataSource.transaction(async (m) => {
      await this.requireTeamCovered(caller, teamId, m);
      const [row] = await m.query(
        `WITH changed AS (
           UPDATE team_members SET role = COALESCE($3, role), skills = COALESCE($4::text[], skills)
            WHERE team_id = $1 AND user_id = $2 RETURNING role, skills)
         SELECT * FROM changed`,
        [teamId, userId, change.role ?? null, change.skills ? [...new Set(change.skills)] : null],
      );
      if (!row) throw DomainException.notFound(ErrorCode.MemberNotFound);
      return { teamId, userId, role: row.role as TeamMemberRole, skills: row.skills as string[] };
    });
  }

  /**
   * Takes a member off a team. Offers go to teams, so nothing in flight is lost: the team keeps its
   * orders, and the person no longer sees the team's offers or jobs (their service records stay).
   */
  async removeMember(caller: AuthUser, teamId: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.requireTeamCovered(caller, teamId, m);
      const rows = await m.query(
        `WITH removed AS (DELETE FROM team_members WHERE team_id = $1 AND user_id = $2 RETURNING user_id) SELECT * FROM removed`,
        [teamId, userId],
      );
      if (rows.length === 0) throw DomainException.notFound(ErrorCode.MemberNotFound);
    });
  }

  /** Deployment-wide names (skill labels): only the everything-scope admin and county-wide admins change them. */
  async requireCountyWide(user: AuthUser): Promise<void> {
    const scope = await this.jurisdiction.staffScope(user);
    if (scope.kind === 'all' || (scope.kind === 'subtree' && scope.countyWide)) return;
    throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '只有县级管理员可以修改技能名称');
  }

  /** 404 TEAM_NOT_FOUND unless the team exists inside the caller's jurisdiction (locked against deletion meanwhile). */
  async requireTeamCovered(caller: AuthUser, teamId: string, m: EntityManager = this.dataSource.manager): Promise<void> {
    const [team] = await m.query(`SELECT region_id FROM teams WHERE id = $1 FOR SHARE`, [teamId]);
    if (!team || !(await this.jurisdiction.staffCovers(caller, team.region_id, m))) throw DomainException.notFound(ErrorCode.TeamNotFound);
  }

  /**
   * Staff (dispatcher, admin) and grid workers, always with a region inside the creator's own
   * jurisdiction. An existing user of another jurisdiction cannot be taken over (403).
   */
  async createStaff(caller: AuthUser, input: { phone: string; name: string; password: string; role: StaffCreatableRole; regionId: string }) {
    await this.requireRegion(input.regionId);
    await this.jurisdiction.requireStaffCovers(caller, input.regionId);
    const { userId, revoked } = await this.dataSource.transaction(async (m) => {
      const existing = await this.identity.lockByPhone(m, input.phone);
      if (!existing) return { userId: await this.identity.insertWithRole(m, input), revoked: [] as string[] };
      let roles: Role[];
      if (isPasswordOnly(existing.roles)) {
        // the same rules as editing the account (PATCH /staff/:id): never another jurisdiction's staff,
        // never a peer admin, never one's own role
        await this.requireEditable(caller, existing, m);
        const plan = planStaffChange(caller.id, existing, { role: input.role, regionId: input.regionId });
        if (plan.kind === 'refused') {
          throw new DomainException(ErrorCode.OwnAccountChange, 409, undefined, [{ field: plan.field, messages: ['you cannot change this on your own account'] }]);
        }
        roles = plan.roles;
      } else {
        roles = [...existing.roles, input.role];
      }
      const replaced = await this.identity.grantRoles(m, existing, { roles, regionId: input.regionId, password: input.password });
      const changed = replaced || roles.length !== existing.roles.length || roles.some((r) => !existing.roles.includes(r)) || input.regionId !== existing.regionId;
      return { userId: existing.id, revoked: changed ? await this.sessions.revokeAllOf(m, existing.id, 'role_changed') : [] };
    });
    await this.sessions.markRevoked(revoked);
    return { userId, role: input.role, regionId: input.regionId };
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
