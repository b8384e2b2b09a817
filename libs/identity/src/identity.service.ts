import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AccessTokenPayload } from './auth-user';
import { PasswordHasher } from './password-hasher';
import { Role, User } from './user.entity';

export interface UserView {
  id: string;
  phone: string;
  name: string;
  roles: Role[];
  regionId: string | null;
}

export interface Session {
  user: UserView;
  accessToken: string;
}

export function toUserView(u: User): UserView {
  return { id: u.id, phone: u.phone, name: u.name, roles: u.roles, regionId: u.regionId };
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof QueryFailedError && (e as unknown as { code?: string }).code === '23505';
}

@Injectable()
export class IdentityService {
  private readonly logger = new Logger(IdentityService.name);
  /** Verified against when the phone is unknown, so response time does not reveal registered phones. */
  private readonly dummyHash = PasswordHasher.hash(randomUUID());

  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
  ) {}

  async register(input: { phone: string; password: string; name: string }): Promise<Session> {
    const passwordHash = await PasswordHasher.hash(input.password);
    try {
      const user = await this.dataSource.getRepository(User).save({
        phone: input.phone,
        name: input.name,
        passwordHash,
        roles: ['resident'] as Role[],
        regionId: null,
      });
      return this.sessionFor(user);
    } catch (e) {
      if (isUniqueViolation(e)) throw DomainException.conflict(ErrorCode.PhoneTaken);
      throw e;
    }
  }

  async login(input: { phone: string; password: string }): Promise<Session> {
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.phone = :phone', { phone: input.phone })
      .getOne();
    const ok = await PasswordHasher.verify(user?.passwordHash ?? (await this.dummyHash), input.password);
    if (!user || !ok) throw new DomainException(ErrorCode.InvalidCredentials, 401);
    return this.sessionFor(user);
  }

  async me(userId: string): Promise<UserView & { teamIds: string[] }> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: userId });
    if (!user) throw DomainException.unauthenticated();
    const teams: { team_id: string }[] = await this.dataSource.query(
      `SELECT team_id FROM team_members WHERE user_id = $1 ORDER BY joined_at`,
      [userId],
    );
    return { ...toUserView(user), teamIds: teams.map((t) => t.team_id) };
  }

  sessionFor(user: User): Session {
    const payload: AccessTokenPayload = { sub: user.id, roles: user.roles, rid: user.regionId };
    return { user: toUserView(user), accessToken: this.jwt.sign(payload) };
  }

  /**
   * Creates the user, or (same phone) adds the role to the existing one. Used for team members and
   * staff, which the admin creates. Returns the user id, or null when `within` refuses: an existing
   * user who already holds a jurisdiction role (dispatcher, admin, grid worker) outside that subtree
   * is not touched, so nobody can re-home or re-role staff of another jurisdiction.
   */
  async upsertWithRole(
    manager: EntityManager,
    input: { phone: string; name: string; password: string; role: Role; regionId?: string | null },
    within?: { regionId: string } | null,
  ): Promise<{ id: string; created: boolean } | null> {
    const passwordHash = await PasswordHasher.hash(input.password);
    const rows: { id: string; created: boolean }[] = await manager.query(
      `INSERT INTO users (phone, name, password_hash, roles, region_id)
       VALUES ($1, $2, $3, ARRAY[$4]::text[], $5)
       ON CONFLICT (phone) DO UPDATE
         SET roles = CASE WHEN $4 = ANY(users.roles) THEN users.roles ELSE array_append(users.roles, $4) END,
             region_id = COALESCE($5, users.region_id)
       WHERE $6::uuid IS NULL
          OR NOT (users.roles && ARRAY['dispatcher', 'admin', 'grid_worker']::text[])
          OR users.region_id IN (SELECT r.id FROM regions r WHERE r.path @> ARRAY[$6::uuid])
       RETURNING id, (xmax = 0) AS created`,
      [input.phone, input.name, passwordHash, input.role, input.regionId ?? null, within?.regionId ?? null],
    );
    return rows[0] ?? null;
  }

  /** The first admin, from ADMIN_PHONE / ADMIN_PASSWORD, created on first start and never overwritten. */
  async ensureAdmin(phone: string | undefined, password: string | undefined): Promise<void> {
    if (!phone || !password) return;
    const passwordHash = await PasswordHasher.hash(password);
    const rows = await this.dataSource.query(
      `INSERT INTO users (phone, name, password_hash, roles) VALUES ($1, '管理员', $2, ARRAY['admin'])
       ON CONFLICT (phone) DO NOTHING RETURNING id`,
      [phone, passwordHash],
    );
    if (rows.length) this.logger.log(`created the first admin (${phone.slice(0, 3)}****${phone.slice(-4)})`);
  }
}

