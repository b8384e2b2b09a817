import { randomInt, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { readSmsCode, smsMark, uniquePhone } from './support/sms-codes';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { adminClient, createRegions, createService, LatLng, randomPhone, registerResident } from './support/world';

/**
 * OWASP API Security Top 10 (2023), API4 and API6, against real started apps: rate limits per user
 * and per address shared by every replica through Redis, a stricter bucket for the auth endpoints,
 * X-Forwarded-For believed only from configured proxies, body size and pagination caps, slow
 * clients cut off, and a Redis outage that degrades the limits without failing requests.
 */
const tag = `A${Date.now() % 100000}`;
const home: LatLng = { lat: 30.2, lng: 120.1 };
const WINDOW = 60; // seconds: long enough that nothing refills while a test runs
const LIMITS = { ip: 20, user: 8, auth: 4 };

let seedApp: RunningApp; // generous limits (builds the world without spending anyone's budget); 1.5 s request timeout
let apiA: RunningApp;
let apiB: RunningApp; // a second api replica sharing Redis (and the key prefix) with apiA
let ratingA: RunningApp;
let apiC: RunningApp; // production defaults for proxies: no X-Forwarded-For believed; small body limit
let apiD: RunningApp; // its rate-limit Redis behind a proxy the tests break
let apiSms: RunningApp; // low SMS caps
let redisProxy: TcpProxy;
let redis: IORedis;
let db: Client;
let seed: Http;
let admin: Http;
let serviceCode: string;

const sharedPrefix = `abuse-ab-${tag}`;
const prefixC = `abuse-c-${tag}`;
const prefixD = `abuse-d-${tag}`;

/** One request as a client at address `ip` (sent as the trusted proxy would: X-Forwarded-For). */
async function call(app: RunningApp, method: string, path: string, opts: { token?: string; ip?: string; xff?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpResult & { ms: number }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.xff ?? opts.ip) headers['x-forwarded-for'] = (opts.xff ?? opts.ip)!;
  const started = Date.now();
  const res = await new Http(app.url, opts.token).request(method, path, opts.body, headers);
  return { ...res, ms: Date.now() - started };
}

let ipSeq = 0;
/** A fresh client address (TEST-NET-3), so each test starts with a full bucket. */
const freshIp = () => `203.0.113.${++ipSeq}`;

function expectRateLimited(res: HttpResult, bucket: 'ip' | 'user' | 'auth') {
  expect({ status: res.status, code: res.body?.code, limit: res.body?.limit }).toEqual({ status: 429, code: 'RATE_LIMITED', limit: bucket });
  expect(res.body.message).toEqual(expect.any(String));
  const header = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(header)).toBe(true);
  expect(header).toBeGreaterThanOrEqual(1);
  expect(header).toBeLessThanOrEqual(WINDOW);
  expect(res.body.retryAfterSeconds).toBe(header);
}

async function newResident(name = '测试居民') {
  return registerResident(seed, name);
}

beforeAll(async () => {
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  redis = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const redisUrl = new URL(TEST_REDIS_URL);
  redisProxy = await TcpProxy.start(redisUrl.hostname, Number(redisUrl.port || 6379));

  const low = {
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW),
    RATE_LIMIT_PER_IP: String(LIMITS.ip),
    RATE_LIMIT_PER_USER: String(LIMITS.user),
    RATE_LIMIT_AUTH_PER_IP: String(LIMITS.auth),
  };
  const shared = testEnv(sharedPrefix, { ...low, TRUSTED_PROXIES: '127.0.0.1' });
  [seedApp, apiA, apiB, ratingA, apiC, apiD, apiSms] = await Promise.all([
    startApp('api', testEnv(`abuse-seed-${tag}`, { HTTP_REQUEST_TIMEOUT_MS: '1500' })),
    startApp('api', shared),
    startApp('api', shared),
    startApp('rating', shared),
    // interval 12 s / 6 = 2 s, so the Retry-After test waits only 2 s
    startApp('api', testEnv(prefixC, { RATE_LIMIT_WINDOW_SECONDS: '12', RATE_LIMIT_PER_IP: '6', BODY_LIMIT_BYTES: '4096' })),
    startApp('api', testEnv(prefixD, { ...low, RATE_LIMIT_PER_USER: '5', TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_REDIS_URL: redisProxy.rewrite(TEST_REDIS_URL), RATE_LIMIT_REDIS_TIMEOUT_MS: '100' })),
    // the SMS caps (toll fraud): per address, per number block, per deployment and minute
    startApp('api', testEnv(`abuse-sms-${tag}`, {
      TRUSTED_PROXIES: '127.0.0.1', SMS_SEND_PER_IP_PER_MINUTE: '3', SMS_SEND_PER_PREFIX_PER_MINUTE: '4', SMS_SEND_GLOBAL_PER_MINUTE: '10',
    })),
  ]);
  seed = new Http(seedApp.url);
  admin = await adminClient(seed);
  await createRegions(admin, home, tag);
  serviceCode = `ABUSE_${tag}`;
  // orders of this test wait for review: they never reach the dispatcher (none runs here)
  await createService(admin, serviceCode, [`skill_${tag.toLowerCase()}`], 3600, true);
}, 120000);

