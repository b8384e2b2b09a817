import type { Role, StaffCreatableRole } from '@xinyuan/identity';

const STAFF_ROLES: readonly Role[] = ['dispatcher', 'admin', 'grid_worker'];

export interface StaffChange {
  name?: string;
  /** The one staff role the person has from now on (their resident/volunteer roles stay). */
  role?: StaffCreatableRole;
  regionId?: string;
  /** false disables the account (停用): no sign-in by any method, every session revoked. */
  active?: boolean;
}

export interface StaffAccount {
  id: string;
  roles: Role[];
  regionId: string | null;
  disabled: boolean;
}

export type StaffChangePlan =
  | { kind: 'refused'; field: 'role' | 'regionId' | 'active' }
  | {
      kind: 'apply';
      roles: Role[];
      regionId: string | null;
      disabled: boolean;
      /** Why the person's sessions end now, or null when they keep them (a new name only). */
      revokeSessions: 'account_disabled' | 'role_changed' | null;
    };

/**
 * What an admin's edit of a staff account does. Pure: the service reads the account, asks this, and
 * writes the plan in one transaction. Nobody changes their own role or jurisdiction or disables
 * themselves (an admin locking the county out by mistake is the failure this prevents). A role or
 * region change ends the person's sessions, because both travel in the access token and a demoted
 * admin must not keep admin rights until the token expires.
 */
export function planStaffChange(callerId: string, target: StaffAccount, change: StaffChange): StaffChangePlan {
  const roles = change.role === undefined ? target.roles : [...target.roles.filter((r) => !STAFF_ROLES.includes(r)), change.role];
  const regionId = change.regionId ?? target.regionId;
  const disabled = change.active === undefined ? target.disabled : !change.active;
  const rolesChanged = roles.length !== target.roles.length || roles.some((r) => !target.roles.includes(r));
  const regionChanged = regionId !== target.regionId;
  if (callerId === target.id) {
    if (rolesChanged) return { kind: 'refused', field: 'role' };
    if (regionChanged) return { kind: 'refused', field: 'regionId' };
    if (disabled !== target.disabled) return { kind: 'refused', field: 'active' };
  }
  const revokeSessions = disabled && !target.disabled ? 'account_disabled' : rolesChanged || regionChanged ? 'role_changed' : null;
  return { kind: 'apply', roles, regionId, disabled, revokeSessions };
}
