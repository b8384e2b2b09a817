import type { AuthUser } from '@xinyuan/identity';

/** Who caused a change: a signed-in user in one of their roles, or the system (dispatcher, reconciler). */
/** `integration`: another system filing on someone's behalf (an Open311 key: the 12345 hotline, a city app). */
export type ActorRole = 'resident' | 'grid_worker' | 'volunteer' | 'dispatcher' | 'admin' | 'system' | 'integration';

export interface Actor {
  id: string | null;
  role: ActorRole;
}

export const SYSTEM_ACTOR: Actor = { id: null, role: 'system' };

/** The role in which a dispatcher or admin acts. */
export function staffRole(user: Pick<AuthUser, 'roles'>): ActorRole {
  return user.roles.includes('admin') ? 'admin' : 'dispatcher';
}

/** The role in which the account that placed an order acts on it: itself, or on a beneficiary's behalf (代点单). */
export function placerRole(user: Pick<AuthUser, 'roles'>, onBehalf: boolean): ActorRole {
  if (!onBehalf) return 'resident';
  return user.roles.includes('grid_worker') ? 'grid_worker' : staffRole(user);
}
