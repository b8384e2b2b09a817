import IORedis from 'ioredis';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, offset, registerResident } from './support/world';

/**
 * A menu item's batch window (services.batch_window_seconds): its non-urgent orders wait to be matched
 * together, urgent ones go at once, a waiting order survives a killed dispatcher and a flushed Redis,
 * and the API refuses windows outside 0..60 s.
 */
describe('batch window per menu item', () => {
  const tag = `BW${Date.now() % 100000}`;
  const skill = `meal_${tag.toLowerCase()}`;
  const code = `MEAL_BW_${tag}`;
  const home: LatLng = { lat: 30.52, lng: 119.61 };
  const WINDOW_S = 5;
  const env = testEnv(`batch-window-${tag}`, { DISPATCH_BATCH_WINDOW_MS: '0' });
  let api: RunningApp;
  let dispatcher: RunningApp | undefined;
  let db: Client;
  let redis: IORedis;
  let http: Http;
  let admin: Http;
  let stationId: string;
  let resident: { http: Http };

  beforeAll(async () => {
    api = await startApp('api', env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
    http = new Http(api.url);
    admin = await adminClient(http);
    stationId = (await createRegions(admin, home, tag)).station.id;
    resident = await registerResident(http, '周奶奶');
  }, 120000);

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    redis?.disconnect();
    await db?.end();
  });

  const place = async (serviceCode: string, at: LatLng, extra: Record<string, unknown> = {}) =>
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode, description: '送一份午饭', location: at, address: '测试村 3 号', ...extra }), 201, 'place').id as string;
  /** seconds from placing the order to its first offer, from the rows' own timestamps */
  const offerDelayS = async (orderId: string) =>
    Number((await db.query(`SELECT extract(epoch FROM min(f.created_at) - o.created_at) AS s FROM orders o JOIN offers f ON f.order_id = o.id WHERE o.id = $1 GROUP BY o.created_at`, [orderId])).rows[0].s);
  const offersOf = async (orderId: string) => (await db.query(`SELECT team_id, status FROM offers WHERE order_id = $1`, [orderId])).rows;
  const statusOf = async (orderId: string) => (await db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).rows[0].status;
  /** The resident cancels: the pending offer is withdrawn and the team's slot is free again. */
  const cancel = async (...orderIds: string[]) => {
    for (const id of orderIds) expectOk(await resident.http.post(`/api/v1/orders/${id}/cancel`, { reason: '不需要了' }), 200, 'cancel');
  };

  it('refuses windows outside 0..60 s with 400 VALIDATION_FAILED, and keeps a valid one', async () => {
    const base = { name: '助餐', group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 3600 };
    for (const bad of [61, -1, 1.5, '5']) {
      const res = await admin.post('/api/v1/services', { ...base, code: `${code}_X`, batchWindowSeconds: bad });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    const created = expectOk(await admin.post('/api/v1/services', { ...base, code, batchWindowSeconds: 1 }), 201, 'service');
    expect(created.batchWindowSeconds).toBe(1);
    const bad = await admin.patch(`/api/v1/services/${code}`, { batchWindowSeconds: 600 });
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    const edited = expectOk(await admin.patch(`/api/v1/services/${code}`, { batchWindowSeconds: WINDOW_S }), 200, 'edit');
    expect(edited.batchWindowSeconds).toBe(WINDOW_S);
    // an edit of another field keeps the window
    expect(expectOk(await admin.patch(`/api/v1/services/${code}`, { name: '助餐送餐' }), 200, 'rename').batchWindowSeconds).toBe(WINDOW_S);
    const menu = expectOk(await http.get(`/api/v1/services?regionId=${stationId}&limit=100`), 200, 'menu');
    expect(menu.items.find((i: { code: string }) => i.code === code).batchWindowSeconds).toBe(WINDOW_S);
  });

  describe('dispatch', () => {
    let near: CreatedTeam;
    let west: CreatedTeam;
    const westHome = offset(home, -1000, 0);
    const eastHome = offset(home, 1400, 0);

    beforeAll(async () => {
      // `near` reaches both homes and is the nearer team for the west one; `west` reaches only the west home
      near = await createTeam(http, admin, stationId, { name: `中心助餐队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 1500, skills: [skill], capacity: 1 });
      west = await createTeam(http, admin, stationId, { name: `西头助餐队${tag}`, location: offset(home, -2400, 0), serviceRadiusM: 1500, skills: [skill], capacity: 1 });
      dispatcher = await startApp('dispatcher', env);
    }, 120000);

    it("matches orders that waited out the item's window together: each gets a team", async () => {
      const [first, second] = await Promise.all([place(code, westHome), place(code, eastHome)]);
      // the premise: both were waiting when the first one's batch ran (a batch runs on the whole
      // second after a due time and commits what is due within the next second)
      const { rows: placed } = await db.query(`SELECT extract(epoch FROM max(created_at) - min(created_at)) AS s FROM orders WHERE id = ANY($1::uuid[])`, [[first, second]]);
      expect(Number(placed[0].s)).toBeLessThan(WINDOW_S - 1);
      await until('both offered', async () => (await statusOf(first)) === 'offered' && (await statusOf(second)) === 'offered', 20000);
      // alone, the west order would have taken `near`, the only team the east order can have
      expect((await offersOf(first)).map((o) => o.team_id)).toEqual([west.id]);
      expect((await offersOf(second)).map((o) => o.team_id)).toEqual([near.id]);
      // each waited its window, give or take the second its batch is rounded to
      for (const id of [first, second]) expect(await offerDelayS(id)).toBeGreaterThanOrEqual(WINDOW_S - 1);
      const offers = (await db.query(`SELECT score_breakdown->>'strategy' AS strategy FROM offers WHERE order_id = ANY($1::uuid[])`, [[first, second]])).rows;
      expect(offers.map((o) => o.strategy)).toEqual(['batch', 'batch']);
      await cancel(first, second);
    }, 40000);

    it('offers an urgent order, and one whose preferred start is imminent, at once', async () => {
      const urgent = await place(code, eastHome, { urgent: true });
      await until('urgent offered', async () => (await statusOf(urgent)) === 'offered', 20000);
      expect(await offerDelayS(urgent)).toBeLessThan(WINDOW_S);
      await cancel(urgent);

      const soon = await place(code, westHome, { preferredStart: new Date(Date.now() + 10 * 60_000).toISOString() });
      await until('imminent order offered', async () => (await statusOf(soon)) === 'offered', 20000);
      expect(await offerDelayS(soon)).toBeLessThan(WINDOW_S);
      await cancel(soon);
    }, 40000);

    it('loses no waiting order when the dispatcher is killed and Redis flushed during its window, and offers it once', async () => {
      const waiting = await place(code, westHome);
      // the dispatcher has left it to its window's batch (the order is still dispatching, its batch job queued)
      await until('left to the batch', async () => (await redis.keys(`batch-window-${tag}:dispatch:batch-due-*`)).length > 0, 10000);
      expect(await statusOf(waiting)).toBe('dispatching');
      await dispatcher!.stop('SIGKILL');
      await redis.flushdb();
      dispatcher = await startApp('dispatcher', env);
      await until('offered after the restart', async () => (await statusOf(waiting)) === 'offered', 30000);
      expect(await offersOf(waiting)).toHaveLength(1);
      expect(await offerDelayS(waiting)).toBeGreaterThanOrEqual(WINDOW_S - 0.05);
    }, 90000);
  });
});
