import type { Role } from './user.entity';

/** The signed-in caller, as decoded from the access token. */
export interface AuthUser {
  id: string;
  roles: Role[];
  /** Jurisdiction of staff users. */
  regionId: string | null;
}

export interface AccessTokenPayload {
  sub: string;
  roles: Role[];
  rid?: string | null;
}

/**
 * Holds a staff role. Never enough on its own to see an object: staff act only inside their
 * jurisdiction (`JurisdictionService` in @xinyuan/org).
 */
export function isStaff(user: AuthUser): boolean {
  return user.roles.includes('dispatcher') || user.roles.includes('admin');
}
