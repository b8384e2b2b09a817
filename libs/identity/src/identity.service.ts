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

/** An existing account as staff and team-member creation see it (`lockByPhone`). */
export interface ExistingAccount {
  id: string;
  roles: Role[];
  regionId: string | null;
  /** The region's path (ancestors root first, itself last); null without a region. */
  regionPath: string[] | null;
  disabled: boolean;
  /** The account proved it owns the phone (an SMS code) at some point. */
  phoneVerified: boolean;
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

  /**
   * Creates a resident with a password, the phone proven by an SMS code just verified; null when the
   * phone is taken. `passwordHash` is computed before the code is checked (equal timing either way).
   */
  async createResident(manager: EntityManager, input: { phone: string; passwordHash: string; name: string }): Promise<UserRecord | null> {
    const phone = normalizePhone(input.phone);
    const passwordHash = input.passwordHash;
    const rows = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles, phone_verified_at) VALUES ($1, $2, $3, $4, ARRAY['resident'], now())
       ON CONFLICT (phone_bidx) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [this.cipher.encrypt(phone), this.cipher.blindIndex(phone), input.name, passwordHash],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async findByPhoneWithPassword(phoneIndex: string): Promise<(UserRecord & { passwordHash: string | null }) | undefined> {
    const [row] = await this.dataSource.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE phone_bidx = $1`, [phoneIndex]);
    return row ? { ...toRecord(row), passwordHash: row.password_hash } : undefined;
  }

  /**
   * SMS login (the code was just verified): the account of this phone, or a new resident (first login
   * is sign-up). The phone is now proven; a password the account had without that proof (set by
   * whoever registered the number before registration needed a code) is dropped: `droppedPassword`.
   */
  async findOrCreateByPhone(manager: EntityManager, phone: string, name?: string): Promise<{ user: UserRecord; created: boolean; droppedPassword: boolean }> {
    const normal = normalizePhone(phone);
    const index = this.cipher.blindIndex(normal);
    const created = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, roles, phone_verified_at) VALUES ($1, $2, $3, ARRAY['resident'], now())
       ON CONFLICT (phone_bidx) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [this.cipher.encrypt(normal), index, name?.trim() || '居民'],
    );
    if (created.length) return { user: toRecord(created[0]), created: true, droppedPassword: false };
    const [row] = await manager.query(`SELECT ${USER_COLUMNS}, password_hash IS NOT NULL AND phone_verified_at IS NULL AS unproven FROM users WHERE phone_bidx = $1 FOR UPDATE`, [index]);
    return { user: toRecord(row), created: false, droppedPassword: row.unproven };
  }

  /** The phone of this account was proven just now (an SMS code); with `dropPassword`, its unproven password goes. */
  async markPhoneVerified(manager: EntityManager, userId: string, dropPassword = false): Promise<void> {
    await manager.query(
      `UPDATE users SET phone_verified_at = now(), password_hash = CASE WHEN $2 THEN NULL ELSE password_hash END WHERE id = $1`,
      [userId, dropPassword],
    );
  }

  /** Sets a new password (its hash). */
  async setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, passwordHash]);
  }

  async findWithPassword(manager: EntityManager, userId: string): Promise<(UserRecord & { passwordHash: string | null }) | undefined> {
    const [row] = await manager.query(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE id = $1 FOR UPDATE`, [userId]);
    return row ? { ...toRecord(row), passwordHash: row.password_hash } : undefined;
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
   * The account of this phone, locked for the caller's transaction (staff and team-member creation
   * decide on it); concurrent creations over one phone are serialised by an advisory lock first.
   */
  async lockByPhone(manager: EntityManager, phone: string): Promise<ExistingAccount | undefined> {
    const index = this.cipher.blindIndex(normalizePhone(phone));
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`user-phone:${index}`]);
    const [row] = await manager.query(
      `SELECT u.id, u.roles, u.region_id, u.disabled_at, u.phone_verified_at, r.path AS region_path
         FROM users u LEFT JOIN regions r ON r.id = u.region_id WHERE u.phone_bidx = $1 FOR UPDATE OF u`,
      [index],
    );
    return row
      ? { id: row.id, roles: row.roles, regionId: row.region_id, regionPath: row.region_path, disabled: row.disabled_at !== null, phoneVerified: row.phone_verified_at !== null }
      : undefined;
  }

  /** A new account with the password the admin set (call `lockByPhone` first in the same transaction). */
  async insertWithRole(manager: EntityManager, input: { phone: string; name: string; password: string; role: Role; regionId?: string | null }): Promise<string> {
    const phone = normalizePhone(input.phone);
    const passwordHash = await PasswordHasher.hash(input.password);
    const [row] = await manager.query(
      `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles, region_id) VALUES ($1, $2, $3, $4, ARRAY[$5]::text[], $6) RETURNING id`,
      [this.cipher.encrypt(phone), this.cipher.blindIndex(phone), input.name, passwordHash, input.role, input.regionId ?? null],
    );
    return row.id;
  }

  /**
   * An existing account gets new roles (and region). Its password stays only when the account has
   * proven its phone; otherwise (anyone could have set it) it becomes the one the admin set now.
   * Returns whether the password was replaced.
   */
  async grantRoles(manager: EntityManager, account: ExistingAccount, change: { roles: Role[]; regionId: string | null; password: string }): Promise<boolean> {
    const replace = !account.phoneVerified;
    const passwordHash = replace ? await PasswordHasher.hash(change.password) : null;
    await manager.query(
      `UPDATE users SET roles = $2::text[], region_id = $3, password_hash = CASE WHEN $4 THEN $5 ELSE password_hash END WHERE id = $1`,
      [account.id, change.roles, change.regionId, replace, passwordHash],
    );
    return replace;
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
