import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * Who may see and do what: residents see only their own orders, a team sees an order's address
 * and phone only once it serves it, volunteers answer only their own team's offers, and staff and
 * admin endpoints are closed to everyone else. Others' objects are reported as not found.
 * Jurisdiction (township staff, grid workers, county admins) and beneficiaries are covered by the
 * OWASP suites: owasp-api1-object-level, owasp-api3-property-level, owasp-api5-function-level.
 */
describe('authorization: residents, teams, staff, admin', () => {
  const tag = `A${Date.now() % 100000}`;
  const skill = `escort_${tag.toLowerCase()}`;
  const serviceCode = `ESCORT_${tag}`;
  const reviewCode = `SUBSIDY_${tag}`;
  const home: LatLng = { lat: 31.6, lng: 120.9 };
  const address = '授权小区 7 幢 303 室';
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let dispatcher: Http;
  let regionId: string;
  let teams: Record<'near' | 'second' | 'stranger', CreatedTeam>;
  let owner: { http: Http; id: string; phone: string };
  let other: { http: Http; id: string; phone: string };
  let orderId: string;
  let nearOfferId: string;

  /** Every response of this file, to check that none carries a password hash. */
  const seen: { method: string; url: string; status: number; text: string }[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    globalThis.fetch = async (input: any, init?: any) => {
      const res = await realFetch(input, init);
      seen.push({ method: init?.method ?? 'GET', url: String(input), status: res.status, text: await res.clone().text() });
      return res;
    };
    platform = await startPlatform(`authz-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    const { county, station } = await createRegions(admin, home, tag);
    regionId = station.id;
    await createService(admin, serviceCode, [skill], 3600);
    await createService(admin, reviewCode, [skill], 3600, true);
    teams = {
      near: await createTeam(api, admin, station.id, { name: `近队${tag}`, location: offset(home, 0, 400), serviceRadiusM: 3000, skills: [skill], capacity: 5, members: 2 }),
      second: await createTeam(api, admin, station.id, { name: `次队${tag}`, location: offset(home, -1200, 0), serviceRadiusM: 3000, skills: [skill], capacity: 5, members: 2 }),
      // right next door, but without the skill: never offered this order
      stranger: await createTeam(api, admin, station.id, { name: `外队${tag}`, location: offset(home, 100, 0), serviceRadiusM: 3000, skills: [`cleaning_${tag.toLowerCase()}`], capacity: 5, members: 2 }),
    };
    const staffPhone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone: staffPhone, name: '调度员', password: 'Dispatch#2026', role: 'dispatcher', regionId: county.id }), 201, 'staff');
    dispatcher = await login(api, staffPhone, 'Dispatch#2026');
    owner = await registerResident(api, '周奶奶');
    other = await registerResident(api, '吴大爷');

    const placed = await owner.http.post(
      '/api/v1/orders',
      { serviceCode, description: '陪同老人去医院复诊', location: home, address },
      { 'Idempotency-Key': `authz-${tag}-order-1` },
    );
    orderId = expectOk(placed, 201, 'place').id;
    nearOfferId = (await until('offer to the near team', () => pendingOfferOf(teams.near))).id;
  }, 120000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await db?.end();
    await platform?.stop();
  });

  // ---------------------------------------------------------------- helpers

  function expectError(res: HttpResult, status: number, code: string) {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  }

  async function pendingOfferOf(team: CreatedTeam, id = orderId) {
    const res = await team.members[0].http.get('/api/v1/offers?status=pending&limit=100');
    return res.body.items.find((o: any) => o.orderId === id);
  }

  const orderRow = async (id = orderId) =>
    (await db.query(`SELECT status, version, team_id FROM orders WHERE id = $1`, [id])).rows[0];
  const offerRow = async (id: string) => (await db.query(`SELECT status, responded_by FROM offers WHERE id = $1`, [id])).rows[0];

  /** The redacted view a team sees before it serves the order: no address, exact location or phone. */
  function expectRedacted(view: any) {
    expect(view.id).toBe(orderId);
    expect(view.address).toBeUndefined();
    expect(view.contactPhone).toBeUndefined();
    expect(view.location).toBeUndefined();
    // timeline notes are free text (reasons, reports): not for a team that only holds an offer
    expect(view.timeline).toBeUndefined();
    expect(view.coarseLocation).toEqual(expect.objectContaining({ lat: expect.any(Number), lng: expect.any(Number) }));
    const text = JSON.stringify(view);
    expect(text).not.toContain('7 幢 303');
    expect(text).not.toContain(owner.phone);
  }

  const rating = (http: Http) => http.at(platform.rating.url);

  // ---------------------------------------------------------------- residents

  describe('another resident', () => {
    it('cannot read the order: 404 ORDER_NOT_FOUND, exactly as for an order that does not exist', async () => {
      const res = await other.http.get(`/api/v1/orders/${orderId}`);
      expectError(res, 404, 'ORDER_NOT_FOUND');
      const missing = await other.http.get(`/api/v1/orders/${randomUUID()}`);
      expect(res.body).toEqual(missing.body);
      expect(JSON.stringify(res.body)).not.toContain(address);
    });

    it('cannot cancel it', async () => {
      const before = await orderRow();
      expectError(await other.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '恶意取消' }), 404, 'ORDER_NOT_FOUND');
      expect(await orderRow()).toEqual(before);
      expect(await offerRow(nearOfferId)).toEqual({ status: 'pending', responded_by: null });
    });

    it('does not get the owner\'s order back by replaying the owner\'s Idempotency-Key', async () => {
      const res = await other.http.post(
        '/api/v1/orders',
        { serviceCode, description: '陪同老人去医院复诊', location: home, address },
        { 'Idempotency-Key': `authz-${tag}-order-1` },
      );
      expect(res.status).toBe(201);
      expect(res.body.id).not.toBe(orderId);
      expect(res.headers.get('idempotent-replayed')).toBeNull();
      await until('offered', async () => (await orderRow(res.body.id)).status === 'offered');
      expectOk(await other.http.post(`/api/v1/orders/${res.body.id}/cancel`, { reason: '测试完毕' }), 200, 'cancel own');
    });

    it('cannot accept or decline the offer', async () => {
      expectError(await other.http.post(`/api/v1/offers/${nearOfferId}/accept`), 404, 'OFFER_NOT_FOUND');
      expectError(await other.http.post(`/api/v1/offers/${nearOfferId}/decline`, { reason: '不要' }), 404, 'OFFER_NOT_FOUND');
      expectError(await owner.http.post(`/api/v1/offers/${nearOfferId}/accept`), 404, 'OFFER_NOT_FOUND');
      expect((await other.http.get('/api/v1/offers')).body).toEqual({ items: [], nextCursor: null });
      expect(await offerRow(nearOfferId)).toEqual({ status: 'pending', responded_by: null });
    });

    it('cannot check in or complete it', async () => {
      expectError(await other.http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
      expectError(await owner.http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
      expectError(await other.http.post(`/api/v1/orders/${orderId}/complete`, { report: '完成' }), 404, 'ORDER_NOT_FOUND');
    });
  });

  // ---------------------------------------------------------------- teams before acceptance

  describe('a volunteer of a team that was never offered the order', () => {
    it('cannot read it (404)', async () => {
      for (const m of teams.stranger.members) expectError(await m.http.get(`/api/v1/orders/${orderId}`), 404, 'ORDER_NOT_FOUND');
      // nor can the second team, not offered yet
      expectError(await teams.second.members[0].http.get(`/api/v1/orders/${orderId}`), 404, 'ORDER_NOT_FOUND');
    });

    it('does not see the offer in GET /offers', async () => {
      for (const query of ['', '?status=pending', '?status=accepted', '?limit=100']) {
        const res = expectOk(await teams.stranger.members[0].http.get(`/api/v1/offers${query}`), 200, 'offers');
        expect(res.items.map((o: any) => o.orderId)).not.toContain(orderId);
        expect(res.items.map((o: any) => o.id)).not.toContain(nearOfferId);
      }
      expect(await pendingOfferOf(teams.second)).toBeUndefined();
    });

    it('cannot accept or decline another team\'s offer (404 OFFER_NOT_FOUND), and the offer stays pending', async () => {
      for (const m of [...teams.stranger.members, ...teams.second.members]) {
        expectError(await m.http.post(`/api/v1/offers/${nearOfferId}/accept`), 404, 'OFFER_NOT_FOUND');
        expectError(await m.http.post(`/api/v1/offers/${nearOfferId}/decline`, { reason: '替别人拒绝' }), 404, 'OFFER_NOT_FOUND');
      }
      expect(await offerRow(nearOfferId)).toEqual({ status: 'pending', responded_by: null });
      expect((await orderRow()).status).toBe('offered');
      const { rows } = await db.query(`SELECT id, active_orders FROM teams WHERE id = ANY($1::uuid[]) ORDER BY id`, [
        [teams.stranger.id, teams.second.id],
      ]);
      for (const r of rows) expect(r.active_orders).toBe(0);
    });

    it('cannot check in or complete it', async () => {
      const m = teams.stranger.members[0].http;
      expectError(await m.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
      expectError(await m.post(`/api/v1/orders/${orderId}/complete`, { report: '完成' }), 404, 'ORDER_NOT_FOUND');
    });
  });

  describe('the offered team, before it accepts', () => {
    it('sees only the redacted view of the order and of the offer', async () => {
      for (const m of teams.near.members) {
        const view = expectOk(await m.http.get(`/api/v1/orders/${orderId}`), 200, 'offered team reads');
        expectRedacted(view);
        expect(view.status).toBe('offered');
      }
      const offer = await pendingOfferOf(teams.near);
      expect(offer.id).toBe(nearOfferId);
      expect(JSON.stringify(offer)).not.toContain('7 幢 303');
      expect(JSON.stringify(offer)).not.toContain(owner.phone);
      expect(offer.order.location).toBeUndefined();
      // and the order is not among the orders it serves
      const assigned = expectOk(await teams.near.members[0].http.get('/api/v1/orders?assigned=true'), 200, 'assigned');
      expect(assigned.items.map((o: any) => o.id)).not.toContain(orderId);
    });

    it('cannot check in or complete before accepting', async () => {
      const m = teams.near.members[0].http;
      expectError(await m.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
      expectError(await m.post(`/api/v1/orders/${orderId}/complete`, { report: '完成' }), 404, 'ORDER_NOT_FOUND');
      expect((await orderRow()).status).toBe('offered');
    });
  });

  // ---------------------------------------------------------------- after another team accepted

  describe('after another team accepted', () => {
    let secondOfferId: string;

    beforeAll(async () => {
      expectOk(await teams.near.members[0].http.post(`/api/v1/offers/${nearOfferId}/decline`, { reason: '今天人手不足' }), 200, 'decline');
      const offer = await until('offer to the second team', () => pendingOfferOf(teams.second));
      secondOfferId = offer.id;
      // the declining team cannot take it back, nor grab the second team's offer
      expectError(await teams.near.members[1].http.post(`/api/v1/offers/${nearOfferId}/accept`), 409, 'OFFER_NOT_PENDING');
      expectError(await teams.near.members[1].http.post(`/api/v1/offers/${secondOfferId}/accept`), 404, 'OFFER_NOT_FOUND');
      expectOk(await teams.second.members[1].http.post(`/api/v1/offers/${secondOfferId}/accept`), 200, 'accept');
    });

    it('the serving team sees the address and phone', async () => {
      const view = expectOk(await teams.second.members[0].http.get(`/api/v1/orders/${orderId}`), 200, 'serving team reads');
      expect(view.status).toBe('accepted');
      expect(view.address).toBe(address);
      expect(view.contactPhone).toBe(owner.phone);
      expect(view.location).toEqual(home);
      const assigned = expectOk(await teams.second.members[0].http.get('/api/v1/orders?assigned=true'), 200, 'assigned');
      expect(assigned.items.map((o: any) => o.id)).toContain(orderId);
    });

    it('the team that was offered but declined no longer sees the order at all', async () => {
      for (const m of teams.near.members) {
        expectError(await m.http.get(`/api/v1/orders/${orderId}`), 404, 'ORDER_NOT_FOUND');
      }
      const assigned = expectOk(await teams.near.members[0].http.get('/api/v1/orders?assigned=true'), 200, 'assigned');
      expect(assigned.items.map((o: any) => o.id)).not.toContain(orderId);
      const offers = expectOk(await teams.near.members[0].http.get('/api/v1/offers?limit=100'), 200, 'offers');
      expect(JSON.stringify(offers)).not.toContain('7 幢 303');
      expect(JSON.stringify(offers)).not.toContain(owner.phone);
    });

    it('the stranger team still cannot read it', async () => {
      expectError(await teams.stranger.members[0].http.get(`/api/v1/orders/${orderId}`), 404, 'ORDER_NOT_FOUND');
    });

    it('volunteers of other teams cannot check in or complete it', async () => {
      const before = await orderRow();
      for (const m of [...teams.near.members, ...teams.stranger.members]) {
        expectError(await m.http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
        expectError(await m.http.post(`/api/v1/orders/${orderId}/complete`, { report: '冒领完成' }), 404, 'ORDER_NOT_FOUND');
      }
      expect(await orderRow()).toEqual(before);
      expect(before).toEqual(expect.objectContaining({ status: 'accepted', team_id: teams.second.id }));

      expectOk(await teams.second.members[0].http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 200, 'check-in');
      const inService = await orderRow();
      for (const m of [...teams.near.members, ...teams.stranger.members]) {
        expectError(await m.http.post(`/api/v1/orders/${orderId}/complete`, { report: '冒领完成' }), 404, 'ORDER_NOT_FOUND');
      }
      expectError(await owner.http.post(`/api/v1/orders/${orderId}/complete`, { report: '自己完成' }), 404, 'ORDER_NOT_FOUND');
      expectError(await dispatcher.post(`/api/v1/orders/${orderId}/complete`, { report: '调度完成' }), 404, 'ORDER_NOT_FOUND');
      expect(await orderRow()).toEqual(inService);
      // a member of the serving team cannot credit hours to volunteers of another team
      expectError(
        await teams.second.members[0].http.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', volunteerIds: [teams.near.members[0].userId] }),
        400,
        'VALIDATION_FAILED',
      );
      expect(await orderRow()).toEqual(inService);
      expectOk(await teams.second.members[0].http.post(`/api/v1/orders/${orderId}/complete`, { report: '已陪同复诊' }), 200, 'complete');
    });

    it('nobody but the resident who placed it can rate it', async () => {
      const ratingCount = async () => (await db.query(`SELECT count(*)::int AS n FROM ratings WHERE order_id = $1`, [orderId])).rows[0].n;
      const body = { stars: 1, solved: false, comment: '差评' };
      expectError(await rating(other.http).post(`/api/v1/orders/${orderId}/rating`, body), 404, 'ORDER_NOT_FOUND');
      expectError(await rating(teams.second.members[0].http).post(`/api/v1/orders/${orderId}/rating`, body), 404, 'ORDER_NOT_FOUND');
      expectError(await rating(teams.near.members[0].http).post(`/api/v1/orders/${orderId}/rating`, body), 404, 'ORDER_NOT_FOUND');
      expectError(await rating(dispatcher).post(`/api/v1/orders/${orderId}/rating`, body), 404, 'ORDER_NOT_FOUND');
      expectError(await rating(admin).post(`/api/v1/orders/${orderId}/rating`, body), 404, 'ORDER_NOT_FOUND');
      expect(await ratingCount()).toBe(0);
      expect((await orderRow()).status).toBe('completed');
      // nor cancel it, whatever its state
      expectError(await other.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '恶意取消' }), 404, 'ORDER_NOT_FOUND');
      expectError(await teams.second.members[0].http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '不想做了' }), 404, 'ORDER_NOT_FOUND');

      const rated = await rating(owner.http).post(`/api/v1/orders/${orderId}/rating`, { stars: 5, solved: true });
      expect(rated.status).toBe(201);
      expect(await ratingCount()).toBe(1);
      // a closed order stays hidden from the team that declined it
      expectError(await teams.near.members[0].http.get(`/api/v1/orders/${orderId}`), 404, 'ORDER_NOT_FOUND');
    });
  });

  // ---------------------------------------------------------------- roles

  describe('staff and admin endpoints', () => {
    let reviewOrderId: string;

    const orgCounts = async () =>
      (await db.query(`SELECT (SELECT count(*) FROM regions)::int AS regions, (SELECT count(*) FROM teams)::int AS teams,
                              (SELECT count(*) FROM services)::int AS services, (SELECT count(*) FROM team_members)::int AS members,
                              (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM offers)::int AS offers`)).rows[0];

    const adminWrites = () => {
      const phone = randomPhone('136');
      return [
        ['POST', '/api/v1/regions', { name: `越权县${tag}`, level: 'county' }],
        ['POST', '/api/v1/services', { code: `HACK_${tag}`, name: '越权服务', group: '测试', requiredSkills: [skill] }],
        ['POST', '/api/v1/teams', { name: `越权队${tag}`, regionId, location: home, serviceRadiusM: 1000, skills: [skill], capacity: 1 }],
        ['POST', `/api/v1/teams/${teams.near.id}/members`, { phone, name: '越权队员', password: 'Volunteer#2026', role: 'leader' }],
        ['POST', '/api/v1/staff', { phone, name: '越权管理员', password: 'Admin#Hack2026', role: 'admin', regionId }],
      ] as const;
    };
    const staffEndpoints = () =>
      [
        ['GET', '/api/v1/dispatch/queue', undefined],
        ['GET', `/api/v1/orders/${reviewOrderId}/candidates`, undefined],
        ['POST', `/api/v1/orders/${reviewOrderId}/assign`, { teamId: teams.near.id, note: '越权派单' }],
        ['POST', `/api/v1/orders/${reviewOrderId}/approve`, { note: '越权审核' }],
        ['POST', `/api/v1/orders/${reviewOrderId}/reject`, { reason: '越权驳回' }],
        ['GET', '/api/v1/regions', undefined],
        ['GET', `/api/v1/teams/${teams.near.id}`, undefined],
      ] as const;

    beforeAll(async () => {
      const placed = await owner.http.post('/api/v1/orders', { serviceCode: reviewCode, description: '申请助餐补贴', location: home, address });
      reviewOrderId = expectOk(placed, 201, 'place for review').id;
      expect(placed.body.status).toBe('pending_review');
    });

    it('a resident — even the owner of the order — gets 403 FORBIDDEN on every staff endpoint, and nothing changes', async () => {
      const before = { org: await orgCounts(), order: await orderRow(reviewOrderId) };
      for (const who of [owner.http, other.http]) {
        for (const [method, path, body] of staffEndpoints()) {
          const res = await who.request(method, path, body);
          expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
        }
      }
      expect({ org: await orgCounts(), order: await orderRow(reviewOrderId) }).toEqual(before);
    });

    it('a volunteer gets 403 FORBIDDEN on every staff endpoint', async () => {
      const before = { org: await orgCounts(), order: await orderRow(reviewOrderId) };
      for (const m of [teams.near.members[0], teams.second.members[0]]) {
        for (const [method, path, body] of staffEndpoints()) {
          const res = await m.http.request(method, path, body);
          expect({ method, path, status: res.status, code: res.body.code }).toEqual({ method, path, status: 403, code: 'FORBIDDEN' });
        }
      }
      expect({ org: await orgCounts(), order: await orderRow(reviewOrderId) }).toEqual(before);
    });

    it('residents, volunteers and dispatchers get 403 FORBIDDEN on every admin endpoint, and nothing is written', async () => {
      const before = await orgCounts();
      for (const who of [owner.http, teams.near.members[0].http, dispatcher]) {
        for (const [method, path, body] of adminWrites()) {
          const res = await who.request(method, path, body);
          expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
        }
      }
      expect(await orgCounts()).toEqual(before);
      const me = expectOk(await dispatcher.get('/api/v1/me'), 200, 'me');
      expect(me.roles).toEqual(['dispatcher']);
    });

    it('the dispatcher may use the staff endpoints', async () => {
      const queue = expectOk(await dispatcher.get('/api/v1/dispatch/queue?limit=100'), 200, 'queue');
      expect(queue.items.map((i: any) => i.orderId)).toContain(reviewOrderId);
      expectOk(await dispatcher.get(`/api/v1/orders/${reviewOrderId}/candidates`), 200, 'candidates');
      expectOk(await dispatcher.get('/api/v1/regions'), 200, 'regions');
      expectOk(await dispatcher.get(`/api/v1/teams/${teams.near.id}`), 200, 'team');
      const full = expectOk(await dispatcher.get(`/api/v1/orders/${reviewOrderId}`), 200, 'staff reads');
      expect(full.address).toBe(address);
      const rejected = expectOk(await dispatcher.post(`/api/v1/orders/${reviewOrderId}/reject`, { reason: '不符合补贴条件' }), 200, 'reject');
      expect(rejected.status).toBe('rejected');
      expect(rejected.timeline.at(-1)).toMatchObject({ type: 'reject', actorRole: 'dispatcher' });
    });

    it('the admin may use the admin endpoints (so the 403s above are about roles, not bodies)', async () => {
      for (const [method, path, body] of adminWrites()) {
        const res = await admin.request(method, path, body);
        expect({ path, status: res.status }).toEqual({ path, status: 201 });
      }
    });
  });

  // ---------------------------------------------------------------- lists

  describe('GET /orders', () => {
    it('?mine=true returns only the caller\'s own orders', async () => {
      expectOk(await other.http.post('/api/v1/orders', { serviceCode, description: '帮忙取药', location: offset(home, 50, 50), address: '别的小区 1 号' }), 201, 'other places');
      for (const who of [owner, other]) {
        const expected = (await db.query(`SELECT id FROM orders WHERE resident_id = $1`, [who.id])).rows.map((r) => r.id).sort();
        expect(expected.length).toBeGreaterThan(0);
        for (const query of ['?mine=true&limit=100', '?limit=100', '?mine=false&limit=100']) {
          const list = expectOk(await who.http.get(`/api/v1/orders${query}`), 200, `list ${query}`);
          expect(list.items.map((o: any) => o.id).sort()).toEqual(expected);
        }
        // page by page, too
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const page: any = expectOk(
            await who.http.get(`/api/v1/orders?mine=true&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
            200,
            'page',
          );
          ids.push(...page.items.map((o: any) => o.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(ids.sort()).toEqual(expected);
      }
    });

    it('volunteers and staff get no orders with ?mine=true, since they placed none', async () => {
      for (const who of [teams.near.members[0].http, teams.second.members[0].http, teams.stranger.members[0].http, dispatcher, admin]) {
        expect(expectOk(await who.get('/api/v1/orders?mine=true'), 200, 'mine')).toEqual({ items: [], nextCursor: null });
      }
      // and a volunteer's plain list is its own orders, not the ones its team saw
      expect(expectOk(await teams.near.members[0].http.get('/api/v1/orders'), 200, 'list')).toEqual({ items: [], nextCursor: null });
    });

    it('?status= narrows, never widens, a resident\'s list', async () => {
      const closed = expectOk(await other.http.get('/api/v1/orders?status=closed'), 200, 'closed');
      expect(closed.items.map((o: any) => o.id)).not.toContain(orderId);
      const ownerClosed = expectOk(await owner.http.get('/api/v1/orders?status=closed'), 200, 'closed');
      expect(ownerClosed.items.map((o: any) => o.id)).toEqual([orderId]);
    });
  });

  // ---------------------------------------------------------------- secrets

  it('never sends a password hash, in any response of this file', () => {
    expect(seen.length).toBeGreaterThan(100);
    const leaks = seen.filter((r) => /passwordHash|password_hash|\$argon2|"password"/i.test(r.text));
    expect(leaks.map((r) => `${r.method} ${r.url} → ${r.status}`)).toEqual([]);
    // including the endpoints that create or return users
    const userish = seen.filter((r) => /\/auth\/(register|login)|\/me$|\/members$|\/staff$/.test(r.url) && r.status < 300);
    expect(userish.length).toBeGreaterThan(5);
  });
});
