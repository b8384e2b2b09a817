import type { Role } from './roles';

/** The signed-in caller, as decoded from the access token. */
export interface AuthUser {
  id: string;
  roles: Role[];
  /** Jurisdiction of staff users. */
  regionId: string | null;
  /** The login session the access token belongs to (logout revokes it). */
  sessionId?: string;
  /** When the access token expires (ms since epoch): long-lived streams end then. */
  expiresAt?: number;
}

export interface AccessTokenPayload {
  sub: string;
  roles: Role[];
  rid?: string | null;
  /** Session id: the guard refuses tokens of revoked sessions. */
  sid: string;
  /** Expiry (seconds since epoch), set by the signer. */
  exp?: number;
}

/**
 * Holds a staff role. Never enough on its own to see an object: staff act only inside their
 * jurisdiction (`JurisdictionService` in @xinyuan/org).
 */
export function isStaff(user: AuthUser): boolean {
  return user.roles.includes('dispatcher') || user.roles.includes('admin');
}
