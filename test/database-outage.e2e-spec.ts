import { Client } from 'pg';
import { startPlatform, Platform, RunningApp } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, registerResident } from './support/world';

/**
 * Postgres goes away under the running apps — the connection cut (a dead server, a restart) or
 * frozen (a network that drops everything) through a TCP proxy, never by touching the shared server.
 * Every request answers 503 SERVICE_UNAVAILABLE with Retry-After within the configured deadlines
 * (no 500, no hang), the logs carry one line per failure and no stack, SQL or personal data, nothing
 * is half written, and the api, rating service and dispatcher carry on by themselves once it is back.
 */
describe('database outage: 503 with Retry-After, clean logs, recovery', () => {
  const tag = `DO${Date.now() % 100000}`;
  const skill = `outage_${tag.toLowerCase()}`;
  const code = `OUTAGE_${tag}`;
  const home: LatLng = { lat: 28.31, lng: 117.62 };
  const address = `停电测试小区 ${tag} 号`;
  let proxy: TcpProxy;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let rating: Http;
  let team: CreatedTeam;
  let resident: { http: Http; id: string; phone: string };
  let orderId: string;

  beforeAll(async () => {
    const pg = new URL(TEST_DATABASE_URL);
    proxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
    platform = await startPlatform(`outage-${tag}`, {
      DATABASE_URL: proxy.rewrite(TEST_DATABASE_URL),
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_QUERY_TIMEOUT_MS: '2000',
    });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    rating = new Http(platform.rating.url);
    const admin = await adminClient(api);
    const { station } = await createRegions(admin, home, tag);
    await createService(admin, code, [skill], 3600);
    team = await createTeam(api, admin, station.id, { name: `应急队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 3000, skills: [skill], capacity: 10 });
    resident = await registerResident(api, '停电测试居民');
    orderId = (await placeOrder('before')).body.id;
  }, 180000);

  afterAll(async () => {
    await proxy?.restore();
    await db?.end();
    await platform?.stop();
    await proxy?.close();
  });

  function placeOrder(key: string): Promise<HttpResult> {
    return resident.http.post('/api/v1/orders', { serviceCode: code, description: '老人需要帮助', location: home, address }, { 'Idempotency-Key': `outage-${tag}-${key}` });
  }
  const offerFor = (order: string) =>
    until(`an offer for ${order}`, async () => (await team.members[0].http.get('/api/v1/offers?status=pending')).body.items?.find((o: any) => o.orderId === order), 30000);
  const ordersWithKey = async (key: string) =>
    (await db.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = $1`, [`outage-${tag}-${key}`])).rows[0].n as number;

  /** What every app answers while the database is away, timed. */
  async function duringOutage(newOrderKey: string): Promise<{ results: HttpResult[]; ms: number[] }> {
    const requests: (() => Promise<HttpResult>)[] = [
      () => api.get('/api/v1/services'),
      () => api.post('/api/v1/auth/login', { phone: resident.phone, password: 'Resident#2026' }),
      () => resident.http.get(`/api/v1/orders/${orderId}`),
      () => placeOrder(newOrderKey),
      () => rating.as(resident.http.token!).get(`/api/v1/teams/${team.id}/reputation`),
    ];
    const ms: number[] = [];
    const results = await Promise.all(requests.map(async (send) => {
      const started = Date.now();
      const res = await send();
      ms.push(Date.now() - started);
      return res;
    }));
    return { results, ms };
  }

  const STACK = /\n\s+at |\bat \S+ \(.*:\d+:\d+\)/;
  function expectCleanOutage(results: HttpResult[], logs: string) {
    for (const res of results) {
      expect({ status: res.status, code: res.body?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', retryAfterSeconds: 5, correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const text = JSON.stringify(res.body);
      for (const leak of [/ECONN/, /SELECT|INSERT/i, /postgres/i, /127\.0\.0\.1/, /terminated/i, /timeout/i]) expect({ text, leak: leak.test(text) }).toEqual({ text, leak: false });
      // each failure is logged once, with the id the client got
      expect(logs).toContain(res.body.correlationId);
    }
    expect({ stack: STACK.test(logs) }).toEqual({ stack: false });
    for (const secret of [/\bSELECT\b/, /\bINSERT\b/, /QueryFailedError/, /PARAMETERS/, new RegExp(resident.phone), new RegExp(address)]) {
      expect({ secret: String(secret), found: secret.test(logs) }).toEqual({ secret: String(secret), found: false });
    }
  }
  const logsSince = (marks: Map<RunningApp, number>) => [...marks].map(([app, n]) => app.output.slice(n).join('')).join('');
  /** An app writes its log line before it answers, but the test may read the answer before the line arrives on the pipe. */
  const logsCarry = (results: HttpResult[], since: Map<RunningApp, number>) =>
    until('every correlation id in the logs', async () => results.every((r) => logsSince(since).includes(r.body?.correlationId)), 5000).catch(() => undefined);
  const mark = () => new Map([platform.api, platform.rating, platform.dispatcher].map((a) => [a, a.output.length]));

  it('answers 503 with Retry-After while the connection is cut, logs one line per failure, and writes nothing', async () => {
    const since = mark();
    await proxy.cut();
    let outage: Awaited<ReturnType<typeof duringOutage>>;
    try {
      outage = await duringOutage('during-cut');
      // the dispatcher's reconciler and workers meet the outage too
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      await proxy.restore();
    }
    expect(Math.max(...outage.ms)).toBeLessThan(10_000);
    await logsCarry(outage.results, since);
    expectCleanOutage(outage.results, logsSince(since));
    expect(await ordersWithKey('during-cut')).toBe(0);
  });

  it('recovers by itself when the database is back: reads, the retried order (once), and dispatch', async () => {
    await until('api serves again', async () => (await api.get('/api/v1/services')).status === 200, 20000);
    await until('rating serves again', async () => (await rating.as(resident.http.token!).get(`/api/v1/teams/${team.id}/reputation`)).status === 200, 20000);
    expect(expectOk(await resident.http.get(`/api/v1/orders/${orderId}`), 200, 'order').id).toBe(orderId);
    // the client retries with the same Idempotency-Key: one order, and the dispatcher offers it
    const retried = expectOk(await placeOrder('during-cut'), 201, 'retry');
    expect(expectOk(await placeOrder('during-cut'), 201, 'replay').id).toBe(retried.id);
    expect(await ordersWithKey('during-cut')).toBe(1);
    expect((await offerFor(retried.id)).teamId).toBe(team.id);
  });

  it('answers 503 within the deadlines while the database is frozen (no hang), and leaves no half-written order', async () => {
    // open connections in both pools, so the freeze catches requests on them mid-query (the query
    // deadline) as well as requests that need a new connection (the connect deadline)
    await Promise.all([...Array(4)].flatMap(() => [api.get('/api/v1/services'), rating.as(resident.http.token!).get(`/api/v1/teams/${team.id}/reputation`)]));
    const since = mark();
    proxy.freeze();
    let outage: Awaited<ReturnType<typeof duringOutage>>;
    try {
      outage = await duringOutage('during-freeze');
    } finally {
      await proxy.restore();
    }
    // DB_QUERY_TIMEOUT_MS (2 s) and DB_CONNECT_TIMEOUT_MS (1 s), and a little for a loaded machine
    expect(Math.max(...outage.ms)).toBeLessThan(12_000);
    await logsCarry(outage.results, since);
    const logs = logsSince(since);
    expectCleanOutage(outage.results, logs);
    expect(logs).toMatch(/no answer from the database within 2000 ms/);

    await until('api serves again after the freeze', async () => (await resident.http.get(`/api/v1/orders/${orderId}`)).status === 200, 20000);
    expect(await ordersWithKey('during-freeze')).toBe(0);
    const placed = expectOk(await placeOrder('during-freeze'), 201, 'after the freeze');
    expect(await ordersWithKey('during-freeze')).toBe(1);
    expect((await offerFor(placed.id)).teamId).toBe(team.id);
  });

  it('a restart that ends every connection costs at most a retry: the pools reconnect, nobody crashes', async () => {
    const since = mark();
    const { rows } = await db.query(
      `SELECT count(pg_terminate_backend(pid))::int AS ended FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'xinyuan' AND pid <> pg_backend_pid()`,
    );
    expect(rows[0].ended).toBeGreaterThan(0);
    const seen = new Set<number>();
    await until('served on new connections', async () => {
      const answers = await Promise.all([api.get('/api/v1/services'), resident.http.get(`/api/v1/orders/${orderId}`), rating.as(resident.http.token!).get(`/api/v1/teams/${team.id}/reputation`)]);
      for (const a of answers) {
        seen.add(a.status);
        if (a.status !== 200) expect(a.body.code).toBe('SERVICE_UNAVAILABLE');
      }
      return answers.every((a) => a.status === 200);
    }, 20000);
    expect([...seen].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    for (const app of [platform.api, platform.rating, platform.dispatcher]) expect(app.process.exitCode).toBeNull();
    expect({ stack: STACK.test(logsSince(since)) }).toEqual({ stack: false });
    const again = expectOk(await placeOrder('after-restart'), 201, 'order after the restart');
    expect((await offerFor(again.id)).teamId).toBe(team.id);
  });
});
