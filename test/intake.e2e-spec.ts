import IORedis from 'ioredis';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createService, registerResident } from './support/world';

/**
 * The intake's fast path: the placing statement is a prepared statement and the dispatch jobs of
 * orders committed together are added to Redis in one transaction. Neither may change what a
 * resident is told or lose a job. No dispatcher runs here, so every job stays where the api put it.
 */
describe('intake: prepared statement and batched dispatch jobs', () => {
  const tag = `I${Date.now() % 100000}`;
  const prefix = `intake-${tag}`;
  const home = { lat: 30.52, lng: 119.41 };
  const env = testEnv(prefix);
  let api: RunningApp;
  let db: Client;
  let redis: IORedis;
  let residents: Http[];

  beforeAll(async () => {
    api = await startApp('api', env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
    const http = new Http(api.url);
    const admin = await adminClient(http);
    await createRegions(admin, home, tag);
    await createService(admin, `INTAKE_${tag}`, ['intake'], 3600);
    residents = [];
    for (let i = 0; i < 4; i++) residents.push((await registerResident(http, `居民${i}`)).http);
  }, 120000);

  afterAll(async () => {
    await api?.stop();
    redis?.disconnect();
    await db?.end();
  });

  const place = (who: Http, i: number, urgent = false) =>
    who.post('/api/v1/orders', {
      serviceCode: `INTAKE_${tag}`, description: `批量下单 ${i}`, urgent,
      location: { lat: home.lat + i * 0.0001, lng: home.lng }, address: `测试村 ${i} 号`,
    });
  const jobOf = (orderId: string, version = 1) => redis.hgetall(`${prefix}:dispatch:dispatch-${orderId}-v${version}`);

  it('answers each order of a burst only once its own dispatch job is in Redis, with its priority', async () => {
    // each job is looked up the moment its own answer arrives: the answer must have waited for it
    const jobs = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      place(residents[i % residents.length], i, i % 6 === 0).then(async (res) => ({ res, order: res.body, job: await jobOf(res.body.id) }))));
    const answers = jobs.map(({ res }) => res);
    for (const res of answers) {
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('dispatching');
    }
    for (const { order, job } of jobs) {
      expect(job.name).toBe('dispatch-order');
      expect(JSON.parse(job.data)).toMatchObject({ orderId: order.id, version: 1, urgent: order.urgent });
      // PRIORITY in queue-contracts: urgent 1, normal 10
      expect(job.priority).toBe(order.urgent ? '1' : '10');
    }
    expect(jobs.filter(({ order }) => order.urgent)).toHaveLength(4);
    const ids = answers.map((r) => r.body.id);
    expect(new Set(ids).size).toBe(24);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'dispatching'`, [ids]);
    expect(rows[0].n).toBe(24);
  });

  it('keeps placing orders when a migration changes the shape the prepared statement returns', async () => {
    // every pooled connection has prepared the statement by now (the burst above used them all)
    await db.query(`ALTER TABLE orders ALTER COLUMN address TYPE varchar(500)`);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => place(residents[i % residents.length], 100 + i)));
    for (const res of answers) {
      expect(res.status).toBe(201);
      expect(res.body.address).toMatch(/^测试村 10\d 号$/);
      expect((await jobOf(res.body.id)).name).toBe('dispatch-order');
    }
  });

  it('gives orders time-ordered ids (UUID version 7), and so does the database default of the tables that grow', async () => {
    const before = Date.now();
    const first = await place(residents[0], 200);
    const second = await place(residents[1], 201);
    const after = Date.now();
    for (const res of [first, second]) {
      expect(res.status).toBe(201);
      expect(res.body.id[14]).toBe('7');
      const ms = parseInt(res.body.id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    expect(first.body.id < second.body.id).toBe(true);
    const { rows } = await db.query(
      `SELECT uuid_v7()::text AS id, (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS ms,
              pg_get_expr(d.adbin, d.adrelid) AS offers_default
         FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
        WHERE d.adrelid = 'offers'::regclass AND a.attname = 'id'`);
    expect(rows[0].offers_default).toBe('uuid_v7()');
    expect(rows[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(parseInt(rows[0].id.replace(/-/g, '').slice(0, 12), 16) - Number(rows[0].ms))).toBeLessThanOrEqual(1);
  });
});
