import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as seed from '../libs/database/src/seed/county-data';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, Platform, RunningApp } from './support/apps';
import { ADMIN, ROOT } from './support/env';
import { Http, HttpResult, until } from './support/http';
import { LatLng, offset, randomPhone, square } from './support/world';
import { CALLBACK_SECRET, postCallback } from './support/fake-providers';

/**
 * The OpenAPI documents describe what the apps answer, not only what they accept:
 *   1. statically, in the documents the build writes (scripts/build-web.sh → the front ends' types):
 *      every operation has a 2xx response, JSON ones with a schema, downloads and the event stream
 *      with their content type, every operation the shared ApiError as its default response, and
 *      every $ref resolves;
 *   2. live: the real apps' answers to a walk through 点单 → 派单 → 接单 → 评单 and the staff
 *      pages validate against the schema the document declares for that operation and status —
 *      with no undeclared field (a schema property is `additionalProperties: false` here), every
 *      required field present and null only where the schema says nullable.
 */

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const DOWNLOAD_TYPES = ['text/event-stream', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/pdf'];

function buildDocument(app: 'api' | 'rating'): Doc {
  const dir = mkdtempSync(join(tmpdir(), 'xinyuan-openapi-'));
  try {
    const out = join(dir, `${app}.json`);
    const run = spawnSync(process.execPath, [join(ROOT, `dist/apps/${app}/src/openapi-document.js`), out], { encoding: 'utf8', timeout: 60000 });
    if (run.status !== 0) throw new Error(`openapi-document ${app} failed:\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function operations(doc: Doc): { method: string; path: string; op: any }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method] })),
  );
}

function refsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable` becomes a `null` alternative, refs point
 * into the registered document, and an object with declared properties admits no other property.
 */
function toJsonSchema(s: any): any {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'nullable' || k === 'example') continue;
    if (k === '$ref') out.$ref = String(v).replace(/^#\//, 'doc#/');
    else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else out[k] = toJsonSchema(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return s.nullable ? { anyOf: [{ type: 'null' }, out] } : out;
}

/** Validates real answers against the document: the operation is found by method and path template. */
class ResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly checked = new Set<string>();
  private readonly routes: { method: string; template: string; re: RegExp; params: number; op: any }[];

  constructor(private readonly doc: Doc) {
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: 'doc', components: { schemas: toJsonSchema(doc.components.schemas) } });
    this.routes = operations(doc)
      .map(({ method, path, op }) => ({
        method,
        template: path,
        re: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (path.match(/\{/g) ?? []).length,
        op,
      }))
      // a literal segment wins over a parameter (services/all before services/{code})
      .sort((a, b) => a.params - b.params);
  }

  check(method: string, url: string, res: HttpResult): void {
    const path = url.split('?')[0];
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.re.test(path));
    if (!route) throw new Error(`${method} ${path}: not in the OpenAPI document`);
    const key = `${route.method.toUpperCase()} ${route.template}`;
    const declared = route.op.responses[String(res.status)] ?? (res.status >= 400 ? route.op.responses.default : undefined);
    if (!declared) throw new Error(`${key} answered ${res.status}, which the document does not declare: ${JSON.stringify(res.body)}`);
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    if (res.status === 204) {
      expect(declared.content).toBeUndefined();
      this.checked.add(key);
      return;
    }
    const content = declared.content?.[type];
    if (!content?.schema) throw new Error(`${key} ${res.status} answered ${type}, which the document does not declare (${Object.keys(declared.content ?? {})})`);
    if (type === 'application/json') {
      const id = `${key} ${res.status}`;
      let validate = this.compiled.get(id);
      if (!validate) {
        validate = this.ajv.compile(toJsonSchema(content.schema));
        this.compiled.set(id, validate);
      }
      if (!validate(res.body)) {
        throw new Error(`${key} ${res.status}: the answer does not match its schema:\n${(validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n')}\n${JSON.stringify(res.body, null, 2).slice(0, 3000)}`);
      }
    }
    this.checked.add(key);
  }
}

describe('OpenAPI: every response is described, and real responses match their schemas', () => {
  const docs = { api: buildDocument('api'), rating: buildDocument('rating') };

  describe.each(['api', 'rating'] as const)('the %s document', (app) => {
    const doc = docs[app];

    it('gives every operation a 2xx response with a JSON schema, a declared download / stream type, or 204', () => {
      const problems: string[] = [];
      for (const { method, path, op } of operations(doc)) {
        const key = `${method.toUpperCase()} ${path}`;
        const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2\d\d$/.test(code)) as [string, any][];
        if (!ok.length) problems.push(`${key}: no 2xx response`);
        for (const [code, response] of ok) {
          if (code === '204') {
            if (response.content) problems.push(`${key} 204 declares content`);
            continue;
          }
          const types = Object.keys(response.content ?? {});
          if (!types.length) problems.push(`${key} ${code}: no content`);
          for (const type of types) {
            const schema = response.content[type].schema;
            if (!schema) problems.push(`${key} ${code} ${type}: no schema`);
            else if (type !== 'application/json' && !DOWNLOAD_TYPES.includes(type)) problems.push(`${key} ${code}: unexpected content type ${type}`);
            else if (type === 'application/json' && !schema.$ref && !schema.properties && !schema.items) problems.push(`${key} ${code}: a JSON schema without shape`);
          }
        }
        if (op.responses?.default?.content?.['application/json']?.schema?.$ref !== '#/components/schemas/ApiError') {
          problems.push(`${key}: the default (error) response is not ApiError`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('resolves every $ref, and every response schema is an object with declared properties', () => {
      const names = new Set(Object.keys(doc.components.schemas));
      const missing = [...new Set(refsIn(doc))].filter((ref) => !ref.startsWith('#/components/schemas/') || !names.has(ref.slice(21)));
      expect(missing).toEqual([]);
      const empty = Object.entries(doc.components.schemas)
        .filter(([, s]) => s.type === 'object' && !s.properties && !s.additionalProperties && !s.allOf)
        .map(([name]) => name);
      expect(empty).toEqual([]);
      for (const [name, s] of Object.entries(doc.components.schemas)) {
        for (const field of s.required ?? []) expect(`${name}.${field}: ${field in (s.properties ?? {})}`).toBe(`${name}.${field}: true`);
      }
    });

    it('compiles as JSON Schema', () => {
      const checker = new ResponseChecker(doc);
      expect(checker.checked.size).toBe(0);
    });
  });

  it('publishes its error body as the ApiError schema', () => {
    const error = docs.api.components.schemas.ApiError;
    expect(error.required).toEqual(expect.arrayContaining(['statusCode', 'error', 'message', 'code']));
    expect(docs.api.components.schemas[error.properties.fields.items.$ref.slice(21)].required).toEqual(['field', 'messages']);
  });

  it('uses obviously made-up examples: no demo person\'s name, phone or address, no demo password', () => {
    const examples: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'example' || k === 'examples' || k === 'default') && v !== undefined) examples.push(JSON.stringify(v));
        else walk(v);
      }
    };
    walk(docs.api);
    walk(docs.rating);
    expect(examples.length).toBeGreaterThan(10);
    const people = [...seed.residents, ...seed.staff, ...seed.beneficiaries] as unknown as Record<string, unknown>[];
    const demo = new Set<string>([seed.DEMO_PASSWORD]);
    for (const p of people) {
      for (const key of ['name', 'phone', 'address']) if (typeof p[key] === 'string' && (p[key] as string).length >= 2) demo.add(p[key] as string);
    }
    for (const t of seed.teams as unknown as Record<string, unknown>[]) if (typeof t.name === 'string') demo.add(t.name);
    const text = examples.join('\n');
    expect([...demo].filter((d) => text.includes(d))).toEqual([]);
  });

  describe('live answers', () => {
    const tag = `OA${Date.now() % 100000}`;
    const skill = `openapi_${tag.toLowerCase()}`;
    const home: LatLng = { lat: 30.41, lng: 119.52 };
    let platform: Platform;
    const checkers = { api: new ResponseChecker(docs.api), rating: new ResponseChecker(docs.rating) };

    /** A client whose every answer is checked against the document of its app. */
    class Checked {
      constructor(
        readonly app: 'api' | 'rating',
        readonly http: Http,
      ) {}
      as(token: string) {
        return new Checked(this.app, this.http.as(token));
      }
      async send(method: string, path: string, body?: unknown, headers?: Record<string, string>, expected?: number): Promise<any> {
        const res = await this.http.request(method, path, body, headers);
        checkers[this.app].check(method, path, res);
        if (expected !== undefined && res.status !== expected) throw new Error(`${method} ${path}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body)}`);
        return res.body;
      }
      get(path: string, expected = 200) {
        return this.send('GET', path, undefined, undefined, expected);
      }
      post(path: string, body: unknown, expected: number, headers?: Record<string, string>) {
        return this.send('POST', path, body, headers, expected);
      }
      patch(path: string, body: unknown, expected = 200) {
        return this.send('PATCH', path, body, undefined, expected);
      }
      put(path: string, body: unknown, expected = 200) {
        return this.send('PUT', path, body, undefined, expected);
      }
    }

    let api: Checked;
    let rating: Checked;
    let admin: Checked;
    let resident: Checked;
    let volunteer: Checked;
    let dispatcher: Checked;
    let regions: { county: any; station: any };
    let team: any;
    let orderId: string;

    const login = async (phone: string, password: string) => api.as((await api.post('/api/v1/auth/login', { phone, password }, 200)).accessToken);

    beforeAll(async () => {
      platform = await startPlatform(`openapi-${tag}`, { SMS_CALLBACK_SECRET: CALLBACK_SECRET, NOTIFY_SWEEP_MS: '300', RELAY_POLL_MS: '50' });
      api = new Checked('api', new Http(platform.api.url));
      rating = new Checked('rating', new Http(platform.rating.url));
    }, 120000);

    afterAll(async () => {
      await platform?.stop();
    });

    it('identity: login, refresh, me, register, SMS code login, logout', async () => {
      const session = await api.post('/api/v1/auth/login', { phone: ADMIN.phone, password: ADMIN.password }, 200);
      const refreshed = await api.post('/api/v1/auth/refresh', { refreshToken: session.refreshToken }, 200);
      admin = api.as(refreshed.accessToken);
      const me = await admin.get('/api/v1/me');
      expect(me.phone).toBe(ADMIN.phone);
      const newPhone = randomPhone('137');
      const codeSince = platform.api.output.length;
      await api.post('/api/v1/auth/sms/send', { phone: newPhone }, 200);
      const registered = await api.post('/api/v1/auth/register', {
        phone: newPhone, password: 'Resident#2026', name: '接口居民', smsCode: await codeFromLog(platform.api, newPhone, codeSince),
      }, 201);
      resident = api.as(registered.accessToken);

      const phone = randomPhone('136');
      const since = platform.api.output.length;
      await api.post('/api/v1/auth/sms/send', { phone }, 200);
      const code = await codeFromLog(platform.api, phone, since);
      const sms = await api.post('/api/v1/auth/sms/login', { phone, code }, 200);
      expect(sms.isNewUser).toBe(true);
      // the password's own life: change (current one needed) and a reset with a code
      await api.as(registered.accessToken).post('/api/v1/auth/password', { currentPassword: 'Resident#2026', newPassword: 'Resident#2026-changed' }, 204);
      const resetSince = platform.api.output.length;
      const resetPhone = randomPhone('135');
      await api.post('/api/v1/auth/sms/send', { phone: resetPhone }, 200);
      await api.post('/api/v1/auth/password/reset', { phone: resetPhone, smsCode: await codeFromLog(platform.api, resetPhone, resetSince), newPassword: 'Reset#Pass2026' }, 204);
      await api.as(sms.accessToken).post('/api/v1/auth/logout', undefined, 204);
      // the error body is the published ApiError
      await api.as(sms.accessToken).get('/api/v1/me', 401);
      const invalid = await resident.post('/api/v1/orders', { serviceCode: 42 }, 400);
      expect(invalid.fields.length).toBeGreaterThan(0);
    });

    it('organisation and menu: regions, teams, members, staff, services', async () => {
      const county = await admin.post('/api/v1/regions', { name: `接口县${tag}`, level: 'county', boundary: square(home, 40000) }, 201);
      const station = await admin.post('/api/v1/regions', { name: `接口社区${tag}`, level: 'village', parentId: county.id, boundary: square(home, 5000) }, 201);
      regions = { county, station };
      await admin.get('/api/v1/regions?limit=100');
      await admin.patch(`/api/v1/regions/${station.id}`, { name: `接口社区${tag}`, boundary: square(home, 6000) }, 200);

      await admin.post('/api/v1/services', { code: `OA_${tag}`, name: `接口服务${tag}`, group: '接口', requiredSkills: [skill], acceptTimeoutSeconds: 600 }, 201);
      await admin.post('/api/v1/services', { code: `OAR_${tag}`, name: `需审核${tag}`, group: '接口', description: '先审核', requiredSkills: [skill], acceptTimeoutSeconds: 600, requiresReview: true }, 201);
      const menu = await api.get('/api/v1/services?limit=100');
      expect(menu.items.map((s: any) => s.code)).toContain(`OA_${tag}`);
      await admin.get('/api/v1/services/all');
      await admin.patch(`/api/v1/services/OA_${tag}`, { active: true, description: '接口说明', acceptTimeoutSeconds: 600 });
      await admin.put(`/api/v1/skills/${skill}`, { zh: '接口技能', en: 'API skill' });

      team = await admin.post('/api/v1/teams', { name: `接口队${tag}`, regionId: station.id, location: offset(home, 300, 0), serviceRadiusM: 3000, skills: [skill], capacity: 5 }, 201);
      await admin.get(`/api/v1/teams/${team.id}`);
      await admin.patch(`/api/v1/teams/${team.id}`, { capacity: 6 });
      await admin.get(`/api/v1/teams?regionId=${county.id}`);
      const volunteerPhone = randomPhone('139');
      await admin.post(`/api/v1/teams/${team.id}/members`, { phone: volunteerPhone, name: `接口队员${tag}`, password: 'Volunteer#2026', role: 'leader', skills: [skill] }, 201);
      const leaving = await admin.post(`/api/v1/teams/${team.id}/members`, { phone: randomPhone('139'), name: `接口队员乙${tag}`, password: 'Volunteer#2026', role: 'member' }, 201);
      await admin.patch(`/api/v1/teams/${team.id}/members/${leaving.userId}`, { role: 'leader' });
      await admin.send('DELETE', `/api/v1/teams/${team.id}/members/${leaving.userId}`, undefined, undefined, 204);
      await admin.get(`/api/v1/teams/${team.id}/members`);
      volunteer = await login(volunteerPhone, 'Volunteer#2026');

      const dispatcherPhone = randomPhone('138');
      await admin.post('/api/v1/staff', { phone: dispatcherPhone, name: `接口调度${tag}`, password: 'Dispatch#2026', role: 'dispatcher', regionId: county.id }, 201);
      const gridWorker = await admin.post('/api/v1/staff', { phone: randomPhone('138'), name: `接口网格员${tag}`, password: 'Grid#2026pw', role: 'grid_worker', regionId: station.id }, 201);
      await admin.patch(`/api/v1/staff/${gridWorker.userId}`, { name: `接口网格员甲${tag}`, active: false });
      await admin.send('POST', `/api/v1/staff/${gridWorker.userId}/password`, { newPassword: 'Grid#2026new' }, undefined, 204);
      await admin.post(`/api/v1/staff/${gridWorker.userId}/password`, { newPassword: 'short' }, 400);
      await admin.get('/api/v1/staff');
      dispatcher = await login(dispatcherPhone, 'Dispatch#2026');
      await api.get('/api/v1/client-config');
      await api.get('/health');
      await rating.get('/health');
      for (const app of [api, rating]) {
        await app.get('/health/live');
        await app.get('/health/ready');
      }
      await admin.post('/api/v1/admin/queue-board/session', undefined, 200);
    });

    it('点单 → 接单 → 评单: orders, offers, check-in, complete, rating, reputation', async () => {
      const soon = new Date(Date.now() + 3 * 24 * 3600 * 1000).toISOString();
      const placed = await resident.post(
        '/api/v1/orders',
        { serviceCode: `OA_${tag}`, description: '接口测试：上门理发', location: home, address: '接口社区 1 幢 101', preferredStart: soon },
        201,
        { 'Idempotency-Key': `openapi-${tag}-1` },
      );
      orderId = placed.id;
      // a replay answers the order as it is now, under the same schema
      await resident.post('/api/v1/orders', { serviceCode: `OA_${tag}`, description: '接口测试：上门理发', location: home, address: '接口社区 1 幢 101', preferredStart: soon }, 201, { 'Idempotency-Key': `openapi-${tag}-1` });
      await resident.get(`/api/v1/orders/${orderId}`);
      await resident.get('/api/v1/orders?mine=true&limit=5');
      await resident.get('/api/v1/orders/00000000-0000-4000-8000-000000000000', 404);

      const offer = await until('an offer to the team', async () => {
        const page = await volunteer.get('/api/v1/offers?status=pending');
        return page.items.find((o: any) => o.orderId === orderId);
      });
      await dispatcher.get(`/api/v1/orders/${orderId}/candidates`);
      const accepted = await volunteer.post(`/api/v1/offers/${offer.id}/accept`, undefined, 200);
      expect(accepted.team).toEqual({ id: team.id, name: team.name });
      await volunteer.get('/api/v1/orders?assigned=true');
      await volunteer.post(`/api/v1/orders/${orderId}/check-in`, { location: home }, 200);
      const done = await volunteer.post(`/api/v1/orders/${orderId}/complete`, { report: '理发完成', minutes: 45 }, 200);
      expect(done.status).toBe('completed');
      await volunteer.get('/api/v1/me/service-hours');

      const rated = await rating.as(resident.http.token!).post(`/api/v1/orders/${orderId}/rating`, { stars: 5, solved: true, comment: '很好', dimensions: { attitude: 5 } }, 201);
      expect(rated.orderStatus).toBe('closed');
      await rating.as(resident.http.token!).get(`/api/v1/teams/${team.id}/reputation`);
      const closed = await resident.get(`/api/v1/orders/${orderId}`);
      expect(closed.timeline.length).toBeGreaterThan(4);
    });

    it('service record: record, credits, ledger corrections, correction requests, certificate, wallet, redemptions', async () => {
      // the rated order above was confirmed by the resident: 45 verified minutes; it is over, so 签退 is refused
      await volunteer.post(`/api/v1/orders/${orderId}/check-out`, { location: home }, 409);
      const record = await volunteer.get('/api/v1/me/service-record');
      const entry = record.entries.find((e: any) => e.sourceId === orderId);
      await dispatcher.get('/api/v1/service-credits?status=verified&limit=5');
      await dispatcher.post('/api/v1/service-credits/00000000-0000-4000-8000-000000000000/confirm', {}, 404);
      await dispatcher.post('/api/v1/service-credits/00000000-0000-4000-8000-000000000000/reject', { reason: '无' }, 404);
      const corrected = await dispatcher.post(`/api/v1/ledger-entries/${entry.id}/corrections`, { minutes: 40, reason: '扣除路上时间' }, 201);
      const request = await volunteer.post('/api/v1/me/correction-requests', { entryId: corrected.correction.id, minutes: 50, reason: '实际 50 分钟' }, 201);
      await volunteer.get('/api/v1/me/correction-requests');
      await dispatcher.get('/api/v1/correction-requests?status=open');
      await dispatcher.post(`/api/v1/correction-requests/${request.id}/decide`, { approve: true }, 200);
      const pdf = await volunteer.http.request('GET', '/api/v1/me/certificate');
      checkers.api.check('GET', '/api/v1/me/certificate', pdf);
      expect(pdf.status).toBe(200);
      const number = pdf.headers.get('x-certificate-number')!;
      await api.get(`/api/v1/certificates/${number}`);
      await dispatcher.post(`/api/v1/certificates/${number}/revoke`, { reason: '接口测试' }, 200);
      for (const [who, path] of [[volunteer, '/api/v1/me/service-record/export'], [dispatcher, `/api/v1/teams/${team.id}/service-ledger/export?format=national`]] as const) {
        const file = await who.http.request('GET', path);
        checkers.api.check('GET', path, file);
        expect(file.status).toBe(200);
      }
      const wallet = await volunteer.get('/api/v1/me/wallet');
      expect(wallet.points).toBeGreaterThan(0);
      const item = await dispatcher.post('/api/v1/redemption-items', { regionId: regions.county.id, name: '大米', points: 1 }, 201);
      await dispatcher.patch(`/api/v1/redemption-items/${item.id}`, { name: '大米 5 斤' });
      await dispatcher.get(`/api/v1/redemption-items/${item.id}`);
      await volunteer.get('/api/v1/me/redemption-items');
      const redeemed = await volunteer.post('/api/v1/me/redemptions', { itemId: item.id }, 201);
      await volunteer.post('/api/v1/me/redemptions', { itemId: '00000000-0000-4000-8000-000000000000' }, 422);
      for (let i = 0; i < 2; i++) await volunteer.post('/api/v1/me/redemptions', { itemId: item.id }, 201, { 'idempotency-key': `openapi-${tag}-redeem` });
      await volunteer.get('/api/v1/me/redemptions');
      await dispatcher.post(`/api/v1/redemptions/${redeemed.pickupCode}/collect`, undefined, 200);
      await dispatcher.post(`/api/v1/redemption-items/${item.id}/retire`, undefined, 200);
      await dispatcher.get('/api/v1/redemption-items?includeRetired=true');
      const relative = await resident.get('/api/v1/me');
      const me = await volunteer.get('/api/v1/me');
      // a transfer goes to a relative both sides have named
      await volunteer.post('/api/v1/me/relatives', { phone: relative.phone, relation: '母亲' }, 200);
      await resident.post('/api/v1/me/relatives', { phone: me.phone, relation: '儿子' }, 200);
      await volunteer.get('/api/v1/me/relatives');
      await volunteer.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 5, relation: '父母' }, 200);
      const elder = await resident.post('/api/v1/beneficiaries', { name: '接口老人', ageBand: '80_plus', address: '接口社区 9 号', location: home }, 201);
      await resident.post('/api/v1/me/wallet/draw', { beneficiaryId: elder.id, minutes: 1 }, 200);
      await volunteer.post('/api/v1/me/wallet/donate', { minutes: 5 }, 200);

      const startsAt = new Date(Date.now() + 24 * 3600_000);
      const activity = await dispatcher.post('/api/v1/activities', {
        regionId: regions.station.id, theme: '接口测试主题活动', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
        location: home, address: '接口社区活动室', capacity: 1, creditedMinutes: 60,
      }, 201);
      await dispatcher.get('/api/v1/activities');
      await volunteer.get('/api/v1/teams/rankings');
      await dispatcher.get(`/api/v1/teams/${team.id}/star-levels`);
      await volunteer.post(`/api/v1/activities/${activity.id}/signup`, undefined, 200);
      await volunteer.get(`/api/v1/activities/${activity.id}`);
      await dispatcher.get(`/api/v1/activities/${activity.id}/signups`);
      await volunteer.post(`/api/v1/activities/${activity.id}/attend`, { token: activity.qrToken, location: home }, 422);
      await dispatcher.post(`/api/v1/activities/${activity.id}/attendance`, { volunteerIds: [] }, 200);
      await volunteer.post(`/api/v1/activities/${activity.id}/cancel-signup`, undefined, 200);
    });

    it('派单: review queue, live queue, reject, approve, manual assign, decline, cancel', async () => {
      const review = (n: number) =>
        resident.post('/api/v1/orders', { serviceCode: `OAR_${tag}`, description: `需审核 ${n}`, location: offset(home, 10 * n, 0), address: `接口社区 ${n} 号` }, 201);
      const [a, b, c] = [await review(1), await review(2), await review(3)];
      const queue = await dispatcher.get('/api/v1/dispatch/queue?limit=100');
      expect(queue.items.map((i: any) => i.orderId)).toEqual(expect.arrayContaining([a.id, b.id]));
      await dispatcher.get('/api/v1/dispatch/live-queue');
      await dispatcher.post(`/api/v1/orders/${a.id}/reject`, { reason: '重复下单' }, 200);
      await dispatcher.post(`/api/v1/orders/${b.id}/approve`, {}, 200);
      // the dispatcher offers it to the only team, which declines; with nobody left it escalates, and staff assign by hand
      const auto = await until('the automatic offer', async () => (await volunteer.get('/api/v1/offers?status=pending')).items.find((o: any) => o.orderId === b.id));
      const assignable = await dispatcher.get(`/api/v1/orders/${b.id}/assignable-teams?q=${encodeURIComponent('接口队')}&limit=5`);
      expect(assignable.pendingOffers.map((p: any) => p.offerId)).toEqual([auto.id]);
      await volunteer.post(`/api/v1/offers/${auto.id}/decline`, { reason: '人手不足' }, 200);
      await until('escalated', async () => (await dispatcher.get(`/api/v1/orders/${b.id}`)).status === 'escalated');
      await dispatcher.post(`/api/v1/orders/${b.id}/assign`, { teamId: team.id, note: '人工派单' }, 201);
      const offer = await until('the manual offer', async () => (await volunteer.get('/api/v1/offers?status=pending')).items.find((o: any) => o.orderId === b.id && o.source === 'manual'));
      await volunteer.post(`/api/v1/offers/${offer.id}/decline`, { reason: '人手不足' }, 200);
      await resident.post(`/api/v1/orders/${c.id}/cancel`, { reason: '不需要了' }, 200);
      await volunteer.get('/api/v1/offers');
    });

    it('staff pages: map layers, dashboard and its export, audit log', async () => {
      await dispatcher.get('/api/v1/map/regions');
      await dispatcher.get('/api/v1/map/home');
      await dispatcher.get('/api/v1/skills');
      await resident.get('/api/v1/map/home');
      await dispatcher.get('/api/v1/map/teams');
      await resident.get('/api/v1/map/teams');
      await dispatcher.get('/api/v1/map/orders');
      const day = new Date().toISOString().slice(0, 10);
      await dispatcher.get(`/api/v1/stats/dashboard?regionId=${regions.county.id}`);
      await dispatcher.get(`/api/v1/stats/export?format=csv&table=byGroup&from=${day}&to=${day}`);
      await dispatcher.get(`/api/v1/stats/export?from=${day}&to=${day}`);
      await admin.get('/api/v1/audit?limit=50');
    });

    it('一人一档: create, list, read, update, archive', async () => {
      const created = await resident.post(
        '/api/v1/beneficiaries',
        { name: '接口老人', ageBand: '80_plus', address: '接口社区 9 号', location: home, phone: '13912345678', guardian: { name: '儿子', phone: '13812345678' } },
        201,
      );
      await resident.get('/api/v1/beneficiaries');
      await resident.get(`/api/v1/beneficiaries/${created.id}`);
      await dispatcher.get(`/api/v1/beneficiaries/${created.id}`);
      await dispatcher.get('/api/v1/beneficiaries');
      await resident.patch(`/api/v1/beneficiaries/${created.id}`, { phone: null, guardian: null });
      await resident.send('DELETE', `/api/v1/beneficiaries/${created.id}`, undefined, undefined, 204);
    });

    it('关爱: plan, check-ins, status, device keys, visits, alerts', async () => {
      const person = await dispatcher.post('/api/v1/beneficiaries', { name: '接口关爱', ageBand: '80_plus', address: '接口社区 10 号', location: home }, 201);
      await dispatcher.put(`/api/v1/beneficiaries/${person.id}/care-plan`, {
        checkIn: { dailyBy: '08:00', graceMinutes: 30 },
        visits: [{ kind: 'call', rrule: 'FREQ=DAILY;BYHOUR=0' }, { kind: 'visit', rrule: 'FREQ=DAILY;BYHOUR=0;BYMINUTE=30' }],
      });
      await dispatcher.get(`/api/v1/beneficiaries/${person.id}/care-plan`);
      await dispatcher.post(`/api/v1/beneficiaries/${person.id}/check-ins`, { source: 'neighbour', note: '窗帘开了' }, 201);
      await dispatcher.get(`/api/v1/beneficiaries/${person.id}/care-status`);
      const device = await dispatcher.post(`/api/v1/beneficiaries/${person.id}/care-devices`, { name: '智能水表' }, 201);
      await api.post('/api/v1/care/device-check-ins', { note: '今日用水' }, 201, { 'x-device-key': device.key });
      await dispatcher.get(`/api/v1/beneficiaries/${person.id}/care-devices`);
      await dispatcher.send('DELETE', `/api/v1/beneficiaries/${person.id}/care-devices/${device.id}`, undefined, undefined, 204);
      const visits = await dispatcher.get(`/api/v1/care/visits?due=today&beneficiaryId=${person.id}`);
      expect(visits.items).toHaveLength(2);
      await dispatcher.post(`/api/v1/care/visits/${visits.items[0].id}/complete`, { wellbeing: 'ok', note: '安好' }, 200);
      const concern = await dispatcher.post(`/api/v1/care/visits/${visits.items[1].id}/complete`, { wellbeing: 'concern', note: '咳嗽' }, 200);
      const open = await dispatcher.get(`/api/v1/care/alerts?status=open&beneficiaryId=${person.id}`);
      expect(open.items.map((a: any) => a.id)).toEqual([concern.alertId]);
      await dispatcher.post(`/api/v1/care/alerts/${concern.alertId}/acknowledge`, { note: '已联系家属' }, 200);
      await dispatcher.post(`/api/v1/care/alerts/${concern.alertId}/resolve`, { outcome: 'found_well', note: '已就医' }, 200);
      await dispatcher.get('/api/v1/care/coverage');
      // templates by tag (the deployment admin names the county), applied to the person; a campaign over the county
      await admin.put('/api/v1/care/templates/living_alone', { countyId: regions.county.id, name: '接口模板', checkIn: { dailyBy: '08:00' }, visits: [{ kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=MO' }] });
      await dispatcher.get('/api/v1/care/templates');
      await dispatcher.post(`/api/v1/beneficiaries/${person.id}/care-plan/apply-template`, { tag: 'living_alone' }, 200);
      await admin.send('DELETE', `/api/v1/care/templates/living_alone?countyId=${regions.county.id}`, undefined, undefined, 204);
      const campaign = await dispatcher.post('/api/v1/care/campaigns', {
        clientKey: `campaign-${tag}`, regionId: regions.county.id, reason: 'festival', tags: [], ageBands: ['80_plus'], dueAt: new Date(Date.now() + 86400000).toISOString(),
      }, 201);
      await dispatcher.get('/api/v1/care/campaigns');
      await dispatcher.get(`/api/v1/care/campaigns/${campaign.id}`);
      await dispatcher.get(`/api/v1/care/visits?campaignId=${campaign.id}`);
    });

    it('notifications: inbox, read, settings, WeChat consent, delivery log, dead letters, provider callbacks', async () => {
      const entry = await until('a notification in the inbox', async () => (await resident.get('/api/v1/me/notifications?limit=20')).items[0]);
      await resident.get('/api/v1/me/notifications?unread=true');
      await resident.post(`/api/v1/me/notifications/${entry.id}/read`, undefined, 200);
      await resident.post('/api/v1/me/notifications/00000000-0000-4000-8000-000000000000/read', undefined, 404);
      await resident.post('/api/v1/me/notifications/read-all', undefined, 200);
      await resident.get('/api/v1/me/notification-settings');
      await resident.send('PUT', '/api/v1/me/notification-settings', { quietHours: { start: '21:00', end: '06:30' }, lang: 'zh' }, undefined, 200);
      await resident.post('/api/v1/me/wechat-subscriptions', { results: { UNKNOWN: 'accept' } }, 200);
      await dispatcher.get(`/api/v1/orders/${orderId}/notifications`);
      await dispatcher.get('/api/v1/notifications/dead-letters?limit=10');
      await admin.post('/api/v1/notifications/deliveries/00000000-0000-4000-8000-000000000000/retry', undefined, 404);
      for (const [path, body] of [
        ['reports', { reports: [{ messageId: 'nobody', status: 'delivered' }] }],
        ['inbound', { messageId: `oa-${tag}`, phone: randomPhone('188'), content: '1' }],
      ] as const) {
        const res = await postCallback(platform.api.url, path, body);
        checkers.api.check('POST', `/api/v1/notifications/sms/${path}`, { ...res, headers: new Headers({ 'content-type': 'application/json' }) });
        expect(res.status).toBe(200);
      }
    });

    it('interop: webhooks, Open311 keys, spreadsheet import and the order ledger', async () => {
      // a public address literal: no DNS needed, and allowed without WEBHOOK_ALLOW_PRIVATE
      const hook = await admin.post('/api/v1/webhooks', { url: 'http://93.184.215.14/xinyuan-hook', events: ['order.placed', 'order.accepted'] }, 201);
      await admin.post('/api/v1/webhooks', { url: 'http://127.0.0.1:9/x', events: ['order.placed'] }, 400);
      await admin.get('/api/v1/webhooks');
      await admin.get(`/api/v1/webhooks/${hook.id}`);
      await admin.get(`/api/v1/webhooks/${hook.id}/deliveries?limit=10`);
      await admin.post(`/api/v1/webhooks/${hook.id}/rotate-secret`, { overlapHours: 1 }, 200);
      await admin.post(`/api/v1/webhooks/${hook.id}/enable`, undefined, 200);
      // no delivery has failed here: the walk checks the refusal's shape (the 200 is checked in webhooks.e2e-spec.ts)
      await admin.post(`/api/v1/webhooks/${hook.id}/deliveries/00000000-0000-4000-8000-000000000000/resend`, undefined, 404);
      await admin.get('/api/v1/imports/teams/template?format=csv');
      await admin.send('DELETE', `/api/v1/webhooks/${hook.id}`, undefined, undefined, 204);
      const key = await admin.post('/api/v1/integrations/open311-keys', { name: `接口${tag}`, regionId: regions.county.id }, 201);
      await admin.get('/api/v1/integrations/open311-keys');
      await admin.send('DELETE', `/api/v1/integrations/open311-keys/${key.id}`, undefined, undefined, 204);
      await admin.get('/api/v1/imports/beneficiaries/template?format=csv');
      await admin.get('/api/v1/imports/beneficiaries/template');
      const csv = `姓名,年龄段,地址,纬度,经度\r\n测试老人${tag},80岁及以上,测试村 1 号,${home.lat},${home.lng}\r\n`;
      const run = await admin.post('/api/v1/imports/beneficiaries?dryRun=true', csv, 200, { 'content-type': 'text/csv' });
      await admin.get(`/api/v1/imports/${run.id}`);
      await dispatcher.get('/api/v1/exports/orders?format=csv');
      await dispatcher.get('/api/v1/exports/orders');
    });

    it('checked the answers of these operations against their schemas', () => {
      expect([...checkers.api.checked].sort()).toEqual(
        expect.arrayContaining([
          'GET /api/v1/services', 'GET /api/v1/orders/{id}', 'GET /api/v1/orders', 'POST /api/v1/orders', 'GET /api/v1/offers',
          'POST /api/v1/offers/{id}/accept', 'GET /api/v1/orders/{id}/candidates', 'GET /api/v1/dispatch/live-queue',
          'GET /api/v1/stats/dashboard', 'GET /api/v1/stats/export', 'GET /api/v1/map/teams', 'GET /api/v1/teams', 'GET /api/v1/me',
          'POST /api/v1/auth/login', 'GET /api/v1/beneficiaries/{id}', 'GET /api/v1/audit',
        ]),
      );
      expect([...checkers.rating.checked].sort()).toEqual([
        'GET /api/v1/teams/{id}/reputation', 'GET /health', 'GET /health/live', 'GET /health/ready', 'POST /api/v1/orders/{id}/rating',
      ]);
      // every operation the document lists, except those this walk cannot reach cheaply
      const notWalked = new Set([
        'POST /api/v1/auth/wechat/login', 'GET /api/v1/dispatch/live-queue/stream', 'GET /api/v1/me/notifications/stream',
      ]);
      const all = operations(docs.api).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
      const unchecked = all.filter((k) => !checkers.api.checked.has(k) && !notWalked.has(k));
      // a new endpoint joins the walk above, or this list with the reason it cannot
      expect(unchecked).toEqual([]);
    });
  });
});

async function codeFromLog(app: RunningApp, phone: string, since: number): Promise<string> {
  const masked = `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  return until(`SMS code for ${masked}`, async () => {
    const text = app.output.slice(since).join('');
    const matches = [...text.matchAll(/\[dev SMS\] (\d{3}\*{4}\d{4}) 登录验证码 (\d{6})/g)].filter((m) => m[1] === masked);
    return matches.length ? matches[matches.length - 1][2] : undefined;
  }, 5000);
}
