import { createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { maskPhone, PiiCipher } from '../libs/common/src/pii';
import { RunningApp, startApp, testEnv } from './support/apps';
import { ADMIN, TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { hash as argon2 } from '@node-rs/argon2';
import { adminClient, createRegions, createService, expectOk, randomPhone, registerResident } from './support/world';

/** The PII key the apps use in tests (AppConfig's development default). */
const DEV_PII_KEY = '6465762d6f6e6c792d7069692d6b65792d6368616e67652d6d652d3031323334';

function expectError(res: HttpResult, status: number, code: string): void {
  if (res.status !== status || res.body?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
function signJwt(payload: Record<string, unknown>, secret: string, alg: 'HS256' | 'HS512' = 'HS256'): string {
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac(alg === 'HS256' ? 'sha256' : 'sha512', secret).update(head).digest('base64url')}`;
}
function decodeJwt(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake WeChat API: jscode2session answers by the code it is given. */
function fakeWeChat(appid: string, secret: string) {
  const requests: URLSearchParams[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.searchParams);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'text/plain' }); // WeChat really answers JSON as text/plain
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname !== '/sns/jscode2session') return json(404, { errcode: 404 });
    if (url.searchParams.get('appid') !== appid || url.searchParams.get('secret') !== secret) return json(200, { errcode: 40125, errmsg: 'invalid appsecret' });
    if (url.searchParams.get('grant_type') !== 'authorization_code') return json(200, { errcode: 40002, errmsg: 'invalid grant_type' });
    const code = url.searchParams.get('js_code') ?? '';
    const good = /^good-(\w+)-\d+$/.exec(code);
    if (good) return json(200, { openid: `oTest_${good[1]}`, session_key: 'SESSION-KEY-MUST-NOT-LEAK==', unionid: `uTest_${good[1]}` });
    switch (code) {
      case 'bad-code':
        return json(200, { errcode: 40029, errmsg: 'invalid code' });
      case 'used-code':
        return json(200, { errcode: 40163, errmsg: 'code been used' });
      case 'busy':
        return json(200, { errcode: -1, errmsg: 'system error' });
      case 'http-500':
        return json(500, 'internal error');
      case 'garbage':
        return json(200, '<html>gateway</html>');
      case 'slow':
        setTimeout(() => json(200, { openid: 'oTest_slow', session_key: 'k' }), 3000);
        return;
      default:
        return json(200, { errcode: 40029, errmsg: 'invalid code' });
    }
  });
  return { server, requests };
}

async function listenOnFreePort(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * OWASP API Security Top 10 (2023), API2 Broken Authentication: forged, expired, revoked and
 * replayed credentials are refused; guessing is throttled (lockout with back-off, per-code attempt
 * limits, resend cooldown and daily cap) without telling whether a phone is registered; SMS-code and
 * WeChat login work against their (fake) upstreams; phone numbers are not stored in clear.
 */
describe('API2:2023 Broken Authentication', () => {
  const tag = `auth${Date.now() % 100000}`;
  const prefix = `api2-${tag}`;
  const secret = 'xinyuan-test-secret-0123456789';
  const appid = 'wxtest0123456789';
  const wechatSecret = 'wechat-test-secret';
  const pii = PiiCipher.fromConfig(DEV_PII_KEY);
  const wechat = fakeWeChat(appid, wechatSecret);
  let wechatUrl: string;
  let api: RunningApp;
  let rating: RunningApp;
  let http: Http;
  let db: Client;
  let redis: IORedis;
  let ipSeq = 0;
  /** Every scenario speaks from its own client IP (X-Forwarded-For), so per-IP lockout stays its own. */
  const freshIp = () => `10.${Math.floor(Math.random() * 200) + 20}.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
  const post = (path: string, body: unknown, ip: string, token?: string) =>
    (token ? http.as(token) : http).post(path, body, { 'x-forwarded-for': ip });

  /** Reads the code the development SMS sender wrote to the api log for this phone (after `since` chunks). */
  async function codeFromLog(app: RunningApp, phone: string, since: number): Promise<string> {
    const masked = maskPhone(phone)!;
    return until(`SMS code for ${masked}`, async () => {
      const text = app.output.slice(since).join('');
      const matches = [...text.matchAll(/\[dev SMS\] (\d{3}\*{4}\d{4}) 登录验证码 (\d{6})/g)].filter((m) => m[1] === masked);
      return matches.length ? matches[matches.length - 1][2] : undefined;
    }, 5000);
  }

  async function sendAndReadCode(phone: string, ip: string): Promise<string> {
    const since = api.output.length;
    let sent = await post('/api/v1/auth/sms/send', { phone }, ip);
    // a code went to this phone a moment ago (registration): the next one after the 1-second cooldown
    if (sent.status === 429 && sent.body.code === 'OTP_RESEND_COOLDOWN') {
      await sleep(1000 * sent.body.retryAfterSeconds + 100);
      sent = await post('/api/v1/auth/sms/send', { phone }, ip);
    }
    expectOk(sent, 200, 'sms send');
    return codeFromLog(api, phone, since);
  }

  async function passwordLogin(phone: string, password: string, ip: string) {
    return post('/api/v1/auth/login', { phone, password }, ip);
  }

  beforeAll(async () => {
    wechatUrl = await listenOnFreePort(wechat.server);
    const env = testEnv(prefix, {
      OTP_RESEND_COOLDOWN_SECONDS: '1',
      OTP_DAILY_LIMIT: '3',
      OTP_MAX_ATTEMPTS: '3',
      LOGIN_LOCKOUT_THRESHOLD: '4',
      LOGIN_LOCKOUT_IP_THRESHOLD: '6',
      LOGIN_LOCKOUT_BASE_SECONDS: '2',
      LOGIN_LOCKOUT_MAX_SECONDS: '8',
      WECHAT_APPID: appid,
      WECHAT_SECRET: wechatSecret,
      WECHAT_API_BASE_URL: wechatUrl,
      AUTH_UPSTREAM_TIMEOUT_MS: '700',
      // the test client is a trusted proxy: each scenario speaks from its own X-Forwarded-For address
      TRUSTED_PROXIES: 'loopback',
    });
    [api, rating] = await Promise.all([startApp('api', env), startApp('rating', env)]);
    http = new Http(api.url);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), rating?.stop()]);
    await db?.end();
    redis?.disconnect();
    await new Promise((r) => wechat.server.close(r));
  });

  // ------------------------------------------------------------------ access tokens

  describe('access tokens', () => {
    let resident: { http: Http; id: string; phone: string };
    let session: { accessToken: string; refreshToken: string };

    beforeAll(async () => {
      resident = await registerResident(http, '令牌居民');
      session = expectOk(await passwordLogin(resident.phone, 'Resident#2026', freshIp()), 200, 'login');
    });

    it('login answers {user, accessToken, refreshToken, expiresIn}: a 15-minute HS256 token bound to a session', async () => {
      const res = expectOk(await passwordLogin(resident.phone, 'Resident#2026', freshIp()), 200, 'login');
      expect(res).toEqual(
        expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, tokenType: 'Bearer' }),
      );
      expect(res.user).toEqual(expect.objectContaining({ id: resident.id, roles: ['resident'], phone: maskPhone(resident.phone) }));
      const claims = decodeJwt(res.accessToken);
      expect(JSON.parse(Buffer.from(res.accessToken.split('.')[0], 'base64url').toString()).alg).toBe('HS256');
      expect(claims.exp - claims.iat).toBe(900);
      expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.iss).toBe('xinyuan');
      // the token carries no personal data
      expect(res.accessToken).not.toContain(resident.phone);
      expect(JSON.stringify(claims)).not.toContain(resident.phone);
      // two logins are two sessions
      expect(claims.sid).not.toBe(decodeJwt(session.accessToken).sid);
    });

    it('refuses an expired token (right secret, live session) with reason "expired"', async () => {
      const claims = decodeJwt(session.accessToken);
      const now = Math.floor(Date.now() / 1000);
      const expired = signJwt({ ...claims, iat: now - 1000, exp: now - 10 }, secret);
      const res = await http.as(expired).get('/api/v1/me');
      expectError(res, 401, 'UNAUTHENTICATED');
      expect(res.body.reason).toBe('expired');
      // the same claims, unexpired and signed with the right secret, pass: it was the expiry
      expectOk(await http.as(signJwt({ ...claims, iat: now, exp: now + 60 }, secret)).get('/api/v1/me'), 200, 'me');
    });

    it('refuses forged tokens: wrong secret, alg none, tampered payload, other algorithm, no session', async () => {
      const claims = decodeJwt(session.accessToken);
      const now = Math.floor(Date.now() / 1000);
      const [head, , sig] = session.accessToken.split('.');
      const forged = [
        signJwt({ ...claims, roles: ['admin'] }, 'some-other-secret-0123456789'),
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, roles: ['admin'] })}.`,
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.${sig}`,
        // tampered: roles raised to admin, original signature kept
        `${head}.${b64({ ...claims, roles: ['admin'] })}.${sig}`,
        `${head}.${b64({ ...claims, sub: randomUUID() })}.${sig}`,
        signJwt({ ...claims }, secret, 'HS512'),
        // well signed but without a session id, or with another issuer
        signJwt({ sub: resident.id, roles: ['admin'], iss: 'xinyuan', iat: now, exp: now + 600 }, secret),
        signJwt({ ...claims, sid: 'not-a-session' }, secret),
        signJwt({ ...claims, iss: 'someone-else' }, secret),
      ];
      for (const token of forged) {
        const me = await http.as(token).get('/api/v1/me');
        expectError(me, 401, 'UNAUTHENTICATED');
        expect(me.body.reason).toBe('invalid');
        expectError(await http.as(token).get('/api/v1/dispatch/queue'), 401, 'UNAUTHENTICATED');
        expectError(await new Http(rating.url, token).post(`/api/v1/orders/${randomUUID()}/rating`, { stars: 5, solved: true }), 401, 'UNAUTHENTICATED');
      }
      // the genuine token still works
      expectOk(await http.as(session.accessToken).get('/api/v1/me'), 200, 'me');
    });

    it('GET /me shows the caller her own phone in clear; nothing else does', async () => {
      const me = expectOk(await http.as(session.accessToken).get('/api/v1/me'), 200, 'me');
      expect(me.phone).toBe(resident.phone);
      const newPhone = randomPhone('137');
      const ip = freshIp();
      const smsCode = await sendAndReadCode(newPhone, ip);
      const registered = expectOk(await post('/api/v1/auth/register', { phone: newPhone, password: 'Resident#2026', name: '新居民', smsCode }, ip), 201, 'register');
      expect(registered.user.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(registered).toEqual(expect.objectContaining({ refreshToken: expect.any(String), expiresIn: 900 }));
    });
  });

  // ------------------------------------------------------------------ refresh tokens

  describe('refresh tokens: rotation and reuse detection', () => {
    let phone: string;

    beforeAll(async () => {
      phone = (await registerResident(http, '刷新居民')).phone;
    });

    it('rotates on every refresh; the new tokens work', async () => {
      const first = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login');
      const second = expectOk(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 200, 'refresh');
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(second.expiresIn).toBe(900);
      expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
      expectOk(await http.as(second.accessToken).get('/api/v1/me'), 200, 'me');
      const third = expectOk(await http.post('/api/v1/auth/refresh', { refreshToken: second.refreshToken }), 200, 'refresh again');
      expectOk(await http.as(third.accessToken).get('/api/v1/me'), 200, 'me');
      // only hashes are stored
      const stored = await db.query(`SELECT token_hash FROM refresh_tokens WHERE session_id = $1`, [decodeJwt(first.accessToken).sid]);
      expect(stored.rowCount).toBe(3);
      for (const t of [first, second, third]) expect(JSON.stringify(stored.rows)).not.toContain(t.refreshToken);
    });

    it('a replayed (already rotated) refresh token is refused and revokes the whole family', async () => {
      const first = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login');
      const second = expectOk(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 200, 'refresh');
      expectOk(await http.as(second.accessToken).get('/api/v1/me'), 200, 'me before');

      // the attacker (or a stale client) presents the old token
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
      // the legitimate holder's current token is dead too, and so are the family's access tokens
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: second.refreshToken }), 401, 'SESSION_REVOKED');
      for (const token of [first.accessToken, second.accessToken]) {
        const me = await http.as(token).get('/api/v1/me');
        expectError(me, 401, 'UNAUTHENTICATED');
        expect(me.body.reason).toBe('revoked');
      }
      // replaying again keeps saying reuse
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
      const { rows } = await db.query(`SELECT revoked_reason FROM auth_sessions WHERE id = $1`, [decodeJwt(first.accessToken).sid]);
      expect(rows[0].revoked_reason).toBe('refresh_reuse');
      // other sessions of the same person are untouched
      expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login again');
    });

    it('two refreshes racing with one token: one wins, the other is reuse', async () => {
      const first = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login');
      const results = await Promise.all([0, 1].map(() => http.post('/api/v1/auth/refresh', { refreshToken: first.refreshToken })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      expect(results.find((r) => r.status === 401)!.body.code).toBe('REFRESH_TOKEN_REUSED');
    });

    it('refuses unknown and malformed refresh tokens', async () => {
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: 'A'.repeat(43) }), 401, 'REFRESH_TOKEN_INVALID');
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: 'short' }), 400, 'VALIDATION_FAILED');
      expectError(await http.post('/api/v1/auth/refresh', {}), 400, 'VALIDATION_FAILED');
      // an access token is not a refresh token
      const login = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login');
      expect((await http.post('/api/v1/auth/refresh', { refreshToken: login.accessToken })).status).toBe(400);
    });
  });

  // ------------------------------------------------------------------ logout

  describe('logout', () => {
    it('revokes the session: its access token (on every app) and refresh token are refused; other sessions live on', async () => {
      const { phone } = await registerResident(http, '退出居民');
      const a = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login a');
      const b = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login b');
      expectOk(await http.as(a.accessToken).get('/api/v1/me'), 200, 'me a');

      const out = await http.as(a.accessToken).post('/api/v1/auth/logout');
      expect(out.status).toBe(204);

      const me = await http.as(a.accessToken).get('/api/v1/me');
      expectError(me, 401, 'UNAUTHENTICATED');
      expect(me.body.reason).toBe('revoked');
      expectError(await new Http(rating.url, a.accessToken).post(`/api/v1/orders/${randomUUID()}/rating`, { stars: 5, solved: true }), 401, 'UNAUTHENTICATED');
      expectError(await http.post('/api/v1/auth/refresh', { refreshToken: a.refreshToken }), 401, 'SESSION_REVOKED');
      expectError(await http.as(a.accessToken).post('/api/v1/auth/logout'), 401, 'UNAUTHENTICATED');

      expectOk(await http.as(b.accessToken).get('/api/v1/me'), 200, 'me b');
      expectOk(await http.post('/api/v1/auth/refresh', { refreshToken: b.refreshToken }), 200, 'refresh b');
    });

    it('stays revoked when Redis loses its copy: Postgres is the truth', async () => {
      const { phone } = await registerResident(http, '退出居民二');
      const a = expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'login');
      expect((await http.as(a.accessToken).post('/api/v1/auth/logout')).status).toBe(204);
      const keys = await redis.keys(`${prefix}:auth:revo*`);
      // the revocation and the marker that the copy is complete: as after a Redis flush
      expect(keys.length).toBeGreaterThanOrEqual(2);
      await redis.del(...keys);
      const me = await http.as(a.accessToken).get('/api/v1/me');
      expectError(me, 401, 'UNAUTHENTICATED');
      expect(me.body.reason).toBe('revoked');
      expectError(await new Http(rating.url, a.accessToken).post(`/api/v1/orders/${randomUUID()}/rating`, { stars: 5, solved: true }), 401, 'UNAUTHENTICATED');
      // and the copy was rebuilt
      expect(await redis.exists(`${prefix}:auth:revoked:${decodeJwt(a.accessToken).sid}`)).toBe(1);
    });
  });

  // ------------------------------------------------------------------ lockout

  describe('lockout with exponential back-off', () => {
    it('locks a phone after repeated wrong passwords, even for the right one, then lets it in after the back-off', async () => {
      const { phone } = await registerResident(http, '锁定居民');
      const ip = freshIp();
      for (let i = 0; i < 4; i++) expectError(await passwordLogin(phone, `Wrong#Password${i}`, ip), 401, 'INVALID_CREDENTIALS');
      // locked: even the right password (from another IP) is not looked at
      const locked = await passwordLogin(phone, 'Resident#2026', freshIp());
      expectError(locked, 429, 'LOGIN_LOCKED');
      expect(locked.body.retryAfterSeconds).toBe(2);
      expect(locked.headers.get('retry-after')).toBe('2');
      // an SMS code cannot be had or used for it either
      expectError(await post('/api/v1/auth/sms/send', { phone }, freshIp()), 429, 'LOGIN_LOCKED');
      expectError(await post('/api/v1/auth/sms/login', { phone, code: '000000' }, freshIp()), 429, 'LOGIN_LOCKED');

      await sleep(2100);
      expectOk(await passwordLogin(phone, 'Resident#2026', ip), 200, 'after the back-off');
      // success forgets the failures: one more wrong password does not lock again
      expectError(await passwordLogin(phone, 'Wrong#Password', ip), 401, 'INVALID_CREDENTIALS');
      expectOk(await passwordLogin(phone, 'Resident#2026', ip), 200, 'not locked');
    });

    it('doubles the lock with every further failure, up to the maximum', async () => {
      const phone = randomPhone('135');
      const ip = freshIp();
      for (let i = 0; i < 4; i++) await passwordLogin(phone, 'Wrong#Password', ip);
      expect((await passwordLogin(phone, 'Wrong#Password', ip)).body.retryAfterSeconds).toBe(2);
      await sleep(2100);
      expectError(await passwordLogin(phone, 'Wrong#Password', ip), 401, 'INVALID_CREDENTIALS');
      expect((await passwordLogin(phone, 'Wrong#Password', ip)).body.retryAfterSeconds).toBe(4);
      await sleep(4100);
      expectError(await passwordLogin(phone, 'Wrong#Password', ip), 401, 'INVALID_CREDENTIALS');
      expect((await passwordLogin(phone, 'Wrong#Password', ip)).body.retryAfterSeconds).toBe(8);
    }, 30000);

    it('answers exactly alike for a registered and an unregistered phone', async () => {
      const { phone: registered } = await registerResident(http, '存在居民');
      const unregistered = randomPhone('135');
      const trace = async (phone: string) => {
        const ip = freshIp();
        const out: string[] = [];
        for (let i = 0; i < 6; i++) {
          const res = await passwordLogin(phone, 'Wrong#Password', ip);
          out.push(`${res.status} ${res.body.code} ${res.body.message} ${res.body.retryAfterSeconds ?? ''}`);
        }
        return out;
      };
      const [a, b] = await Promise.all([trace(registered), trace(unregistered)]);
      expect(a).toEqual(b);
      expect(a[0]).toMatch(/^401 INVALID_CREDENTIALS/);
      expect(a[5]).toMatch(/^429 LOGIN_LOCKED/);
    });

    it('locks a client IP that tries many phones', async () => {
      const ip = freshIp();
      const { phone } = await registerResident(http, 'IP居民');
      for (let i = 0; i < 6; i++) expectError(await passwordLogin(randomPhone('136'), 'Wrong#Password', ip), 401, 'INVALID_CREDENTIALS');
      expectError(await passwordLogin(phone, 'Resident#2026', ip), 429, 'LOGIN_LOCKED');
      expectError(await post('/api/v1/auth/sms/login', { phone, code: '123456' }, ip), 429, 'LOGIN_LOCKED');
      // the same person from elsewhere is not locked out
      expectOk(await passwordLogin(phone, 'Resident#2026', freshIp()), 200, 'other ip');
    });
  });

  // ------------------------------------------------------------------ SMS codes

  describe('SMS login codes', () => {
    it('answers a send the same way for a registered and an unknown phone', async () => {
      const { phone: registered } = await registerResident(http, '短信居民');
      await sleep(1100); // registration sent it a code: past the resend cooldown
      const a = await post('/api/v1/auth/sms/send', { phone: registered }, freshIp());
      const b = await post('/api/v1/auth/sms/send', { phone: randomPhone('135') }, freshIp());
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body).toEqual(b.body);
      expect(a.body).toEqual({ sent: true, expiresInSeconds: 300, resendAfterSeconds: 1 });
    });

    it('signs a new phone up as a resident, and the same phone in again as the same person', async () => {
      const phone = randomPhone('135');
      const code = await sendAndReadCode(phone, freshIp());
      const first = expectOk(await post('/api/v1/auth/sms/login', { phone, code, name: '李奶奶' }, freshIp()), 200, 'sms login');
      expect(first.isNewUser).toBe(true);
      expect(first.user).toEqual(expect.objectContaining({ name: '李奶奶', roles: ['resident'], phone: maskPhone(phone) }));
      expect(first).toEqual(expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900 }));
      expect(expectOk(await http.as(first.accessToken).get('/api/v1/me'), 200, 'me').phone).toBe(phone);

      // a code is single-use
      expectError(await post('/api/v1/auth/sms/login', { phone, code }, freshIp()), 401, 'OTP_INVALID');

      await sleep(1100);
      const again = expectOk(await post('/api/v1/auth/sms/login', { phone, code: await sendAndReadCode(phone, freshIp()) }, freshIp()), 200, 'again');
      expect(again.isNewUser).toBe(false);
      expect(again.user.id).toBe(first.user.id);
      expect(again.user.name).toBe('李奶奶');
    });

    it('logs a registered (password) account in with a code: the same account', async () => {
      const resident = await registerResident(http, '双通道居民');
      const res = expectOk(await post('/api/v1/auth/sms/login', { phone: resident.phone, code: await sendAndReadCode(resident.phone, freshIp()) }, freshIp()), 200, 'sms login');
      expect(res.user.id).toBe(resident.id);
      expect(res.isNewUser).toBe(false);
    });

    it('drops a code after the allowed wrong attempts, and counts them toward the lockout', async () => {
      const phone = randomPhone('135');
      const code = await sendAndReadCode(phone, freshIp());
      const wrong = code === '000000' ? '111111' : '000000';
      const one = await post('/api/v1/auth/sms/login', { phone, code: wrong }, freshIp());
      expectError(one, 401, 'OTP_INVALID');
      expect(one.body.attemptsLeft).toBe(2);
      expectError(await post('/api/v1/auth/sms/login', { phone, code: wrong }, freshIp()), 401, 'OTP_INVALID');
      expectError(await post('/api/v1/auth/sms/login', { phone, code: wrong }, freshIp()), 401, 'OTP_ATTEMPTS_EXCEEDED');
      // the right code no longer works: it was dropped (4th failure: the phone is now locked)
      expectError(await post('/api/v1/auth/sms/login', { phone, code }, freshIp()), 401, 'OTP_INVALID');
      const locked = await post('/api/v1/auth/sms/login', { phone, code }, freshIp());
      expectError(locked, 429, 'LOGIN_LOCKED');
      expect(locked.headers.get('retry-after')).toBe('2');
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM users WHERE phone_bidx = $1`, [pii.blindIndex(phone)]);
      expect(rows[0].n).toBe(0);
    });

    it('refuses a resend inside the cooldown with 429 and Retry-After', async () => {
      const phone = randomPhone('135');
      expectOk(await post('/api/v1/auth/sms/send', { phone }, freshIp()), 200, 'first');
      const again = await post('/api/v1/auth/sms/send', { phone }, freshIp());
      expectError(again, 429, 'OTP_RESEND_COOLDOWN');
      expect(again.body.retryAfterSeconds).toBe(1);
      expect(again.headers.get('retry-after')).toBe('1');
      await sleep(1100);
      expectOk(await post('/api/v1/auth/sms/send', { phone }, freshIp()), 200, 'after the cooldown');
    });

    it('caps the codes a phone gets in 24 hours', async () => {
      const phone = randomPhone('135');
      for (let i = 0; i < 3; i++) {
        expectOk(await post('/api/v1/auth/sms/send', { phone }, freshIp()), 200, `send ${i + 1}`);
        await sleep(1100);
      }
      const capped = await post('/api/v1/auth/sms/send', { phone }, freshIp());
      expectError(capped, 429, 'OTP_DAILY_LIMIT');
      expect(capped.body.retryAfterSeconds).toBeGreaterThan(86000);
      expect(capped.body.retryAfterSeconds).toBeLessThanOrEqual(86400);
      expect(Number(capped.headers.get('retry-after'))).toBe(capped.body.retryAfterSeconds);
    }, 20000);

    it('rejects malformed input with 400 and the offending fields', async () => {
      const bad = await post('/api/v1/auth/sms/send', { phone: '12345' }, freshIp());
      expectError(bad, 400, 'VALIDATION_FAILED');
      expect(bad.body.fields.map((f: { field: string }) => f.field)).toEqual(['phone']);
      const login = await post('/api/v1/auth/sms/login', { phone: randomPhone('135'), code: '12345', role: 'admin' }, freshIp());
      expectError(login, 400, 'VALIDATION_FAILED');
      expect(login.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['code', 'role']);
    });
  });

  // ------------------------------------------------------------------ WeChat

  describe('accounts claimed in advance, passwords and staff sign-in', () => {
    const attackerPassword = 'Attacker#2026';
    /** An account registered the way it was possible before registration needed a code: no proof of the phone. */
    async function plantAccount(phone: string): Promise<string> {
      const { rows } = await db.query(
        `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles) VALUES ($1, $2, '抢注', $3, ARRAY['resident']) RETURNING id`,
        [pii.encrypt(phone), pii.blindIndex(phone), await argon2(attackerPassword)],
      );
      return rows[0].id;
    }
    const smsLogin = async (phone: string, ip = freshIp()) => post('/api/v1/auth/sms/login', { phone, code: await sendAndReadCode(phone, ip) }, ip);

    it('registration needs the code sent to the phone: nobody registers a number they do not hold', async () => {
      const victim = randomPhone('137');
      const ip = freshIp();
      const noCode = await post('/api/v1/auth/register', { phone: victim, password: attackerPassword, name: '抢注' }, ip);
      expect({ status: noCode.status, code: noCode.body.code, fields: noCode.body.fields?.map((f: any) => f.field) }).toEqual({ status: 400, code: 'VALIDATION_FAILED', fields: ['smsCode'] });
      expectError(await post('/api/v1/auth/register', { phone: victim, password: attackerPassword, name: '抢注', smsCode: '123456' }, ip), 401, 'OTP_INVALID');
      // the attacker's own code (sent to his own phone) does not work for her number
      const own = randomPhone('137');
      const ownCode = await sendAndReadCode(own, ip);
      expectError(await post('/api/v1/auth/register', { phone: victim, password: attackerPassword, name: '抢注', smsCode: ownCode }, freshIp()), 401, 'OTP_INVALID');
      expect((await db.query(`SELECT count(*)::int AS n FROM users WHERE phone_bidx = $1`, [pii.blindIndex(victim)])).rows[0].n).toBe(0);
      // she signs in by SMS later: her own new account, which nobody else holds a password for
      const hers = expectOk(await smsLogin(victim), 200, 'sms login');
      expect(hers.isNewUser).toBe(true);
      expectError(await passwordLogin(victim, attackerPassword, freshIp()), 401, 'INVALID_CREDENTIALS');
    });

    it('a number claimed before codes were needed is taken back by its owner\'s SMS login: the planted password and its sessions end', async () => {
      const victim = randomPhone('137');
      const id = await plantAccount(victim);
      const attacker = expectOk(await passwordLogin(victim, attackerPassword, freshIp()), 200, 'attacker login');
      const hers = expectOk(await smsLogin(victim), 200, 'her sms login');
      expect({ id: hers.user.id, isNewUser: hers.isNewUser }).toEqual({ id, isNewUser: false });
      expectError(await passwordLogin(victim, attackerPassword, freshIp()), 401, 'INVALID_CREDENTIALS');
      expectError(await http.as(attacker.accessToken).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      expectError(await post('/api/v1/auth/refresh', { refreshToken: attacker.refreshToken }, freshIp()), 401, 'SESSION_REVOKED');
      expect((await http.as(hers.accessToken).get('/api/v1/me')).status).toBe(200);
      expect((await db.query(`SELECT phone_verified_at IS NOT NULL AS proven, password_hash IS NULL AS no_password FROM users WHERE id = $1`, [id])).rows[0]).toEqual({ proven: true, no_password: true });
    });

    it('a planted number made staff keeps no password the admin did not set, its sessions end, and an SMS code alone never signs staff in', async () => {
      const admin = await adminClient(http);
      const { township } = await createRegions(admin, { lat: 31.5, lng: 117.5 }, `${tag}s`);
      const planted = randomPhone('137');
      const id = await plantAccount(planted);
      const attacker = expectOk(await passwordLogin(planted, attackerPassword, freshIp()), 200, 'attacker login');
      const staff = expectOk(await admin.post('/api/v1/staff', { phone: planted, name: '调度员', password: 'Dispatcher#Set2026', role: 'dispatcher', regionId: township.id }), 201, 'staff');
      expect(staff.userId).toBe(id);
      expectError(await passwordLogin(planted, attackerPassword, freshIp()), 401, 'INVALID_CREDENTIALS');
      expectError(await http.as(attacker.accessToken).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      const signedIn = expectOk(await passwordLogin(planted, 'Dispatcher#Set2026', freshIp()), 200, 'staff login');
      expect(signedIn.user.roles).toContain('dispatcher');
      // the SMS code alone: refused for staff and admins, with no token
      for (const phone of [planted, ADMIN.phone]) {
        const res = await smsLogin(phone);
        expectError(res, 401, 'PASSWORD_LOGIN_REQUIRED');
        expect(res.body).not.toHaveProperty('accessToken');
      }
      // nor does a reset by code open a staff account
      const ip = freshIp();
      const reset = await post('/api/v1/auth/password/reset', { phone: planted, smsCode: await sendAndReadCode(planted, ip), newPassword: attackerPassword }, ip);
      expectError(reset, 401, 'PASSWORD_LOGIN_REQUIRED');
      expectError(await passwordLogin(planted, attackerPassword, freshIp()), 401, 'INVALID_CREDENTIALS');
    });

    it('changing the password needs the current one and ends every other session', async () => {
      const r = await registerResident(http, '改密居民');
      const other = expectOk(await passwordLogin(r.phone, 'Resident#2026', freshIp()), 200, 'second device');
      const wrong = await r.http.post('/api/v1/auth/password', { currentPassword: 'not-my-password', newPassword: 'Changed#Pass2026' });
      expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 403, code: 'CURRENT_PASSWORD_WRONG' });
      expect((await r.http.post('/api/v1/auth/password', { currentPassword: 'Resident#2026', newPassword: 'Changed#Pass2026' })).status).toBe(204);
      expect((await r.http.get('/api/v1/me')).status).toBe(200);
      expectError(await http.as(other.accessToken).get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      expectError(await post('/api/v1/auth/refresh', { refreshToken: other.refreshToken }, freshIp()), 401, 'SESSION_REVOKED');
      expectError(await passwordLogin(r.phone, 'Resident#2026', freshIp()), 401, 'INVALID_CREDENTIALS');
      expectOk(await passwordLogin(r.phone, 'Changed#Pass2026', freshIp()), 200, 'new password');
    });

    it('an SMS-verified reset sets a new password and ends every session; an unknown number is answered alike', async () => {
      const r = await registerResident(http, '找回密码居民');
      let ip = freshIp();
      const wrongCode = await post('/api/v1/auth/password/reset', { phone: r.phone, smsCode: '000000', newPassword: 'Reset#Pass2026' }, ip);
      expectError(wrongCode, 401, 'OTP_INVALID');
      ip = freshIp();
      expect((await post('/api/v1/auth/password/reset', { phone: r.phone, smsCode: await sendAndReadCode(r.phone, ip), newPassword: 'Reset#Pass2026' }, ip)).status).toBe(204);
      expectError(await r.http.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      expectOk(await passwordLogin(r.phone, 'Reset#Pass2026', freshIp()), 200, 'new password');
      const nobody = randomPhone('137');
      ip = freshIp();
      const unknown = await post('/api/v1/auth/password/reset', { phone: nobody, smsCode: await sendAndReadCode(nobody, ip), newPassword: 'Reset#Pass2026' }, ip);
      expect(unknown.status).toBe(204);
      expect((await db.query(`SELECT count(*)::int AS n FROM users WHERE phone_bidx = $1`, [pii.blindIndex(nobody)])).rows[0].n).toBe(0);
    });

    it('parallel wrong passwords cannot slip past the lockout threshold: each is counted before it is checked', async () => {
      const r = await registerResident(http, '并发猜密码');
      // every guess from its own address, so only the phone's count decides
      const guesses = await Promise.all(Array.from({ length: 16 }, (_, i) => passwordLogin(r.phone, `guess-${i}-wrong`, freshIp())));
      const checked = guesses.filter((g) => g.status === 401);
      const locked = guesses.filter((g) => g.status === 429);
      expect(checked.length + locked.length).toBe(16);
      // LOGIN_LOCKOUT_THRESHOLD is 4 here: at most 4 guesses were ever checked
      expect(checked.length).toBeLessThanOrEqual(4);
      for (const l of locked) expect(l.body.code).toBe('LOGIN_LOCKED');
      expectError(await passwordLogin(r.phone, 'Resident#2026', freshIp()), 429, 'LOGIN_LOCKED');
    });
  });

  describe('WeChat mini-program login (against a fake WeChat server)', () => {
    it('turns a good code into a resident account, and the same openid into the same account', async () => {
      const before = wechat.requests.length;
      const first = expectOk(await post('/api/v1/auth/wechat/login', { code: `good-${tag}-1` }, freshIp()), 200, 'wechat login');
      expect(first.isNewUser).toBe(true);
      expect(first.user).toEqual(expect.objectContaining({ roles: ['resident'], phone: null }));
      expect(JSON.stringify(first)).not.toContain('SESSION-KEY');
      const call = wechat.requests[before];
      expect(call.get('appid')).toBe(appid);
      expect(call.get('secret')).toBe(wechatSecret);
      expect(call.get('js_code')).toBe(`good-${tag}-1`);
      expect(call.get('grant_type')).toBe('authorization_code');

      const again = expectOk(await post('/api/v1/auth/wechat/login', { code: `good-${tag}-2` }, freshIp()), 200, 'again');
      expect(again.isNewUser).toBe(false);
      expect(again.user.id).toBe(first.user.id);
      const me = expectOk(await http.as(again.accessToken).get('/api/v1/me'), 200, 'me');
      expect(me).toEqual(expect.objectContaining({ id: first.user.id, phone: null, roles: ['resident'] }));
      const { rows } = await db.query(`SELECT appid, openid, unionid FROM wechat_accounts WHERE user_id = $1`, [first.user.id]);
      expect(rows).toEqual([{ appid, openid: `oTest_${tag}`, unionid: `uTest_${tag}` }]);
    });

    it('answers bad or used codes with 401 WECHAT_CODE_INVALID and creates nobody', async () => {
      const { rows: [{ n: before }] } = await db.query(`SELECT count(*)::int AS n FROM users`);
      for (const code of ['bad-code', 'used-code']) {
        const res = await post('/api/v1/auth/wechat/login', { code }, freshIp());
        expectError(res, 401, 'WECHAT_CODE_INVALID');
      }
      const { rows: [{ n: after }] } = await db.query(`SELECT count(*)::int AS n FROM users`);
      expect(after).toBe(before);
    });

    it('answers WeChat failures (errors, HTTP 500, garbage, timeout) with 502 WECHAT_UNAVAILABLE, never 500', async () => {
      for (const code of ['busy', 'http-500', 'garbage', 'slow']) {
        const res = await post('/api/v1/auth/wechat/login', { code }, freshIp());
        expectError(res, 502, 'WECHAT_UNAVAILABLE');
        expect(JSON.stringify(res.body)).not.toContain(wechatSecret);
      }
    });

    it('rejects a malformed code with 400', async () => {
      expectError(await post('/api/v1/auth/wechat/login', { code: 'has spaces and ; quotes"' }, freshIp()), 400, 'VALIDATION_FAILED');
      expectError(await post('/api/v1/auth/wechat/login', {}, freshIp()), 400, 'VALIDATION_FAILED');
    });

    it('a WeChat-only resident (no phone) must give a contact phone to order', async () => {
      const admin = await adminClient(http);
      const code = `SHAVE_${tag.toUpperCase()}`;
      await createService(admin, code, [`shave_${tag}`], 3600);
      // orders are taken inside a region only (OUT_OF_SERVICE_AREA elsewhere)
      expectOk(await admin.post('/api/v1/regions', { name: `微信县${tag}`, level: 'county', boundary: { type: 'Polygon', coordinates: [[[119.5, 30.5], [119.7, 30.5], [119.7, 30.7], [119.5, 30.7], [119.5, 30.5]]] } }), 201, 'county');
      const wx = expectOk(await post('/api/v1/auth/wechat/login', { code: `good-w${tag}-1` }, freshIp()), 200, 'wechat login');
      const order = { serviceCode: code, description: '上门理发', location: { lat: 30.6, lng: 119.6 }, address: '测试路 1 号' };
      const missing = await http.as(wx.accessToken).post('/api/v1/orders', order, { 'idempotency-key': randomUUID() });
      expectError(missing, 400, 'VALIDATION_FAILED');
      expect(missing.body.fields.map((f: { field: string }) => f.field)).toEqual(['contactPhone']);
      const placed = expectOk(
        await http.as(wx.accessToken).post('/api/v1/orders', { ...order, contactPhone: '13912345678' }, { 'idempotency-key': randomUUID() }),
        201,
        'order',
      );
      expect(placed.contactPhone).toBe('13912345678');
    });
  });

  // ------------------------------------------------------------------ phones at rest

  describe('phone numbers at rest', () => {
    it('the database holds no phone number in clear: ciphertext and a blind index only', async () => {
      const resident = await registerResident(http, '加密居民');
      const smsPhone = randomPhone('135');
      expectOk(await post('/api/v1/auth/sms/login', { phone: smsPhone, code: await sendAndReadCode(smsPhone, freshIp()) }, freshIp()), 200, 'sms');

      const columns = await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'users'`);
      expect(columns.rows.map((r) => r.column_name)).not.toContain('phone');

      const phones = [resident.phone, smsPhone, ADMIN.phone];
      for (const table of ['users', 'auth_sessions', 'refresh_tokens', 'wechat_accounts']) {
        const { rows } = await db.query(`SELECT * FROM ${table}`);
        // display names are free text a client chose (the property-based suite sends phone-like ones)
        const dump = JSON.stringify(rows.map(({ name: _name, ...rest }) => rest));
        for (const p of phones) expect(dump).not.toContain(p);
      }
      const { rows } = await db.query(`SELECT phone_enc, phone_bidx FROM users WHERE phone_bidx = ANY($1)`, [phones.map((p) => pii.blindIndex(p))]);
      expect(rows).toHaveLength(3);
      for (const r of rows) {
        expect(r.phone_enc).toMatch(/^v1:/);
        expect(phones).toContain(pii.decrypt(r.phone_enc));
      }
      // nor does Redis (codes, counters and locks are keyed by the blind index)
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) for (const p of phones) expect(k).not.toContain(p);
    });
  });

  // ------------------------------------------------------------------ HTTP SMS provider

  describe('HTTP SMS provider', () => {
    let gatewayApi: RunningApp;
    let gateway: Server;
    const received: { auth: string | undefined; body: any }[] = [];
    let failNext = false;

    beforeAll(async () => {
      gateway = createServer((req, res) => {
        let data = '';
        req.on('data', (d) => (data += d));
        req.on('end', () => {
          if (failNext) {
            res.writeHead(503).end('down');
            return;
          }
          received.push({ auth: req.headers.authorization, body: JSON.parse(data) });
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
        });
      });
      const url = await listenOnFreePort(gateway);
      gatewayApi = await startApp(
        'api',
        testEnv(`${prefix}-gw`, { SMS_PROVIDER: 'http', SMS_HTTP_URL: `${url}/sms`, SMS_HTTP_TOKEN: 'gateway-token', SMS_HTTP_TEMPLATE: 'SMS_LOGIN_01', OTP_RESEND_COOLDOWN_SECONDS: '1', TRUSTED_PROXIES: 'loopback' }),
      );
    });

    afterAll(async () => {
      await gatewayApi?.stop();
      await new Promise((r) => gateway?.close(r));
    });

    it('POSTs the code to the gateway with its token; the code logs in; nothing goes to the log', async () => {
      const phone = randomPhone('135');
      const gw = new Http(gatewayApi.url);
      expectOk(await gw.post('/api/v1/auth/sms/send', { phone }, { 'x-forwarded-for': freshIp() }), 200, 'send');
      const msg = received.find((r) => r.body.phone === phone)!;
      expect(msg.auth).toBe('Bearer gateway-token');
      expect(msg.body).toEqual({ phone, code: expect.stringMatching(/^\d{6}$/), ttlSeconds: 300, template: 'SMS_LOGIN_01' });
      expect(gatewayApi.output.join('')).not.toContain(msg.body.code);
      expectOk(await gw.post('/api/v1/auth/sms/login', { phone, code: msg.body.code }, { 'x-forwarded-for': freshIp() }), 200, 'login');
    });

    it('answers a failing gateway with 502 SMS_SEND_FAILED and does not start the cooldown', async () => {
      const phone = randomPhone('135');
      const gw = new Http(gatewayApi.url);
      failNext = true;
      try {
        expectError(await gw.post('/api/v1/auth/sms/send', { phone }, { 'x-forwarded-for': freshIp() }), 502, 'SMS_SEND_FAILED');
      } finally {
        failNext = false;
      }
      expectOk(await gw.post('/api/v1/auth/sms/send', { phone }, { 'x-forwarded-for': freshIp() }), 200, 'retry at once');
    });
  });
});
