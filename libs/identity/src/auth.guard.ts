import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainException, VERIFIED_BEARER, VerifiedBearer } from '@xinyuan/common';
import { IS_OPTIONAL_AUTH, IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { AccessTokenPayload, AuthUser } from './auth-user';
import { SessionRevocations } from './session-revocations';
import type { Role } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`, and the roles of
 * `@Roles()` when given. A token must be HS256-signed with our secret and issuer, unexpired, and
 * belong to a session that exists (asked of Postgres once per session and process) and is not revoked
 * (one Redis read). Every refusal is 401 UNAUTHENTICATED
 * with a `reason` (`missing`, `invalid`, `expired`, `revoked`): on `expired` a client refreshes.
 * Object-level checks (whose order is this?) live in the use cases.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly revocations: SessionRevocations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      if (this.reflector.getAllAndOverride<boolean>(IS_OPTIONAL_AUTH, targets)) return true;
      throw DomainException.unauthenticated(undefined, { reason: 'missing' });
    }
    let payload: AccessTokenPayload;
    try {
      // the rate-limit hook (api, rating) has usually verified this very token already
      const verified = (request as Record<symbol, VerifiedBearer | undefined>)[VERIFIED_BEARER];
      payload = verified?.token === match[1] ? (verified.payload as unknown as AccessTokenPayload) : await this.jwt.verifyAsync<AccessTokenPayload>(match[1]);
    } catch (e) {
      const expired = (e as Error)?.name === 'TokenExpiredError';
      throw DomainException.unauthenticated(expired ? '登录已过期，请刷新登录' : '登录已失效，请重新登录', { reason: expired ? 'expired' : 'invalid' });
    }
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !UUID.test(payload.sid) || !Array.isArray(payload.roles)) {
      throw DomainException.unauthenticated('登录已失效，请重新登录', { reason: 'invalid' });
    }
    if (!(await this.revocations.isLive(payload.sid))) {
      throw DomainException.unauthenticated('已退出登录，请重新登录', { reason: 'revoked' });
    }
    const user: AuthUser = {
      id: payload.sub, roles: payload.roles, regionId: payload.rid ?? null, sessionId: payload.sid,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
    request.user = user;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required?.length && !required.some((r) => user.roles.includes(r))) throw DomainException.forbidden();
    return true;
  }
}
