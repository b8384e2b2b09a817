import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DomainException } from '@xinyuan/common';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { AccessTokenPayload, AuthUser } from './auth-user';
import type { Role } from './user.entity';

/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`, and the roles of
 * `@Roles()` when given. Object-level checks (whose order is this?) live in the use cases.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers?.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw DomainException.unauthenticated();
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(match[1]);
    } catch {
      throw DomainException.unauthenticated('登录已失效，请重新登录');
    }
    const user: AuthUser = { id: payload.sub, roles: payload.roles ?? [], regionId: payload.rid ?? null };
    request.user = user;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required?.length && !required.some((r) => user.roles.includes(r))) throw DomainException.forbidden();
    return true;
  }
}
