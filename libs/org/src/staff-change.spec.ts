import { Scope } from './jurisdiction';
import { planStaffChange, StaffAccount, staffEditAccess } from './staff-change';

const dispatcher: StaffAccount = { id: 'u1', roles: ['resident', 'dispatcher'], regionId: 'r1', disabled: false };

describe('planStaffChange', () => {
  it('keeps sessions when only the name changes', () => {
    expect(planStaffChange('admin', dispatcher, { name: '新名字' })).toEqual({
      kind: 'apply', roles: ['resident', 'dispatcher'], regionId: 'r1', disabled: false, revokeSessions: null,
    });
  });

  it('replaces the staff role and keeps the others, ending sessions', () => {
    const plan = planStaffChange('admin', dispatcher, { role: 'admin' });
    expect(plan).toEqual({ kind: 'apply', roles: ['resident', 'admin'], regionId: 'r1', disabled: false, revokeSessions: 'role_changed' });
  });

  it('does not count giving the same role as a change', () => {
    expect(planStaffChange('admin', dispatcher, { role: 'dispatcher', regionId: 'r1' })).toMatchObject({ revokeSessions: null });
  });

  it('ends sessions on a move to another region', () => {
    expect(planStaffChange('admin', dispatcher, { regionId: 'r2' })).toMatchObject({ regionId: 'r2', revokeSessions: 'role_changed' });
  });

  it('disables and enables', () => {
    expect(planStaffChange('admin', dispatcher, { active: false })).toMatchObject({ disabled: true, revokeSessions: 'account_disabled' });
    expect(planStaffChange('admin', { ...dispatcher, disabled: true }, { active: true })).toMatchObject({ disabled: false, revokeSessions: null });
    // disabling an already disabled account revokes nothing new
    expect(planStaffChange('admin', { ...dispatcher, disabled: true }, { active: false })).toMatchObject({ revokeSessions: null });
  });

  it('refuses changes to one\'s own role, region or account state, but not one\'s name', () => {
    expect(planStaffChange('u1', dispatcher, { role: 'admin' })).toEqual({ kind: 'refused', field: 'role' });
    expect(planStaffChange('u1', dispatcher, { regionId: 'r2' })).toEqual({ kind: 'refused', field: 'regionId' });
    expect(planStaffChange('u1', dispatcher, { active: false })).toEqual({ kind: 'refused', field: 'active' });
    expect(planStaffChange('u1', dispatcher, { name: 'x', active: true, role: 'dispatcher' })).toMatchObject({ kind: 'apply', revokeSessions: null });
  });
});

describe('staffEditAccess', () => {
  const township: Scope = { kind: 'subtree', regionId: 'town', countyWide: false };
  const countyWide: Scope = { kind: 'subtree', regionId: 'county', countyWide: true };
  const dispatcherInTown = { id: 'd1', roles: ['dispatcher'], regionId: 'town', regionPath: ['county', 'town'] };

  it('lets an admin edit staff of their subtree, and the everything-scope admin edit anyone', () => {
    expect(staffEditAccess('a', township, dispatcherInTown)).toBe('allowed');
    expect(staffEditAccess('a', countyWide, { ...dispatcherInTown, roles: ['admin'] })).toBe('allowed');
    expect(staffEditAccess('root', { kind: 'all' }, { id: 'x', roles: ['admin'], regionId: null, regionPath: null })).toBe('allowed');
  });

  it('hides staff outside the subtree', () => {
    expect(staffEditAccess('a', township, { ...dispatcherInTown, regionId: 'other', regionPath: ['county', 'other'] })).toBe('hidden');
    expect(staffEditAccess('a', { kind: 'none' }, dispatcherInTown)).toBe('hidden');
    expect(staffEditAccess('a', township, { id: 'root', roles: ['admin'], regionId: null, regionPath: null })).toBe('hidden');
  });

  it('refuses region-less accounts and peer admins of the same region to everyone but the admin above', () => {
    // a county-wide admin sees the bootstrap admin in the list but cannot disable or demote them
    expect(staffEditAccess('a', countyWide, { id: 'root', roles: ['admin'], regionId: null, regionPath: null })).toBe('above');
    expect(staffEditAccess('a', township, { id: 'peer', roles: ['admin'], regionId: 'town', regionPath: ['county', 'town'] })).toBe('above');
    // one's own account goes on to planStaffChange (a new name only)
    expect(staffEditAccess('peer', township, { id: 'peer', roles: ['admin'], regionId: 'town', regionPath: ['county', 'town'] })).toBe('allowed');
  });
});
