import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AccessTokenPayload } from './auth-user';
import { decideRefresh, hashRefreshToken, newRefreshToken } from './refresh-token';
import { SessionRevocations } from './session-revocations';
import type { Role } from './roles';

export type LoginMethod = 'password' | 'sms' | 'wechat' | 'register';

export interface ClientMeta {
  ip?: string | null;
  userAgent?: string | null;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid. */
  expiresIn: number;
  tokenType: 'Bearer';
}

interface TokenSubject {
  id: string;
  roles: Role[];
  regionId: string | null;
}

/**
 * Login sessions: a short-lived JWT access token carrying the session id, and an opaque refresh
 * token stored hashed. Every refresh rotates the refresh token within its family (the session);
 * presenting a rotated one again means it was copied, so the whole family is revoked. Logout revokes
 * the session: its refresh token at once, its access tokens through the guard's revocation check.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly revocations: SessionRevocations,
    private readonly config: AppConfig,
  ) {}

  /**
   * Opens a session for the user inside the caller's transaction (one statement). Every way of
   * signing in ends here, so this is where a disabled account is refused (403 ACCOUNT_DISABLED).
   */
  async open(manager: EntityManager, user: TokenSubject, method: LoginMethod, meta: ClientMeta): Promise<Tokens> {
    const refresh = newRefreshToken();
    const [row] = await manager.query(
      // FOR SHARE: a login racing an admin's disable waits for it and then sees the account disabled;
      // a disable racing a login waits for the new session and then revokes it too
      `WITH u AS (SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL FOR SHARE),
            s AS (INSERT INTO auth_sessions (user_id, method, ip, user_agent) SELECT u.id, $2, $3, $4 FROM u RETURNING id)
       INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
       SELECT $5, s.id, now() + make_interval(secs => $6) FROM s
       RETURNING session_id`,
      [user.id, method, meta.ip ?? null, meta.userAgent?.slice(0, 300) ?? null, refresh.hash, this.config.REFRESH_TOKEN_TTL_SECONDS],
    );
    if (!row) throw new DomainException(ErrorCode.AccountDisabled, 403);
    return this.tokens(user, row.session_id, refresh.token);
  }

  /**
   * Revokes every open session of a user inside the caller's transaction; returns their ids, which
   * the caller hands to `markRevoked` once the transaction has committed.
   */
  async revokeAllOf(
    manager: EntityManager,
    userId: string,
    reason: 'account_disabled' | 'role_changed' | 'password_changed',
    exceptSessionId?: string,
  ): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `WITH revoked AS (
         UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
          WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid) RETURNING id)
       SELECT id FROM revoked`,
      [userId, reason, exceptSessionId ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** After commit: the guard refuses the access tokens of these sessions from now on. */
  async markRevoked(sessionIds: string[]): Promise<void> {
    for (const id of sessionIds) await this.revocations.markRevoked(id);
  }

  /** Rotates a refresh token. Answers 401 REFRESH_TOKEN_INVALID / REFRESH_TOKEN_REUSED / SESSION_REVOKED. */
  async refresh(refreshToken: string): Promise<{ userId: string; tokens: Tokens }> {
    const hash = hashRefreshToken(refreshToken);
    const outcome = await this.dataSource.transaction(async (m) => {
      // the row locks serialise concurrent refreshes of one family; the token row is locked too so that a
      // refresh that waited re-reads it (READ COMMITTED re-checks only locked rows) and sees it rotated
      const [row] = await m.query(
        `SELECT t.session_id, t.rotated_at, t.expires_at, s.revoked_at, s.user_id
           FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1
          FOR UPDATE OF s, t`,
        [hash],
      );
      const decision = decideRefresh(
        row && { rotatedAt: row.rotated_at, expiresAt: new Date(row.expires_at), sessionRevokedAt: row.revoked_at },
        new Date(),
      );
      if (decision.kind === 'reused' && decision.revokeFamily) {
        await m.query(`UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'refresh_reuse' WHERE id = $1`, [row.session_id]);
      }
      if (decision.kind !== 'rotate') return { decision, sessionId: row?.session_id as string | undefined };
      const [user] = await m.query(`SELECT id, roles, region_id, disabled_at FROM users WHERE id = $1`, [row.user_id]);
      // disabling revokes every session; this is the second line of defence
      if (user.disabled_at) return { decision: { kind: 'revoked' } as const, sessionId: row.session_id as string };
      const next = newRefreshToken();
      await m.query(`UPDATE refresh_tokens SET rotated_at = now() WHERE token_hash = $1`, [hash]);
      await m.query(
        `INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
        [next.hash, row.session_id, this.config.REFRESH_TOKEN_TTL_SECONDS],
      );
      await m.query(`UPDATE auth_sessions SET last_refreshed_at = now() WHERE id = $1`, [row.session_id]);
      return {
        decision,
        sessionId: row.session_id as string,
        tokens: this.tokens({ id: user.id, roles: user.roles, regionId: user.region_id }, row.session_id, next.token),
        userId: user.id as string,
      };
    });
    switch (outcome.decision.kind) {
      case 'rotate':
        return { userId: outcome.userId!, tokens: outcome.tokens! };
      case 'reused':
        if (outcome.decision.revokeFamily) await this.revocations.markRevoked(outcome.sessionId!);
        throw new DomainException(ErrorCode.RefreshTokenReused, 401);
      case 'revoked':
        throw new DomainException(ErrorCode.SessionRevoked, 401);
      default:
        throw new DomainException(ErrorCode.RefreshTokenInvalid, 401);
    }
  }

  /** Logout: the session's refresh token and every access token issued for it stop working. */
  async revoke(sessionId: string, reason: 'logout' = 'logout'): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
    await this.revocations.markRevoked(sessionId);
  }

  private tokens(user: TokenSubject, sessionId: string, refreshToken: string): Tokens {
    const payload: AccessTokenPayload = { sub: user.id, roles: user.roles, rid: user.regionId, sid: sessionId };
    return { accessToken: this.jwt.sign(payload, { jwtid: randomUUID() }), refreshToken, expiresIn: this.config.JWT_TTL_SECONDS, tokenType: 'Bearer' };
  }
}
