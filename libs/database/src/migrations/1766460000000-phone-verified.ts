import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.phone_verified_at`: when the account last proved it owns its phone (an SMS code: registration,
 * SMS login, a password reset, a staff second factor). A password that was set without that proof
 * (an account registered before registration needed a code) is not kept when an admin makes the
 * account staff or a team member, and is dropped when the phone's owner signs in by SMS code.
 * Existing accounts that have signed in by SMS or WeChat-with-phone before count as proven.
 */
export class PhoneVerified1766460000000 implements MigrationInterface {
  name = 'PhoneVerified1766460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN phone_verified_at timestamptz`);
    await q.query(
      `UPDATE users u SET phone_verified_at = s.first_at
         FROM (SELECT user_id, min(created_at) AS first_at FROM auth_sessions WHERE method = 'sms' GROUP BY user_id) s
        WHERE s.user_id = u.id`,
    );
    // a password change or reset ends the account's other sessions
    await q.query(`ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_revoked_reason_check`);
    await q.query(`
      ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_revoked_reason_check
        CHECK (revoked_reason IN ('logout', 'refresh_reuse', 'account_disabled', 'role_changed', 'password_changed'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE auth_sessions DROP CONSTRAINT auth_sessions_revoked_reason_check`);
    await q.query(`UPDATE auth_sessions SET revoked_reason = 'logout' WHERE revoked_reason = 'password_changed'`);
    await q.query(`
      ALTER TABLE auth_sessions ADD CONSTRAINT auth_sessions_revoked_reason_check
        CHECK (revoked_reason IN ('logout', 'refresh_reuse', 'account_disabled', 'role_changed'))`);
    await q.query(`ALTER TABLE users DROP COLUMN phone_verified_at`);
  }
}
