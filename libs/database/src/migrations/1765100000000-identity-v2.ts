import { MigrationInterface, QueryRunner } from 'typeorm';
import { PiiCipher } from '@xinyuan/common';
import { loadConfig } from '@xinyuan/config';
import { normalizePhone } from '@xinyuan/identity';

const BATCH = 1000;

/** The same key the apps use: PII_ENCRYPTION_KEY of the environment, validated by `loadConfig`. */
function cipher(): PiiCipher {
  return PiiCipher.fromConfig(loadConfig().PII_ENCRYPTION_KEY);
}

/**
 * Identity v2: users' phone numbers encrypted at rest (AES-GCM ciphertext + unique blind index,
 * existing rows converted here), accounts without a password (SMS) or without a phone (WeChat),
 * login sessions with rotating refresh tokens, and WeChat account links.
 */
export class IdentityV21765100000000 implements MigrationInterface {
  name = 'IdentityV21765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN phone_enc text, ADD COLUMN phone_bidx text`);
    const pii = cipher();
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const rows: { id: string; phone: string }[] = await q.query(
        `SELECT id, phone FROM users WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (!rows.length) break;
      const phones = rows.map((r) => normalizePhone(r.phone));
      await q.query(
        `UPDATE users SET phone_enc = v.enc, phone_bidx = v.bidx
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, enc, bidx) WHERE users.id = v.id`,
        [rows.map((r) => r.id), phones.map((p) => pii.encrypt(p)), phones.map((p) => pii.blindIndex(p))],
      );
      after = rows[rows.length - 1].id;
    }
    await q.query(`ALTER TABLE users DROP COLUMN phone`);
    await q.query(`CREATE UNIQUE INDEX users_phone_bidx_key ON users (phone_bidx)`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_phone_enc_with_index CHECK ((phone_enc IS NULL) = (phone_bidx IS NULL))`);
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL`);

    await q.query(`
      CREATE TABLE auth_sessions (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id            uuid NOT NULL REFERENCES users(id),
        method             text NOT NULL CHECK (method IN ('password', 'register', 'sms', 'wechat')),
        ip                 text,
        user_agent         text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        last_refreshed_at  timestamptz,
        revoked_at         timestamptz,
        revoked_reason     text CHECK (revoked_reason IN ('logout', 'refresh_reuse')),
        CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
      )`);
    await q.query(`CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id)`);
    // the guard's Redis copy of recent revocations is rebuilt from this
    await q.query(`CREATE INDEX auth_sessions_revoked_idx ON auth_sessions (revoked_at) WHERE revoked_at IS NOT NULL`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash  text PRIMARY KEY,
        session_id  uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
        issued_at   timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        rotated_at  timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id)`);
    // at most one live (not yet rotated) refresh token per session
    await q.query(`CREATE UNIQUE INDEX refresh_tokens_one_live_per_session ON refresh_tokens (session_id) WHERE rotated_at IS NULL`);

    await q.query(`
      CREATE TABLE wechat_accounts (
        appid       text NOT NULL,
        openid      text NOT NULL,
        unionid     text,
        user_id     uuid NOT NULL REFERENCES users(id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (appid, openid)
      )`);
    await q.query(`CREATE INDEX wechat_accounts_unionid_idx ON wechat_accounts (unionid) WHERE unionid IS NOT NULL`);
    await q.query(`CREATE INDEX wechat_accounts_user_idx ON wechat_accounts (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wechat_accounts`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE auth_sessions`);
    // accounts without a phone or a password cannot exist in the old schema
    const orphans: { n: number }[] = await q.query(`SELECT count(*)::int AS n FROM users WHERE phone_enc IS NULL OR password_hash IS NULL`);
    if (orphans[0].n > 0) throw new Error(`${orphans[0].n} users have no phone or no password (SMS/WeChat sign-ups): the old schema cannot hold them`);
    await q.query(`ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL`);
    await q.query(`ALTER TABLE users ADD COLUMN phone text`);
    const pii = cipher();
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const rows: { id: string; phone_enc: string }[] = await q.query(
        `SELECT id, phone_enc FROM users WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [after],
      );
      if (!rows.length) break;
      await q.query(`UPDATE users SET phone = v.phone FROM unnest($1::uuid[], $2::text[]) AS v(id, phone) WHERE users.id = v.id`, [
        rows.map((r) => r.id),
        rows.map((r) => pii.decrypt(r.phone_enc)),
      ]);
      after = rows[rows.length - 1].id;
    }
    await q.query(`ALTER TABLE users ALTER COLUMN phone SET NOT NULL`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_phone_key UNIQUE (phone)`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_phone_enc_with_index`);
    await q.query(`DROP INDEX users_phone_bidx_key`);
    await q.query(`ALTER TABLE users DROP COLUMN phone_enc, DROP COLUMN phone_bidx`);
  }
}
