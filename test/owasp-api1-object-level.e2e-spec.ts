import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, HttpResult } from './support/http';
import { beneficiaryBody, buildJurisdictionWorld, createPerson, JurisdictionWorld, pendingOfferFor, placeOrder, STAFF_PASSWORD } from './support/jurisdiction-world';
import { expectOk, login } from './support/world';

/**
 * OWASP API1:2023 — every object endpoint checks that the caller may touch that very object: a user
 * of another resident, team or region gets 404 (existence is not revealed), and nothing changes.
 * Each refusal has a positive control: the rightful user succeeds with the same request.
 */
describe('API1:2023 Broken Object Level Authorization', () => {
  const tag = `O${Date.now() % 100000}`;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let rating: (h: Http) => Http;
  let w: JurisdictionWorld;
  let orderA: any; // alice's order in village A1, offered to team A
  let offerA: any;
  let reviewA: any; // an order of A1 waiting for review
  let benAlice: any; // alice's family profile
  let benGridA: any; // recorded by grid worker A

  const row = async (table: string, id: string) => (await db.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0];
  const counts = async () =>
    (await db.query(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM offers)::int AS offers,
                            (SELECT count(*) FROM beneficiaries WHERE archived_at IS NULL)::int AS beneficiaries,
                            (SELECT count(*) FROM team_members)::int AS members, (SELECT count(*) FROM ratings)::int AS ratings`)).rows[0];

  function refused(res: HttpResult, what: string) {
    expect({ what, status: res.status }).toEqual({ what, status: 404 });
    expect(res.body.code).toMatch(/_NOT_FOUND$/);
  }

  beforeAll(async () => {
    platform = await startPlatform(`api1-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    rating = (h) => h.at(platform.rating.url);
    w = await buildJurisdictionWorld(api, tag, { lat: 33.0, lng: 118.0 });
    orderA = await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '上门理发', location: w.at.a1, address: '甲村 1 号' });
    offerA = await pendingOfferFor(w.teams.a, orderA.id);
    reviewA = await placeOrder(w.residents.alice.http, { serviceCode: w.reviewCode, description: '申请助餐补贴', location: w.at.a1, address: '甲村 1 号' });
    benAlice = expectOk(await w.residents.alice.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name: '甲村老母亲' })), 201, 'alice profile');
    benGridA = expectOk(
      await w.grid.a.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name: '甲村独居老人', tags: ['living_alone'], idNumber: '330523194501011234' })),
      201,
      'grid profile',
    );
  }, 180000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  describe('orders', () => {
    it('another resident, another team, the grid worker and the dispatcher of another township cannot read an order', async () => {
      const strangers = [w.residents.bob.http, w.teams.b.members[0].http, w.grid.b.http, w.grid.a.http, w.staff.townDispatcherB.http];
      for (const who of strangers) refused(await who.get(`/api/v1/orders/${orderA.id}`), 'GET order');
      // positive controls: owner, the offered team (coarse), the township's and the county's staff
      for (const who of [w.residents.alice.http, w.teams.a.members[0].http, w.staff.townDispatcherA.http, w.staff.countyDispatcher.http, w.staff.countyAdmin.http]) {
        expectOk(await who.get(`/api/v1/orders/${orderA.id}`), 200, 'rightful read');
      }
    });

    it('nor cancel, check in or complete it, and the order does not change', async () => {
      const before = await row('orders', orderA.id);
      for (const who of [w.residents.bob.http, w.teams.b.members[0].http, w.grid.b.http, w.staff.townDispatcherB.http]) {
        refused(await who.post(`/api/v1/orders/${orderA.id}/cancel`, { reason: '越权取消' }), 'cancel');
      }
      for (const who of [w.teams.b.members[0].http, w.teams.a.members[0].http]) {
        refused(await who.post(`/api/v1/orders/${orderA.id}/check-in`, { location: w.at.a1 }), 'check-in');
        refused(await who.post(`/api/v1/orders/${orderA.id}/complete`, { report: '冒领' }), 'complete');
      }
      expect(await row('orders', orderA.id)).toEqual(before);
    });

    it('lists never contain another resident\'s or another township\'s orders', async () => {
      const ids = async (who: Http, q = '') => (expectOk(await who.get(`/api/v1/orders?limit=100${q}`), 200, 'list')).items.map((o: any) => o.id);
      expect(await ids(w.residents.bob.http)).not.toContain(orderA.id);
      expect(await ids(w.staff.townDispatcherB.http)).not.toContain(orderA.id);
      expect(await ids(w.grid.b.http)).not.toContain(orderA.id);
      expect(await ids(w.teams.b.members[0].http, '&assigned=true')).not.toContain(orderA.id);
      expect(await ids(w.staff.townDispatcherA.http)).toEqual(expect.arrayContaining([orderA.id, reviewA.id]));
    });

    it('staff of another township cannot see candidates, assign, approve or reject it', async () => {
      const before = { order: await row('orders', reviewA.id), counts: await counts() };
      const d = w.staff.townDispatcherB.http;
      refused(await d.get(`/api/v1/orders/${reviewA.id}/candidates`), 'candidates');
      refused(await d.get(`/api/v1/orders/${reviewA.id}/assignable-teams`), 'assignable teams');
      refused(await d.post(`/api/v1/orders/${reviewA.id}/approve`, { note: '越权' }), 'approve');
      refused(await d.post(`/api/v1/orders/${reviewA.id}/reject`, { reason: '越权' }), 'reject');
      refused(await d.post(`/api/v1/orders/${orderA.id}/assign`, { teamId: w.teams.b.id }), 'assign');
      expect({ order: await row('orders', reviewA.id), counts: await counts() }).toEqual(before);
      const queue = expectOk(await d.get('/api/v1/dispatch/queue?limit=100'), 200, 'queue');
      expect(queue.items.map((i: any) => i.orderId)).not.toContain(reviewA.id);
      // control: the township's own dispatcher sees it in the queue and its candidates
      const own = expectOk(await w.staff.townDispatcherA.http.get('/api/v1/dispatch/queue?limit=100'), 200, 'own queue');
      expect(own.items.map((i: any) => i.orderId)).toContain(reviewA.id);
      expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/orders/${reviewA.id}/candidates`), 200, 'own candidates');
      // the township's own dispatcher finds only the township's teams to assign
      const assignable = expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/orders/${reviewA.id}/assignable-teams?limit=100`), 200, 'own assignable teams');
      expect(assignable.items.map((t: any) => t.teamId)).toContain(w.teams.a.id);
      expect(assignable.items.map((t: any) => t.teamId)).not.toContain(w.teams.b.id);
    });

    it('a township dispatcher cannot assign its order to a team of another township', async () => {
      const before = await counts();
      const res = await w.staff.townDispatcherA.http.post(`/api/v1/orders/${orderA.id}/assign`, { teamId: w.teams.b.id });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'TEAM_NOT_FOUND' });
      expect(await counts()).toEqual(before);
    });

    it('only the resident who placed it can rate it', async () => {
      const before = await counts();
      for (const who of [w.residents.bob.http, w.teams.a.members[0].http, w.staff.countyAdmin.http, w.grid.a.http]) {
        refused(await rating(who).post(`/api/v1/orders/${orderA.id}/rating`, { stars: 1, solved: false }), 'rate');
      }
      expect(await counts()).toEqual(before);
    });
  });

  describe('offers', () => {
    it('another team\'s member cannot accept or decline the offer, nor see it', async () => {
      const before = await row('offers', offerA.id);
      for (const m of w.teams.b.members) {
        refused(await m.http.post(`/api/v1/offers/${offerA.id}/accept`), 'accept');
        refused(await m.http.post(`/api/v1/offers/${offerA.id}/decline`, { reason: '越权' }), 'decline');
        const list = expectOk(await m.http.get('/api/v1/offers?limit=100'), 200, 'offers');
        expect(list.items.map((o: any) => o.id)).not.toContain(offerA.id);
      }
      // residents and staff are not members of the team either
      for (const who of [w.residents.alice.http, w.staff.countyAdmin.http, w.grid.a.http]) refused(await who.post(`/api/v1/offers/${offerA.id}/accept`), 'accept');
      expect(await row('offers', offerA.id)).toEqual(before);
      expectOk(await w.teams.a.members[1].http.post(`/api/v1/offers/${offerA.id}/accept`), 200, 'rightful accept');
    });
  });

  describe('beneficiaries', () => {
    it('a profile is read, changed and archived only by its owner and the officials of its region', async () => {
      const before = { alice: await row('beneficiaries', benAlice.id), grid: await row('beneficiaries', benGridA.id) };
      const strangers = [w.residents.bob.http, w.grid.b.http, w.staff.townDispatcherB.http, w.teams.a.members[0].http, w.teams.b.members[0].http];
      for (const who of strangers) {
        for (const id of [benAlice.id, benGridA.id]) {
          refused(await who.get(`/api/v1/beneficiaries/${id}`), 'GET beneficiary');
          refused(await who.request('PATCH', `/api/v1/beneficiaries/${id}`, { name: '篡改' }), 'PATCH beneficiary');
          refused(await who.request('DELETE', `/api/v1/beneficiaries/${id}`), 'DELETE beneficiary');
        }
        const list = expectOk(await who.get('/api/v1/beneficiaries?limit=100'), 200, 'list');
        expect(list.items.map((b: any) => b.id)).not.toContain(benAlice.id);
        expect(list.items.map((b: any) => b.id)).not.toContain(benGridA.id);
      }
      // alice does not see the grid worker's profile of her neighbour
      refused(await w.residents.alice.http.get(`/api/v1/beneficiaries/${benGridA.id}`), 'neighbour');
      expect({ alice: await row('beneficiaries', benAlice.id), grid: await row('beneficiaries', benGridA.id) }).toEqual(before);
      // controls
      expectOk(await w.residents.alice.http.get(`/api/v1/beneficiaries/${benAlice.id}`), 200, 'owner');
      for (const who of [w.grid.a.http, w.staff.townDispatcherA.http, w.staff.countyAdmin.http]) {
        expectOk(await who.get(`/api/v1/beneficiaries/${benAlice.id}`), 200, 'official');
        expectOk(await who.get(`/api/v1/beneficiaries/${benGridA.id}`), 200, 'official');
      }
    });

    it('a grid worker moved to another village loses the profiles they made or imported there: they are the region\'s, not theirs', async () => {
      const mover = await createPerson(api, w.staff.countyAdmin.http, 'grid_worker', w.regions.a1.id, '调动网格员');
      const made = expectOk(await mover.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name: '调动前建档' })), 201, 'profile');
      expectOk(await mover.http.get(`/api/v1/beneficiaries/${made.id}`), 200, 'while in A1');
      expectOk(await w.staff.countyAdmin.http.request('PATCH', `/api/v1/staff/${mover.id}`, { regionId: w.regions.b1.id }), 200, 'moved to B1');
      const moved = await login(api, mover.phone, STAFF_PASSWORD); // the move ended their sessions
      refused(await moved.get(`/api/v1/beneficiaries/${made.id}`), 'after the move');
      refused(await moved.request('PATCH', `/api/v1/beneficiaries/${made.id}`, { name: '篡改' }), 'PATCH after the move');
      expect(expectOk(await moved.get('/api/v1/beneficiaries?limit=100'), 200, 'list').items.map((b: any) => b.id)).not.toContain(made.id);
      refused(await moved.get(`/api/v1/beneficiaries/${made.id}/care-plan`), 'care plan after the move');
      // the region keeps it
      expectOk(await w.grid.a.http.get(`/api/v1/beneficiaries/${made.id}`), 200, 'A1 grid worker');
    });

    it('an order cannot be placed for someone else\'s profile, and no row is written', async () => {
      const before = await counts();
      for (const [who, id] of [
        [w.residents.bob.http, benAlice.id],
        [w.grid.b.http, benGridA.id],
        [w.residents.alice.http, benGridA.id],
      ] as const) {
        const res = await who.post('/api/v1/orders', { serviceCode: w.serviceCode, description: '冒用档案', beneficiaryId: id });
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code: 'BENEFICIARY_NOT_FOUND' });
      }
      expect(await counts()).toEqual(before);
      // controls: the owner and the grid worker may
      await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '给母亲理发', beneficiaryId: benAlice.id });
      await placeOrder(w.grid.a.http, { serviceCode: w.serviceCode, description: '代点单', beneficiaryId: benGridA.id });
    });
  });

  describe('teams and regions', () => {
    it('staff of another township cannot read or manage a team', async () => {
      const before = (await counts()).members;
      refused(await w.staff.townDispatcherB.http.get(`/api/v1/teams/${w.teams.a.id}`), 'GET team');
      const listB = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/teams?limit=100'), 200, 'teams');
      expect(listB.items.map((t: any) => t.id)).toEqual([w.teams.b.id]);
      refused(
        await w.staff.townAdminA.http.post(`/api/v1/teams/${w.teams.b.id}/members`, { phone: '13600001111', name: '越权队员', password: 'Volunteer#2026', role: 'member' }),
        'add member',
      );
      expect((await counts()).members).toBe(before);
      expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/teams/${w.teams.a.id}`), 200, 'own team');
    });

    it('the region list of a township holds its own subtree only', async () => {
      const regions = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/regions'), 200, 'regions');
      expect(regions.items.map((r: any) => r.id).sort()).toEqual([w.regions.b.id, w.regions.b1.id].sort());
    });
  });

  describe('console views: live queue, maps, dashboard, management lists', () => {
    it('a township sees only its own orders in the live queue and on the map', async () => {
      const queueA = expectOk(await w.staff.townDispatcherA.http.get('/api/v1/dispatch/live-queue'), 200, 'queue A');
      expect(queueA.items.map((i: any) => i.orderId)).toContain(reviewA.id);
      const queueB = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/dispatch/live-queue'), 200, 'queue B');
      expect(queueB.items.map((i: any) => i.orderId)).not.toContain(reviewA.id);
      for (const item of queueB.items) expect(item.regionPath).toBeUndefined();

      const mapA = expectOk(await w.staff.townDispatcherA.http.get('/api/v1/map/orders'), 200, 'map A');
      expect(mapA.features.map((f: any) => f.id)).toEqual(expect.arrayContaining([orderA.id, reviewA.id]));
      const mapB = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/map/orders'), 200, 'map B');
      expect(mapB.features.map((f: any) => f.id)).not.toEqual(expect.arrayContaining([orderA.id]));
      expect(mapB.features.map((f: any) => f.id)).not.toContain(reviewA.id);
      const teamsB = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/map/teams'), 200, 'map teams B');
      expect(teamsB.features.map((f: any) => f.id)).toEqual([w.teams.b.id]);
    });

    it('team members, team edits and the staff list stay inside the jurisdiction', async () => {
      refused(await w.staff.townDispatcherB.http.get(`/api/v1/teams/${w.teams.a.id}/members`), 'members of team A');
      expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/teams/${w.teams.a.id}/members`), 200, 'own members');
      const before = (await row('teams', w.teams.b.id)).capacity;
      refused(await w.staff.townAdminA.http.patch(`/api/v1/teams/${w.teams.b.id}`, { capacity: before + 5 }), 'edit team B');
      expect((await row('teams', w.teams.b.id)).capacity).toBe(before);
      const staff = expectOk(await w.staff.townAdminA.http.get('/api/v1/staff'), 200, 'staff A');
      expect(staff.items.length).toBeGreaterThan(0);
      for (const person of staff.items) expect([w.regions.a.id, w.regions.a1.id]).toContain(person.regionId);
      expect(staff.items.map((p: any) => p.userId)).not.toContain(w.staff.townDispatcherB.id);
      for (const person of staff.items) expect(person.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
    });

    it('the dashboard of a township covers that township, and no other', async () => {
      const own = expectOk(await w.staff.townDispatcherB.http.get('/api/v1/stats/dashboard'), 200, 'dashboard B');
      expect(own.regionId).toBe(w.regions.b.id);
      const other = await w.staff.townDispatcherB.http.get(`/api/v1/stats/dashboard?regionId=${w.regions.a.id}`);
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('OUTSIDE_JURISDICTION');
      const exported = await w.staff.townDispatcherB.http.get(`/api/v1/stats/export?format=csv&regionId=${w.regions.a.id}`);
      expect(exported.status).toBe(403);
    });
  });

  describe('audit', () => {
    it('an admin reads only the audit rows of their own jurisdiction', async () => {
      // a write in township B by its dispatcher (refused or not, it is audited with the order's region)
      const orderB = await placeOrder(w.residents.bob.http, { serviceCode: w.reviewCode, description: '乙村补贴', location: w.at.b1, address: '乙村 2 号' });
      expectOk(await w.staff.townDispatcherB.http.post(`/api/v1/orders/${orderB.id}/reject`, { reason: '不符合条件' }), 200, 'reject');
      const county = expectOk(await w.staff.countyAdmin.http.get(`/api/v1/audit?objectId=${orderB.id}`), 200, 'county audit');
      expect(county.items.map((r: any) => r.action)).toContain('order.reject');
      const townA = expectOk(await w.staff.townAdminA.http.get(`/api/v1/audit?objectId=${orderB.id}`), 200, 'township audit');
      expect(townA.items).toEqual([]);
      const all = expectOk(await w.staff.townAdminA.http.get('/api/v1/audit?limit=100'), 200, 'township audit');
      expect(all.items.length).toBeGreaterThan(0);
      const outside = await db.query(`SELECT id::text FROM audit_log WHERE region_id = ANY($1::uuid[])`, [[w.regions.b.id, w.regions.b1.id]]);
      expect(outside.rows.length).toBeGreaterThan(0);
      const seen = new Set(all.items.map((r: any) => r.id));
      for (const r of outside.rows) expect(seen.has(r.id)).toBe(false);
    });
  });
});
