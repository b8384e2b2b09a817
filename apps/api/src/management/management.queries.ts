import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { maskPhone, PiiCipher } from '@xinyuan/common';
import { AuthUser, StaffCreatableRole, UserRow } from '@xinyuan/identity';
import type { ServiceRecordRow } from '@xinyuan/orders';
import { JurisdictionService, OrgAdminService, Scope, scopeSql, staffEditAccess, TeamMemberRow } from '@xinyuan/org';

const STAFF_COLUMNS = `u.id, u.name, u.phone_enc, u.roles, u.region_id, r.name AS region_name, r.path AS region_path, u.disabled_at, u.created_at`;
type StaffColumns = Pick<UserRow, 'id' | 'name' | 'phone_enc' | 'roles' | 'region_id' | 'disabled_at' | 'created_at'> & {
  region_name: string | null;
  region_path: string[] | null;
};

/**
 * What the console's management pages read beyond the create endpoints of OrgController: members of
 * a team, staff, a volunteer's service hours (edits live with their contexts: OrgAdminService,
 * StaffAdminService, CatalogService). Everything is limited to
 * the caller's jurisdiction (a township dispatcher sees that township's teams and staff only); phones
 * are decrypted only to be masked.
 */
@Injectable()
export class ManagementQueries {
  constructor(
    private readonly dataSource: DataSource,
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
    const rows: (Pick<UserRow, 'id' | 'name' | 'phone_enc'> & Pick<TeamMemberRow, 'role' | 'skills' | 'joined_at'> & { minutes: number })[] =
      await this.dataSource.query(
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
    const inTree = scopeSql(scope, 'u.region_id', params);
    // a county-wide admin also sees the region-less accounts (the bootstrap admin), to be told they are
    // not theirs to change (`staffEditAccess`: above); region-less orders and profiles stay hidden from them
    const inScope = scope.kind === 'subtree' && scope.countyWide ? `(u.region_id IS NULL OR ${inTree})` : inTree;
    const rows: StaffColumns[] = await this.dataSource.query(
      `SELECT ${STAFF_COLUMNS} FROM users u LEFT JOIN regions r ON r.id = u.region_id
        WHERE u.roles && ARRAY['dispatcher', 'admin', 'grid_worker'] AND ${inScope} ORDER BY u.created_at`,
      params,
    );
    return { items: rows.map((r) => this.staffView(r, user, scope)) };
  }

  /** One staff account as the list shows it (after an edit the controller already checked). */
  async staffMember(user: AuthUser, userId: string) {
    const [row]: StaffColumns[] = await this.dataSource.query(
      `SELECT ${STAFF_COLUMNS} FROM users u LEFT JOIN regions r ON r.id = u.region_id WHERE u.id = $1`,
      [userId],
    );
    return this.staffView(row, user, await this.jurisdiction.staffScope(user));
  }

  private staffView(r: StaffColumns, caller: AuthUser, scope: Scope) {
    const roles = r.roles.filter((x): x is StaffCreatableRole => x === 'dispatcher' || x === 'admin' || x === 'grid_worker');
    const access = staffEditAccess(caller.id, scope, { id: r.id, roles, regionId: r.region_id, regionPath: r.region_path });
    return {
      userId: r.id, name: r.name, phone: this.maskedPhone(r.phone_enc),
      roles, regionId: r.region_id, region: r.region_name,
      active: r.disabled_at === null, createdAt: new Date(r.created_at).toISOString(),
      // what the caller may change: the console offers only these (the API checks again)
      editable: access === 'allowed',
      self: r.id === caller.id,
    };
  }

  /** Minutes a volunteer served: orders completed naming them, or completed by them when nobody was named. */
  async serviceHours(userId: string) {
    const [row]: { minutes: number; orders: number; this_month: number }[] = await this.dataSource.query(
      `SELECT COALESCE(sum(sr.minutes), 0)::int AS minutes, count(*)::int AS orders,
              COALESCE(sum(sr.minutes) FILTER (WHERE sr.completed_at >= date_trunc('month', now())), 0)::int AS this_month
         FROM service_records sr
        WHERE sr.completed_at IS NOT NULL
          AND ($1::uuid = ANY(sr.volunteer_ids) OR (cardinality(sr.volunteer_ids) = 0 AND sr.completed_by = $1))`,
      [userId],
    );
    const recent: (Pick<ServiceRecordRow, 'order_id' | 'minutes'> & { completed_at: Date; service_name: string; team_name: string })[] =
      await this.dataSource.query(
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
