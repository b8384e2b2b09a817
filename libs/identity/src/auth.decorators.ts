import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import type { Role } from './user.entity';

export const IS_PUBLIC = 'xinyuan:public';
export const REQUIRED_ROLES = 'xinyuan:roles';

/** The route needs no access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller must hold at least one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthUser => {
  return ctx.switchToHttp().getRequest().user;
});
