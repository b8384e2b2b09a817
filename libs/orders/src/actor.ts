/** Who caused a change: a signed-in user in one of their roles, or the system (dispatcher, reconciler). */
export type ActorRole = 'resident' | 'volunteer' | 'dispatcher' | 'admin' | 'system';

export interface Actor {
  id: string | null;
  role: ActorRole;
}

export const SYSTEM_ACTOR: Actor = { id: null, role: 'system' };
