import IORedis from 'ioredis';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, LatLng, offset, registerResident } from './support/world';

/**
 * Postgres is the source of truth: losing Redis or the dispatcher loses no order, and
 * restarting never offers an order twice.
 */
describe('recovery: Redis flushed, dispatcher killed', () => {
  const tag = `R${Date.now() % 100000}`;
  const skill = `repair_${tag.toLowerCase()}`;
  const home: LatLng = { lat: 30.7, lng: 119.55 };
  const env = testEnv(`recovery-${tag}`);
  let api: RunningApp;
  let dispatcher: RunningApp | undefined;
  let db: Client;
  let redis: IORedis;
  let resident: { http: Http };
  let teams: CreatedTeam[];

  beforeAll(async () => {
    api = await startApp('api', env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
    const http = new Http(api.url);
    const admin = await adminClient(http);
    const { station } = await createRegions(admin, home, tag);
    await createService(admin, `REPAIR_${tag}`, [skill], 2);
    await createService(admin, `REPAIR_SLOW_${tag}`, [skill], 3600);
    teams = [];
    for (let i = 0; i < 4; i++) {
      teams.push(await createTeam(http, admin, station.id, { name: `维修队${tag}-${i}`, location: offset(home, 300 * (i + 1), 0), serviceRadiusM: 5000, skills: [skill], capacity: 50 }));
    }
    resident = await registerResident(http, '李爷爷');
  }, 120000);

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    redis?.disconnect();
    await db?.end();
  });

  const placeOrder = async (code = `REPAIR_SLOW_${tag}`) => {
    const res = await resident.http.post('/api/v1/orders', { serviceCode: code, description: '热水器坏了', location: home, address: '测试村 8 号' });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const offersOf = async (orderId: string) =>
    (await db.query(`SELECT team_id, status FROM offers WHERE order_id = $1 ORDER BY created_at`, [orderId])).rows;
  const statusOf = async (orderId: string) => (await db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).rows[0].status;

  it('offers an order whose job was lost when Redis was flushed before any dispatcher ran', async () => {
    const orderId = await placeOrder();
    expect(await statusOf(orderId)).toBe('dispatching');
    expect(await redis.dbsize()).toBeGreaterThan(0);
    await redis.flushdb();
    expect(await redis.dbsize()).toBe(0);

    dispatcher = await startApp('dispatcher', env);
    await until('order offered after flush', async () => (await statusOf(orderId)) === 'offered');
    expect(await offersOf(orderId)).toEqual([{ team_id: teams[0].id, status: 'pending' }]);
  });

  it('keeps dispatching when Redis is flushed under a running dispatcher', async () => {
    await redis.flushdb();
    const orderId = await placeOrder();
    await until('offered', async () => (await statusOf(orderId)) === 'offered');
    // and the reconcile schedule came back by itself
    await until('reconcile scheduler restored', async () => (await redis.keys(`${env.QUEUE_PREFIX}:maintenance:*`)).length > 0);
  });

  it('expires an offer whose delayed expiry job was flushed away, and cascades', async () => {
    const orderId = await placeOrder(`REPAIR_${tag}`);
    await until('first offer', async () => (await offersOf(orderId)).length === 1);
    await redis.flushdb(); // the delayed expiry job is gone
    await until('cascaded to a second team', async () => (await offersOf(orderId)).length >= 2, 20000);
    const offers = await offersOf(orderId);
    expect(offers[0]).toEqual({ team_id: teams[0].id, status: 'expired' });
    expect(offers[1].team_id).toBe(teams[1].id);
  });

  it('loses nothing and offers nothing twice when the dispatcher is killed with SIGKILL mid-stream', async () => {
    await dispatcher!.stop('SIGKILL');
    dispatcher = undefined;
    const orderIds: string[] = [];
    for (let i = 0; i < 15; i++) orderIds.push(await placeOrder());
    dispatcher = await startApp('dispatcher', env);
    // kill it again while it works through the backlog, then start a fresh one
    await new Promise((r) => setTimeout(r, 150));
    await dispatcher.stop('SIGKILL');
    dispatcher = await startApp('dispatcher', env);

    await until('every order offered', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'offered'`, [orderIds]);
      return rows[0].n === orderIds.length;
    }, 30000);
    const { rows } = await db.query(
      `SELECT order_id, count(*)::int AS offers FROM offers WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
      [orderIds],
    );
    expect(rows).toHaveLength(orderIds.length);
    for (const r of rows) expect(r.offers).toBe(1);
    // and each status change appears exactly once in the timeline
    const { rows: events } = await db.query(
      `SELECT order_id, count(*)::int AS n FROM order_events WHERE order_id = ANY($1::uuid[]) AND type = 'offer' GROUP BY order_id`,
      [orderIds],
    );
    for (const e of events) expect(e.n).toBe(1);
  });

  it('runs two dispatchers at once without ever offering an order twice', async () => {
    const second = await startApp('dispatcher', env);
    try {
      const orderIds: string[] = [];
      for (let i = 0; i < 20; i++) orderIds.push(await placeOrder());
      await until('all offered', async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'offered'`, [orderIds]);
        return rows[0].n === orderIds.length;
      }, 30000);
      const { rows } = await db.query(
        `SELECT count(*)::int AS pending FROM offers WHERE order_id = ANY($1::uuid[]) AND status = 'pending'`,
        [orderIds],
      );
      expect(rows[0].pending).toBe(orderIds.length);
    } finally {
      await second.stop();
    }
  });
});
