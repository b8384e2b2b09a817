export const ROLES = ['resident', 'volunteer', 'grid_worker', 'dispatcher', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: Role[] = ['dispatcher', 'admin'];
/** Roles an admin may give through POST /staff; each comes with a region (jurisdiction). */
export const STAFF_CREATABLE_ROLES = ['dispatcher', 'admin', 'grid_worker'] as const;
export type StaffCreatableRole = (typeof STAFF_CREATABLE_ROLES)[number];
