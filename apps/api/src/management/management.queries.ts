import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { DomainException, ErrorCode, maskPhone, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, OrgAdminService, Scope, scopeSql, staffEditAccess } from '@xinyuan/org';

export interface TeamChange {
  name?: string;
  location?: LatLng;
  serviceRadiusM?: number;
  skills?: string[];
  capacity?: number;
  active?: boolean;
}

const STAFF_COLUMNS = `u.id, u.name, u.phone_enc, u.roles, u.region_id, r.name AS region_name, r.path AS region_path, u.disabled_at, u.created_at`;

/**
 * What the console's management pages read and change beyond the create endpoints of OrgController:
 * lists of teams, members and staff, the whole menu, and edits of a team. Everything is limited to
 * the caller's jurisdiction (a township dispatcher sees that township's teams and staff only); phones
 * are decrypted only to be masked.
 */
@Injectable()
export class ManagementQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly jurisdiction: JurisdictionService,
    private readonly cipher: PiiCipher,
    private readonly org: OrgAdminService,
  ) {}

  /** A list shows masked phones only: a row written under another key shows none instead of failing the list. */
  private maskedPhone(phoneEnc: string | null): string | null {
    if (!phoneEnc) return null;
    try {
      return maskPhone(this.cipher.decrypt(phoneEnc));
    } catch {
      return null;
    }
  }

  async members(user: AuthUser, teamId: string) {
    await this.org.requireTeamCovered(user, teamId);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT u.id, u.name, u.phone_enc, m.role, m.skills, m.joined_at,
              COALESCE((SELECT sum(sr.minutes) FROM service_records sr
                         WHERE sr.completed_at IS NOT NULL AND (u.id = ANY(sr.volunteer_ids) OR (cardinality(sr.volunteer_ids) = 0 AND sr.completed_by = u.id))), 0)::int AS minutes
         FROM team_members m JOIN users u ON u.id = m.user_id
        WHERE m.team_id = $1 ORDER BY m.role, m.joined_at`,
      [teamId],
    );
    return {
      items: rows.map((r) => ({
        userId: r.id, name: r.name, phone: this.maskedPhone(r.phone_enc), role: r.role, skills: r.skills,
        joinedAt: new Date(r.joined_at).toISOString(), serviceMinutes: r.minutes,
      })),
    };
  }

  /** Dispatchers, admins and grid workers of the caller's jurisdiction, disabled accounts included. */
  async staff(user: AuthUser) {
    const params: unknown[] = [];
    const scope = await this.jurisdiction.staffScope(user);
    const inScope = scopeSql(scope, 'u.region_id', params);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT ${STAFF_COLUMNS} FROM users u LEFT JOIN regions r ON r.id = u.region_id
        WHERE u.roles && ARRAY['dispatcher', 'admin', 'grid_worker'] AND ${inScope} ORDER BY u.created_at`,
      params,
    );
    return { items: rows.map((r) => this.staffView(r, user, scope)) };
  }

  /** One staff account as the list shows it (after an edit the controller already checked). */
  async staffMember(user: AuthUser, userId: string) {
    const [row] = await this.dataSource.query(
      `SELECT ${STAFF_COLUMNS} FROM users u LEFT JOIN regions r ON r.id = u.region_id WHERE u.id = $1`,
      [userId],
    );
    return this.staffView(row, user, await this.jurisdiction.staffScope(user));
  }

  private staffView(r: Record<string, any>, caller: AuthUser, scope: Scope) {
    const roles = (r.roles as string[]).filter((x) => x === 'dispatcher' || x === 'admin' || x === 'grid_worker');
    const access = staffEditAccess(caller.id, scope, { id: r.id, roles, regionId: r.region_id, regionPath: r.region_path });
    return {
      userId: r.id as string, name: r.name as string, phone: this.maskedPhone(r.phone_enc),
      roles, regionId: r.region_id as string | null, region: r.region_name as string | null,
      active: r.disabled_at === null, createdAt: new Date(r.created_at).toISOString(),
      // what the caller may change: the console offers only these (the API checks again)
      editable: access === 'allowed',
      self: r.id === caller.id,
    };
  }

  /** The whole menu for staff, inactive items too, ordered by group. */
  async services() {
    const rows: Record<string, any>[] = await this.dataSource.query(`SELECT * FROM services ORDER BY group_name, code`);
    return {
      items: rows.map((r) => ({
        id: r.id, code: r.code, name: r.name, group: r.group_name, description: r.description, requiredSkills: r.required_skills,
        acceptTimeoutSeconds: r.accept_timeout_seconds, requiresReview: r.requires_review, offerMode: r.offer_mode, active: r.active,
      })),
    };
  }

  /** Edits a team in one statement; capacity may not drop below the orders it is serving now. */
  async updateTeam(user: AuthUser, teamId: string, change: TeamChange) {
    await this.org.requireTeamCovered(user, teamId);
    if (change.serviceRadiusM !== undefined && change.serviceRadiusM > this.config.DISPATCH_MAX_RADIUS_M) {
      throw DomainException.validation([{ field: 'serviceRadiusM', messages: [`serviceRadiusM must not be greater than ${this.config.DISPATCH_MAX_RADIUS_M}`] }]);
    }
    try {
      const rows: Record<string, any>[] = await this.dataSource.query(
        `WITH changed AS (
           UPDATE teams SET name = COALESCE($2, name),
                            location = COALESCE($3::geography, location),
                            service_radius_m = COALESCE($4, service_radius_m),
                            skills = COALESCE($5::text[], skills),
                            capacity = COALESCE($6, capacity),
                            active = COALESCE($7, active)
            WHERE id = $1 RETURNING id)
         SELECT id FROM changed`,
        [teamId, change.name ?? null, change.location ? toEwkt(change.location) : null, change.serviceRadiusM ?? null,
          change.skills ? [...new Set(change.skills)] : null, change.capacity ?? null, change.active ?? null],
      );
      if (rows.length === 0) throw DomainException.notFound(ErrorCode.TeamNotFound);
    } catch (e) {
      if (e instanceof QueryFailedError && (e as unknown as { constraint?: string }).constraint === 'teams_capacity_respected') {
        throw new DomainException(ErrorCode.TeamCapacityBelowLoad, 409, undefined, [
          { field: 'capacity', messages: ['capacity must not be below the orders the team is serving now'] },
        ]);
      }
      throw e;
    }
  }

  /** Minutes a volunteer served: orders completed naming them, or completed by them when nobody was named. */
  async serviceHours(userId: string) {
    const [row] = await this.dataSource.query(
      `SELECT COALESCE(sum(sr.minutes), 0)::int AS minutes, count(*)::int AS orders,
              COALESCE(sum(sr.minutes) FILTER (WHERE sr.completed_at >= date_trunc('month', now())), 0)::int AS this_month
         FROM service_records sr
        WHERE sr.completed_at IS NOT NULL
          AND ($1::uuid = ANY(sr.volunteer_ids) OR (cardinality(sr.volunteer_ids) = 0 AND sr.completed_by = $1))`,
      [userId],
    );
    const recent: Record<string, any>[] = await this.dataSource.query(
      `SELECT sr.order_id, s.name AS service_name, sr.completed_at, sr.minutes, t.name AS team_name
         FROM service_records sr JOIN orders o ON o.id = sr.order_id JOIN services s ON s.id = o.service_id JOIN teams t ON t.id = sr.team_id
        WHERE sr.completed_at IS NOT NULL
          AND ($1::uuid = ANY(sr.volunteer_ids) OR (cardinality(sr.volunteer_ids) = 0 AND sr.completed_by = $1))
        ORDER BY sr.completed_at DESC LIMIT 20`,
      [userId],
    );
    return {
      totalMinutes: row.minutes,
      orders: row.orders,
      thisMonthMinutes: row.this_month,
      recent: recent.map((r) => ({
        orderId: r.order_id, serviceName: r.service_name, teamName: r.team_name,
        completedAt: new Date(r.completed_at).toISOString(), minutes: r.minutes,
      })),
    };
  }
}
