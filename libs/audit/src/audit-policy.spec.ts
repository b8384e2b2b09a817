import { clipUserAgent, describeRoute, objectIdOf, outcomeOf, shouldAuditRequest } from './audit-policy';

describe('audit policy', () => {
  it('audits every write of dispatchers, admins and grid workers, and beneficiary writes of anyone; no reads', () => {
    expect(shouldAuditRequest('POST', '/api/v1/orders/:id/assign', ['dispatcher'])).toBe(true);
    expect(shouldAuditRequest('POST', '/api/v1/orders', ['grid_worker'])).toBe(true);
    expect(shouldAuditRequest('DELETE', '/api/v1/anything', ['resident', 'admin'])).toBe(true);
    expect(shouldAuditRequest('PATCH', '/api/v1/beneficiaries/:id', ['resident'])).toBe(true);
    expect(shouldAuditRequest('POST', '/api/v1/beneficiaries', ['resident'])).toBe(true);
    // the residents' order intake is not touched
    expect(shouldAuditRequest('POST', '/api/v1/orders', ['resident'])).toBe(false);
    expect(shouldAuditRequest('POST', '/api/v1/offers/:id/accept', ['volunteer'])).toBe(false);
    expect(shouldAuditRequest('GET', '/api/v1/dispatch/queue', ['dispatcher'])).toBe(false);
    expect(shouldAuditRequest('HEAD', '/api/v1/beneficiaries', ['admin'])).toBe(false);
    expect(shouldAuditRequest('POST', '/api/v1/beneficiaries', undefined)).toBe(false);
    expect(shouldAuditRequest('POST', '/api/v1/beneficiaries-other', ['resident'])).toBe(false);
  });

  it('outcomes by status', () => {
    expect([200, 201, 204, 302].map(outcomeOf)).toEqual(['success', 'success', 'success', 'success']);
    expect([401, 403, 404].map(outcomeOf)).toEqual(['denied', 'denied', 'denied']);
    expect([400, 409, 413, 422, 429].map(outcomeOf)).toEqual(Array(5).fill('rejected'));
    expect([500, 503].map(outcomeOf)).toEqual(['error', 'error']);
  });

  it('names actions after the route', () => {
    expect(describeRoute('POST', '/api/v1/orders/:id/assign')).toEqual({ action: 'order.assign', objectType: 'order' });
    expect(describeRoute('POST', '/api/v1/orders/:id/check-in')).toEqual({ action: 'order.check_in', objectType: 'order' });
    expect(describeRoute('POST', '/api/v1/orders')).toEqual({ action: 'order.place', objectType: 'order' });
    expect(describeRoute('POST', '/api/v1/teams')).toEqual({ action: 'team.create', objectType: 'team' });
    expect(describeRoute('POST', '/api/v1/teams/:id/members')).toEqual({ action: 'team.add_member', objectType: 'team' });
    expect(describeRoute('DELETE', '/api/v1/teams/:id/members/:userId')).toEqual({ action: 'team.remove_member', objectType: 'team' });
    expect(describeRoute('PATCH', '/api/v1/staff/:id')).toEqual({ action: 'staff.update', objectType: 'user' });
    expect(describeRoute('POST', '/api/v1/staff/:id/password')).toEqual({ action: 'staff.reset_password', objectType: 'user' });
    expect(describeRoute('POST', '/api/v1/staff')).toEqual({ action: 'staff.create', objectType: 'user' });
    expect(describeRoute('PATCH', '/api/v1/beneficiaries/:id')).toEqual({ action: 'beneficiary.update', objectType: 'beneficiary' });
    expect(describeRoute('DELETE', '/api/v1/beneficiaries/:id')).toEqual({ action: 'beneficiary.archive', objectType: 'beneficiary' });
    expect(describeRoute('POST', '/api/v1/auth/logout')).toEqual({ action: 'auth.logout', objectType: 'auth' });
    expect(describeRoute('POST', '/api/v1/widgets')).toEqual({ action: 'widgets.create', objectType: 'widgets' });
  });

  it('takes the object id from the route, else from a creation response, and only UUIDs', () => {
    const id = '0b7c6a8e-3f0e-4d6e-9a51-2c1f7e1d2a3b';
    const other = '1c8d7b9f-4a1f-4e7f-8b62-3d2a8f2e3b4c';
    expect(objectIdOf({ id }, { id: other })).toBe(id);
    expect(objectIdOf({}, { id: other })).toBe(other);
    expect(objectIdOf(undefined, { userId: other })).toBe(other);
    expect(objectIdOf({ id: "1' OR '1'='1" }, undefined)).toBeNull();
    expect(objectIdOf({}, { id: 42 })).toBeNull();
    expect(objectIdOf({}, 'text')).toBeNull();
  });

  it('clips user agents', () => {
    expect(clipUserAgent('x'.repeat(1000))).toHaveLength(300);
    expect(clipUserAgent(undefined)).toBeNull();
    expect(clipUserAgent('')).toBeNull();
  });
});
