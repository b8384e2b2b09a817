import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff accounts can be disabled (停用) by an admin of their jurisdiction: a disabled user cannot
 * sign in by any method, and disabling revokes every session they hold. Changing a staff member's
 * role or jurisdiction revokes their sessions too (the role travels in the access token), with its
 * own reason so the audit trail tells the two apart.
 */
export class StaffAccounts1765500000000 implements MigrationInterface {
  name = 'StaffAccounts1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN disabled_at timestamptz`);
    await q.query(`ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_revoked_reason_check`);
    await q.query(`
      ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_revoked_reason_check
        CHECK (revoked_reason IN ('logout', 'refresh_reuse', 'account_disabled', 'role_changed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // dropping the column would silently let every disabled account sign in again
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM users WHERE disabled_at IS NOT NULL`);
    if (n > 0) throw new Error(`${n} disabled account(s): enable or delete them before reverting StaffAccounts1765500000000`);
    await q.query(`ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_revoked_reason_check`);
    await q.query(`UPDATE auth_sessions SET revoked_reason = 'logout' WHERE revoked_reason IN ('account_disabled', 'role_changed')`);
    await q.query(`ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_revoked_reason_check CHECK (revoked_reason IN ('logout', 'refresh_reuse'))`);
    await q.query(`ALTER TABLE users DROP COLUMN disabled_at`);
  }
}
