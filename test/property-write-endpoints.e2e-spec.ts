import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { startApp, startPlatform, Platform, RunningApp } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, randomPhone, registerResident } from './support/world';

/**
 * Property: for EVERY write operation (POST/PUT/PATCH/DELETE) published in the OpenAPI documents
 * of the api and the rating service, random and malformed requests — fc.anything(), wrong types
 * per schema field, missing fields, huge strings, NUL characters, unknown and mass-assignment
 * fields, deep nesting, invalid JSON text, wrong content types, random or real path ids — sent as
 * an admin and as a resident never answer 5xx, always answer errors with a stable code, and a
 * rejected request writes no row: a checksum of every table is the same before and after.
 *
 * The operations come from /api/docs-json at run time, so endpoints added later are covered
 * without touching this file. No dispatcher runs while requests are sent, so the only writer of
 * the database is the request under test.
 */

/**
 * Tables that record refused attempts by design (an audit trail of denied access, failed-login
 * counters); a row there after a refusal is the feature, not a half-written request.
 */
const RECORDS_REFUSALS = /(^|_)(audit|attempts?)(_|$)/;
/** Requests per operation and role (PROPERTY_RUNS); ~20 operations × 2 roles take ~15 s. PROPERTY_DEBUG=1 prints each answer. */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 25);

interface Operation {
  app: 'api' | 'rating';
  method: string;
  path: string;
  pathParams: string[];
  headerParams: string[];
  schema?: Schema;
}
interface Schema {
  type?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  minimum?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
}
type Doc = { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, Schema> } };

interface Req {
  op: Operation;
  ids: string[];
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
  kind: string;
}