afterAll(async () => {
  await Promise.all([seedApp, apiA, apiB, ratingA, apiC, apiD, apiSms].map((a) => a?.stop()));
  await redisProxy?.close();
  redis?.disconnect();
  await db?.end();
});

describe('API4:2023 Unrestricted Resource Consumption', () => {
  describe('rate limits', () => {
    it('limits a signed-in user across all the addresses they come from: 429 RATE_LIMITED with Retry-After', async () => {
      const r = await newResident();
      const other = await newResident();
      for (let i = 0; i < LIMITS.user; i++) {
        expect((await call(apiA, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() })).status).toBe(200);
      }
      const refused = await call(apiA, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() });
      expectRateLimited(refused, 'user');
      // GCRA: one request refills every window / limit
      expect(refused.body.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil(WINDOW / LIMITS.user));
      // another user at the same address is not affected
      const ip = freshIp();
      expect((await call(apiA, 'GET', '/api/v1/me', { token: other.http.token, ip })).status).toBe(200);
    });

    it('holds the user limit across two api processes and the rating service sharing Redis', async () => {
      const r = await newResident();
      const statuses: number[] = [];
      for (let i = 0; i < LIMITS.user + 4; i++) {
        statuses.push((await call(i % 2 ? apiB : apiA, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() })).status);
      }
      expect(statuses).toEqual([...Array(LIMITS.user).fill(200), 429, 429, 429, 429]);
      expectRateLimited(await call(apiB, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() }), 'user');
      expectRateLimited(await call(ratingA, 'GET', `/api/v1/teams/${randomUUID()}/reputation`, { token: r.http.token, ip: freshIp() }), 'user');
    });

    it('counts concurrent requests exactly once across both processes (atomic in Redis)', async () => {
      const r = await newResident();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => call(i % 2 ? apiB : apiA, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() })),
      );
      expect(results.filter((x) => x.status === 200)).toHaveLength(LIMITS.user);
      expect(results.filter((x) => x.status === 429)).toHaveLength(20 - LIMITS.user);
    });

    it('limits every caller per address, signed in or not, across both processes', async () => {
      const ip = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < LIMITS.ip; i++) statuses.push((await call(i % 2 ? apiB : apiA, 'GET', '/api/v1/services', { ip })).status);
      expect(statuses).toEqual(Array(LIMITS.ip).fill(200));
      expectRateLimited(await call(apiA, 'GET', '/api/v1/services', { ip }), 'ip');
      // a signed-in user at that address is stopped by the address bucket too
      const r = await newResident();
      expectRateLimited(await call(apiB, 'GET', '/api/v1/me', { token: r.http.token, ip }), 'ip');
      // unknown routes count as well (scanning is not free)
      expectRateLimited(await call(apiB, 'GET', '/api/v1/no-such-thing', { ip }), 'ip');
      // another address is not affected
      expect((await call(apiA, 'GET', '/api/v1/services', { ip: freshIp() })).status).toBe(200);
    });

    it('gives the auth endpoints a stricter bucket per address, which does not stop the rest of the API', async () => {
      const ip = freshIp();
      for (let i = 0; i < LIMITS.auth; i++) {
        const res = await call(apiA, 'POST', '/api/v1/auth/login', { ip, body: { phone: randomPhone(), password: 'wrong-password' } });
        expect(res.status).toBe(401);
      }
      expectRateLimited(await call(apiB, 'POST', '/api/v1/auth/login', { ip, body: { phone: randomPhone(), password: 'wrong-password' } }), 'auth');
      expectRateLimited(await call(apiA, 'POST', '/api/v1/auth/register', { ip, body: { phone: randomPhone(), password: 'Resident#2026', name: 'x' } }), 'auth');
      expect((await call(apiA, 'GET', '/api/v1/services', { ip })).status).toBe(200);
    });

    it('chooses the bucket by the matched route: a percent-encoded /api/v1/%61uth/… is the auth bucket too', async () => {
      const ip = freshIp();
      for (let i = 0; i < LIMITS.auth; i++) {
        const res = await call(apiA, 'POST', '/api/v1/%61uth/refresh', { ip, body: { refreshToken: `x${'a'.repeat(40)}${i}` } });
        // it reached the refresh handler (the route matched), and it was charged to the auth bucket
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'REFRESH_TOKEN_INVALID' });
      }
      expectRateLimited(await call(apiB, 'POST', '/api/v1/%61uth/refresh', { ip, body: { refreshToken: 'a'.repeat(43) } }), 'auth');
      expectRateLimited(await call(apiA, 'POST', '/api/v1/auth/%6Cogin', { ip, body: { phone: randomPhone(), password: 'wrong-password' } }), 'auth');
      expectRateLimited(await call(apiA, 'POST', '/api/v1/auth/login', { ip, body: { phone: randomPhone(), password: 'wrong-password' } }), 'auth');
    });

    it('caps SMS codes per address, per number block and per deployment (429 SMS_RATE_LIMITED), whatever the numbers', async () => {
      const smsSend = (phone: string, ip: string) => call(apiSms, 'POST', '/api/v1/auth/sms/send', { ip, body: { phone } });
      const capped = (res: HttpResult, limit: string) => {
        expect({ status: res.status, code: res.body.code, limit: res.body.limit }).toEqual({ status: 429, code: 'SMS_RATE_LIMITED', limit });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      };
      // one address, many numbers (the attack: 35 codes to 35 numbers in seconds): 3 go out, then none
      const attacker = freshIp();
      const blocks = ['1301', '1312', '1323', '1334', '1345', '1356'];
      for (const b of blocks.slice(0, 3)) expect((await smsSend(b + String(randomInt(0, 1e7)).padStart(7, '0'), attacker)).status).toBe(200);
      for (const b of blocks.slice(3)) capped(await smsSend(b + String(randomInt(0, 1e7)).padStart(7, '0'), attacker), 'ip');
      // many addresses, one number block: 4 go out, then none
      const block = '1399876';
      for (let i = 0; i < 4; i++) expect((await smsSend(block + String(1000 + i), freshIp())).status).toBe(200);
      capped(await smsSend(block + '2000', freshIp()), 'prefix');
      // many addresses, many blocks at once: the deployment's cap (10 a minute; 7 went out above)
      const spread = await Promise.all(Array.from({ length: 12 }, (_, i) => smsSend(`15${i % 10}${randomInt(1000, 9999)}${randomInt(1000, 9999)}`, freshIp())));
      const refused = spread.filter((r) => r.status !== 200);
      expect(refused.length).toBeGreaterThanOrEqual(6);
      for (const r of refused) capped(r, 'global');
    });

    it('leaves health probes unlimited', async () => {
      const ip = freshIp();
      for (let i = 0; i < LIMITS.ip + 5; i++) expect((await call(apiA, 'GET', '/health', { ip })).status).toBe(200);
    });

    it('serves the client again once the Retry-After it was given has passed', async () => {
      // apiC: 6 per 12 s from one address, so one request refills every 2 s
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(apiC, 'GET', '/api/v1/services')).status);
      expect(statuses).toEqual(Array(6).fill(200));
      const refused = await call(apiC, 'GET', '/api/v1/services');
      expect(refused.status).toBe(429);
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBe(2);
      await new Promise((r) => setTimeout(r, wait * 1000));
      expect((await call(apiC, 'GET', '/api/v1/services')).status).toBe(200);
      expect((await call(apiC, 'GET', '/api/v1/services')).status).toBe(429);
    });
  });

  describe('X-Forwarded-For cannot pick the bucket', () => {
    it('is ignored entirely when no proxy is trusted (the default): every spoofed address shares the real one', async () => {
      await until('apiC bucket refilled', async () => (await call(apiC, 'GET', '/api/v1/services')).status === 200, 15000);
      // each request claims to be someone else: were the header believed, every one would be served
      let served = 0;
      for (let i = 0; i < 10; i++) {
        const res = await call(apiC, 'GET', '/api/v1/services', { xff: `198.51.100.${i + 1}` });
        if (res.status === 200) served++;
        else expect(res.status).toBe(429);
      }
      expect(served).toBeLessThanOrEqual(7); // what was left of the 6, plus at most one refill
      const spoofed = await call(apiC, 'GET', '/api/v1/services', { xff: '198.51.100.200, 198.51.100.201' });
      expectRateLimited(spoofed, 'ip');
    });

    it('behind a trusted proxy, addresses the client prepends are skipped: the proxy-appended one counts', async () => {
      const real = freshIp();
      for (let i = 0; i < LIMITS.ip; i++) {
        // the client sent "X-Forwarded-For: <anything>"; the trusted proxy appended the real address
        const res = await call(apiA, 'GET', '/api/v1/services', { xff: `10.${i}.0.1, 198.51.100.${i}, ${real}` });
        expect(res.status).toBe(200);
      }
      expectRateLimited(await call(apiB, 'GET', '/api/v1/services', { xff: `1.2.3.4, ${real}` }), 'ip');
      expectRateLimited(await call(apiA, 'GET', '/api/v1/services', { xff: real }), 'ip');
    });
  });

  describe('request size and shape', () => {
    async function rowCounts() {
      const { rows } = await db.query(`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM regions)::int AS regions`);
      return rows[0];
    }

    /**
     * Sends only the headers of a body over the limit and reads the answer. The server answers 413 from
     * Content-Length without reading the body and closes; a client still writing a large body could fail
     * with EPIPE before it reads that answer, which is HTTP/1.1 rather than a server fault.
     */
    function declareOversizedBody(app: RunningApp, path: string, body: unknown, opts: { token?: string; ip?: string } = {}) {
      const bytes = Buffer.byteLength(JSON.stringify(body));
      return new Promise<{ status: number; code?: string }>((resolve, reject) => {
        const req = httpRequest(app.url + path, {
          method: 'POST',
          headers: {
            'content-type': 'application/json', 'content-length': String(bytes),
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...(opts.ip ? { 'x-forwarded-for': opts.ip } : {}),
          },
        });
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code });
          });
        });
        req.on('error', reject);
        req.flushHeaders();
      });
    }

    it('answers JSON bodies over the limit with 413 PAYLOAD_TOO_LARGE and writes nothing (api and rating)', async () => {
      const r = await newResident();
      const rater = await newResident();
      const before = await rowCounts();
      const order = { serviceCode, description: '大'.repeat(30000), location: home, address: '测试小区' };
      const tooBig = await call(seedApp, 'POST', '/api/v1/orders', { token: r.http.token, body: order });
      expect({ status: tooBig.status, code: tooBig.body.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      const huge = await declareOversizedBody(seedApp, '/api/v1/auth/register', { phone: randomPhone(), password: 'x'.repeat(2_000_000), name: 'x' });
      expect(huge).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      const rating = await declareOversizedBody(ratingA, `/api/v1/orders/${randomUUID()}/rating`,
        { stars: 5, solved: true, comment: '好'.repeat(40000) }, { token: rater.http.token, ip: freshIp() });
      expect(rating).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(await rowCounts()).toEqual(before);
    });

    /** Sends only the headers of a request declaring `bytes` of body, and reads the answer (a server that waits for the body times out). */
    function declareBody(app: RunningApp, path: string, bytes: number | 'chunked', contentType: string, token?: string) {
      return new Promise<{ status: number; code?: string } | 'waited for the body'>((resolve, reject) => {
        const req = httpRequest(app.url + path, {
          method: 'POST',
          headers: {
            'content-type': contentType, 'x-forwarded-for': freshIp(),
            ...(bytes === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(bytes) }),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        });
        const timer = setTimeout(() => {
          req.destroy();
          resolve('waited for the body');
        }, 3000);
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            clearTimeout(timer);
            req.destroy();
            resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { code?: string }).code });
          });
        });
        req.on('error', (e) => (clearTimeout(timer), reject(e)));
        req.flushHeaders();
      });
    }

    it('reads a body over the JSON limit (a boundary, a spreadsheet) only from staff who may send it there: others are answered from the headers', async () => {
      const resident = await newResident();
      // an admin's token whose session has ended (signed out): still signed and unexpired
      const signedOut = await adminClient(seed);
      expect((await signedOut.post('/api/v1/auth/logout')).status).toBe(204);
      const region = 400 * 1024; // within REGION_BODY_LIMIT_BYTES
      const file = 10 * 1024 * 1024; // within the imports' 16 MB
      const answers = {
        regionAnonymous: await declareBody(seedApp, '/api/v1/regions', region, 'application/json'),
        regionEncodedPath: await declareBody(seedApp, '/api/v1/%72egions', region, 'application/json'),
        regionChunked: await declareBody(seedApp, '/api/v1/regions', 'chunked', 'application/json'),
        regionForged: await declareBody(seedApp, '/api/v1/regions', region, 'application/json', `${resident.http.token}x`),
        regionResident: await declareBody(seedApp, '/api/v1/regions', region, 'application/json', resident.http.token),
        regionSignedOut: await declareBody(seedApp, '/api/v1/regions', region, 'application/json', signedOut.token),
        importAnonymous: await declareBody(seedApp, '/api/v1/imports/beneficiaries?mode=file', file, 'text/csv'),
        importResident: await declareBody(seedApp, '/api/v1/imports/beneficiaries?mode=file', file, 'text/csv', resident.http.token),
        spreadsheetElsewhere: await declareBody(seedApp, '/api/v1/orders', file, 'text/csv', resident.http.token),
      };
      // an admin's large boundary is read and reaches its checks: owasp-api3-api4-location-and-queue.e2e-spec.ts
      expect(answers).toEqual({
        regionAnonymous: { status: 401, code: 'UNAUTHENTICATED' },
        regionEncodedPath: { status: 401, code: 'UNAUTHENTICATED' },
        regionChunked: { status: 401, code: 'UNAUTHENTICATED' },
        regionForged: { status: 401, code: 'UNAUTHENTICATED' },
        regionResident: { status: 403, code: 'FORBIDDEN' },
        regionSignedOut: { status: 401, code: 'UNAUTHENTICATED' },
        importAnonymous: { status: 401, code: 'UNAUTHENTICATED' },
        importResident: { status: 403, code: 'FORBIDDEN' },
        spreadsheetElsewhere: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      });
    });

    it('counts a chunked body without Content-Length against the limit as it streams', async () => {
      const r = await newResident();
      const before = await rowCounts();
      const chunk = new TextEncoder().encode(`{"serviceCode":"${serviceCode}","description":"${'a'.repeat(20000)}`);
      const send = () => {
        let sent = 0;
        const stream = new ReadableStream({
          pull(controller) {
            if (sent++ < 10) controller.enqueue(chunk);
            else controller.close();
          },
        });
        return fetch(`${seedApp.url}/api/v1/orders`, {
          method: 'POST', body: stream, duplex: 'half',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${r.http.token}` },
        } as RequestInit);
      };
      // the server answers 413 and closes while the client may still be writing: on a loaded machine the
      // client's next write can fail (EPIPE) before it reads the answer. That is HTTP/1.1, not a server
      // fault, so a failed send is tried again; one of three must hear the 413.
      let res: Response | undefined;
      for (let attempt = 0; attempt < 3 && !res; attempt++) res = await send().catch(() => undefined);
      if (!res) throw new Error('three chunked sends ended without an answer');
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
      expect(await rowCounts()).toEqual(before);
    });

    it('takes the body limit from configuration (BODY_LIMIT_BYTES)', async () => {
      const body = { phone: randomPhone(), password: 'p'.repeat(60), name: '名'.repeat(1500) }; // ~4.6 KB
      await until('apiC bucket refilled', async () => (await call(apiC, 'GET', '/api/v1/services')).status === 200, 15000);
      await new Promise((r) => setTimeout(r, 2100)); // one more request refills (every 2 s)
      const res = await call(apiC, 'POST', '/api/v1/auth/register', { body });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      // the same body is merely invalid (not too large) for an app with the default 64 KiB
      const elsewhere = await call(seedApp, 'POST', '/api/v1/auth/register', { body });
      expect(elsewhere.status).toBe(400);
    });

    it('refuses limit > 100 on every list endpoint with 400, and serves pages of at most 100', async () => {
      const lists = ['/api/v1/services', '/api/v1/orders', '/api/v1/offers', '/api/v1/dispatch/queue', '/api/v1/regions'];
      for (const path of lists) {
        for (const bad of ['101', '1000', '1e9', '-1', '0', 'abc', '100.5']) {
          const res = await admin.get(`${path}?limit=${bad}`);
          expect({ path, bad, status: res.status, code: res.body.code }).toEqual({ path, bad, status: 400, code: 'VALIDATION_FAILED' });
          expect(res.body.fields.map((f: { field: string }) => f.field)).toContain('limit');
        }
        const ok = await admin.get(`${path}?limit=100`);
        expect({ path, status: ok.status }).toEqual({ path, status: 200 });
        expect(ok.body.items.length).toBeLessThanOrEqual(100);
        expect(ok.body).toHaveProperty('nextCursor');
      }
    });

    it('pages the region list with a cursor instead of returning every region at once', async () => {
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: HttpResult = await admin.get(`/api/v1/regions?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        for (const r of page.body.items) {
          expect(seen.has(r.id)).toBe(false);
          seen.add(r.id);
        }
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 1000);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM regions`);
      expect(seen.size).toBe(rows[0].n);
      expect((await admin.get('/api/v1/regions?cursor=not-a-cursor')).body.code).toBe('VALIDATION_FAILED');
    });

    it('closes a connection whose body never finishes arriving (slow clients cannot hold sockets)', async () => {
      // seedApp: HTTP_REQUEST_TIMEOUT_MS=1500
      const url = new URL(seedApp.url);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(url.port), url.hostname);
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
        socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"phone":`);
        setTimeout(() => socket.destroy(new Error('server kept the connection open')), 8000);
      });
      expect(Date.now() - started).toBeLessThan(8000);
      expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
    });
  });

  describe('Redis outage: limits degrade to per-process counting, never a 500 or a hang', () => {
    const keyOf = (userId: string) => `${prefixD}:rl:user:${userId}`;

    it('counts in Redis while it is reachable', async () => {
      const r = await newResident();
      await until('the limiter connected to Redis', async () => {
        expect((await call(apiD, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() })).status).toBe(200);
        return (await redis.exists(keyOf(r.id))) === 1;
      }, 5000);
    });

    it('answers promptly and keeps limiting in-process while Redis hangs', async () => {
      const r = await newResident();
      redisProxy.freeze();
      try {
        const results = [];
        for (let i = 0; i < 8; i++) results.push(await call(apiD, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() }));
        for (const res of results) expect(res.ms).toBeLessThan(1500);
        expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        expectRateLimited(results[5], 'user');
      } finally {
        await redisProxy.restore();
      }
    });

    it('answers promptly while Redis refuses connections, then shares the limits through Redis again', async () => {
      await redisProxy.cut();
      try {
        const r = await newResident();
        const results = [];
        for (let i = 0; i < 7; i++) results.push(await call(apiD, 'GET', '/api/v1/me', { token: r.http.token, ip: freshIp() }));
        for (const res of results) expect(res.ms).toBeLessThan(1500);
        expect(results.map((x) => x.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
        expect(await redis.exists(keyOf(r.id))).toBe(0);
      } finally {
        await redisProxy.restore();
      }
      const back = await newResident();
      await until('rate limits back in Redis', async () => {
        const res = await call(apiD, 'GET', '/api/v1/me', { token: back.http.token, ip: freshIp() });
        expect(res.status).toBeLessThan(500);
        return (await redis.exists(keyOf(back.id))) === 1;
      }, 15000);
    });
  });
});

