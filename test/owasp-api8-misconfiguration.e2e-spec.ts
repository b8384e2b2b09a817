import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { TcpProxy } from './support/tcp-proxy';
import { ADMIN } from './support/env';
import { FakeSmsGateway } from './support/fake-providers';
import { login, registerResident } from './support/world';

/**
 * OWASP API Security Top 10 (2023), API8 Security Misconfiguration: the api and rating apps run
 * with NODE_ENV=production (its required secrets set) and are checked from outside: no API docs,
 * no internals in any error (Fastify's own errors, unknown routes and a database failure included),
 * security headers on every response, CORS only for the configured origins, and no start with
 * development secrets.
 */
const tag = `M${Date.now() % 100000}`;
const ALLOWED_ORIGIN = 'https://console.xinyuan.example';
const EVIL_ORIGIN = 'https://evil.example';

let pgProxy: TcpProxy;
let prodApi: RunningApp;
let prodRating: RunningApp;
let devApi: RunningApp;
let prodDispatcher: RunningApp;
let api: Http;
let rating: Http;
let residentToken: string;

/** The first admin's password of the production apps: production refuses every password published in the repository. */
const PROD_ADMIN_PASSWORD = `Adm1n-${randomBytes(12).toString('base64url')}`;
let gateway: FakeSmsGateway;

const productionEnv = (prefix: string, extra: Record<string, string> = {}) =>
  testEnv(prefix, {
    NODE_ENV: 'production',
    JWT_SECRET: `prod-${randomBytes(32).toString('hex')}`,
    PII_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ADMIN_PASSWORD: PROD_ADMIN_PASSWORD,
    // production refuses the log SMS sender (it would write login codes to the log)
    SMS_PROVIDER: 'http',
    SMS_HTTP_URL: gateway?.url ?? 'http://127.0.0.1:9/sms',
    STAFF_SECOND_FACTOR: 'sms',
    OTP_RESEND_COOLDOWN_SECONDS: '1',
    ...extra,
  });

beforeAll(async () => {
  gateway = await FakeSmsGateway.start();
  const pg = new URL(TEST_DATABASE_URL);
  pgProxy = await TcpProxy.start(pg.hostname, Number(pg.port || 5432));
  const env = productionEnv(`misconf-${tag}`, { DATABASE_URL: pgProxy.rewrite(TEST_DATABASE_URL), CORS_ORIGINS: ALLOWED_ORIGIN, DB_POOL_SIZE: '2' });
  [prodApi, prodRating, devApi, prodDispatcher] = await Promise.all([
    startApp('api', env),
    startApp('rating', env),
    startApp('api', testEnv(`misconf-dev-${tag}`)),
    startApp('dispatcher', productionEnv(`misconf-disp-${tag}`)),
  ]);
  api = new Http(prodApi.url);
  rating = new Http(prodRating.url);
  residentToken = (await registerResident(api, '配置检查')).http.token!;
}, 120000);

afterAll(async () => {
  await Promise.all([prodApi, prodRating, devApi, prodDispatcher].map((a) => a?.stop()));
  await pgProxy?.close();
  await gateway?.close();
});

const LEAKS = [/\n\s+at /, /\bat \S+ \(.*:\d+:\d+\)/, /\.(ts|js):\d+/, /node_modules/, /\bSELECT\b/i, /\bINSERT\b/i, /\bFROM\s+\w+/i, /\bWHERE\b/i,
  /QueryFailedError/, /ECONNREFUSED/, /duplicate key/i, /violates/i, /\bpg_/, /Error:/, /FST_/, /typeorm/i, /postgres/i, /redis/i, /127\.0\.0\.1/, /dist\//];

function expectCleanError(res: HttpResult, status?: number) {
  if (status !== undefined) expect(res.status).toBe(status);
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.body).toMatchObject({ statusCode: res.status, error: expect.any(String), message: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) });
  const text = JSON.stringify(res.body);
  for (const re of LEAKS) expect({ text, leak: re.test(text) }).toEqual({ text, leak: false });
  expect(res.body).not.toHaveProperty('stack');
}

