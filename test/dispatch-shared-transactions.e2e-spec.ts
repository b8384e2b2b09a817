import IORedis from 'ioredis';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createTeam, expectOk, LatLng, offset, registerResident } from './support/world';

/**
 * Under a backlog the dispatcher runs several orders in one transaction (DISPATCH_TX_MAX_ORDERS).
 * Each order is still offered exactly once; when one order of a shared transaction fails, the
 * others are neither lost nor offered twice, and the failed one is offered once it can be.
 */
describe('dispatch: several orders per transaction', () => {
  const tag = `TX${Date.now() % 100000}`;
  const skill = `errand_${tag.toLowerCase()}`;
  const code = `ERRAND_${tag}`;
  const home: LatLng = { lat: 30.48, lng: 119.57 };
  const env = testEnv(`shared-tx-${tag}`, {
    DISPATCH_BATCH_WINDOW_MS: '0',
    DISPATCH_CONCURRENCY: '8',
    DISPATCH_TX_MAX_ORDERS: '8',
    DISPATCH_TX_PARALLEL: '1',
  });
  let api: RunningApp;
  let dispatcher: RunningApp | undefined;
  let db: Client;
  let http: Http;
  let resident: { http: Http };

  beforeAll(async () => {
    api = await startApp('api', env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    http = new Http(api.url);
    const admin = await adminClient(http);
    const stationId = (await createRegions(admin, home, tag)).station.id;
    expectOk(await admin.post('/api/v1/services', { code, name: '跑腿', group: '测试', requiredSkills: [skill], acceptTimeoutSeconds: 3600 }), 201, 'service');
    await createTeam(http, admin, stationId, { name: `跑腿队${tag}`, location: offset(home, 300, 0), serviceRadiusM: 3000, skills: [skill], capacity: 50 });
    resident = await registerResident(http, '钱大爷');
    // a test-only way to make one order fail inside a shared transaction: its offer cannot be written
    await db.query(`CREATE TABLE IF NOT EXISTS test_poisoned_orders (order_id uuid PRIMARY KEY)`);
    await db.query(`
      CREATE OR REPLACE FUNCTION test_poisoned_offer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM test_poisoned_orders p WHERE p.order_id = NEW.order_id) THEN RAISE EXCEPTION 'poisoned order %', NEW.order_id; END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE OR REPLACE TRIGGER test_poisoned_offer BEFORE INSERT ON offers FOR EACH ROW EXECUTE FUNCTION test_poisoned_offer()`);
  }, 120000);

  afterAll(async () => {
    await dispatcher?.stop();
    await api?.stop();
    await db?.query(`DROP TRIGGER IF EXISTS test_poisoned_offer ON offers`);
    await db?.query(`DROP FUNCTION IF EXISTS test_poisoned_offer()`);
    await db?.query(`DROP TABLE IF EXISTS test_poisoned_orders`);
    await db?.end();
  });

  /** Orders placed while no dispatcher runs: their jobs wait in Redis, a backlog for the next one. */
  const placeBacklog = async (n: number, requestIds: string[] = []) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const at = offset(home, 40 * i, 25 * i);
      const headers = requestIds[i] ? { 'x-request-id': requestIds[i] } : undefined;
      ids.push(expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: `代买药品 ${i}`, location: at, address: `测试村 ${i} 号` }, headers), 201, 'place').id);
    }
    return ids;
  };
  const statuses = async (ids: string[]) =>
    Object.fromEntries((await db.query(`SELECT id, status FROM orders WHERE id = ANY($1::uuid[])`, [ids])).rows.map((r) => [r.id, r.status]));
  /** Per order: its offers, its `offer` timeline rows and its offer.created outbox events. */
  const writesOf = async (ids: string[]) =>
    (
      await db.query(
        `SELECT o.id,
                (SELECT count(*)::int FROM offers f WHERE f.order_id = o.id) AS offers,
                (SELECT count(*)::int FROM order_events e WHERE e.order_id = o.id AND e.type = 'offer') AS offer_events,
                (SELECT count(*)::int FROM outbox_events x WHERE x.order_id = o.id AND x.type = 'offer.created') AS outbox_offers,
                o.dispatch_scope, o.scope_started_at IS NOT NULL AS scope_started, o.dispatch_attempts
           FROM orders o WHERE o.id = ANY($1::uuid[])`,
        [ids],
      )
    ).rows;
  const cancelAll = async (ids: string[]) => {
    for (const id of ids) expectOk(await resident.http.post(`/api/v1/orders/${id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
  };

  it('offers every order of a backlog once, several of them in one transaction, each under its own request id', async () => {
    const requestIds = Array.from({ length: 12 }, (_, i) => `place-${tag}-${i}`);
    const ids = await placeBacklog(12, requestIds);
    dispatcher = await startApp('dispatcher', env);
    await until('all offered', async () => Object.values(await statuses(ids)).every((s) => s === 'offered'), 30000);
    for (const w of await writesOf(ids)) {
      expect(w).toEqual({ id: w.id, offers: 1, offer_events: 1, outbox_offers: 1, dispatch_scope: 'station', scope_started: true, dispatch_attempts: 1 });
    }
    // the premise: offers written by one transaction share its start time (created_at = now())
    const { rows } = await db.query(
      `SELECT max(n)::int AS largest FROM (SELECT count(*) AS n FROM offers WHERE order_id = ANY($1::uuid[]) GROUP BY created_at) g`,
      [ids],
    );
    expect(rows[0].largest).toBeGreaterThan(1);
    // each offer's expiry job carries the request id of its own order, not that of another in its transaction
    const redis = new IORedis(TEST_REDIS_URL);
    try {
      const { rows: offers } = await db.query(`SELECT id, order_id FROM offers WHERE order_id = ANY($1::uuid[])`, [ids]);
      for (const offer of offers) {
        const data = JSON.parse((await redis.hget(`${env.QUEUE_PREFIX}:dispatch:expire-${offer.id}`, 'data')) ?? '{}');
        expect({ offer: offer.id, correlationId: data.correlationId }).toEqual({ offer: offer.id, correlationId: requestIds[ids.indexOf(offer.order_id)] });
      }
    } finally {
      redis.disconnect();
    }
    await dispatcher.stop();
    dispatcher = undefined;
    await cancelAll(ids);
  }, 90000);

  it('when one order of a shared transaction fails, loses and doubles none of the others, and offers the failed one once it can', async () => {
    const ids = await placeBacklog(10);
    const poisoned = ids[4];
    await db.query(`INSERT INTO test_poisoned_orders (order_id) VALUES ($1)`, [poisoned]);
    dispatcher = await startApp('dispatcher', env);
    const others = ids.filter((id) => id !== poisoned);
    await until('the others offered', async () => {
      const s = await statuses(others);
      return others.every((id) => s[id] === 'offered');
    }, 30000);
    for (const w of await writesOf(others)) {
      expect(w).toEqual({ id: w.id, offers: 1, offer_events: 1, outbox_offers: 1, dispatch_scope: 'station', scope_started: true, dispatch_attempts: 1 });
    }
    // the premise: the failed order was in a transaction with others, which was rolled back
    expect(dispatcher.output.join('')).toMatch(new RegExp(`a transaction of ([2-9]|\\d\\d+) orders was rolled back \\(poisoned order ${poisoned}\\)`));
    // the failed order: nothing of it was written, it still waits
    expect((await statuses([poisoned]))[poisoned]).toBe('dispatching');
    expect(await writesOf([poisoned])).toEqual([
      { id: poisoned, offers: 0, offer_events: 0, outbox_offers: 0, dispatch_scope: null, scope_started: false, dispatch_attempts: 0 },
    ]);

    await db.query(`DELETE FROM test_poisoned_orders WHERE order_id = $1`, [poisoned]);
    await until('the failed order offered', async () => (await statuses([poisoned]))[poisoned] === 'offered', 40000);
    expect(await writesOf(ids)).toHaveLength(10);
    for (const w of await writesOf(ids)) {
      expect(w).toEqual({ id: w.id, offers: 1, offer_events: 1, outbox_offers: 1, dispatch_scope: 'station', scope_started: true, dispatch_attempts: 1 });
    }
    await cancelAll(ids);
  }, 120000);
});
