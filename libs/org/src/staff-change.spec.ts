import { planStaffChange, StaffAccount } from './staff-change';

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
