export const ROLES = ['resident', 'volunteer', 'grid_worker', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];
/** Roles an admin may give through POST /staff; each comes with a region (jurisdiction). */
export const STAFF_CREATABLE_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;
export type StaffCreatableRole = (typeof STAFF_CREATABLE_ROLES)[number];
/** Officials: they reach people's data through a jurisdiction, never as its owner. */
export const OFFICIAL_ROLES: readonly Role[] = ['dispatcher', 'admin', 'grid_worker'];
export function isOfficial(roles: readonly string[]): boolean {
  return roles.some((r) => (OFFICIAL_ROLES as readonly string[]).includes(r));
}
/** Accounts that never sign in by an SMS code alone (the officials): password always, plus the second factor where on. */
export const PASSWORD_ONLY_ROLES: readonly Role[] = OFFICIAL_ROLES;
export function isPasswordOnly(roles: readonly Role[]): boolean {
  return roles.some((r) => PASSWORD_ONLY_ROLES.includes(r));
}
