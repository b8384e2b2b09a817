import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AuthUser, LoginLockout, PasswordHasher, SessionService } from '@xinyuan/identity';
import { JurisdictionService } from './jurisdiction.service';
import { planStaffChange, StaffChange, staffEditAccess } from './staff-change';

/**
 * Edits of staff accounts (dispatchers, admins, grid workers) by admins of their jurisdiction:
 * name, role, region, and disabling (停用), and a new password for someone who forgot theirs (staff
 * cannot reset it by SMS). One transaction writes the account and revokes the person's sessions when
 * the plan says so; the guard's Redis copy of revocations is told after commit.
 */
@Injectable()
export class StaffAdminService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly sessions: SessionService,
    private readonly lockout: LoginLockout,
  ) {}

  async update(caller: AuthUser, userId: string, change: StaffChange): Promise<void> {
    const revoked = await this.dataSource.transaction(async (m) => {
      const row = await this.editable(m, caller, userId);
      if (change.regionId !== undefined && change.regionId !== row.region_id) {
        const [region] = await m.query(`SELECT id FROM regions WHERE id = $1`, [change.regionId]);
        if (!region) throw new DomainException(ErrorCode.RegionNotFound, 422, undefined, [{ field: 'regionId', messages: ['region not found'] }]);
        await this.jurisdiction.requireStaffCovers(caller, change.regionId, m);
      }
      const plan = planStaffChange(caller.id, { id: row.id, roles: row.roles, regionId: row.region_id, disabled: row.disabled_at !== null }, change);
      if (plan.kind === 'refused') {
        throw new DomainException(ErrorCode.OwnAccountChange, 409, undefined, [{ field: plan.field, messages: ['you cannot change this on your own account'] }]);
      }
      await m.query(
        `UPDATE users SET name = COALESCE($2, name), roles = $3::text[], region_id = $4,
                          disabled_at = CASE WHEN $5 THEN COALESCE(disabled_at, now()) END
          WHERE id = $1`,
        [userId, change.name ?? null, plan.roles, plan.regionId, plan.disabled],
      );
      return plan.revokeSessions ? this.sessions.revokeAllOf(m, userId, plan.revokeSessions) : [];
    });
    await this.sessions.markRevoked(revoked);
  }

  /**
   * Sets a new password chosen by the admin (given to the person in person). Every session of the
   * account ends and its phone's failed sign-ins are forgotten; one's own password is changed with
   * the current one (`POST /auth/password`), not here.
   */
  async resetPassword(caller: AuthUser, userId: string, newPassword: string): Promise<void> {
    const newHash = await PasswordHasher.hash(newPassword);
    const { revoked, phoneIndex } = await this.dataSource.transaction(async (m) => {
      const row = await this.editable(m, caller, userId);
      if (row.id === caller.id) {
        throw new DomainException(ErrorCode.OwnAccountChange, 409, '自己的密码请在「修改密码」里用原密码修改', [
          { field: 'newPassword', messages: ['change your own password with POST /api/v1/auth/password'] },
        ]);
      }
      await m.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, newHash]);
      return { revoked: await this.sessions.revokeAllOf(m, userId, 'password_changed'), phoneIndex: row.phone_bidx as string | null };
    });
    await this.sessions.markRevoked(revoked);
    // the new password is committed: a Redis failure here (logged by the lockout) must not answer it as
    // failed — the lock then simply runs out by itself (as after POST /auth/password)
    if (phoneIndex) await this.lockout.forgetPhone(phoneIndex).catch(() => undefined);
  }

  /** The staff account, locked, if the caller may edit it; 404 when it is not theirs to see, 403 when above them. */
  private async editable(m: EntityManager, caller: AuthUser, userId: string) {
    const [row] = await m.query(
      `SELECT u.id, u.roles, u.region_id, u.disabled_at, u.phone_bidx, r.path AS region_path
         FROM users u LEFT JOIN regions r ON r.id = u.region_id
        WHERE u.id = $1 AND u.roles && ARRAY['dispatcher', 'admin', 'grid_worker']::text[] FOR UPDATE OF u`,
      [userId],
    );
    // staff of other jurisdictions are not shown to the caller, so they do not exist for them either
    if (!row) throw DomainException.notFound(ErrorCode.UserNotFound);
    const access = staffEditAccess(caller.id, await this.jurisdiction.staffScope(caller, m), {
      id: row.id, roles: row.roles, regionId: row.region_id, regionPath: row.region_path,
    });
    if (access === 'hidden') throw DomainException.notFound(ErrorCode.UserNotFound);
    if (access === 'above') throw new DomainException(ErrorCode.OutsideJurisdiction, 403, '同级或上级管理员的账号只能由上级管理员修改');
    return row;
  }
}