describe('property: every write endpoint survives random and malformed input', () => {
  const tag = `P${Date.now() % 100000}`;
  const home: LatLng = { lat: 29.9, lng: 121.5 };
  let platform: Platform;
  let dispatcher: RunningApp | undefined;
  let db: Client;
  let tokens: Record<'admin' | 'resident', string>;
  let ops: Operation[] = [];
  const docs: Record<'api' | 'rating', Doc> = {} as never;
  let realIds: string[] = [];
  /** Real values for fields of these names, so that malformed requests get past existence checks. */
  let realFields: Record<string, () => unknown> = {};
  let tables: string[] = [];

  beforeAll(async () => {
    // no relay: its consumers write notifications and webhook deliveries some time after an accepted
    // request, which would show up as writes of a later, refused one
    platform = await startPlatform(`property-${tag}`, {}, { relay: false });
    dispatcher = platform.dispatcher;
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    const api = new Http(platform.api.url);
    const admin = await adminClient(api);

    // a small real world, so that real ids exist in every state a write endpoint cares about
    const regions = await createRegions(admin, home, tag);
    const skill = `fuzz_${tag.toLowerCase()}`;
    const service = await createService(admin, `FUZZ_${tag}`, [skill], 3600);
    const reviewed = await createService(admin, `FUZZR_${tag}`, [skill], 3600, true);
    const team: CreatedTeam = await createTeam(api, admin, regions.station.id, {
      name: `模糊测试队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 5000, skills: [skill], capacity: 10, members: 2,
    });
    const resident = await registerResident(api, '模糊测试居民');
    const leader = team.members[0].http;
    const order = (code: string) =>
      resident.http.post('/api/v1/orders', { serviceCode: code, description: '帮忙', location: home, address: '模糊小区 1 号' }).then((r) => expectOk(r, 201, 'order'));
    const pendingOffer = async (orderId: string) =>
      until('offer', async () => (await leader.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === orderId));

    const offered = await order(service.code);
    const offeredOffer = await pendingOffer(offered.id);
    const accepted = await order(service.code);
    expectOk(await leader.post(`/api/v1/offers/${(await pendingOffer(accepted.id)).id}/accept`), 200, 'accept');
    const inService = await order(service.code);
    expectOk(await leader.post(`/api/v1/offers/${(await pendingOffer(inService.id)).id}/accept`), 200, 'accept');
    expectOk(await leader.post(`/api/v1/orders/${inService.id}/check-in`, { location: home }), 200, 'check-in');
    const completed = await order(service.code);
    expectOk(await leader.post(`/api/v1/offers/${(await pendingOffer(completed.id)).id}/accept`), 200, 'accept');
    expectOk(await leader.post(`/api/v1/orders/${completed.id}/check-in`, { location: home }), 200, 'check-in');
    expectOk(await leader.post(`/api/v1/orders/${completed.id}/complete`, { report: '完成' }), 200, 'complete');
    const waitingReview = await order(reviewed.code);

    // quiet: nothing left for the dispatcher, then stop it so that only requests write
    await until('dispatcher idle', async () => (await db.query(`SELECT 1 FROM orders WHERE status = 'dispatching'`)).rowCount === 0, 30000);
    await platform.dispatcher.stop();
    dispatcher = undefined;

    tokens = { admin: admin.token!, resident: resident.http.token! };
    realFields = {
      serviceCode: () => service.code,
      regionId: () => regions.station.id,
      parentId: () => regions.county.id,
      teamId: () => team.id,
      phone: () => randomPhone(),
      contactPhone: () => randomPhone(),
      password: () => 'Fuzz#2026pass',
      location: () => home,
      volunteerIds: () => [team.members[0].userId],
    };
    realIds = [offered.id, accepted.id, inService.id, completed.id, waitingReview.id, offeredOffer.id, team.id, regions.county.id, regions.station.id,
      resident.id, team.members[1].userId, ...(service.id ? [service.id] : [])];

    for (const app of ['api', 'rating'] as const) {
      const res = await fetch(`${platform[app].url}/api/docs-json`);
      expect(res.status).toBe(200);
      docs[app] = (await res.json()) as Doc;
      ops.push(...writeOperations(app, docs[app]));
    }
    const { rows } = await db.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'spatial_ref_sys' ORDER BY 1`,
    );
    tables = rows.map((r) => r.table_name).filter((t) => !RECORDS_REFUSALS.test(t));
  }, 120000);

  afterAll(async () => {
    // leave no order waiting for a dispatcher for the test files that follow
    if (platform && db) {
      dispatcher = await startApp('dispatcher', platform.env);
      await until('dispatcher idle', async () => (await db.query(`SELECT 1 FROM orders WHERE status = 'dispatching'`)).rowCount === 0, 30000).catch(() => undefined);
      await dispatcher.stop();
    }
    await db?.end();
    await platform?.stop();
  }, 60000);

  // ---------------------------------------------------------------- the OpenAPI document

  function writeOperations(app: 'api' | 'rating', doc: Doc): Operation[] {
    const out: Operation[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
        const params: { name: string; in: string }[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
        out.push({
          app,
          method: method.toUpperCase(),
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          headerParams: params.filter((p) => p.in === 'header').map((p) => p.name),
          schema: op.requestBody?.content?.['application/json']?.schema,
        });
      }
    }
    return out;
  }

  function resolve(app: 'api' | 'rating', schema: Schema | undefined, depth = 0): Schema | undefined {
    if (!schema || depth > 8) return schema;
    if (schema.$ref) return resolve(app, docs[app].components?.schemas?.[schema.$ref.split('/').pop()!], depth + 1);
    if (schema.allOf?.length) return resolve(app, schema.allOf[0], depth + 1);
    if (schema.oneOf?.length) return resolve(app, schema.oneOf[0], depth + 1);
    return schema;
  }

  /** A plausible value for a schema: its example, default, first enum value, or one of its type. */
  function exampleOf(app: 'api' | 'rating', raw: Schema | undefined, depth = 0): unknown {
    const schema = resolve(app, raw);
    if (!schema || depth > 6) return 'x';
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum?.length) return schema.enum[0];
    if (schema.properties || schema.type === 'object') {
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, realFields[k] ? realFields[k]() : exampleOf(app, v, depth + 1)]));
    }
    switch (schema.type) {
      case 'array':
        return [exampleOf(app, schema.items, depth + 1)];
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'boolean':
        return true;
      default:
        return 'x';
    }
  }

  // ---------------------------------------------------------------- generators

  const GARBAGE_IDS = ['abc', '0', '-1', 'null', 'undefined', '%00', "1'%20OR%20'1'%3D'1", '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(150),
    '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF', '%E0%A4%A', '1e309', '%F0%9F%98%80'];
  const idArb = () => fc.oneof(fc.constantFrom(...realIds), fc.uuid(), fc.constantFrom(...GARBAGE_IDS));
  const WRONG_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -1e308, '', ' ', 'x', '1', 'true', 'null', [], [1], ['x'], [null], {}, { a: 1 },
    { $gt: '' }, '2026-13-45T99:99:99Z', '13800000000', "'; DROP TABLE users; --", 'a\u0000b', '\u0000', '😀'.repeat(50), '\ud800', '<script>alert(1)</script>'];
  const MASS_ASSIGNMENT = ['status', 'teamId', 'version', 'roles', 'role', 'regionId', 'id', 'residentId', 'userId', 'isAdmin', 'passwordHash', 'createdAt', 'activeOrders'];
  const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream',
    'application/json; charset=utf-16', 'application/merge-patch+json', 'APPLICATION/JSON', 'application/jsonx', ''];

  const nested = (depth: number, leaf: unknown = 1): unknown => {
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  };

  /** Sets `value` at a top-level or one-level nested field of a copy of `base`. */
  function withField(base: unknown, path: string[], value: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(base ?? {}));
    if (copy === null || typeof copy !== 'object') return { [path[0]]: value };
    let target = copy;
    for (const key of path.slice(0, -1)) {
      if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
      target = target[key];
    }
    if (value === undefined) delete target[path[path.length - 1]];
    else target[path[path.length - 1]] = value;
    return copy;
  }

  function fieldPaths(app: 'api' | 'rating', schema: Schema | undefined): string[][] {
    const s = resolve(app, schema);
    const out: string[][] = [];
    for (const [k, v] of Object.entries(s?.properties ?? {})) {
      out.push([k]);
      for (const inner of Object.keys(resolve(app, v)?.properties ?? {})) out.push([k, inner]);
    }
    return out.length ? out : [['value']];
  }

  function bodyArb(op: Operation): fc.Arbitrary<{ kind: string; body?: string; contentType?: string }> {
    // a fresh base for every request (a fresh phone number each time), then one malformation
    return fc.constant(null).chain(() => malformed(op, op.schema ? exampleOf(op.app, op.schema) : {}));
  }

  function malformed(op: Operation, base: unknown): fc.Arbitrary<{ kind: string; body?: string; contentType?: string }> {
    const baseText = JSON.stringify(base);
    const paths = fieldPaths(op.app, op.schema);
    const json = (kind: string) => (value: unknown) => ({ kind, body: JSON.stringify(value), contentType: 'application/json' });
    return fc.oneof(
      fc.anything().map((v) => ({ kind: 'anything', body: JSON.stringify(v), contentType: 'application/json' })),
      fc.jsonValue().map(json('jsonValue')),
      fc.tuple(fc.constantFrom(...paths), fc.constantFrom(...WRONG_VALUES)).map(([p, v]) => json(`wrong type at ${p.join('.')}`)(withField(base, p, v))),
      fc.tuple(fc.constantFrom(...paths), fc.anything()).map(([p, v]) => json(`anything at ${p.join('.')}`)(withField(base, p, v))),
      fc.constantFrom(...paths).map((p) => json(`missing ${p.join('.')}`)(withField(base, p, undefined))),
      fc.tuple(fc.constantFrom(...paths), fc.constantFrom(300, 5000, 40000, 70000), fc.constantFrom('x', '长', '😀', '\u0000'))
        .map(([p, n, ch]) => json(`huge string at ${p.join('.')}`)(withField(base, p, ch.repeat(n)))),
      fc.tuple(fc.constantFrom(...MASS_ASSIGNMENT), fc.constantFrom<unknown>('admin', ['admin'], 'closed', 99, randomUUID()))
        .map(([k, v]) => json(`extra field ${k}`)({ ...(base as object), [k]: v })),
      fc.constant({ kind: 'prototype pollution', body: `${baseText.slice(0, -1)}${baseText.length > 2 ? ',' : ''}"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}`, contentType: 'application/json' }),
      fc.tuple(fc.constantFrom(...paths), fc.constantFrom(33, 100, 3000)).map(([p, d]) => json(`nested ${d} deep at ${p.join('.')}`)(withField(base, p, nested(d)))),
      fc.oneof(
        fc.constant(baseText.slice(0, Math.max(1, Math.floor(baseText.length / 2)))),
        fc.string(),
        fc.constantFrom('{', '}', '[', '{"a":1}}', "{'a':1}", 'NaN', 'undefined', '{"a":}', '\u0000', `${baseText},`, `[${baseText}`, '\ufeff\ufeff{}'),
      ).map((text) => ({ kind: 'invalid JSON text', body: text, contentType: 'application/json' })),
      fc.constantFrom(...CONTENT_TYPES).map((ct) => ({ kind: `content type "${ct}"`, body: ct.includes('form-urlencoded') ? 'a=1&b=2' : baseText, contentType: ct || undefined })),
      fc.constant({ kind: 'no body' }),
    );
  }

  function requestArb(op: Operation): fc.Arbitrary<Req> {
    const headerValue = fc.oneof(fc.constant(undefined), fc.uuid(), fc.string({ unit: fc.constantFrom(...'abcXYZ019_.:-/ =?'.split('')), maxLength: 200 }));
    return fc
      .record({
        ids: fc.array(idArb(), { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
        headers: fc.array(headerValue, { minLength: op.headerParams.length, maxLength: op.headerParams.length }),
        body: bodyArb(op),
      })
      .map(({ ids, headers, body }) => ({
        op,
        ids,
        headers: Object.fromEntries(op.headerParams.map((h, i) => [h, headers[i]]).filter(([, v]) => v !== undefined)) as Record<string, string>,
        body: body.body,
        contentType: body.contentType,
        kind: body.kind,
      }));
  }

  // ---------------------------------------------------------------- the database fingerprint

  async function checksums(): Promise<Record<string, string>> {
    const sql = tables
      .map((t) => `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') AS h FROM "${t}" x`)
      .join(' UNION ALL ');
    const { rows } = await db.query(sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.h]));
  }

  function changed(before: Record<string, string>, after: Record<string, string>): string[] {
    return Object.keys(after).filter((t) => before[t] !== after[t]);
  }

  async function send(req: Req, token: string): Promise<{ status: number; text: string; body: any }> {
    let path = req.op.path;
    req.op.pathParams.forEach((name, i) => {
      path = path.replace(`{${name}}`, req.ids[i]);
    });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...req.headers };
    if (req.contentType !== undefined) headers['content-type'] = req.contentType;
    // bytes, not a string: fetch would add its own text/plain content type to a string
    const bytes = req.body === undefined ? undefined : new TextEncoder().encode(req.body);
    const res = await fetch(platform[req.op.app].url + path, { method: req.op.method, headers, body: bytes, signal: AbortSignal.timeout(15000) });
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }

  // ---------------------------------------------------------------- the property

  it('finds the write operations in the OpenAPI documents of the api and the rating service', () => {
    const names = ops.map((o) => `${o.method} ${o.path}`);
    for (const known of ['POST /api/v1/auth/register', 'POST /api/v1/orders', 'POST /api/v1/orders/{id}/cancel', 'POST /api/v1/offers/{id}/accept',
      'POST /api/v1/teams/{id}/members', 'POST /api/v1/orders/{id}/rating']) {
      expect(names).toContain(known);
    }
    expect(tables).toEqual(expect.arrayContaining(['users', 'orders', 'order_events', 'offers', 'ratings']));
  });

  it('never answers 5xx, answers every refusal with a stable code, and writes nothing when it refuses', async () => {
    const failures: string[] = [];
    let sent = 0;
    let refused = 0;
    let baseline = await checksums();
    for (const op of ops) {
      for (const role of ['admin', 'resident'] as const) {
        try {
          await fc.assert(
            fc.asyncProperty(requestArb(op), async (req) => {
              sent++;
              const res = await send(req, tokens[role]);
              if (process.env.PROPERTY_DEBUG) console.log(`${res.status} ${res.body?.code} ${req.kind.split(' at ')[0]} ${op.path}`);
              const what = `${role} ${op.method} ${op.path} [${req.kind}] ids=${JSON.stringify(req.ids)} → ${res.status} ${res.text.slice(0, 300)}`;
              expect({ what, serverError: res.status >= 500 }).toEqual({ what, serverError: false });
              if (res.status >= 200 && res.status < 300) {
                // accepted: the new state is the baseline (wait until the write has settled)
                baseline = await until('writes settled', async () => {
                  const a = await checksums();
                  await new Promise((r) => setTimeout(r, 250));
                  const b = await checksums();
                  return changed(a, b).length === 0 ? b : undefined;
                });
                return;
              }
              refused++;
              expect({ what, code: typeof res.body?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(res.body.code) }).toEqual({ what, code: true });
              const now = await checksums();
              const written = changed(baseline, now);
              baseline = now;
              expect({ what, tablesWritten: written }).toEqual({ what, tablesWritten: [] });
            }),
            { numRuns: RUNS, endOnFailure: true },
          );
        } catch (e) {
          failures.push((e as Error).message.split('\n').slice(0, 40).join('\n'));
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBe(ops.length * 2 * RUNS);
    expect(refused).toBeGreaterThan(sent * 0.8);
    // ~60 s on a quiet two-core machine; several times that when the machine is shared
  }, 600000);
});
