import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode, maskPhone, PiiCipher } from '@xinyuan/common';
import { normalizePhone } from './phone-number';
import { PasswordHasher } from './password-hasher';
import type { Role } from './roles';
import type { WeChatIdentity } from './wechat-auth';

export interface UserView {
  id: string;
  /** Masked (138****1234) everywhere but `GET /me`; null for an account without a phone (WeChat only). */
  phone: string | null;
  name: string;
  roles: Role[];
  regionId: string | null;
}

/** A user row as the identity context reads it (phone still encrypted). */
export interface UserRecord {
  id: string;
  name: string;
  roles: Role[];
  regionId: string | null;
  phoneEnc: string | null;
}

const USER_COLUMNS = `id, name, roles, region_id, phone_enc`;

function toRecord(row: { id: string; name: string; roles: Role[]; region_id: string | null; phone_enc: string | null }): UserRecord {
  return { id: row.id, name: row.name, roles: row.roles, regionId: row.region_id, phoneEnc: row.phone_enc };
}

/**
 * The user store. Phone numbers are encrypted at rest (`phone_enc`, PiiCipher AES-GCM) and found
 * through their blind index (`phone_bidx`, unique): no query ever compares a clear phone number.
 */
@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
  ) {}

  /** The blind index of a phone number, after normalisation. */
  phoneIndex(phone: string): string {
    return this.cipher.blindIndex(normalizePhone(phone));
  }

  /** The response form of a user: the phone masked. */
  view(user: UserRecord): UserView {
    return { id: user.id, phone: maskPhone(this.cipher.decryptNullable(user.phoneEnc)), name: user.name, roles: user.roles, regionId: user.regionId };
  }

  /** Creates a resident with a password; null when the phone is taken. */
  async createResident(manager: EntityManager, input: { phone: string; password: string; name: string }): Promise<UserRecord | null> {
    const phone = normalizePhone(input.phone);
    const passwordHash = await PasswordHasher.hash(input.password);
    const rows = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles) VALUES ($1, $2, $3, $4, ARRAY['resident'])
       ON CONFLICT (phone_bidx) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [this.cipher.encrypt(phone), this.cipher.blindIndex(phone), input.name, passwordHash],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async findByPhoneWithPassword(phoneIndex: string): Promise<(UserRecord & { passwordHash: string | null }) | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE phone_bidx = $1`, [phoneIndex]);
    return row ? { ...toRecord(row), passwordHash: row.password_hash } : undefined;
  }

  /** SMS login: the account of this phone, or a new resident (first login is sign-up). */
  async findOrCreateByPhone(manager: EntityManager, phone: string, name?: string): Promise<{ user: UserRecord; created: boolean }> {
    const normal = normalizePhone(phone);
    const index = this.cipher.blindIndex(normal);
    const created = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, roles) VALUES ($1, $2, $3, ARRAY['resident'])
       ON CONFLICT (phone_bidx) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [this.cipher.encrypt(normal), index, name?.trim() || '居民'],
    );
    if (created.length) return { user: toRecord(created[0]), created: true };
    const [row] = await manager.query(`SELECT ${USER_COLUMNS} FROM users WHERE phone_bidx = $1`, [index]);
    return { user: toRecord(row), created: false };
  }

  /**
   * WeChat login: the user linked to this (appid, openid); else the user linked to the same unionid
   * through another mini-program (the link is added); else a new resident. Serialised per openid, so
   * two first logins at once make one account.
   */
  async findOrCreateByWeChat(manager: EntityManager, wx: WeChatIdentity): Promise<{ user: UserRecord; created: boolean }> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`wechat:${wx.appid}:${wx.openid}`]);
    const [linked] = await manager.query(
      `SELECT u.id, u.name, u.roles, u.region_id, u.phone_enc FROM wechat_accounts w JOIN users u ON u.id = w.user_id
        WHERE w.appid = $1 AND w.openid = $2`,
      [wx.appid, wx.openid],
    );
    if (linked) {
      if (wx.unionid) await manager.query(`UPDATE wechat_accounts SET unionid = $3 WHERE appid = $1 AND openid = $2 AND unionid IS NULL`, [wx.appid, wx.openid, wx.unionid]);
      return { user: toRecord(linked), created: false };
    }
    let userRow: { id: string; name: string; roles: Role[]; region_id: string | null; phone_enc: string | null } | undefined;
    if (wx.unionid) {
      [userRow] = await manager.query(
        `SELECT u.id, u.name, u.roles, u.region_id, u.phone_enc FROM wechat_accounts w JOIN users u ON u.id = w.user_id
          WHERE w.unionid = $1 ORDER BY w.created_at LIMIT 1`,
        [wx.unionid],
      );
    }
    const created = !userRow;
    if (!userRow) {
      [userRow] = await manager.query(`INSERT INTO users (name, roles) VALUES ('微信用户', ARRAY['resident']) RETURNING ${USER_COLUMNS}`);
    }
    await manager.query(`INSERT INTO wechat_accounts (appid, openid, unionid, user_id) VALUES ($1, $2, $3, $4)`, [wx.appid, wx.openid, wx.unionid, userRow!.id]);
    return { user: toRecord(userRow!), created };
  }

  async findById(manager: EntityManager, userId: string): Promise<UserRecord | undefined> {
    const [row] = await manager.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [userId]);
    return row ? toRecord(row) : undefined;
  }

  /** `GET /me`: the caller's own account, the only response with the phone in clear. */
  async me(userId: string): Promise<UserView & { teamIds: string[] }> {
    const [row] = await this.dataSource.query(
      `SELECT ${USER_COLUMNS}, ARRAY(SELECT team_id FROM team_members WHERE user_id = users.id ORDER BY joined_at) AS team_ids
         FROM users WHERE id = $1`,
      [userId],
    );
    if (!row) throw DomainException.unauthenticated();
    const user = toRecord(row);
    return { ...this.view(user), phone: this.cipher.decryptNullable(user.phoneEnc), teamIds: row.team_ids };
  }

  /**
   * The phone of a user in clear, for internal use (e.g. an order's default contact phone): null when
   * the account has none, undefined when there is no such user.
   */
  async phoneOf(userId: string): Promise<string | null | undefined> {
    const [row] = await this.dataSource.query(`SELECT phone_enc FROM users WHERE id = $1`, [userId]);
    return row ? this.cipher.decryptNullable(row.phone_enc) : undefined;
  }

  /**
   * Creates the user, or (same phone) adds the role to the existing one. Used for team members and
   * staff, which the admin creates. An existing account keeps its password. Returns the user id, or
   * null when `within` refuses: an existing user who already holds a jurisdiction role (dispatcher,
   * admin, grid worker) outside that subtree is not touched, so nobody can re-home or re-role staff
   * of another jurisdiction.
   */
  async upsertWithRole(
    manager: EntityManager,
    input: { phone: string; name: string; password: string; role: Role; regionId?: string | null },
    within?: { regionId: string } | null,
  ): Promise<{ id: string; created: boolean } | null> {
    const phone = normalizePhone(input.phone);
    const passwordHash = await PasswordHasher.hash(input.password);
    const rows: { id: string; created: boolean }[] = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles, region_id)
       VALUES ($1, $2, $3, $4, ARRAY[$5]::text[], $6)
       ON CONFLICT (phone_bidx) DO UPDATE
         SET roles = CASE WHEN $5 = ANY(users.roles) THEN users.roles ELSE array_append(users.roles, $5) END,
             region_id = COALESCE($6, users.region_id)
       WHERE $7::uuid IS NULL
          OR NOT (users.roles && ARRAY['dispatcher', 'admin', 'grid_worker']::text[])
          OR users.region_id IN (SELECT r.id FROM regions r WHERE r.path @> ARRAY[$7::uuid])
       RETURNING id, (xmax = 0) AS created`,
      [this.cipher.encrypt(phone), this.cipher.blindIndex(phone), input.name, passwordHash, input.role, input.regionId ?? null, within?.regionId ?? null],
    );
    return rows[0] ?? null;
  }

  /** The first admin, from ADMIN_PHONE / ADMIN_PASSWORD, created on first start and never overwritten. */
  async ensureAdmin(phone: string | undefined, password: string | undefined): Promise<void> {
    if (!phone || !password) return;
    const normal = normalizePhone(phone);
    const passwordHash = await PasswordHasher.hash(password);
    const rows = await this.dataSource.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles) VALUES ($1, $2, '管理员', $3, ARRAY['admin'])
       ON CONFLICT (phone_bidx) DO NOTHING RETURNING id`,
      [this.cipher.encrypt(normal), this.cipher.blindIndex(normal), passwordHash],
    );
    if (rows.length) this.logger.log(`created the first admin (${maskPhone(normal)})`);
  }
}
