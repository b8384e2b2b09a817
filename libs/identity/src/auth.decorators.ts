import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import type { Role } from './roles';

export const IS_PUBLIC = 'xinyuan:public';
export const IS_OPTIONAL_AUTH = 'xinyuan:optional-auth';
export const REQUIRED_ROLES = 'xinyuan:roles';

/** The route needs no access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * The route needs no access token, but one that is sent is checked like anywhere else (so an expired
 * one answers 401 and the client refreshes) and identifies the caller (`@CurrentUser()` is then set).
 */
export const OptionalAuth = () => SetMetadata(IS_OPTIONAL_AUTH, true);

/** The caller must hold at least one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest().user;
});

/** Where a request comes from (client IP as Fastify resolves it, user agent), for lockout and sessions. */
export const ClientInfo = createParamDecorator((_: unknown, ctx: ExecutionContext): { ip: string | null; userAgent: string | null } => {
  const request = ctx.switchToHttp().getRequest();
  const ua: unknown = request.headers?.['user-agent'];
  return { ip: typeof request.ip === 'string' && request.ip ? request.ip : null, userAgent: typeof ua === 'string' ? ua : null };
});