describe('API6:2023 Unrestricted Access to Sensitive Business Flows', () => {
  it('throttles a resident placing orders (点单) in a burst, across both replicas, and writes exactly the orders it accepted', async () => {
    const r = await newResident('刷单居民');
    const body = { serviceCode, description: '批量下单', location: home, address: '测试小区 1 幢' };
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        call(i % 2 ? apiB : apiA, 'POST', '/api/v1/orders', { token: r.http.token, ip: freshIp(), body, headers: { 'idempotency-key': `flood-${tag}-${i}-${randomUUID()}` } }),
      ),
    );
    const created = results.filter((x) => x.status === 201);
    const refused = results.filter((x) => x.status === 429);
    expect(created).toHaveLength(LIMITS.user);
    expect(refused).toHaveLength(14 - LIMITS.user);
    for (const res of refused) expectRateLimited(res, 'user');
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [r.id]);
    expect(rows[0].n).toBe(LIMITS.user);
  });

  it('throttles mass registration from one address: codes past the auth bucket are never sent, and only accounts with a code exist', async () => {
    const ip = freshIp();
    const phones = Array.from({ length: LIMITS.auth + 3 }, () => uniquePhone('136', () => randomPhone('136')));
    const mark = smsMark();
    const statuses: number[] = [];
    for (const [i, phone] of phones.entries()) {
      statuses.push((await call(i % 2 ? apiB : apiA, 'POST', '/api/v1/auth/sms/send', { ip, body: { phone } })).status);
    }
    expect(statuses).toEqual([...Array(LIMITS.auth).fill(200), 429, 429, 429]);
    // registration from that address is throttled as well, code or not
    expectRateLimited(await call(apiA, 'POST', '/api/v1/auth/register', { ip, body: { phone: phones[0], password: 'Resident#2026', name: '批量注册', smsCode: '000000' } }), 'auth');
    // the let-through phones got their code (and register with it from an address with budget); the refused ones got none
    for (const phone of phones.slice(0, 2)) {
      const smsCode = await readSmsCode(phone, mark);
      expect((await call(apiA, 'POST', '/api/v1/auth/register', { ip: freshIp(), body: { phone, password: 'Resident#2026', name: '批量注册', smsCode } })).status).toBe(201);
    }
    for (const phone of phones.slice(LIMITS.auth)) await expect(readSmsCode(phone, mark, 500)).rejects.toThrow(/timed out/);
    // without a code nobody registers at all
    const noCode = await call(apiA, 'POST', '/api/v1/auth/register', { ip: freshIp(), body: { phone: phones[LIMITS.auth], password: 'Resident#2026', name: '批量注册', smsCode: '123456' } });
    expect({ status: noCode.status, code: noCode.body.code }).toEqual({ status: 401, code: 'OTP_INVALID' });
  });

  it('throttles credential stuffing (many accounts, one address) on the auth bucket, whichever replica answers', async () => {
    const ip = freshIp();
    const victims = await Promise.all([newResident(), newResident(), newResident()]);
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.auth + 4; i++) {
      const v = victims[i % victims.length];
      statuses.push((await call(i % 2 ? apiB : apiA, 'POST', '/api/v1/auth/login', { ip, body: { phone: v.phone, password: `guess-${i}` } })).status);
    }
    expect(statuses).toEqual([...Array(LIMITS.auth).fill(401), 429, 429, 429, 429]);
    // the right password from that address is refused too until the bucket refills: guessing is not free
    expectRateLimited(await call(apiA, 'POST', '/api/v1/auth/login', { ip, body: { phone: victims[0].phone, password: 'Resident#2026' } }), 'auth');
  });
});