function expectSecurityHeaders(res: { headers: Headers }, production = true) {
  const h = res.headers;
  expect(h.get('x-content-type-options')).toBe('nosniff');
  expect(h.get('x-frame-options')).toBe('DENY');
  expect(h.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(h.get('referrer-policy')).toBe('no-referrer');
  expect(h.get('cache-control')).toBe('no-store');
  expect(h.get('x-powered-by')).toBeNull();
  if (production) expect(h.get('strict-transport-security')).toMatch(/max-age=\d{8,}/);
  else expect(h.get('strict-transport-security')).toBeNull();
}

/** A JWT (HS256) as anyone holding the secret can make one. */
function signHs256(payload: Record<string, unknown>, secret: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

async function raw(app: RunningApp, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(app.url + path, { method, body, headers, signal: AbortSignal.timeout(15000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

describe('API8:2023 Security Misconfiguration', () => {
  describe('production mode', () => {
    it('publishes no API docs in production (api and rating), while a development build does', async () => {
      for (const app of [prodApi, prodRating]) {
        for (const path of ['/api/docs', '/api/docs/', '/api/docs-json', '/api/docs-yaml', '/api/docs/swagger-ui-init.js', '/api/docs/index.html']) {
          const res = await raw(app, 'GET', path);
          expect({ app: app.name, path, status: res.status }).toEqual({ app: app.name, path, status: 404 });
          expectCleanError(res, 404);
        }
      }
      const dev = await raw(devApi, 'GET', '/api/docs-json');
      expect(dev.status).toBe(200);
      expect(Object.keys(dev.body.paths)).toContain('/api/v1/orders');
    });

    it('refuses to start with the development secrets or an unusable proxy list', async () => {
      const cases: [Record<string, string>, string][] = [
        [{ JWT_SECRET: 'xinyuan-development-secret-change-me' }, 'JWT_SECRET'],
        [{ PII_ENCRYPTION_KEY: '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3031323334' }, 'PII_ENCRYPTION_KEY'],
        // secrets the repository publishes (here the tests' own and the demo's; every other case, and staff
        // without the second factor, in libs/config/src/app-config.spec.ts)
        [{ JWT_SECRET: 'xinyuan-test-secret-0123456789', ADMIN_PASSWORD: 'Admin#2026' }, 'ADMIN_PASSWORD'],
        [{ TRUSTED_PROXIES: 'everyone' }, 'TRUSTED_PROXIES'],
        [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
      ];
      await Promise.all(
        cases.map(async ([extra, setting]) => {
          await expect(startApp('api', productionEnv(`misconf-bad-${tag}`, extra))).rejects.toThrow(setting);
        }),
      );
    }, 180000);
  });

  describe('errors carry no stack trace, SQL or internals', () => {
    it('for bad input, Fastify\'s own errors and unknown routes, on the api and the rating service', async () => {
      const auth = { authorization: `Bearer ${residentToken}` };
      const json = { 'content-type': 'application/json' };
      const cases: [RunningApp, string, string, string | undefined, Record<string, string>][] = [
        [prodApi, 'GET', '/no/such/route', undefined, {}],
        [prodApi, 'GET', '/api/v1/no-such-thing', undefined, auth],
        [prodApi, 'DELETE', '/api/v1/services', undefined, auth],
        [prodApi, 'GET', '/api/v1/orders/%E0%A4%A', undefined, auth],
        [prodApi, 'GET', `/api/v1/orders/${'x'.repeat(300)}`, undefined, auth],
        [prodApi, 'GET', '/api/v1/orders/not-a-uuid', undefined, auth],
        [prodApi, 'GET', `/api/v1/orders/${randomUUID()}`, undefined, auth],
        [prodApi, 'GET', '/api/v1/orders?limit=1000&cursor=%27%3B%20DROP%20TABLE%20orders%3B--', undefined, auth],
        [prodApi, 'GET', '/api/v1/me', undefined, { authorization: 'Bearer forged.token.value' }],
        [prodApi, 'GET', '/api/v1/me', undefined, {}],
        [prodApi, 'POST', '/api/v1/auth/login', '{"phone": "1380000', json],
        [prodApi, 'POST', '/api/v1/auth/login', '{"__proto__": {"admin": true}, "phone": "13800000000", "password": "x"}', json],
        [prodApi, 'POST', '/api/v1/auth/login', 'phone=1&password=2', { 'content-type': 'application/x-www-form-urlencoded' }],
        [prodApi, 'POST', '/api/v1/auth/login', 'phone', { 'content-type': 'text/plain' }],
        [prodApi, 'POST', '/api/v1/auth/login', '<xml/>', { 'content-type': 'application/xml' }],
        [prodApi, 'POST', '/api/v1/auth/login', JSON.stringify({ phone: 'x'.repeat(100000) }), json],
        [prodApi, 'POST', '/api/v1/auth/login', JSON.stringify({ phone: 12, password: [] }), json],
        // PostgreSQL text cannot hold U+0000: refused at the door, not a failed INSERT
        [prodApi, 'POST', '/api/v1/auth/register', JSON.stringify({ phone: '13712345678', password: 'Resident#2026', name: 'a\u0000b' }), json],
        [prodApi, 'POST', '/api/v1/orders', JSON.stringify({ serviceCode: "' OR 1=1 --", description: 'x', location: { lat: 'a', lng: 1 }, address: 'y' }), { ...json, ...auth }],
        [prodApi, 'POST', '/api/v1/orders', '['.repeat(5000) + ']'.repeat(5000), { ...json, ...auth }],
        [prodRating, 'GET', '/no/such/route', undefined, {}],
        [prodRating, 'GET', '/api/v1/teams/%ZZ/reputation', undefined, auth],
        [prodRating, 'POST', `/api/v1/orders/${randomUUID()}/rating`, '{"stars": ', { ...json, ...auth }],
        [prodRating, 'POST', `/api/v1/orders/${randomUUID()}/rating`, JSON.stringify({ stars: 9, solved: 'yes' }), { ...json, ...auth }],
        [prodRating, 'POST', `/api/v1/orders/${randomUUID()}/rating`, JSON.stringify({ stars: 5, solved: true }), { ...json, ...auth }],
      ];
      for (const [app, method, path, body, headers] of cases) {
        const res = await raw(app, method, path, body, headers);
        expect({ method, path: path.slice(0, 60), status5xx: res.status >= 500 }).toEqual({ method, path: path.slice(0, 60), status5xx: false });
        expectCleanError(res);
        expectSecurityHeaders(res);
      }
    });

    it('for a database outage: a clean 503 with Retry-After and a correlation id that is also in the log, and the app recovers', async () => {
      await pgProxy.cut();
      let failures: HttpResult[] = [];
      try {
        failures = await Promise.all([
          raw(prodApi, 'GET', '/api/v1/services'),
          raw(prodApi, 'POST', '/api/v1/auth/login', JSON.stringify({ phone: '13700000001', password: 'Resident#2026' }), { 'content-type': 'application/json' }),
          raw(prodRating, 'GET', `/api/v1/teams/${randomUUID()}/reputation`, undefined, { authorization: `Bearer ${residentToken}` }),
        ]);
      } finally {
        await pgProxy.restore();
      }
      for (const res of failures) {
        // the database is unreachable (a restart, a failover): come back shortly, not "internal error"
        expectCleanError(res, 503);
        expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(res.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
        expectSecurityHeaders(res);
      }
      // the error lines reach the log shortly after the answers (the logger writes asynchronously)
      const logged = () => [...prodApi.output, ...prodRating.output].join('');
      await until('every failed request\'s correlation id is in the log', async () => failures.every((res) => logged().includes(res.body.correlationId)), 20000)
        .catch(() => undefined);
      for (const res of failures) expect(logged()).toContain(res.body.correlationId);
      await until('api serves again', async () => (await raw(prodApi, 'GET', '/api/v1/services')).status === 200, 20000);
      await until('rating serves again', async () => (await raw(prodRating, 'GET', `/api/v1/teams/${randomUUID()}/reputation`, undefined, { authorization: `Bearer ${residentToken}` })).status === 404, 20000);
    });
  });

  describe('secrets and sessions', () => {
    it('refuses a token signed with the repository\'s development secret that names no real session (forged admin)', async () => {
      const devHttp = new Http(devApi.url);
      const admin = await login(devHttp, ADMIN.phone, ADMIN.password);
      const me = (await admin.get('/api/v1/me')).body;
      // the attacker knows the secret (it is in the repository) and the admin's id, not a session
      const forged = signHs256(
        { sub: me.id, roles: ['admin'], rid: null, sid: randomUUID(), iss: 'xinyuan', iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600, jti: randomUUID() },
        'xinyuan-test-secret-0123456789',
      );
      for (const path of ['/api/v1/me', '/api/v1/staff', '/api/v1/orders?mine=true']) {
        const res = await devHttp.as(forged).get(path);
        expect({ path, status: res.status, code: res.body?.code }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
      }
      // the admin's real token (a real session) still works
      expect((await admin.get('/api/v1/me')).status).toBe(200);
    });

    it('asks staff for the SMS second factor in production: the password alone does not sign in', async () => {
      const first = await api.post('/api/v1/auth/login', { phone: ADMIN.phone, password: PROD_ADMIN_PASSWORD });
      expect({ status: first.status, code: first.body.code }).toEqual({ status: 401, code: 'SECOND_FACTOR_REQUIRED' });
      expect(first.body).not.toHaveProperty('accessToken');
      const wrong = await api.post('/api/v1/auth/login', { phone: ADMIN.phone, password: PROD_ADMIN_PASSWORD, smsCode: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).not.toHaveProperty('accessToken');
      // password and the code sent to the admin's phone: signed in
      const admin = await login(api, ADMIN.phone, PROD_ADMIN_PASSWORD);
      expect((await admin.get('/api/v1/me')).body.roles).toContain('admin');
      // residents (and volunteers) still sign in with the password alone
      const resident = await registerResident(api, '二次验证居民');
      const plain = await api.post('/api/v1/auth/login', { phone: resident.phone, password: 'Resident#2026' });
      expect(plain.status).toBe(200);
    });

    it('answers /metrics of the dispatcher only to direct loopback scrapes (or a METRICS_TOKEN bearer), never to forwarded clients', async () => {
      const forwarded = await raw(prodDispatcher, 'GET', '/metrics', undefined, { 'x-forwarded-for': '203.0.113.50' });
      expect(forwarded.status).toBe(404);
      expect(String(JSON.stringify(forwarded.body))).not.toContain('process_cpu');
      const direct = await raw(prodDispatcher, 'GET', '/metrics');
      expect(direct.status).toBe(200);
    });
  });

  describe('security headers', () => {
    it('are on every response of both apps: success, authenticated, errors and CORS preflights', async () => {
      const admin = await login(api, ADMIN.phone, PROD_ADMIN_PASSWORD);
      const responses: HttpResult[] = [
        await api.get('/api/v1/services'),
        await api.get('/health'),
        await admin.get('/api/v1/me'),
        // mine=true: rows other suites encrypted with the development key are not readable with this app's key
        await admin.get('/api/v1/orders?mine=true&limit=5'),
        await api.get('/api/v1/me'),
        await rating.as(residentToken).get(`/api/v1/teams/${randomUUID()}/reputation`),
        await rating.get('/health'),
        await raw(prodApi, 'OPTIONS', '/api/v1/orders', undefined, { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' }),
      ];
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 401, 404, 200, 204]);
      for (const res of responses) expectSecurityHeaders(res);
      // no HSTS outside production (a developer's plain-http localhost must not be pinned), the rest the same
      expectSecurityHeaders(await raw(devApi, 'GET', '/api/v1/services'), false);
    });
  });

  describe('CORS', () => {
    const preflight = (app: RunningApp, origin: string) =>
      raw(app, 'OPTIONS', '/api/v1/orders', undefined, { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });

    it('lets only the configured origins call cross-origin, without credentials', async () => {
      const ok = await preflight(prodApi, ALLOWED_ORIGIN);
      expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(ok.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
      expect((await raw(prodApi, 'GET', '/api/v1/services', undefined, { origin: ALLOWED_ORIGIN })).headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect((await preflight(prodRating, ALLOWED_ORIGIN)).headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);

      for (const origin of [EVIL_ORIGIN, 'null', `${ALLOWED_ORIGIN}.evil.example`, ALLOWED_ORIGIN.replace('https', 'http')]) {
        expect((await preflight(prodApi, origin)).headers.get('access-control-allow-origin')).toBeNull();
        const get = await raw(prodApi, 'GET', '/api/v1/services', undefined, { origin });
        expect(get.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('sends no CORS headers at all when no origin is configured (the default)', async () => {
      const res = await preflight(devApi, ALLOWED_ORIGIN);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect((await raw(devApi, 'GET', '/api/v1/services', undefined, { origin: ALLOWED_ORIGIN })).headers.get('access-control-allow-origin')).toBeNull();
    });
  });
});
