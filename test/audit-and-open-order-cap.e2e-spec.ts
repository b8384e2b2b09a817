import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { beneficiaryBody, buildJurisdictionWorld, JurisdictionWorld, pendingOfferFor, placeOrder } from './support/jurisdiction-world';
import { expectOk, registerResident } from './support/world';

const LIMIT = 3;

describe('audit log and open-order cap', () => {
  const tag = `U${Date.now() % 100000}`;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let w: JurisdictionWorld;

  beforeAll(async () => {
    platform = await startPlatform(`audit-${tag}`, { OPEN_ORDER_LIMIT: String(LIMIT) });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    w = await buildJurisdictionWorld(api, tag, { lat: 34.5, lng: 115.0 });
  }, 180000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const auditRows = async (where: string, params: unknown[]) =>
    (await db.query(`SELECT * FROM audit_log WHERE ${where} ORDER BY id`, params)).rows;

  describe('audit log', () => {
    it('records every staff write with who, what, when, from where and the outcome — refusals included', async () => {
      const order = await placeOrder(w.residents.alice.http, { serviceCode: w.reviewCode, description: '补贴', location: w.at.a1, address: '甲村 1 号' });
      const d = w.staff.townDispatcherA;
      const ua = { 'user-agent': 'console/1.0 (audit test)' };
      expectOk(await d.http.request('POST', `/api/v1/orders/${order.id}/reject`, { reason: '材料不全' }, ua), 200, 'reject');
      expect((await d.http.request('POST', `/api/v1/orders/${order.id}/approve`, {}, ua)).status).toBe(409);
      expect((await d.http.request('POST', '/api/v1/teams', { name: 'x' }, ua)).status).toBe(403);
      expect((await w.staff.townDispatcherB.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '越权' })).status).toBe(404);

      const rows = await auditRows(`actor_id = $1`, [d.id]);
      expect(rows.map((r) => [r.action, r.outcome, r.status_code])).toEqual([
        ['order.reject', 'success', 200],
        ['order.approve', 'rejected', 409],
        ['team.create', 'denied', 403],
      ]);
      for (const r of rows) {
        expect(r.actor_roles).toEqual(['dispatcher']);
        expect(r.ip).toBe('127.0.0.1');
        expect(r.user_agent).toBe('console/1.0 (audit test)');
        expect(Date.now() - new Date(r.at).getTime()).toBeLessThan(60000);
      }
      expect(rows[0]).toMatchObject({ object_type: 'order', object_id: order.id, region_id: w.regions.a1.id });
      expect(rows[1].data).toMatchObject({ code: 'INVALID_TRANSITION' });
      const [probe] = await auditRows(`actor_id = $1 AND object_id = $2`, [w.staff.townDispatcherB.id, order.id]);
      // the refused probe from the other township is recorded under the order's region
      expect(probe).toMatchObject({ action: 'order.cancel', outcome: 'denied', status_code: 404, region_id: w.regions.a1.id });
    });

    it('records grid workers\' writes and every read of a beneficiary\'s personal data, residents\' own included', async () => {
      const alice = w.residents.alice;
      const created = expectOk(await alice.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name: '母亲' })), 201, 'create');
      expectOk(await alice.http.get(`/api/v1/beneficiaries/${created.id}`), 200, 'read');
      expectOk(await w.grid.a.http.get(`/api/v1/beneficiaries/${created.id}`), 200, 'official read');
      expectOk(await w.grid.a.http.get('/api/v1/beneficiaries?limit=100'), 200, 'list');
      const order = await placeOrder(w.grid.a.http, { serviceCode: w.serviceCode, description: '代点单', beneficiaryId: created.id });
      expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/orders/${order.id}`), 200, 'order read');

      const byObject = await auditRows(`object_id = $1`, [created.id]);
      expect(byObject.map((r) => [r.actor_id, r.action])).toEqual([
        [alice.id, 'beneficiary.create'],
        [alice.id, 'beneficiary.read'],
        [w.grid.a.id, 'beneficiary.read'],
      ]);
      expect(byObject.every((r) => r.region_id === w.regions.a1.id)).toBe(true);
      const [list] = await auditRows(`actor_id = $1 AND action = 'beneficiary.list'`, [w.grid.a.id]);
      expect(list.data.ids).toContain(created.id);
      const orderRows = await auditRows(`object_id = $1`, [order.id]);
      expect(orderRows.map((r) => [r.actor_id, r.action])).toEqual([
        [w.grid.a.id, 'order.place'],
        [w.staff.townDispatcherA.id, 'order.read'],
      ]);
      // a resident's own order intake is not audited
      const own = await placeOrder(alice.http, { serviceCode: w.serviceCode, description: '理发', location: w.at.a1, address: '甲村 1 号' });
      expect(await auditRows(`object_id = $1`, [own.id])).toEqual([]);
    });

    it('audits the volunteer\'s accept, check-in and completion answers that carry a beneficiary\'s address and phone', async () => {
      const created = expectOk(await w.grid.a.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name: '独居老人' })), 201, 'profile');
      const order = await placeOrder(w.grid.a.http, { serviceCode: w.serviceCode, description: '送餐', beneficiaryId: created.id });
      const team = w.teams.a;
      const volunteer = team.members[0];
      const offer = await pendingOfferFor(team, order.id);
      const answers = [
        expectOk(await volunteer.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept'),
        expectOk(await volunteer.http.post(`/api/v1/orders/${order.id}/check-in`, { location: w.at.a1 }), 200, 'check-in'),
        expectOk(await volunteer.http.post(`/api/v1/orders/${order.id}/complete`, { report: '已送到' }), 200, 'complete'),
      ];
      // each answer shows the address (and the phone) ...
      for (const a of answers) expect(a.address).toBe('古城路 18 号');
      // ... and each is on record as a read of that personal data, by that volunteer
      const reads = await auditRows(`object_id = $1 AND action = 'order.read'`, [order.id]);
      expect(reads.map((r) => r.actor_id)).toEqual([volunteer.userId, volunteer.userId, volunteer.userId]);
      expect(reads.every((r) => r.data.beneficiaryId === created.id && r.region_id === order.regionId)).toBe(true);
    });

    it('is queryable by admins with filters and pages; dispatchers and others get 403', async () => {
      const admin = w.staff.countyAdmin.http;
      const d = w.staff.townDispatcherA;
      const all = expectOk(await admin.get(`/api/v1/audit?actorId=${d.id}&limit=100`), 200, 'by actor');
      expect(all.items.map((r: any) => r.action)).toEqual(['order.read', 'team.create', 'order.approve', 'order.reject']);
      expect(all.items.every((r: any) => r.actorId === d.id)).toBe(true);
      const rejects = expectOk(await admin.get(`/api/v1/audit?actorId=${d.id}&action=order.reject`), 200, 'by action');
      expect(rejects.items).toHaveLength(1);
      expect(rejects.items[0]).toMatchObject({ actorRoles: ['dispatcher'], outcome: 'success', statusCode: 200, objectType: 'order' });
      const future = expectOk(await admin.get(`/api/v1/audit?actorId=${d.id}&from=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`), 200, 'from');
      expect(future.items).toEqual([]);
      const past = expectOk(await admin.get(`/api/v1/audit?actorId=${d.id}&to=2020-01-01T00:00:00Z`), 200, 'to');
      expect(past.items).toEqual([]);
      // pages
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = expectOk(await admin.get(`/api/v1/audit?actorId=${d.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`), 200, 'page');
        ids.push(...page.items.map((r: any) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(ids).toEqual(all.items.map((r: any) => r.id));
      expect((await admin.get('/api/v1/audit?cursor=not-a-cursor')).status).toBe(400);
      expect((await admin.get('/api/v1/audit?actorId=1%20OR%201=1')).status).toBe(400);
      for (const who of [d.http, w.grid.a.http, w.residents.alice.http, w.teams.a.members[0].http]) {
        expect((await who.get('/api/v1/audit')).status).toBe(403);
      }
    });

    it('rows cannot be changed: no endpoint writes them, and the database refuses UPDATE, DELETE and TRUNCATE', async () => {
      const [row] = await auditRows(`actor_id = $1`, [w.staff.townDispatcherA.id]);
      for (const method of ['PATCH', 'PUT', 'DELETE', 'POST']) {
        const res = await w.admin.request(method, `/api/v1/audit/${row.id}`, method === 'DELETE' ? undefined : { outcome: 'success' });
        expect(res.status).toBe(404);
        expect((await w.admin.request(method, '/api/v1/audit', method === 'DELETE' ? undefined : { action: 'x' })).status).toBe(404);
      }
      await expect(db.query(`UPDATE audit_log SET outcome = 'success' WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM audit_log WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
      expect((await auditRows(`id = $1`, [row.id]))[0]).toEqual(row);
    });
  });

  describe('open-order cap', () => {
    const body = () => ({ serviceCode: w.reviewCode, description: '补贴申请', location: w.at.a1, address: '甲村 7 号' });

    it(`a resident may have ${LIMIT} open orders; the next is refused with 429 OPEN_ORDER_LIMIT and nothing is written`, async () => {
      const r = await registerResident(api, '多单居民');
      const placed = [expectOk(await r.http.post('/api/v1/orders', body(), { 'Idempotency-Key': `cap-${tag}-k0` }), 201, 'first')];
      for (let i = 1; i < LIMIT; i++) placed.push(await placeOrder(r.http, body()));
      const count = async () => (await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [r.id])).rows[0].n;
      const refused = await r.http.post('/api/v1/orders', body(), { 'Idempotency-Key': `cap-${tag}-over` });
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'OPEN_ORDER_LIMIT', limit: LIMIT });
      expect(refused.body.message).toMatch(/上限/);
      expect(await count()).toBe(LIMIT);
      // a retry of an order already placed is answered from its idempotency key, not refused
      const replay = await r.http.post('/api/v1/orders', body(), { 'Idempotency-Key': `cap-${tag}-k0` });
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(placed[0].id);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await count()).toBe(LIMIT);
      // when one closes, there is room again
      expectOk(await r.http.post(`/api/v1/orders/${placed[0].id}/cancel`, { reason: '不需要了' }), 200, 'cancel');
      expectOk(await r.http.post('/api/v1/orders', body(), { 'Idempotency-Key': `cap-${tag}-over` }), 201, 'room again');
      expect(await count()).toBe(LIMIT + 1);
      const [counter] = (await db.query(`SELECT open_orders FROM open_order_counts WHERE subject_id = $1`, [r.id])).rows;
      expect(counter.open_orders).toBe(LIMIT);
    });

    it('holds under concurrency: 12 simultaneous orders of one resident, exactly the cap is written', async () => {
      const r = await registerResident(api, '并发居民');
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => r.http.post('/api/v1/orders', body(), { 'Idempotency-Key': `cap-${tag}-c${i}` })),
      );
      expect(results.filter((x) => x.status === 201)).toHaveLength(LIMIT);
      expect(results.filter((x) => x.status === 429)).toHaveLength(12 - LIMIT);
      expect(results.every((x) => x.status === 201 || x.body.code === 'OPEN_ORDER_LIMIT')).toBe(true);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [r.id]);
      expect(rows[0].n).toBe(LIMIT);
    });

    it('counts an order once through every open status, and frees it only when it stops being open', async () => {
      const r = await registerResident(api, '流转居民');
      const order = await placeOrder(r.http, body());
      const counter = async () => (await db.query(`SELECT open_orders FROM open_order_counts WHERE subject_id = $1`, [r.id])).rows[0].open_orders;
      const to = (status: string) => db.query(`UPDATE orders SET status = $2 WHERE id = $1`, [order.id, status]);
      expect(await counter()).toBe(1);
      // open → open: the trigger does not fire (its WHEN compares openness), the count stays
      for (const status of ['dispatching', 'offered', 'dispatching', 'escalated', 'offered', 'accepted', 'in_service']) {
        await to(status);
        expect({ status, open: await counter() }).toEqual({ status, open: 1 });
      }
      await to('completed');
      expect(await counter()).toBe(0);
      await to('closed');
      expect(await counter()).toBe(0);
      // closed → open again (a reopened order, as a repair by hand would make it) counts again
      await to('dispatching');
      expect(await counter()).toBe(1);
      await to('cancelled');
      expect(await counter()).toBe(0);
    });

    it('runs the cap\'s trigger function only when an order becomes open or stops being open', async () => {
      const r = await registerResident(api, '触发居民');
      const order = await placeOrder(r.http, body());
      // the calls of orders_open_cap() in this transaction (function statistics: superuser-only setting)
      await db.query('BEGIN');
      try {
        await db.query(`SET LOCAL track_functions = 'pl'`);
        const calls = async () =>
          Number((await db.query(`SELECT coalesce(pg_stat_get_xact_function_calls('orders_open_cap'::regproc), 0) AS n`)).rows[0].n);
        const seen: [string, number][] = [];
        for (const status of ['dispatching', 'offered', 'dispatching', 'escalated', 'accepted', 'in_service', 'completed', 'closed', 'dispatching', 'cancelled']) {
          await db.query(`UPDATE orders SET status = $2 WHERE id = $1`, [order.id, status]);
          seen.push([status, await calls()]);
        }
        expect(seen).toEqual([
          ['dispatching', 0], ['offered', 0], ['dispatching', 0], ['escalated', 0], ['accepted', 0], ['in_service', 0],
          ['completed', 1], ['closed', 1], ['dispatching', 2], ['cancelled', 3],
        ]);
      } finally {
        await db.query('ROLLBACK');
      }
    });

    it('a grid worker\'s orders on behalf count per beneficiary, not against the grid worker', async () => {
      const g = w.grid.a.http;
      const people = [];
      for (const name of ['张奶奶', '李爷爷']) people.push(expectOk(await g.post('/api/v1/beneficiaries', beneficiaryBody(w.at.a1, { name })), 201, 'profile'));
      for (const p of people) for (let i = 0; i < LIMIT; i++) await placeOrder(g, { serviceCode: w.reviewCode, description: '代点单', beneficiaryId: p.id });
      const over = await g.post('/api/v1/orders', { serviceCode: w.reviewCode, description: '代点单', beneficiaryId: people[0].id });
      expect({ status: over.status, code: over.body.code }).toEqual({ status: 429, code: 'OPEN_ORDER_LIMIT' });
    });
  });
});
