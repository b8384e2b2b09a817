import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { startApp, RunningApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { adminClient, createRegions, createService, createTeam, expectOk, LatLng, registerResident } from './support/world';

/** Resident memory of a process, in MB (Linux). */
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** The api's memory may grow by at most this much while it streams 100,000 rows (it holds 1,000 at a time). */
const MEMORY_GROWTH_BOUND_MB = 150;

/**
 * 台账: the itemised export streams — 100,000 orders as CSV and as XLSX while the api's resident
 * memory grows by less than MEMORY_GROWTH_BOUND_MB (all rows at once would take several hundred).
 */
describe('exports: the itemised order ledger, streamed', () => {
  const tag = `E${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.33, lng: 119.44 };
  let app: RunningApp;
  let db: Client;
  let admin: Http;
  let regions: { county: any; station: any };
  const code = `LEDGER_${tag}`;

  beforeAll(async () => {
    app = await startApp('api', testEnv(`exports-${tag}`));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const api = new Http(app.url);
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    const service = await createService(admin, code, ['errand'], 600);
    const team = await createTeam(api, admin, regions.station.id, { name: `台账队${tag}`, location: home, serviceRadiusM: 5000, skills: ['errand'], capacity: 5 });
    const resident = await registerResident(api, '台账居民');
    await db.query(
      `INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, region_id, status, team_id, created_at, updated_at)
       SELECT $1, $2, $3, '台账测试', ST_SetSRID(ST_MakePoint($5, $6), 4326)::geography, '台账村 1 号', 'not-a-ciphertext', $4, 'closed', $7,
              now() - make_interval(secs => g), now()
         FROM generate_series(1, 100000) g`,
      [resident.id, service.id, code, regions.station.id, home.lng, home.lat, team.id],
    );
    await db.query(
      `INSERT INTO service_records (order_id, team_id, completed_at, minutes, volunteer_ids)
       SELECT id, team_id, now(), 30 + (hashtext(id::text) & 63), ARRAY[$2::uuid] FROM orders WHERE service_code = $1`,
      [code, team.members[0].userId],
    );
    await db.query(
      `INSERT INTO ratings (order_id, resident_id, team_id, stars, solved)
       SELECT id, resident_id, team_id, 4 + (hashtext(id::text) & 1), true FROM orders WHERE service_code = $1`,
      [code],
    );
  }, 300000);

  afterAll(async () => {
    await app?.stop();
    await db?.end();
  });

  /** Reads the download chunk by chunk, sampling the api's memory as it goes. */
  const download = async (format: 'csv' | 'xlsx') => {
    const today = new Date(Date.now() + 86400e3).toISOString().slice(0, 10); // tomorrow: the days are STATS_TIME_ZONE's (UTC+8)
    const from = new Date(Date.now() - 5 * 86400e3).toISOString().slice(0, 10);
    const baseline = rssMb(app.process.pid!);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(app.process.pid!))), 50);
    const res = await fetch(`${app.url}/api/v1/exports/orders?format=${format}&serviceCode=${code}&from=${from}&to=${today}`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    clearInterval(sampler);
    return { res, body: Buffer.concat(chunks), baseline, peak };
  };

  it('streams 100,000 orders as CSV, one row each, with memory growth under the bound', async () => {
    const { res, body, baseline, peak } = await download('csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('transfer-encoding')).toBe('chunked'); // streamed, not buffered to a length
    const lines = body.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('下单时间,订单号,服务项目,区域,服务队,志愿者,服务时长（分钟）,评分,是否解决,状态,服务对象');
    expect(lines).toHaveLength(100001);
    const cells = lines[1].split(',');
    expect(cells[2]).toBe(`测试服务${code}`);
    expect(cells[3]).toBe(regions.station.name);
    expect(cells[4]).toBe(`台账队${tag}`);
    expect(Number(cells[6])).toBeGreaterThanOrEqual(30);
    expect(['4', '5']).toContain(cells[7]);
    expect(cells[8]).toBe('是');
    expect(cells[9]).toBe('已评价');
    expect(body.toString('utf8')).not.toMatch(/台账村/); // no address
    console.log(`ledger CSV: ${(body.length / 1e6).toFixed(1)} MB, api RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB`);
    expect(peak - baseline).toBeLessThan(MEMORY_GROWTH_BOUND_MB);
  }, 240000);

  it('streams the same 100,000 orders as XLSX (a complete workbook) with memory growth under the bound', async () => {
    const { res, body, baseline, peak } = await download('xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(body.subarray(0, 2).toString()).toBe('PK');
    // the zip's end-of-central-directory record: the workbook was finished, not cut off
    expect(body.subarray(-22).readUInt32LE(0)).toBe(0x06054b50);
    console.log(`ledger XLSX: ${(body.length / 1e6).toFixed(1)} MB, api RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MB`);
    expect(peak - baseline).toBeLessThan(MEMORY_GROWTH_BOUND_MB);
  }, 240000);

  it('refuses a period longer than a year and a region outside the caller\'s jurisdiction', async () => {
    const long = await admin.get('/api/v1/exports/orders?from=2024-01-01&to=2026-01-01');
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('VALIDATION_FAILED');
    // days that do not exist are the caller's error, answered before the first byte (they were a 500,
    // or a 200 cut off when Postgres refused the date inside the stream)
    for (const [query, field] of [['to=2026-13-45', 'to'], ['from=2026-02-30&to=2026-03-10', 'from'], ['from=2026-04-31', 'from']]) {
      const bad = await admin.get(`/api/v1/exports/orders?${query}`);
      expect([query, bad.status, bad.body.code, bad.body.fields?.[0]?.field]).toEqual([query, 400, 'VALIDATION_FAILED', field]);
    }
    const resident = (await registerResident(new Http(app.url), '不是工作人员')).http;
    expect((await resident.get('/api/v1/exports/orders')).status).toBe(403);
  });
});
