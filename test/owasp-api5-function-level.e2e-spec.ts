import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { buildJurisdictionWorld, createPerson, JurisdictionWorld, placeOrder, STAFF_PASSWORD } from './support/jurisdiction-world';
import { expectOk, login, randomPhone } from './support/world';

/**
 * OWASP API5:2023 — functions are guarded by role and by jurisdiction: residents, volunteers and
 * grid workers get 403 on staff and admin endpoints; dispatchers on admin endpoints; a township's
 * staff cannot act outside the township (403 OUTSIDE_JURISDICTION for writes into another region,
 * 404 for objects there); orders outside every boundary are refused, and old region-less ones are for the
 * everything-scope admin only.
 */
describe('API5:2023 Broken Function Level Authorization', () => {
  const tag = `F${Date.now() % 100000}`;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let w: JurisdictionWorld;
  let reviewA: any;

  const snapshot = async () =>
    (await db.query(`SELECT (SELECT count(*) FROM regions)::int AS regions, (SELECT count(*) FROM teams)::int AS teams,
                            (SELECT count(*) FROM services)::int AS services, (SELECT count(*) FROM team_members)::int AS members,
                            (SELECT count(*) FROM users)::int AS users,
                            (SELECT count(*) FROM users WHERE disabled_at IS NOT NULL)::int AS disabled_users,
                            (SELECT string_agg(role, ',' ORDER BY team_id, user_id) FROM team_members) AS member_roles, (SELECT count(*) FROM offers WHERE source = 'manual')::int AS manual_offers,
                            (SELECT string_agg(id::text || status, ',' ORDER BY id) FROM orders WHERE status IN ('pending_review', 'rejected')) AS reviews`)).rows[0];

  beforeAll(async () => {
    platform = await startPlatform(`api5-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    w = await buildJurisdictionWorld(api, tag, { lat: 34.0, lng: 116.0 });
    reviewA = await placeOrder(w.residents.alice.http, { serviceCode: w.reviewCode, description: '申请补贴', location: w.at.a1, address: '甲村 3 号' });
  }, 180000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const staffEndpoints = () =>
    [
      ['GET', '/api/v1/dispatch/queue', undefined],
      ['GET', `/api/v1/orders/${reviewA.id}/candidates`, undefined],
      ['GET', `/api/v1/orders/${reviewA.id}/assignable-teams`, undefined],
      ['POST', `/api/v1/orders/${reviewA.id}/assign`, { teamId: w.teams.a.id }],
      ['POST', `/api/v1/orders/${reviewA.id}/approve`, { note: '越权' }],
      ['POST', `/api/v1/orders/${reviewA.id}/reject`, { reason: '越权' }],
      ['GET', '/api/v1/regions', undefined],
      ['GET', '/api/v1/teams', undefined],
      ['GET', `/api/v1/teams/${w.teams.a.id}`, undefined],
    ] as const;
  const adminEndpoints = () => {
    const phone = randomPhone('136');
    return [
      ['POST', '/api/v1/regions', { name: `越权村${tag}`, level: 'village', parentId: w.regions.a.id }],
      ['POST', '/api/v1/services', { code: `HACK_${tag}`, name: '越权服务', group: '测试', requiredSkills: [w.skill] }],
      ['POST', '/api/v1/teams', { name: `越权队${tag}`, regionId: w.regions.a1.id, location: w.at.a1, serviceRadiusM: 1000, skills: [w.skill], capacity: 1 }],
      ['POST', `/api/v1/teams/${w.teams.a.id}/members`, { phone, name: '越权队员', password: 'Volunteer#2026', role: 'leader' }],
      ['POST', '/api/v1/staff', { phone, name: '越权', password: STAFF_PASSWORD, role: 'admin', regionId: w.regions.a.id }],
      ['GET', '/api/v1/audit', undefined],
      ['PATCH', `/api/v1/services/HACK_${tag}`, { name: '越权改名' }],
      ['PATCH', `/api/v1/staff/${w.staff.townDispatcherB.id}`, { active: false }],
      ['PATCH', `/api/v1/teams/${w.teams.a.id}/members/${w.teams.a.members[1].userId}`, { role: 'leader' }],
      ['DELETE', `/api/v1/teams/${w.teams.a.id}/members/${w.teams.a.members[1].userId}`, undefined],
    ] as const;
  };

  it('residents, volunteers and grid workers get 403 FORBIDDEN on every staff and admin endpoint, and nothing changes', async () => {
    const before = await snapshot();
    const who = { alice: w.residents.alice.http, volunteer: w.teams.a.members[0].http, leader: w.teams.a.members[0].http, grid: w.grid.a.http };
    for (const [name, http] of Object.entries(who)) {
      for (const [method, path, body] of [...staffEndpoints(), ...adminEndpoints()]) {
        const res = await http.request(method, path, body);
        expect({ name, method, path, status: res.status, code: res.body.code }).toEqual({ name, method, path, status: 403, code: 'FORBIDDEN' });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('dispatchers, of the county too, get 403 on admin endpoints (audit included)', async () => {
    const before = await snapshot();
    for (const d of [w.staff.countyDispatcher.http, w.staff.townDispatcherA.http]) {
      for (const [method, path, body] of adminEndpoints()) {
        const res = await d.request(method, path, body);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  describe('creating staff and team members over an existing account follows the rules of editing it', () => {
    const roleOf = async (id: string) => (await db.query(`SELECT roles, region_id FROM users WHERE id = $1`, [id])).rows[0];

    it('POST /staff over a peer admin\'s phone does not demote them (403), and over another township\'s staff does not take them over', async () => {
      const peer = await createPerson(api, w.admin, 'admin', w.regions.county.id, `同级管理员${tag}`);
      const before = await roleOf(peer.id);
      const demote = await w.staff.countyAdmin.http.post('/api/v1/staff', { phone: peer.phone, name: '降级', password: 'Attacker#2026', role: 'dispatcher', regionId: w.regions.a.id });
      expect({ status: demote.status, code: demote.body.code }).toEqual({ status: 403, code: 'OUTSIDE_JURISDICTION' });
      expect(await roleOf(peer.id)).toEqual(before);
      expect((await peer.http.get('/api/v1/me')).status).toBe(200);
      // the attacker's password was not set either
      expect((await api.post('/api/v1/auth/login', { phone: peer.phone, password: 'Attacker#2026' })).status).toBe(401);

      const other = w.staff.townDispatcherB;
      const otherBefore = await roleOf(other.id);
      for (const body of [
        { phone: other.phone, name: '接管', password: 'Attacker#2026', role: 'admin', regionId: w.regions.a.id },
        { phone: other.phone, name: '接管', password: 'Attacker#2026', role: 'dispatcher', regionId: w.regions.a1.id },
      ]) {
        const res = await w.staff.townAdminA.http.post('/api/v1/staff', body);
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'OUTSIDE_JURISDICTION' });
      }
      const asMember = await w.staff.townAdminA.http.post(`/api/v1/teams/${w.teams.a.id}/members`, { phone: other.phone, name: '接管', password: 'Attacker#2026', role: 'member' });
      expect({ status: asMember.status, code: asMember.body.code }).toEqual({ status: 403, code: 'OUTSIDE_JURISDICTION' });
      expect(await roleOf(other.id)).toEqual(otherBefore);
      expect((await api.post('/api/v1/auth/login', { phone: other.phone, password: 'Attacker#2026' })).status).toBe(401);
      expect((await other.http.get('/api/v1/me')).status).toBe(200);
    });

    it('answers adding a new number and an existing account alike, keeps a proven account\'s password and ends its sessions', async () => {
      const alice = w.residents.alice;
      const fresh = expectOk(await w.staff.townAdminA.http.post(`/api/v1/teams/${w.teams.a.id}/members`, { phone: randomPhone('139'), name: '新队员', password: 'Member#Pass2026', role: 'member' }), 201, 'new member');
      const linked = expectOk(await w.staff.townAdminA.http.post(`/api/v1/teams/${w.teams.a.id}/members`, { phone: alice.phone, name: '甲村居民', password: 'Member#Pass2026', role: 'member' }), 201, 'existing member');
      expect(Object.keys(linked).sort()).toEqual(Object.keys(fresh).sort());
      expect(linked).not.toHaveProperty('userCreated');
      // alice registered with an SMS code: her own password stays, the admin's does not open her account
      expect((await api.post('/api/v1/auth/login', { phone: alice.phone, password: 'Member#Pass2026' })).status).toBe(401);
      // her roles changed (volunteer): the tokens carrying the old ones end
      expect((await alice.http.get('/api/v1/me')).status).toBe(401);
      alice.http = await login(api, alice.phone, 'Resident#2026');
      expect((await alice.http.get('/api/v1/me')).body.roles).toEqual(expect.arrayContaining(['resident', 'volunteer']));
    });
  });

  describe('a township admin and dispatcher stay inside the township', () => {
    it('writes into another township or above are refused with 403 OUTSIDE_JURISDICTION', async () => {
      const before = await snapshot();
      const admin = w.staff.townAdminA.http;
      const attempts: [string, unknown][] = [
        ['/api/v1/regions', { name: `乙镇新村${tag}`, level: 'village', parentId: w.regions.b.id }],
        ['/api/v1/regions', { name: `新县${tag}`, level: 'county' }],
        ['/api/v1/teams', { name: `乙镇新队${tag}`, regionId: w.regions.b1.id, location: w.at.b1, serviceRadiusM: 1000, skills: [w.skill], capacity: 1 }],
        ['/api/v1/staff', { phone: randomPhone('136'), name: '乙镇调度', password: STAFF_PASSWORD, role: 'dispatcher', regionId: w.regions.b.id }],
        ['/api/v1/staff', { phone: randomPhone('136'), name: '县管理员', password: STAFF_PASSWORD, role: 'admin', regionId: w.regions.county.id }],
        ['/api/v1/staff', { phone: randomPhone('136'), name: '乙村网格员', password: STAFF_PASSWORD, role: 'grid_worker', regionId: w.regions.b1.id }],
        // the menu is county-wide
        ['/api/v1/services', { code: `TOWN_${tag}`, name: '镇级服务', group: '测试', requiredSkills: [w.skill] }],
        // taking over a county admin by phone would re-home them into the township
        ['/api/v1/staff', { phone: w.staff.countyAdmin.phone, name: '改派', password: STAFF_PASSWORD, role: 'dispatcher', regionId: w.regions.a1.id }],
      ];
      for (const [path, body] of attempts) {
        const res = await admin.post(path, body);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'OUTSIDE_JURISDICTION' });
      }
      expect(await snapshot()).toEqual(before);
      const [countyAdmin] = (await db.query(`SELECT roles, region_id FROM users WHERE id = $1`, [w.staff.countyAdmin.id])).rows;
      expect(countyAdmin).toEqual({ roles: ['admin'], region_id: w.regions.county.id });
    });

    it('inside the township the same admin may create a village, a team, a dispatcher and a grid worker', async () => {
      const admin = w.staff.townAdminA.http;
      const village = expectOk(await admin.post('/api/v1/regions', { name: `甲镇新村${tag}`, level: 'village', parentId: w.regions.a.id }), 201, 'village');
      expectOk(await admin.post('/api/v1/teams', { name: `甲镇新队${tag}`, regionId: village.id, location: w.at.a1, serviceRadiusM: 1000, skills: [w.skill], capacity: 1 }), 201, 'team');
      const phone = randomPhone('136');
      expectOk(await admin.post('/api/v1/staff', { phone, name: '甲镇新网格员', password: STAFF_PASSWORD, role: 'grid_worker', regionId: village.id }), 201, 'grid worker');
      const me = expectOk(await (await login(api, phone, STAFF_PASSWORD)).get('/api/v1/me'), 200, 'me');
      expect(me.roles).toEqual(['grid_worker']);
      expect(me.regionId).toBe(village.id);
      // a dispatcher of the township may be made by it, and can act there
      const d = await createPerson(api, admin, 'dispatcher', w.regions.a1.id, '甲村调度');
      expectOk(await d.http.get(`/api/v1/orders/${reviewA.id}/candidates`), 200, 'candidates');
    });

    it('the other township\'s dispatcher gets 404 on the order and cannot see it in the queue', async () => {
      const before = await snapshot();
      const d = w.staff.townDispatcherB.http;
      for (const [method, path, body] of staffEndpoints().filter(([, p]) => p.includes(reviewA.id))) {
        const res = await d.request(method, path, body);
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 404, code: 'ORDER_NOT_FOUND' });
      }
      const res = await d.get(`/api/v1/orders/${reviewA.id}`);
      expect(res.status).toBe(404);
      expect(await snapshot()).toEqual(before);
      expect(expectOk(await d.get('/api/v1/dispatch/queue?limit=100'), 200, 'queue').items.map((i: any) => i.orderId)).not.toContain(reviewA.id);
      // control: the county dispatcher approves it
      const approved = expectOk(await w.staff.countyDispatcher.http.post(`/api/v1/orders/${reviewA.id}/approve`, {}), 200, 'approve');
      expect(approved.status).toBe('dispatching');
    });
  });

  it('an order outside every boundary is refused; one left from before (no region) is visible to the bootstrap admin only', async () => {
    const refused = await w.residents.bob.http.post('/api/v1/orders', { serviceCode: w.serviceCode, description: '边界外', location: w.at.nowhere, address: '无名地' });
    expect([refused.status, refused.body.code]).toEqual([422, 'OUT_OF_SERVICE_AREA']);
    // a region-less row as older versions wrote them
    const lost = await placeOrder(w.residents.bob.http, { serviceCode: w.serviceCode, description: '旧的边界外单', location: w.at.b1, address: '无名地' });
    await db.query(`UPDATE orders SET region_id = NULL WHERE id = $1`, [lost.id]);
    for (const d of [w.staff.countyAdmin.http, w.staff.countyDispatcher.http, w.staff.townAdminA.http, w.staff.townDispatcherA.http, w.staff.townDispatcherB.http, w.grid.a.http]) {
      expect((await d.get(`/api/v1/orders/${lost.id}`)).status).toBe(404);
    }
    expectOk(await w.admin.get(`/api/v1/orders/${lost.id}`), 200, 'bootstrap admin');
  });
});
