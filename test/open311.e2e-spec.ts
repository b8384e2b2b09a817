import { Client } from 'pg';
import { SaxesParser } from 'saxes';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, offset } from './support/world';

/** A tree of an XML document (saxes, a conforming parser): throws on anything that is not well-formed. */
interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}
function parseXml(xml: string): XmlNode {
  const parser = new SaxesParser();
  const root: XmlNode = { name: '#document', children: [], text: '' };
  const stack: XmlNode[] = [root];
  parser.on('opentag', (t) => {
    const node: XmlNode = { name: t.name, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => (stack[stack.length - 1].text += t));
  parser.on('closetag', () => stack.pop());
  parser.on('error', (e) => {
    throw e;
  });
  parser.write(xml).close();
  return root.children[0];
}
const child = (n: XmlNode, name: string) => n.children.find((c) => c.name === name);
const textOf = (n: XmlNode, name: string) => child(n, name)?.text;

/**
 * Open311 GeoReport v2, walked the way the specification's examples do — service list, service
 * definition, POST a request (form-encoded, api_key), GET requests with filters, GET one request,
 * tokens, errors as its list of {code, description} — in JSON and in XML, against the real apps: a
 * request becomes an order placed on behalf of the person named, dispatched to a team like any
 * other, and reads back `open`, then `closed`, with the team as `agency_responsible`.
 */
describe('Open311 GeoReport v2 at /open311/v2', () => {
  const tag = `G${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.71, lng: 119.93 };
  const code = `O311_${tag}`;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let team: CreatedTeam;
  let regions: { county: any; township: any; station: any };
  let apiKey: string;
  let base: string;

  beforeAll(async () => {
    platform = await startPlatform(`open311-${tag}`, { OPEN311_RATE_LIMIT_PER_KEY: '60' }, { relay: false });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    base = `${platform.api.url}/open311/v2`;
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    await createService(admin, code, ['errand'], 600);
    team = await createTeam(api, admin, regions.station.id, { name: `热线队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 5000, skills: ['errand'], capacity: 50 });
    const key = expectOk(await admin.post('/api/v1/integrations/open311-keys', { name: `12345热线${tag}`, regionId: regions.county.id }), 201, 'key');
    expect(key.apiKey).toMatch(/^o311_/);
    apiKey = key.apiKey;
  }, 180000);

  afterAll(async () => {
    await platform?.stop();
    await db?.end();
  });

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const post = async (file: string, form: Record<string, string>) => {
    const res = await fetch(`${base}/${file}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };
  const json = (r: { text: string }) => JSON.parse(r.text);
  const valid = (extra: Record<string, string> = {}) => ({
    api_key: apiKey, service_code: code, lat: String(home.lat), long: String(home.lng), first_name: '桂英', last_name: '王',
    phone: '+86 139 1234 5678', email: 'wang@example.cn', description: '老人家里水管漏水，需要帮忙', device_id: 'hotline-7', account_id: 'A-1', ...extra,
  });

  it('GET services.json and services.xml: the menu as the specification\'s service list', async () => {
    const j = await get('/services.json');
    expect(j.status).toBe(200);
    expect(j.type).toMatch(/application\/json/);
    const mine = json(j).find((s: any) => s.service_code === code);
    expect(mine).toEqual({
      service_code: code, service_name: `测试服务${code}`, description: `测试服务${code}`, metadata: true, type: 'realtime', keywords: 'errand', group: '测试',
    });
    const x = await get('/services.xml');
    expect(x.status).toBe(200);
    expect(x.type).toMatch(/text\/xml/);
    expect(x.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    const doc = parseXml(x.text);
    expect(doc.name).toBe('services');
    expect(doc.children.every((c) => c.name === 'service')).toBe(true);
    const service = doc.children.find((c) => textOf(c, 'service_code') === code)!;
    expect(service.children.map((c) => c.name)).toEqual(['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group']);
    expect(textOf(service, 'metadata')).toBe('true');
    expect(textOf(service, 'type')).toBe('realtime');
  });

  it('GET services/{code}.json and .xml: the definition is the specification\'s attribute list; unknown → 404', async () => {
    const j = json(await get(`/services/${code}.json`));
    expect(j.service_code).toBe(code);
    for (const a of j.attributes) expect(Object.keys(a)).toEqual(['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description', 'values']);
    expect(j.attributes.map((a: any) => a.code)).toEqual(['urgent', 'preferred_start', 'preferred_end']);
    expect(j.attributes[0].values).toEqual([{ key: '0', name: '否 No' }, { key: '1', name: '是 Yes' }]);
    const doc = parseXml((await get(`/services/${code}.xml`)).text);
    expect(doc.name).toBe('service_definition');
    const attrs = child(doc, 'attributes')!.children;
    expect(attrs.map((a) => a.name)).toEqual(['attribute', 'attribute', 'attribute']);
    expect(child(attrs[0], 'values')!.children.map((v) => textOf(v, 'key'))).toEqual(['0', '1']);
    const missing = await get('/services/NO_SUCH_SERVICE.json');
    expect(missing.status).toBe(404);
    expect(json(missing)).toEqual([{ code: 404, description: expect.stringContaining('NO_SUCH_SERVICE') }]);
    // a NUL in the path or the query never reaches Postgres (it was a 500): 400, in the specification's shape
    for (const path of ['/services/%00.json', `/requests.json?api_key=${apiKey}&service_code=%00`]) {
      const nul = await get(path);
      expect([path, nul.status, json(nul)]).toEqual([path, 400, [{ code: 400, description: expect.any(String) }]]);
    }
  });

  it('POST requests: a bad api_key → 403, no service_code → 400, an unknown service → 404, in the specification\'s error list', async () => {
    const bad = await post('requests.json', valid({ api_key: 'o311_not-a-key' }));
    expect(bad.status).toBe(403);
    expect(json(bad)).toEqual([{ code: 403, description: expect.any(String) }]);
    const badXml = await post('requests.xml', valid({ api_key: '' }));
    expect(badXml.status).toBe(403);
    const errors = parseXml(badXml.text);
    expect(errors.name).toBe('errors');
    expect(textOf(errors.children[0], 'code')).toBe('403');
    const noCode = await post('requests.json', valid({ service_code: '' }));
    expect(noCode.status).toBe(400);
    expect(json(noCode)[0]).toMatchObject({ code: 400, description: expect.stringContaining('service_code') });
    const unknown = await post('requests.json', valid({ service_code: 'NO_SUCH_SERVICE' }));
    expect(unknown.status).toBe(404);
    expect(json(unknown)[0].code).toBe(404);
    const nowhere = await post('requests.json', valid({ lat: '', long: '' }));
    expect(nowhere.status).toBe(400);
    const far = await post('requests.json', valid({ lat: '39.9', long: '116.4' }));
    expect(far.status).toBe(400);
    expect(json(far)[0].description).toMatch(/outside/);
    const unplaced = await post('requests.json', valid({ lat: '', long: '', address_string: '火星基地1号' }));
    expect(unplaced.status).toBe(400);
    expect(json(unplaced)[0].description).toMatch(/address_string/);
    const noPhone = await post('requests.json', valid({ phone: '' }));
    expect(noPhone.status).toBe(400);
    // form bodies are read only here: elsewhere they are still 415
    const elsewhere = await fetch(`${platform.api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'phone=1' });
    expect(elsewhere.status).toBe(415);
  });

  let requestId: string;

  it('a valid POST creates an order on behalf of the person named, dispatched like any order; GET shows open', async () => {
    const created = await post('requests.json', valid());
    expect(created.status).toBe(201);
    const [answer] = json(created);
    expect(Object.keys(answer)).toEqual(['service_request_id', 'service_notice', 'account_id']);
    expect(answer.account_id).toBe('A-1');
    requestId = answer.service_request_id;
    const { rows: [order] } = await db.query(
      `SELECT o.status, o.on_behalf, o.region_id, e.actor_role, r.requester_enc, r.device_id
         FROM orders o JOIN order_events e ON e.order_id = o.id AND e.type = 'placed' JOIN open311_requests r ON r.order_id = o.id WHERE o.id = $1`,
      [requestId],
    );
    expect(order).toMatchObject({ on_behalf: true, actor_role: 'integration', region_id: regions.station.id, device_id: 'hotline-7' });
    expect(order.requester_enc).not.toMatch(/王|桂英|example/); // encrypted
    const offer = await until('an offer to the team', async () => {
      const res = await team.members[0].http.get('/api/v1/offers?status=pending');
      return res.body.items?.find((o: any) => o.orderId === requestId);
    });
    const [open] = json(await get(`/requests/${requestId}.json?api_key=${apiKey}`));
    expect(open).toMatchObject({ service_request_id: requestId, status: 'open', service_code: code, agency_responsible: null, description: '老人家里水管漏水，需要帮忙' });
    for (const field of ['status_notes', 'service_name', 'requested_datetime', 'updated_datetime', 'expected_datetime', 'address', 'address_id', 'zipcode', 'lat', 'long', 'media_url']) {
      expect(open).toHaveProperty(field);
    }
    expect(open.address).toBe(regions.station.name); // the area, never the exact address
    expect(JSON.stringify(open)).not.toMatch(/1391234/);
    expectOk(await team.members[0].http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    const [accepted] = json(await get(`/requests/${requestId}.json?api_key=${apiKey}`));
    expect(accepted).toMatchObject({ status: 'open', agency_responsible: `热线队${tag}` });
    // status notes are fixed words for the status, never the free text of the timeline
    expect(accepted.status_notes).toBe('服务队已接单');
  });

  it('… and closed after completion; GET requests/{id}.xml parses', async () => {
    const volunteer = team.members[0].http;
    expectOk(await volunteer.post(`/api/v1/orders/${requestId}/check-in`, { location: offset(home, 10, 5) }), 200, 'check-in');
    expectOk(await volunteer.post(`/api/v1/orders/${requestId}/complete`, { report: '水管已修好' }), 200, 'complete');
    const [closed] = json(await get(`/requests/${requestId}.json?api_key=${apiKey}`));
    expect(closed).toMatchObject({ status: 'closed', agency_responsible: `热线队${tag}`, status_notes: '服务已完成' });
    expect(JSON.stringify(closed)).not.toContain('水管已修好'); // the volunteer's report stays inside
    const doc = parseXml((await get(`/requests/${requestId}.xml?api_key=${apiKey}`)).text);
    expect(doc.name).toBe('service_requests');
    expect(doc.children).toHaveLength(1);
    expect(doc.children[0].name).toBe('request');
    expect(textOf(doc.children[0], 'service_request_id')).toBe(requestId);
    expect(textOf(doc.children[0], 'status')).toBe('closed');
    // tokens: requests are created at once, the token is the id
    expect(json(await get(`/tokens/${requestId}.json?api_key=${apiKey}`))).toEqual([{ service_request_id: requestId, token: requestId }]);
  });

  it('GET requests.json: date range (at most 90 days), status, service_code and id filters; another key sees nothing', async () => {
    const second = json(await post('requests.json', valid({ lat: '', long: '', address_string: `${regions.station.name}东街 3 号` })))[0].service_request_id;
    const { rows: [placed] } = await db.query(`SELECT region_id FROM orders WHERE id = $1`, [second]);
    expect(placed.region_id).toBe(regions.station.id); // the address string was placed by the region's name
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const range = `start_date=${iso(now - 3600e3)}&end_date=${iso(now + 3600e3)}`;
    const all = json(await get(`/requests.json?api_key=${apiKey}&${range}`));
    expect(all.map((r: any) => r.service_request_id).sort()).toEqual([requestId, second].sort());
    const past = json(await get(`/requests.json?api_key=${apiKey}&start_date=${iso(now - 30 * 86400e3)}&end_date=${iso(now - 20 * 86400e3)}`));
    expect(past).toEqual([]);
    const tooLong = await get(`/requests.json?api_key=${apiKey}&start_date=${iso(now - 100 * 86400e3)}&end_date=${iso(now)}`);
    expect(tooLong.status).toBe(400);
    expect(json(tooLong)[0].description).toMatch(/90 days/);
    expect(json(await get(`/requests.json?api_key=${apiKey}&${range}&status=closed`)).map((r: any) => r.service_request_id)).toEqual([requestId]);
    expect(json(await get(`/requests.json?api_key=${apiKey}&${range}&status=open`)).map((r: any) => r.service_request_id)).toEqual([second]);
    expect(json(await get(`/requests.json?api_key=${apiKey}&${range}&service_code=OTHER`))).toEqual([]);
    expect(json(await get(`/requests.json?api_key=${apiKey}&service_request_id=${second}`)).map((r: any) => r.service_request_id)).toEqual([second]);
    const xml = parseXml((await get(`/requests.xml?api_key=${apiKey}&${range}`)).text);
    expect(xml.children.map((c) => c.name)).toEqual(['request', 'request']);
    expect((await get(`/requests.json?${range}`)).status).toBe(403);
    const other = expectOk(await admin.post('/api/v1/integrations/open311-keys', { name: `其他系统${tag}`, regionId: regions.county.id }), 201, 'key 2');
    expect(json(await get(`/requests.json?api_key=${other.apiKey}&${range}`))).toEqual([]);
    expect((await get(`/requests/${requestId}.json?api_key=${other.apiKey}`)).status).toBe(404);
  });

  it('limits requests per key (429 in the specification\'s shape) and revoked keys are refused', async () => {
    const key = expectOk(await admin.post('/api/v1/integrations/open311-keys', { name: `限流${tag}`, regionId: regions.county.id }), 201, 'key 3');
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await get(`/requests.json?api_key=${key.apiKey}`)).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(55);
    expect(statuses).toContain(429);
    const limited = await get(`/requests.json?api_key=${key.apiKey}`);
    expect(json(limited)).toEqual([{ code: 429, description: expect.stringMatching(/rate limit/) }]);
    expect((await admin.request('DELETE', `/api/v1/integrations/open311-keys/${key.id}`)).status).toBe(204);
    const revoked = await post('requests.json', valid({ api_key: key.apiKey }));
    expect(revoked.status).toBe(403);
  });
});
