import { Client } from 'pg';
import { Platform, startPlatform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/** Review (审核) before dispatch, and cancelling at each stage releases what the order held. */
describe('review and cancel', () => {
  const tag = `V${Date.now() % 100000}`;
  const skill = `wish_${tag.toLowerCase()}`;
  const home: LatLng = { lat: 30.52, lng: 119.75 };
  let platform: Platform;
  let db: Client;
  let staff: Http;
  let resident: { http: Http };
  let team: CreatedTeam;

  beforeAll(async () => {
    platform = await startPlatform(`review-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const api = new Http(platform.api.url);
    const admin = await adminClient(api);
    const { county, station } = await createRegions(admin, home, tag);
    await createService(admin, `WISH_${tag}`, [skill], 3600, true);
    await createService(admin, `VISIT_${tag}`, [skill], 3600, false);
    team = await createTeam(api, admin, station.id, { name: `微心愿队${tag}`, location: offset(home, 400, 0), serviceRadiusM: 3000, skills: [skill], capacity: 2 });
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '审核员', password: 'Dispatch#2026', role: 'dispatcher', regionId: county.id }), 201, 'staff');
    staff = await login(api, phone, 'Dispatch#2026');
    resident = await registerResident(api, '留守儿童家长');
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const place = async (code: string) =>
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '孩子想要一套绘本', location: home, address: '测试村 1 组' }), 201, 'place');
  const get = async (id: string) => expectOk(await resident.http.get(`/api/v1/orders/${id}`), 200, 'get');
  const activeOrders = async () => (await db.query(`SELECT active_orders FROM teams WHERE id = $1`, [team.id])).rows[0].active_orders;

  it('holds an order that needs review until staff approve it, then dispatches it', async () => {
    const order = await place(`WISH_${tag}`);
    expect(order.status).toBe('pending_review');
    const queue = expectOk(await staff.get('/api/v1/dispatch/queue'), 200, 'queue');
    expect(queue.items.find((i: any) => i.orderId === order.id)?.status).toBe('pending_review');
    // nothing is offered while it waits
    await new Promise((r) => setTimeout(r, 500));
    expect((await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = $1`, [order.id])).rows[0].n).toBe(0);

    const approved = await staff.post(`/api/v1/orders/${order.id}/approve`, { note: '符合微心愿条件' });
    expect(approved.status).toBe(200);
    await until('offered after approval', async () => (await get(order.id)).status === 'offered');
    const timeline = (await get(order.id)).timeline.map((e: any) => e.type);
    expect(timeline.slice(0, 3)).toEqual(['placed', 'approve', 'offer']);
  });

  it('rejects an order with a reason, which then cannot be approved', async () => {
    const order = await place(`WISH_${tag}`);
    const rejected = await staff.post(`/api/v1/orders/${order.id}/reject`, { reason: '不属于本站服务范围' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    const again = await staff.post(`/api/v1/orders/${order.id}/approve`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_TRANSITION');
    expect((await get(order.id)).timeline.at(-1).note).toBe('不属于本站服务范围');
  });

  it('withdraws the pending offer when an offered order is cancelled', async () => {
    const order = await place(`VISIT_${tag}`);
    await until('offered', async () => (await get(order.id)).status === 'offered');
    const cancelled = await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '家属已经处理' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const { rows } = await db.query(`SELECT status FROM offers WHERE order_id = $1`, [order.id]);
    expect(rows).toEqual([{ status: 'withdrawn' }]);
    const offers = expectOk(await team.members[0].http.get('/api/v1/offers?status=pending'), 200, 'offers');
    expect(offers.items.find((o: any) => o.orderId === order.id)).toBeUndefined();
  });

  it("releases the team's capacity when an accepted order is cancelled", async () => {
    const order = await place(`VISIT_${tag}`);
    const offer = await until('offer', async () => {
      const res = await team.members[0].http.get('/api/v1/offers?status=pending');
      return res.body.items.find((o: any) => o.orderId === order.id);
    });
    const before = await activeOrders();
    expect((await team.members[0].http.post(`/api/v1/offers/${offer.id}/accept`)).status).toBe(200);
    expect(await activeOrders()).toBe(before + 1);
    expect((await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '时间冲突' })).status).toBe(200);
    expect(await activeOrders()).toBe(before);
    // a cancelled order cannot be checked in
    const checkIn = await team.members[0].http.post(`/api/v1/orders/${order.id}/check-in`, { location: home });
    expect([404, 409]).toContain(checkIn.status);
  });

  it('does not let a started service be cancelled', async () => {
    const order = await place(`VISIT_${tag}`);
    const offer = await until('offer', async () => {
      const res = await team.members[0].http.get('/api/v1/offers?status=pending');
      return res.body.items.find((o: any) => o.orderId === order.id);
    });
    expect((await team.members[0].http.post(`/api/v1/offers/${offer.id}/accept`)).status).toBe(200);
    expect((await team.members[0].http.post(`/api/v1/orders/${order.id}/check-in`, { location: home })).status).toBe(200);
    const cancel = await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '不需要了' });
    expect(cancel.status).toBe(409);
    expect(cancel.body.code).toBe('INVALID_TRANSITION');
    expect((await get(order.id)).status).toBe('in_service');
  });
});
