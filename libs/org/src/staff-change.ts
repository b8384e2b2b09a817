import type { Role, StaffCreatableRole } from '@xinyuan/identity';
import { covers, Scope } from './jurisdiction';

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

export interface StaffTarget {
  id: string;
  roles: readonly string[];
  regionId: string | null;
  /** The target's region path (ancestors root first, itself last); null when they have no region. */
  regionPath: readonly string[] | null;
}

/**
 * May this admin edit that staff account? `hidden`: outside their jurisdiction (answered as not
 * found); `above`: they can see it but it is not theirs to change — a region-less account (the
 * bootstrap admin, whose scope is everything) or an admin of the very same region (peers do not
 * demote or disable each other; the admin above them does). Only the everything-scope admin edits
 * region-less accounts. One's own account goes on to `planStaffChange`, which allows a new name only.
 */
export function staffEditAccess(callerId: string, callerScope: Scope, target: StaffTarget): 'allowed' | 'hidden' | 'above' {
  if (callerScope.kind === 'all' || target.id === callerId) return 'allowed';
  if (callerScope.kind === 'none') return 'hidden';
  if (target.regionId === null) return callerScope.countyWide ? 'above' : 'hidden';
  if (!covers(callerScope, target.regionPath)) return 'hidden';
  if (target.roles.includes('admin') && target.regionId === callerScope.regionId) return 'above';
  return 'allowed';
}
