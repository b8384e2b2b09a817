import { createHmac, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { sendSmsCode } from './support/sms-codes';
import { chinaIso } from '../apps/web-shared/time';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, randomPhone, registerResident } from './support/world';

const DAY_MS = 24 * 3600 * 1000;
/** `days` from today (China time) at `hour`:00, as the clients send a preferred time. */
const inDays = (days: number, hour: number) =>
  chinaIso(Math.floor((Date.now() + 8 * 3600 * 1000) / DAY_MS) * DAY_MS - 8 * 3600 * 1000 + days * DAY_MS + hour * 3600 * 1000);

/**
 * Bad input never becomes a 500, never leaks a stack trace or SQL, always carries a stable `code`
 * (and the offending fields for validation errors), and never leaves a half-written row behind.
 */
describe('bad input: clean 4xx, stable codes, nothing written', () => {
  const tag = `B${Date.now() % 100000}`;
  const skill = `shopping_${tag.toLowerCase()}`;
  const serviceCode = `SHOPPING_${tag}`;
  const home: LatLng = { lat: 31.2, lng: 120.3 };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let rating: Http;
  let admin: Http;
  let team: CreatedTeam;
  let resident: { http: Http; id: string; phone: string };
  let ratingAsResident: Http;

  /** Every response of this file, to check at the end that none leaks internals. */
  const seen: { method: string; url: string; status: number; text: string }[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    globalThis.fetch = async (input: any, init?: any) => {
      const res = await realFetch(input, init);
      seen.push({ method: init?.method ?? 'GET', url: String(input), status: res.status, text: await res.clone().text() });
      return res;
    };
    platform = await startPlatform(`bad-input-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    rating = new Http(platform.rating.url);
    admin = await adminClient(api);
    const { station } = await createRegions(admin, home, tag);
    await createService(admin, serviceCode, [skill], 3600);
    team = await createTeam(api, admin, station.id, {
      name: `跑腿队${tag}`, location: offset(home, 300, 0), serviceRadiusM: 3000, skills: [skill], capacity: 20, members: 2,
    });
    resident = await registerResident(api, '赵奶奶');
    ratingAsResident = rating.as(resident.http.token!);
  }, 120000);

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await db?.end();
    await platform?.stop();
  });

  // ---------------------------------------------------------------- helpers

  const validOrder = (extra: Record<string, unknown> = {}) => ({
    serviceCode, description: '帮忙买菜送上门', location: home, address: '测试小区 5 幢 102 室', ...extra,
  });

  const STACK_OR_SQL = [/\n\s+at /, /\bat \S+ \(.*:\d+:\d+\)/, /\.(ts|js):\d+/, /node_modules/, /\bSELECT\b/i, /\bINSERT\b/i, /\bUPDATE\b\s+\w+\s+SET/i,
    /\bDELETE FROM\b/i, /QueryFailedError/, /duplicate key/i, /violates/i, /\bpg_/, /Error:/];

  function expectNoLeak(text: string) {
    for (const re of STACK_OR_SQL) expect(text).not.toMatch(re);
  }

  /** Status, stable code, the contract's error shape, the fields named, and nothing internal. */
  function expectError(res: HttpResult, status: number, code: string, fields: string[] = []) {
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String), code });
    if (fields.length) {
      const named = (res.body.fields ?? []).map((f: { field: string }) => f.field);
      for (const f of fields) expect(named).toContain(f);
      for (const f of res.body.fields) expect(f.messages.length).toBeGreaterThan(0);
    }
    expectNoLeak(JSON.stringify(res.body));
  }

  const fieldsOf = (res: HttpResult) => (res.body.fields ?? []).map((f: { field: string }) => f.field).sort();

  const TABLES = ['users', 'orders', 'order_events', 'idempotency_keys', 'offers', 'service_records', 'ratings', 'team_reputation'];
  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const t of TABLES) out[t] = (await db.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
    return out;
  }
  /** Runs `fn` and asserts it wrote no row anywhere (the dispatcher must be idle: no order is `dispatching`). */
  async function writesNothing(fn: () => Promise<void>) {
    await settled();
    const before = await counts();
    await fn();
    await settled();
    expect(await counts()).toEqual(before);
  }
  async function settled() {
    await until('dispatcher idle', async () => (await db.query(`SELECT 1 FROM orders WHERE status = 'dispatching'`)).rowCount === 0);
  }

  const statusOf = async (orderId: string) => (await db.query(`SELECT status, version FROM orders WHERE id = $1`, [orderId])).rows[0];

  const pendingOfferOf = async (orderId: string) => {
    const res = await team.members[0].http.get('/api/v1/offers?status=pending&limit=100');
    return res.body.items.find((o: any) => o.orderId === orderId);
  };

  /** A valid order of the resident, already offered to the one capable team. */
  async function offeredOrder(): Promise<{ orderId: string; offerId: string }> {
    const placed = expectOk(await resident.http.post('/api/v1/orders', validOrder()), 201, 'place');
    const offer = await until('offer', () => pendingOfferOf(placed.id));
    return { orderId: placed.id, offerId: offer.id };
  }

  async function acceptedOrder(): Promise<string> {
    const { orderId, offerId } = await offeredOrder();
    expectOk(await team.members[0].http.post(`/api/v1/offers/${offerId}/accept`), 200, 'accept');
    return orderId;
  }

  async function completedOrder(): Promise<string> {
    const orderId = await acceptedOrder();
    expectOk(await team.members[0].http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 200, 'check-in');
    expectOk(await team.members[0].http.post(`/api/v1/orders/${orderId}/complete`, { report: '已送达' }), 200, 'complete');
    return orderId;
  }

  /** An HS256 JWT signed with `secret`. */
  function jwt(payload: Record<string, unknown>, secret: string): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  }

  // ---------------------------------------------------------------- body parsing

  describe('request bodies that are not a JSON object', () => {
    it('answers malformed JSON with 400 MALFORMED_JSON on every app, writing nothing', async () => {
      await writesNothing(async () => {
        for (const raw of ['{"serviceCode": ', '{serviceCode: "x"}', "{'a': 1}", '{"a": 1,}', 'undefined', '{"a":1}}']) {
          expectError(await resident.http.post('/api/v1/orders', raw), 400, 'MALFORMED_JSON');
        }
        expectError(await api.post('/api/v1/auth/register', '{"phone": "13712345678", "password": '), 400, 'MALFORMED_JSON');
        expectError(await ratingAsResident.post(`/api/v1/orders/${randomUUID()}/rating`, '{"stars": 5,'), 400, 'MALFORMED_JSON');
      });
    });

    it('answers an array, a string, a number, true or null instead of an object with 400, never a 500', async () => {
      const valid = validOrder();
      const bodies = ['[]', JSON.stringify([valid]), '"hello"', JSON.stringify(JSON.stringify(valid)), '42', 'true', 'null'];
      await writesNothing(async () => {
        for (const [i, raw] of bodies.entries()) {
          const placed = await resident.http.post('/api/v1/orders', raw, { 'Idempotency-Key': `bad-body-${tag}-${i}` });
          expectError(placed, 400, 'VALIDATION_FAILED', ['serviceCode', 'description', 'location', 'address']);

          const registered = await api.post('/api/v1/auth/register', raw);
          expectError(registered, 400, 'VALIDATION_FAILED', ['phone', 'password', 'name', 'smsCode']);

          const rated = await ratingAsResident.post(`/api/v1/orders/${randomUUID()}/rating`, raw);
          expectError(rated, 400, 'VALIDATION_FAILED', ['stars', 'solved']);

          const cancelled = await resident.http.post(`/api/v1/orders/${randomUUID()}/cancel`, raw);
          expectError(cancelled, 400, 'VALIDATION_FAILED', ['reason']);

          // a command without a required body: a 4xx whatever the body is
          const declined = await team.members[0].http.post(`/api/v1/offers/${randomUUID()}/decline`, raw);
          expect({ raw, status: declined.status < 500 && declined.status >= 400 }).toEqual({ raw, status: true });
          expect(['VALIDATION_FAILED', 'OFFER_NOT_FOUND']).toContain(declined.body.code);
          expectNoLeak(JSON.stringify(declined.body));
        }
      });
    });

    it('answers JSON nested absurdly deep with 400, not a stack overflow 500', async () => {
      const deepArray = '['.repeat(5000) + ']'.repeat(5000);
      const deepObject = '{"a":'.repeat(8000) + '1' + '}'.repeat(8000);
      const deepLocation = JSON.stringify(validOrder({ location: JSON.parse('{"lat":'.repeat(2000) + '1' + '}'.repeat(2000)) }));
      await writesNothing(async () => {
        for (const raw of [deepArray, deepObject, deepLocation]) {
          expectError(await resident.http.post('/api/v1/orders', raw), 400, 'VALIDATION_FAILED', ['body']);
          expectError(await api.post('/api/v1/auth/register', raw), 400, 'VALIDATION_FAILED', ['body']);
          expectError(await ratingAsResident.post(`/api/v1/orders/${randomUUID()}/rating`, raw), 400, 'VALIDATION_FAILED', ['body']);
        }
      });
      // ordinary nesting (a GeoJSON MultiPolygon region) still goes through
      const sq = (d: number) => [[[120 + d, 31], [120.1 + d, 31], [120.1 + d, 31.1], [120 + d, 31.1], [120 + d, 31]]];
      const region = await admin.post('/api/v1/regions', { name: `深度县${tag}`, level: 'county', boundary: { type: 'MultiPolygon', coordinates: [sq(10), sq(11)] } });
      expect(region.status).toBe(201);
    });

    it('answers a body over the size limit with 413 PAYLOAD_TOO_LARGE', async () => {
      await writesNothing(async () => {
        const big = await resident.http.post('/api/v1/orders', validOrder({ description: '大'.repeat(30000) }));
        expectError(big, 413, 'PAYLOAD_TOO_LARGE');
      });
    });

    it('rejects a body that is not JSON at all with a 4xx', async () => {
      await writesNothing(async () => {
        const text = await resident.http.post('/api/v1/orders', 'serviceCode=X', { 'content-type': 'text/plain' });
        expect(text.status).toBeGreaterThanOrEqual(400);
        expect(text.status).toBeLessThan(500);
        expect(text.body.code).toEqual(expect.any(String));
        const form = await resident.http.post('/api/v1/orders', 'serviceCode=X', { 'content-type': 'application/x-www-form-urlencoded' });
        expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });
    });
  });

  // ---------------------------------------------------------------- POST /orders validation

  describe('POST /orders validation', () => {
    it('lists every missing required field', async () => {
      await writesNothing(async () => {
        const res = await resident.http.post('/api/v1/orders', {});
        expectError(res, 400, 'VALIDATION_FAILED', ['serviceCode', 'description', 'location', 'address']);
        expect(fieldsOf(res)).toEqual(['address', 'description', 'location', 'serviceCode']);
      });
    });

    it('lists every wrong-typed field', async () => {
      await writesNothing(async () => {
        const res = await resident.http.post('/api/v1/orders', {
          serviceCode: 42, description: ['帮忙'], location: 'home', address: { line: 1 }, preferredStart: 'tomorrow morning',
          preferredEnd: 1700000000, contactPhone: 13712345678,
        });
        expectError(res, 400, 'VALIDATION_FAILED', ['serviceCode', 'description', 'location', 'address', 'preferredStart', 'preferredEnd', 'contactPhone']);
        const empty = await resident.http.post('/api/v1/orders', validOrder({ description: '', address: '', serviceCode: '' }));
        expectError(empty, 400, 'VALIDATION_FAILED', ['description', 'address', 'serviceCode']);
        const phone = await resident.http.post('/api/v1/orders', validOrder({ contactPhone: '12345' }));
        expectError(phone, 400, 'VALIDATION_FAILED', ['contactPhone']);
        const tooLong = await resident.http.post('/api/v1/orders', validOrder({ description: '长'.repeat(2001) }));
        expectError(tooLong, 400, 'VALIDATION_FAILED', ['description']);
      });
    });

    it('rejects unknown extra fields, top-level and nested (forbidNonWhitelisted)', async () => {
      await writesNothing(async () => {
        const top = await resident.http.post('/api/v1/orders', validOrder({ priority: 'urgent' }));
        expectError(top, 400, 'VALIDATION_FAILED', ['priority']);
        expect(fieldsOf(top)).toEqual(['priority']);
        const residentId = await resident.http.post('/api/v1/orders', validOrder({ residentId: randomUUID(), status: 'accepted' }));
        expectError(residentId, 400, 'VALIDATION_FAILED', ['residentId', 'status']);
        const nested = await resident.http.post('/api/v1/orders', validOrder({ location: { ...home, alt: 12 } }));
        expectError(nested, 400, 'VALIDATION_FAILED', ['location.alt']);
      });
    });

    it('rejects out-of-range and non-numeric coordinates, naming location.lat / location.lng', async () => {
      await writesNothing(async () => {
        const cases: [Record<string, unknown>, string[]][] = [
          [{ lat: 91, lng: 120 }, ['location.lat']],
          [{ lat: -90.5, lng: 120 }, ['location.lat']],
          [{ lat: 31, lng: 181 }, ['location.lng']],
          [{ lat: 31, lng: -180.01 }, ['location.lng']],
          [{ lat: '31.2', lng: 120.3 }, ['location.lat']],
          [{ lat: 31.2, lng: '120.3' }, ['location.lng']],
          [{ lat: null, lng: 120.3 }, ['location.lat']],
          [{ lng: 120.3 }, ['location.lat']],
          [{ lat: 91, lng: 181 }, ['location.lat', 'location.lng']],
        ];
        for (const [location, fields] of cases) {
          const res = await resident.http.post('/api/v1/orders', validOrder({ location }));
          expectError(res, 400, 'VALIDATION_FAILED', fields);
          expect(fieldsOf(res)).toEqual(fields);
        }
        const arr = await resident.http.post('/api/v1/orders', validOrder({ location: [120.3, 31.2] }));
        expectError(arr, 400, 'VALIDATION_FAILED', ['location']);
      });
    });

    it('answers an unknown service code with 422 SERVICE_NOT_FOUND on serviceCode', async () => {
      await writesNothing(async () => {
        const res = await resident.http.post('/api/v1/orders', validOrder({ serviceCode: `NO_SUCH_${tag}` }));
        expectError(res, 422, 'SERVICE_NOT_FOUND', ['serviceCode']);
      });
    });

    it('rejects preferredEnd before preferredStart', async () => {
      await writesNothing(async () => {
        const res = await resident.http.post(
          '/api/v1/orders',
          validOrder({ preferredStart: inDays(3, 10), preferredEnd: inDays(3, 9) }),
        );
        expectError(res, 400, 'VALIDATION_FAILED', ['preferredEnd']);
        const same = await resident.http.post('/api/v1/orders', validOrder({ preferredStart: inDays(3, 10), preferredEnd: inDays(3, 10) }));
        expectError(same, 400, 'VALIDATION_FAILED', ['preferredEnd']);
        const notIso = await resident.http.post('/api/v1/orders', validOrder({ preferredStart: '2030-02-30T10:00:00+08:00' }));
        expectError(notIso, 400, 'VALIDATION_FAILED', ['preferredStart']);
      });
    });

    it('refuses a preferred time in the past or beyond the horizon (PREFERRED_TIME_HORIZON_DAYS) with 422 PREFERRED_TIME_OUT_OF_RANGE', async () => {
      await writesNothing(async () => {
        const past = await resident.http.post('/api/v1/orders', validOrder({ preferredStart: inDays(-2, 9), preferredEnd: inDays(-2, 11) }));
        expectError(past, 422, 'PREFERRED_TIME_OUT_OF_RANGE', ['preferredStart', 'preferredEnd']);
        expect(past.body.horizonDays).toBe(60);
        const endPassed = await resident.http.post('/api/v1/orders', validOrder({ preferredEnd: new Date(Date.now() - 60_000).toISOString() }));
        expectError(endPassed, 422, 'PREFERRED_TIME_OUT_OF_RANGE', ['preferredEnd']);
        const tooFar = await resident.http.post('/api/v1/orders', validOrder({ preferredStart: inDays(61, 9) }));
        expectError(tooFar, 422, 'PREFERRED_TIME_OUT_OF_RANGE', ['preferredStart']);
        const years = await resident.http.post('/api/v1/orders', validOrder({ preferredStart: '2099-05-01T09:00:00+08:00' }));
        expectError(years, 422, 'PREFERRED_TIME_OUT_OF_RANGE', ['preferredStart']);
      });
      // inside the window it is taken, and shown back as sent
      const ok = await resident.http.post('/api/v1/orders', validOrder({ description: '期望时间：后天上午', preferredStart: inDays(2, 8), preferredEnd: inDays(2, 12) }));
      expect(ok.status).toBe(201);
      expect([Date.parse(ok.body.preferredStart), Date.parse(ok.body.preferredEnd)]).toEqual([Date.parse(inDays(2, 8)), Date.parse(inDays(2, 12))]);
      await until('offered', async () => (await statusOf(ok.body.id)).status === 'offered');
      expectOk(await resident.http.post(`/api/v1/orders/${ok.body.id}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
    });

    it('rejects a malformed Idempotency-Key header', async () => {
      await writesNothing(async () => {
        for (const key of ['short', 'has spaces in it', 'x'.repeat(129), 'a/b/c/d/e/f/g', 'key;DROP TABLE orders']) {
          const res = await resident.http.post('/api/v1/orders', validOrder(), { 'Idempotency-Key': key });
          expectError(res, 400, 'VALIDATION_FAILED', ['Idempotency-Key']);
        }
      });
    });

    it('does not burn an Idempotency-Key on a request that failed', async () => {
      const key = `burn-${tag}-0001`;
      await writesNothing(async () => {
        expectError(await resident.http.post('/api/v1/orders', validOrder({ location: { lat: 91, lng: 0 } }), { 'Idempotency-Key': key }), 400, 'VALIDATION_FAILED');
        expectError(await resident.http.post('/api/v1/orders', validOrder({ serviceCode: 'NOPE_NOPE' }), { 'Idempotency-Key': key }), 422, 'SERVICE_NOT_FOUND');
      });
      const ok = await resident.http.post('/api/v1/orders', validOrder({ description: '烧坏的幂等键' }), { 'Idempotency-Key': key });
      expect(ok.status).toBe(201);
      await until('offered', async () => (await statusOf(ok.body.id)).status === 'offered');
      expectOk(await resident.http.post(`/api/v1/orders/${ok.body.id}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
    });
  });

  // ---------------------------------------------------------------- idempotency

  describe('Idempotency-Key', () => {
    it('returns the same order for the same key and body, with one row', async () => {
      const key = `same-${tag}-0001`;
      const body = validOrder({ description: '幂等：同一请求重试', preferredStart: inDays(5, 9) });
      const ordersBefore = (await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [resident.id])).rows[0].n;
      const first = await resident.http.post('/api/v1/orders', body, { 'Idempotency-Key': key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      // the same body, keys in another order
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const second = await resident.http.post('/api/v1/orders', reordered, { 'Idempotency-Key': key });
      expect(second.status).toBe(201);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const third = await resident.http.post('/api/v1/orders', body, { 'Idempotency-Key': key });
      expect(third.body.id).toBe(first.body.id);

      const ordersAfter = (await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1`, [resident.id])).rows[0].n;
      expect(ordersAfter).toBe(ordersBefore + 1);
      const keys = await db.query(`SELECT order_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [resident.id, key]);
      expect(keys.rows).toEqual([{ order_id: first.body.id }]);
      const placedEvents = await db.query(`SELECT count(*)::int AS n FROM order_events WHERE order_id = $1 AND type = 'placed'`, [first.body.id]);
      expect(placedEvents.rows[0].n).toBe(1);
      await until('offered', async () => (await statusOf(first.body.id)).status === 'offered');
      const offers = await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = $1`, [first.body.id]);
      expect(offers.rows[0].n).toBe(1);
    });

    it('answers the same key with a different body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const key = `same-${tag}-0001`;
      await writesNothing(async () => {
        const res = await resident.http.post('/api/v1/orders', validOrder({ description: '幂等：换了内容' }), { 'Idempotency-Key': key });
        expectError(res, 422, 'IDEMPOTENCY_KEY_REUSED');
        const noStart = await resident.http.post('/api/v1/orders', validOrder({ description: '幂等：同一请求重试' }), { 'Idempotency-Key': key });
        expectError(noStart, 422, 'IDEMPOTENCY_KEY_REUSED');
      });
    });

    it('creates exactly one order when the same request races with itself', async () => {
      const key = `race-${tag}-0001`;
      const body = validOrder({ description: '幂等：并发重试' });
      const results = await Promise.all(Array.from({ length: 8 }, () => resident.http.post('/api/v1/orders', body, { 'Idempotency-Key': key })));
      expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
      const ids = new Set(results.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      const rows = await db.query(`SELECT count(*)::int AS n FROM orders WHERE resident_id = $1 AND description = $2`, [resident.id, body.description]);
      expect(rows.rows[0].n).toBe(1);
      await settled();
    });
  });

  // ---------------------------------------------------------------- path ids, not found

  describe('path ids', () => {
    it('answers a non-UUID id with 400 on field id, on both apps', async () => {
      await writesNothing(async () => {
        for (const bad of ['123', 'not-a-uuid', `${randomUUID()}x`, "1' OR '1'='1", '%00']) {
          const id = encodeURIComponent(bad);
          expectError(await resident.http.get(`/api/v1/orders/${id}`), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await resident.http.post(`/api/v1/orders/${id}/cancel`, { reason: 'x' }), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await team.members[0].http.post(`/api/v1/orders/${id}/check-in`, { location: home }), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await team.members[0].http.post(`/api/v1/orders/${id}/complete`, { report: 'x' }), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await team.members[0].http.post(`/api/v1/offers/${id}/accept`), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await team.members[0].http.post(`/api/v1/offers/${id}/decline`, {}), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await ratingAsResident.post(`/api/v1/orders/${id}/rating`, { stars: 5, solved: true }), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await ratingAsResident.get(`/api/v1/teams/${id}/reputation`), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await admin.get(`/api/v1/orders/${id}/candidates`), 400, 'VALIDATION_FAILED', ['id']);
          expectError(await admin.post(`/api/v1/orders/${id}/assign`, { teamId: team.id }), 400, 'VALIDATION_FAILED', ['id']);
        }
      });
    });

    it('answers an unknown id with 404 and the resource code', async () => {
      await writesNothing(async () => {
        const id = randomUUID();
        expectError(await resident.http.get(`/api/v1/orders/${id}`), 404, 'ORDER_NOT_FOUND');
        expectError(await resident.http.post(`/api/v1/orders/${id}/cancel`, { reason: '不需要了' }), 404, 'ORDER_NOT_FOUND');
        expectError(await team.members[0].http.post(`/api/v1/orders/${id}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
        expectError(await team.members[0].http.post(`/api/v1/orders/${id}/complete`, { report: '完成' }), 404, 'ORDER_NOT_FOUND');
        expectError(await ratingAsResident.post(`/api/v1/orders/${id}/rating`, { stars: 5, solved: true }), 404, 'ORDER_NOT_FOUND');
        expectError(await team.members[0].http.post(`/api/v1/offers/${id}/accept`), 404, 'OFFER_NOT_FOUND');
        expectError(await team.members[0].http.post(`/api/v1/offers/${id}/decline`, { reason: '忙' }), 404, 'OFFER_NOT_FOUND');
        expectError(await ratingAsResident.get(`/api/v1/teams/${id}/reputation`), 404, 'TEAM_NOT_FOUND');
        expectError(await admin.get(`/api/v1/orders/${id}/candidates`), 404, 'ORDER_NOT_FOUND');
        expectError(await admin.post(`/api/v1/orders/${id}/assign`, { teamId: team.id }), 404, 'ORDER_NOT_FOUND');
        expectError(await admin.post(`/api/v1/orders/${id}/approve`, {}), 404, 'ORDER_NOT_FOUND');
        expectError(await admin.post(`/api/v1/orders/${id}/reject`, { reason: '不符合' }), 404, 'ORDER_NOT_FOUND');
        expectError(await admin.get(`/api/v1/teams/${id}`), 404, 'TEAM_NOT_FOUND');
        expectError(await admin.post(`/api/v1/teams/${id}/members`, { phone: randomPhone('139'), name: '无队', password: 'Volunteer#2026', role: 'member' }), 404, 'TEAM_NOT_FOUND');
        const unknownRoute = await resident.http.get('/api/v1/no-such-thing');
        expect(unknownRoute.status).toBe(404);
        expect(unknownRoute.body.code).toBe('NOT_FOUND');
      });
    });

    it('answers assigning an unknown team with 404 TEAM_NOT_FOUND and leaves the order as it was', async () => {
      const { orderId } = await offeredOrder();
      await writesNothing(async () => {
        expectError(await admin.post(`/api/v1/orders/${orderId}/assign`, { teamId: randomUUID() }), 404, 'TEAM_NOT_FOUND');
        expectError(await admin.post(`/api/v1/orders/${orderId}/assign`, { teamId: 'team-1' }), 400, 'VALIDATION_FAILED', ['teamId']);
      });
      expect((await statusOf(orderId)).status).toBe('offered');
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
    });
  });

  // ---------------------------------------------------------------- rating service

  describe('rating service', () => {
    let completedId: string;
    beforeAll(async () => {
      completedId = await completedOrder();
    });

    it('rejects stars 0, 6, 3.5 and "5", and a missing or non-boolean solved, writing nothing', async () => {
      const cases: [Record<string, unknown>, string[]][] = [
        [{ stars: 0, solved: true }, ['stars']],
        [{ stars: 6, solved: true }, ['stars']],
        [{ stars: 3.5, solved: true }, ['stars']],
        [{ stars: -1, solved: false }, ['stars']],
        [{ stars: '5', solved: true }, ['stars']],
        [{ stars: 5 }, ['solved']],
        [{ stars: 5, solved: 'yes' }, ['solved']],
        [{ solved: true }, ['stars']],
        [{}, ['solved', 'stars']],
        [{ stars: 5, solved: true, dimensions: { attitude: 9, quality: 0 } }, ['dimensions.attitude', 'dimensions.quality']],
        [{ stars: 5, solved: true, dimensions: { speed: 5 } }, ['dimensions.speed']],
        [{ stars: 5, solved: true, dimensions: 'great' }, ['dimensions']],
        [{ stars: 5, solved: true, teamId: randomUUID() }, ['teamId']],
        [{ stars: 5, solved: true, comment: '好'.repeat(1001) }, ['comment']],
      ];
      await writesNothing(async () => {
        for (const [body, fields] of cases) {
          const res = await ratingAsResident.post(`/api/v1/orders/${completedId}/rating`, body);
          expectError(res, 400, 'VALIDATION_FAILED', fields);
          expect(fieldsOf(res)).toEqual(fields);
        }
      });
      expect((await statusOf(completedId)).status).toBe('completed');
    });

    it('answers rating an order that is not completed with 409 INVALID_TRANSITION', async () => {
      const { orderId } = await offeredOrder();
      await writesNothing(async () => {
        const res = await ratingAsResident.post(`/api/v1/orders/${orderId}/rating`, { stars: 4, solved: true });
        expectError(res, 409, 'INVALID_TRANSITION');
        expect(res.body.status).toBe('offered');
      });
      expect((await statusOf(orderId)).status).toBe('offered');
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
      await writesNothing(async () => {
        expectError(await ratingAsResident.post(`/api/v1/orders/${orderId}/rating`, { stars: 1, solved: false }), 409, 'INVALID_TRANSITION');
      });
    });

    it('still accepts a valid rating after all that, once', async () => {
      const ok = await ratingAsResident.post(`/api/v1/orders/${completedId}/rating`, { stars: 4, solved: true });
      expect(ok.status).toBe(201);
      await writesNothing(async () => {
        expectError(await ratingAsResident.post(`/api/v1/orders/${completedId}/rating`, { stars: 4, solved: true }), 409, 'ALREADY_RATED');
      });
    });
  });

  // ---------------------------------------------------------------- wrong state

  describe('transitions from the wrong state', () => {
    it('check-in or complete on an order still offered is 404 ORDER_NOT_FOUND for the offered team (it is not serving it)', async () => {
      const { orderId } = await offeredOrder();
      await writesNothing(async () => {
        expectError(await team.members[0].http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
        expectError(await team.members[1].http.post(`/api/v1/orders/${orderId}/complete`, { report: '完成' }), 404, 'ORDER_NOT_FOUND');
      });
      expect((await statusOf(orderId)).status).toBe('offered');
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
    });

    it('complete before check-in, and check-in twice, are 409 INVALID_TRANSITION', async () => {
      const orderId = await acceptedOrder();
      const volunteer = team.members[1].http;
      await writesNothing(async () => {
        const res = await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '还没到就完成' });
        expectError(res, 409, 'INVALID_TRANSITION');
        expect(res.body).toMatchObject({ status: 'accepted', action: 'complete' });
      });
      expectOk(await volunteer.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 200, 'check-in');
      await writesNothing(async () => {
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 409, 'INVALID_TRANSITION');
        // service has started: too late to cancel
        expectError(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '不要了' }), 409, 'INVALID_TRANSITION');
      });
      expect((await statusOf(orderId)).status).toBe('in_service');
    });

    it('validates the bodies of check-in, complete and cancel before touching the order', async () => {
      const orderId = await acceptedOrder();
      const volunteer = team.members[0].http;
      const before = await statusOf(orderId);
      await writesNothing(async () => {
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/check-in`, {}), 400, 'VALIDATION_FAILED', ['location']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/check-in`), 400, 'VALIDATION_FAILED', ['location']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/check-in`, { location: { lat: 95, lng: 120 } }), 400, 'VALIDATION_FAILED', ['location.lat']);
        expectError(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, {}), 400, 'VALIDATION_FAILED', ['reason']);
        expectError(await resident.http.post(`/api/v1/orders/${orderId}/cancel`), 400, 'VALIDATION_FAILED', ['reason']);
        expectError(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: 7 }), 400, 'VALIDATION_FAILED', ['reason']);
      });
      expectOk(await volunteer.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 200, 'check-in');
      await writesNothing(async () => {
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, {}), 400, 'VALIDATION_FAILED', ['report']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', minutes: -5 }), 400, 'VALIDATION_FAILED', ['minutes']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', minutes: 1441 }), 400, 'VALIDATION_FAILED', ['minutes']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', minutes: 30.5 }), 400, 'VALIDATION_FAILED', ['minutes']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', volunteerIds: ['abc'] }), 400, 'VALIDATION_FAILED', ['volunteerIds']);
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', volunteerIds: 'abc' }), 400, 'VALIDATION_FAILED', ['volunteerIds']);
        // well-formed, but not a member of the serving team
        expectError(await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '完成', volunteerIds: [resident.id] }), 400, 'VALIDATION_FAILED', ['volunteerIds']);
      });
      const after = await statusOf(orderId);
      expect(after).toEqual({ status: 'in_service', version: before.version + 1 });
    });

    it('cancelling a cancelled order is 409 INVALID_TRANSITION', async () => {
      const { orderId } = await offeredOrder();
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '家人来帮忙了' }), 200, 'cancel');
      await writesNothing(async () => {
        const again = await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '再取消一次' });
        expectError(again, 409, 'INVALID_TRANSITION');
        expect(again.body.status).toBe('cancelled');
      });
    });

    it('accept or decline on an offer that is no longer pending is 409 OFFER_NOT_PENDING', async () => {
      const { orderId, offerId } = await offeredOrder();
      expectOk(await team.members[0].http.post(`/api/v1/offers/${offerId}/decline`, { reason: '没空' }), 200, 'decline');
      // the only capable team declined: the order escalates to staff
      await until('escalated', async () => (await statusOf(orderId)).status === 'escalated');
      await writesNothing(async () => {
        const accept = await team.members[1].http.post(`/api/v1/offers/${offerId}/accept`);
        expectError(accept, 409, 'OFFER_NOT_PENDING');
        expect(accept.body.offerStatus).toBe('declined');
        expectError(await team.members[0].http.post(`/api/v1/offers/${offerId}/decline`, { reason: '再拒一次' }), 409, 'OFFER_NOT_PENDING');
        // an escalated order has no serving team
        expectError(await team.members[0].http.post(`/api/v1/orders/${orderId}/check-in`, { location: home }), 404, 'ORDER_NOT_FOUND');
      });
      expect((await statusOf(orderId)).status).toBe('escalated');

      // staff offer it again; the resident cancels; the withdrawn offer cannot be accepted
      const assigned = expectOk(await admin.post(`/api/v1/orders/${orderId}/assign`, { teamId: team.id }), 201, 'assign');
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '不需要了' }), 200, 'cancel');
      await writesNothing(async () => {
        const withdrawn = await team.members[0].http.post(`/api/v1/offers/${assigned.id}/accept`);
        expectError(withdrawn, 409, 'OFFER_NOT_PENDING');
        expect(withdrawn.body.offerStatus).toBe('withdrawn');
        expectError(await admin.post(`/api/v1/orders/${orderId}/assign`, { teamId: team.id }), 409, 'INVALID_TRANSITION');
      });
    });

    it('approve / reject on an order that is not awaiting review is 409 INVALID_TRANSITION', async () => {
      const { orderId } = await offeredOrder();
      await writesNothing(async () => {
        expectError(await admin.post(`/api/v1/orders/${orderId}/approve`, {}), 409, 'INVALID_TRANSITION');
        expectError(await admin.post(`/api/v1/orders/${orderId}/reject`, { reason: '不符合条件' }), 409, 'INVALID_TRANSITION');
        expectError(await admin.post(`/api/v1/orders/${orderId}/reject`, {}), 400, 'VALIDATION_FAILED', ['reason']);
      });
      expectOk(await resident.http.post(`/api/v1/orders/${orderId}/cancel`, { reason: '测试完毕' }), 200, 'cancel');
    });
  });

  // ---------------------------------------------------------------- authentication

  describe('authentication', () => {
    it('answers a missing or invalid bearer token with 401 UNAUTHENTICATED, on both apps, writing nothing', async () => {
      const secret = platform.env.JWT_SECRET;
      const now = Math.floor(Date.now() / 1000);
      const badHeaders: (string | undefined)[] = [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        'Bearer not.a.jwt',
        'Bearer garbage',
        `Basic ${Buffer.from(`${resident.phone}:Resident#2026`).toString('base64')}`,
        `Token ${resident.http.token}`,
        `Bearer ${resident.http.token}x`,
        `Bearer ${jwt({ sub: resident.id, roles: ['admin'], iat: now }, 'some-other-secret-0123456789')}`,
        `Bearer ${jwt({ sub: resident.id, roles: ['resident'], iat: now - 7200, exp: now - 3600 }, secret)}`,
        `Bearer ${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: resident.id, roles: ['admin'] })).toString('base64url')}.`,
      ];
      await writesNothing(async () => {
        for (const authorization of badHeaders) {
          const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
          const raw = async (base: string, method: string, path: string, body?: unknown) => {
            const res = await fetch(base + path, {
              method,
              headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
              body: body ? JSON.stringify(body) : undefined,
            });
            return { status: res.status, body: await res.json(), headers: res.headers } as HttpResult;
          };
          expectError(await raw(platform.api.url, 'GET', '/api/v1/me'), 401, 'UNAUTHENTICATED');
          expectError(await raw(platform.api.url, 'POST', '/api/v1/orders', validOrder()), 401, 'UNAUTHENTICATED');
          expectError(await raw(platform.api.url, 'GET', '/api/v1/orders?mine=true'), 401, 'UNAUTHENTICATED');
          expectError(await raw(platform.api.url, 'GET', '/api/v1/offers'), 401, 'UNAUTHENTICATED');
          expectError(await raw(platform.api.url, 'POST', '/api/v1/regions', { name: '黑区', level: 'county' }), 401, 'UNAUTHENTICATED');
          expectError(await raw(platform.rating.url, 'POST', `/api/v1/orders/${randomUUID()}/rating`, { stars: 5, solved: true }), 401, 'UNAUTHENTICATED');
        }
      });
    });

    it('answers a well-signed token of a user that does not exist with 401, not a half-written order', async () => {
      const ghost = api.as(jwt({ sub: randomUUID(), roles: ['resident'], iat: Math.floor(Date.now() / 1000) }, platform.env.JWT_SECRET));
      await writesNothing(async () => {
        expectError(await ghost.post('/api/v1/orders', validOrder()), 401, 'UNAUTHENTICATED');
        expectError(await ghost.get('/api/v1/me'), 401, 'UNAUTHENTICATED');
      });
    });

    it('answers a wrong password or unknown phone with 401 INVALID_CREDENTIALS', async () => {
      expectError(await api.post('/api/v1/auth/login', { phone: resident.phone, password: 'Wrong#Password1' }), 401, 'INVALID_CREDENTIALS');
      expectError(await api.post('/api/v1/auth/login', { phone: randomPhone('135'), password: 'Resident#2026' }), 401, 'INVALID_CREDENTIALS');
      expectError(await api.post('/api/v1/auth/login', {}), 400, 'VALIDATION_FAILED', ['phone', 'password']);
    });
  });

  // ---------------------------------------------------------------- registration

  describe('registration', () => {
    it('answers an already registered phone the same as a free one without its code (401 OTP_INVALID), and 409 PHONE_TAKEN only to the holder of the code, writing nothing', async () => {
      await writesNothing(async () => {
        const taken = await api.post('/api/v1/auth/register', { phone: resident.phone, password: 'Another#2026', name: '冒名', smsCode: '000000' });
        const free = await api.post('/api/v1/auth/register', { phone: randomPhone(), password: 'Another#2026', name: '冒名', smsCode: '000000' });
        expectError(taken, 401, 'OTP_INVALID');
        expectError(free, 401, 'OTP_INVALID');
        expect({ ...taken.body, attemptsLeft: undefined }).toEqual({ ...free.body, attemptsLeft: undefined });
        // the phone's owner (right code) learns that it already has an account; a volunteer's phone is taken too
        const vol = await api.post('/api/v1/auth/register', {
          phone: team.members[0].phone, password: 'Another#2026', name: '冒名', smsCode: await sendSmsCode(api, team.members[0].phone),
        });
        expectError(vol, 409, 'PHONE_TAKEN');
      });
      // and the original password still works
      expect((await api.post('/api/v1/auth/login', { phone: resident.phone, password: 'Resident#2026' })).status).toBe(200);
    });

    it('lists each bad registration field', async () => {
      await writesNothing(async () => {
        const res = await api.post('/api/v1/auth/register', { phone: '12345', password: 'short', name: '', smsCode: '12ab' });
        expectError(res, 400, 'VALIDATION_FAILED', ['phone', 'password', 'name', 'smsCode']);
        const extra = await api.post('/api/v1/auth/register', { phone: randomPhone(), password: 'Resident#2026', name: '甲', smsCode: '000000', roles: ['admin'] });
        expectError(extra, 400, 'VALIDATION_FAILED', ['roles']);
      });
    });
  });

  // ---------------------------------------------------------------- admin writes

  describe('admin writes', () => {
    const orgCounts = async () =>
      (await db.query(`SELECT (SELECT count(*) FROM regions)::int AS regions, (SELECT count(*) FROM teams)::int AS teams,
                              (SELECT count(*) FROM services)::int AS services, (SELECT count(*) FROM team_members)::int AS members,
                              (SELECT count(*) FROM users)::int AS users`)).rows[0];

    it('answers unknown references, taken codes and bad geometry with 4xx, writing nothing', async () => {
      const before = await orgCounts();
      const ghostRegion = randomUUID();
      const teamBody = { name: `幽灵队${tag}`, regionId: ghostRegion, location: home, serviceRadiusM: 1000, skills: [skill], capacity: 1 };
      expectError(await admin.post('/api/v1/teams', teamBody), 422, 'REGION_NOT_FOUND', ['regionId']);
      expectError(await admin.post('/api/v1/teams', { ...teamBody, capacity: -1, skills: ['Not A Skill'], location: { lat: 91, lng: 0 } }), 400,
        'VALIDATION_FAILED', ['capacity', 'skills', 'location.lat']);
      expectError(await admin.post('/api/v1/regions', { name: '孤村', level: 'village' }), 400, 'VALIDATION_FAILED', ['parentId']);
      expectError(await admin.post('/api/v1/regions', { name: '孤村', level: 'village', parentId: ghostRegion }), 422, 'REGION_NOT_FOUND', ['parentId']);
      expectError(await admin.post('/api/v1/regions', { name: '城', level: 'city' }), 400, 'VALIDATION_FAILED', ['level']);
      const line = { type: 'Polygon', coordinates: [[[120, 31], [120.5, 31.5], [121, 32], [120, 31]]] };
      // an invalid ring is refused as drawn (400), never repaired
      expectError(await admin.post('/api/v1/regions', { name: `线县${tag}`, level: 'county', boundary: line }), 400, 'INVALID_GEOMETRY', ['boundary']);
      const open = { type: 'Polygon', coordinates: [[[120, 31], [120.1, 31], [120.1, 31.1], [120, 31.1]]] };
      expectError(await admin.post('/api/v1/regions', { name: `开县${tag}`, level: 'county', boundary: open }), 400, 'VALIDATION_FAILED', ['boundary']);
      expectError(await admin.post('/api/v1/services', { code: serviceCode, name: '重复', group: '测试', requiredSkills: [skill] }), 409, 'SERVICE_CODE_TAKEN', ['code']);
      expectError(await admin.post('/api/v1/services', { code: 'lower', name: '', group: '测试', requiredSkills: 'x', acceptTimeoutSeconds: 86401 }), 400,
        'VALIDATION_FAILED', ['code', 'name', 'requiredSkills', 'acceptTimeoutSeconds']);
      expectError(await admin.post('/api/v1/staff', { phone: randomPhone('138'), name: '调度', password: 'Dispatch#2026', role: 'dispatcher', regionId: ghostRegion }), 422,
        'REGION_NOT_FOUND', ['regionId']);
      expectError(await admin.post('/api/v1/staff', { phone: randomPhone('138'), name: '调度', password: 'Dispatch#2026', role: 'superuser', regionId: ghostRegion }), 400,
        'VALIDATION_FAILED', ['role']);
      expectError(await admin.post(`/api/v1/teams/${team.id}/members`, { phone: randomPhone('139'), name: '队员', password: 'Volunteer#2026', role: 'captain' }), 400,
        'VALIDATION_FAILED', ['role']);
      expect(await orgCounts()).toEqual(before);
    });
  });

  // ---------------------------------------------------------------- pagination

  describe('pagination', () => {
    const garbageCursors = [
      'garbage',
      '!!!',
      Buffer.from('not json').toString('base64url'),
      Buffer.from(JSON.stringify({ at: '2026-01-01', id: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', 'not-a-uuid'])).toString('base64url'),
      Buffer.from(JSON.stringify(["2026-01-01'; DROP TABLE orders; --", randomUUID()])).toString('base64url'),
      Buffer.from(JSON.stringify(['2026-13-45T99:99:99Z', randomUUID()])).toString('base64url'),
      // shapes the old checks let through to Postgres (a 500): a day that does not exist, 36 dashes
      Buffer.from(JSON.stringify(['2026-02-30 00:00:00+00', randomUUID()])).toString('base64url'),
      Buffer.from(JSON.stringify(['2026-01-01 00:00:00+00', '-'.repeat(36)])).toString('base64url'),
    ];

    it('rejects limit=0, limit=101, limit=abc and a garbage cursor with 400 on every list', async () => {
      const lists: [Http, string][] = [
        [resident.http, '/api/v1/orders?mine=true'],
        [team.members[0].http, '/api/v1/orders?assigned=true'],
        [team.members[0].http, '/api/v1/offers?status=pending'],
        [admin, '/api/v1/dispatch/queue'],
        [resident.http, '/api/v1/me/notifications'],
      ];
      for (const [http, path] of lists) {
        for (const limit of ['0', '101', '-1', 'abc', '1.5', '']) {
          expectError(await http.get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}`), 400, 'VALIDATION_FAILED', ['limit']);
        }
        for (const cursor of garbageCursors) {
          expectError(await http.get(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`), 400, 'VALIDATION_FAILED', ['cursor']);
        }
        const ok = await http.get(`${path}${path.includes('?') ? '&' : '?'}limit=100`);
        expect(ok.status).toBe(200);
        expect(ok.body).toMatchObject({ items: expect.any(Array), nextCursor: null });
        const one = await http.get(`${path}${path.includes('?') ? '&' : '?'}limit=1`);
        expect(one.status).toBe(200);
      }
      expectError(await api.get('/api/v1/services?limit=0'), 400, 'VALIDATION_FAILED', ['limit']);
      expectError(await api.get('/api/v1/services?limit=101'), 400, 'VALIDATION_FAILED', ['limit']);
      expectError(await api.get('/api/v1/services?cursor=garbage'), 400, 'VALIDATION_FAILED', ['cursor']);
      expectError(await resident.http.get('/api/v1/orders?status=bogus'), 400, 'VALIDATION_FAILED', ['status']);
      expectError(await resident.http.get('/api/v1/orders?mine=perhaps'), 400, 'VALIDATION_FAILED', ['mine']);
      expectError(await team.members[0].http.get('/api/v1/offers?status=maybe'), 400, 'VALIDATION_FAILED', ['status']);
    });

    it('follows a real cursor to the next page', async () => {
      const first = expectOk(await resident.http.get('/api/v1/orders?mine=true&limit=2'), 200, 'page 1');
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = expectOk(await resident.http.get(`/api/v1/orders?mine=true&limit=2&cursor=${encodeURIComponent(first.nextCursor)}`), 200, 'page 2');
      const ids = [...first.items, ...second.items].map((o: any) => o.id);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  // ---------------------------------------------------------------- no leaks

  it('never answered with a 5xx, and no 4xx body carried a stack trace, a file path or SQL', () => {
    expect(seen.length).toBeGreaterThan(200);
    const serverErrors = seen.filter((r) => r.status >= 500);
    expect(serverErrors).toEqual([]);
    for (const r of seen.filter((r) => r.status >= 400)) {
      try {
        expectNoLeak(r.text);
      } catch (e) {
        throw new Error(`${r.method} ${r.url} → ${r.status} leaks: ${r.text}`);
      }
    }
  });
});
