export const ROLES = ['resident', 'volunteer', 'grid_worker', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];
/** Roles an admin may give through POST /staff; each comes with a region (jurisdiction). */
export const STAFF_CREATABLE_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;
export type StaffCreatableRole = (typeof STAFF_CREATABLE_ROLES)[number];
/** Accounts that never sign in by an SMS code alone: password always, plus the second factor where on. */
export const PASSWORD_ONLY_ROLES: readonly Role[] = ['dispatcher', 'admin', 'grid_worker'];
export function isPasswordOnly(roles: readonly Role[]): boolean {
  return roles.some((r) => PASSWORD_ONLY_ROLES.includes(r));
}
