import { Client } from 'pg';
import { RunningApp, startApp, startPlatform, Platform, testEnv } from './support/apps';
import { ADMIN, TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { beneficiaryBody, buildJurisdictionWorld, JurisdictionWorld, placeOrder } from './support/jurisdiction-world';
import { expectOk, LatLng, login, offset } from './support/world';

/**
 * OWASP API1/API5:2023 — the region tree is the jurisdiction, so drawing a region is an
 * authorization act. A township admin drew a "point" under their township over the neighbouring
 * township (or the whole world): new orders and profiles there were assigned to the attacker's
 * region, the attacker's dispatcher read them and the rightful staff got 404. Now a boundary must
 * lie inside its parent and clear of its siblings, the region of a point is found by walking down
 * the tree from the roots, and redrawing a boundary re-checks it all. Points outside every region
 * are refused (OUT_OF_SERVICE_AREA); region-less orders from before belong to the everything-scope.
 */
describe('API1/API5:2023 region boundaries cannot capture another jurisdiction', () => {
  const tag = `R${Date.now() % 100000}`;
  const centre: LatLng = { lat: 36.0, lng: 114.0 };
  let platform: Platform;
  let lenient: RunningApp; // ALLOW_ORDERS_OUTSIDE_REGIONS=true: radius-only orders
  let db: Client;
  let api: Http;
  let w: JurisdictionWorld;

  const rect = (west: number, south: number, east: number, north: number) => ({
    type: 'Polygon',
    coordinates: [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
  });
  const square = (c: LatLng, halfM: number) => {
    const sw = offset(c, -halfM, -halfM);
    const ne = offset(c, halfM, halfM);
    return rect(sw.lng, sw.lat, ne.lng, ne.lat);
  };
  const regionCount = async () => (await db.query(`SELECT count(*)::int AS n FROM regions`)).rows[0].n as number;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    platform = await startPlatform(`regions-${tag}`, {}, { relay: false });
    lenient = await startApp('api', testEnv(`regions-lenient-${tag}`, { ALLOW_ORDERS_OUTSIDE_REGIONS: 'true' }));
    api = new Http(platform.api.url);
    w = await buildJurisdictionWorld(api, tag, centre);
  }, 400000);

  afterAll(async () => {
    await db?.end();
    await Promise.all([platform?.stop(), lenient?.stop()]);
  });

  it('refuses a sub-region drawn over the neighbouring township, over the whole world, or over a sibling; writes nothing', async () => {
    const attacker = w.staff.townAdminA.http;
    const before = await regionCount();
    const overB = await attacker.post('/api/v1/regions', { name: `吞并点${tag}`, level: 'point', parentId: w.regions.a.id, boundary: square(w.at.b1, 4000) });
    expect([overB.status, overB.body.code, overB.body.fields?.[0]?.field]).toEqual([422, 'BOUNDARY_OUTSIDE_PARENT', 'boundary']);
    const world = await attacker.post('/api/v1/regions', { name: `全世界${tag}`, level: 'point', parentId: w.regions.a.id, boundary: rect(-179.9, -85, 179.9, 85) });
    expect([world.status, world.body.code]).toEqual([422, 'BOUNDARY_OUTSIDE_PARENT']);
    // inside township A, but over village A1 (its sibling under A)
    const overSibling = await attacker.post('/api/v1/regions', { name: `重叠点${tag}`, level: 'point', parentId: w.regions.a.id, boundary: square(w.at.a1, 2000) });
    expect([overSibling.status, overSibling.body.code]).toEqual([422, 'BOUNDARY_OVERLAPS_SIBLING']);
    // the county admin cannot draw a township over another township either
    const overTownship = await w.staff.countyAdmin.http.post('/api/v1/regions', { name: `丙镇${tag}`, level: 'township', parentId: w.regions.county.id, boundary: square(w.at.b1, 3000) });
    expect([overTownship.status, overTownship.body.code]).toEqual([422, 'BOUNDARY_OVERLAPS_SIBLING']);
    expect(await regionCount()).toBe(before);

    // the orders and profiles of village B1 stay with B1: its dispatcher and grid worker keep them, A's staff get 404
    const order = await placeOrder(w.residents.bob.http, { serviceCode: w.serviceCode, description: '帮忙买药', location: offset(w.at.b1, 300, 300), address: '乙村 9 号' });
    expect(order.regionId).toBe(w.regions.b1.id);
    expectOk(await w.staff.townDispatcherB.http.get(`/api/v1/orders/${order.id}`), 200, 'rightful dispatcher');
    expect((await w.staff.townDispatcherA.http.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
    const profile = expectOk(await w.grid.b.http.post('/api/v1/beneficiaries', beneficiaryBody(offset(w.at.b1, -200, 100))), 201, 'grid worker B records');
    expect(profile.regionId).toBe(w.regions.b1.id);
  });

  it('accepts sub-regions inside the parent that only touch each other along an edge', async () => {
    const sw = offset(w.at.a1, -1500, -1000);
    const ne = offset(w.at.a1, 1500, 1000);
    const mid = w.at.a1.lng;
    const west = expectOk(await w.staff.townAdminA.http.post('/api/v1/regions', { name: `西点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: rect(sw.lng, sw.lat, mid, ne.lat) }), 201, 'west point');
    const east = expectOk(await w.staff.townAdminA.http.post('/api/v1/regions', { name: `东点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: rect(mid, sw.lat, ne.lng, ne.lat) }), 201, 'east point');
    expect(west.hasBoundary && east.hasBoundary).toBe(true);
    // a point goes to the deepest region on the way down: A → A1 → the east point
    const order = await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '理发', location: offset(w.at.a1, 600, 0), address: '甲村 2 号' });
    expect(order.regionId).toBe(east.id);
  });

  it('a region drawn over a neighbour before these rules existed captures nothing: the region of a point is found walking down from the roots', async () => {
    // rows as the old code let them in: a point under township A covering all of township B, and one covering the world
    const legacy = await db.query(
      `INSERT INTO regions (name, level, parent_id, boundary)
       VALUES ($1, 'point', $3, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4326))::geography),
              ($2, 'point', $3, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5), 4326))::geography)
       RETURNING id`,
      [`旧吞并点${tag}`, `旧世界点${tag}`, w.regions.a.id, JSON.stringify(square(w.at.b1, 9000)), JSON.stringify(rect(-179.9, -85, 179.9, 85))],
    );
    try {
      const order = await placeOrder(w.residents.bob.http, { serviceCode: w.serviceCode, description: '送饭', location: offset(w.at.b1, -400, 0), address: '乙村 5 号' });
      expect(order.regionId).toBe(w.regions.b1.id);
      expect((await w.staff.townDispatcherA.http.get(`/api/v1/orders/${order.id}`)).status).toBe(404);
      expectOk(await w.staff.townDispatcherB.http.get(`/api/v1/orders/${order.id}`), 200, 'rightful dispatcher');
      const profile = expectOk(await w.grid.b.http.post('/api/v1/beneficiaries', beneficiaryBody(offset(w.at.b1, 100, -300))), 201, 'grid worker B records');
      expect(profile.regionId).toBe(w.regions.b1.id);
      const { rows } = await db.query(`SELECT region_of_point(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS id`, [w.at.b1.lng, w.at.b1.lat]);
      expect(rows[0].id).toBe(w.regions.b1.id);
    } finally {
      await db.query(`DELETE FROM regions WHERE id = ANY($1::uuid[])`, [legacy.rows.map((r) => r.id)]);
    }
  });

  it('PATCH /regions/:id re-checks a redrawn boundary: inside the parent, clear of siblings, around every sub-region', async () => {
    const townAdmin = w.staff.townAdminA.http;
    const countyAdmin = w.staff.countyAdmin.http;
    const boundaryOf = async (id: string) => (await db.query(`SELECT ST_AsText(boundary) AS b FROM regions WHERE id = $1`, [id])).rows[0].b as string;
    const a1Before = await boundaryOf(w.regions.a1.id);
    // village A1 stretched over township B
    const stretched = await townAdmin.patch(`/api/v1/regions/${w.regions.a1.id}`, { boundary: square(w.centre, 25000) });
    expect([stretched.status, stretched.body.code]).toEqual([422, 'BOUNDARY_OUTSIDE_PARENT']);
    // shrunk so that the points drawn inside it would fall out
    const shrunk = await townAdmin.patch(`/api/v1/regions/${w.regions.a1.id}`, { boundary: square(w.at.a1, 500) });
    expect([shrunk.status, shrunk.body.code]).toEqual([422, 'BOUNDARY_EXCLUDES_CHILD']);
    // a township admin does not move the township's own edge; nor anything of township B (not found)
    const ownEdge = await townAdmin.patch(`/api/v1/regions/${w.regions.a.id}`, { boundary: square(w.centre, 29000) });
    expect([ownEdge.status, ownEdge.body.code]).toEqual([403, 'OUTSIDE_JURISDICTION']);
    expect((await townAdmin.patch(`/api/v1/regions/${w.regions.b1.id}`, { name: '改名' })).status).toBe(404);
    // the county admin cannot push township A over township B
    const overB = await countyAdmin.patch(`/api/v1/regions/${w.regions.a.id}`, { boundary: square(offset(w.centre, -5000, 0), 12000) });
    expect([overB.status, overB.body.code]).toEqual([422, 'BOUNDARY_OVERLAPS_SIBLING']);
    expect(await boundaryOf(w.regions.a1.id)).toBe(a1Before);

    // a legitimate change: A1 grows inside A, keeps its points; new orders follow the new edge
    const grown = expectOk(await countyAdmin.patch(`/api/v1/regions/${w.regions.a1.id}`, { name: `甲村新${tag}`, boundary: square(w.at.a1, 6000) }), 200, 'grow A1');
    expect(grown).toMatchObject({ id: w.regions.a1.id, name: `甲村新${tag}`, hasBoundary: true });
    const order = await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '陪诊', location: offset(w.at.a1, 0, 5000), address: '甲村 12 号' });
    expect(order.regionId).toBe(w.regions.a1.id);
  });

  it('refuses orders and profiles outside every region with 422 OUT_OF_SERVICE_AREA (fields: location), writing nothing', async () => {
    const counts = async () => (await db.query(`SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM beneficiaries)::int AS profiles`)).rows[0];
    const before = await counts();
    const order = await w.residents.alice.http.post('/api/v1/orders', { serviceCode: w.serviceCode, description: '远方', location: w.at.nowhere, address: '远方 1 号' }, { 'Idempotency-Key': `oos-${tag}` });
    expect([order.status, order.body.code, order.body.fields]).toEqual([422, 'OUT_OF_SERVICE_AREA', [expect.objectContaining({ field: 'location' })]]);
    expect(order.body.message).toBe('该位置不在服务范围内');
    const own = await w.residents.alice.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.nowhere));
    expect([own.status, own.body.code]).toEqual([422, 'OUT_OF_SERVICE_AREA']);
    const official = await w.staff.countyAdmin.http.post('/api/v1/beneficiaries', beneficiaryBody(w.at.nowhere));
    expect([official.status, official.body.code]).toEqual([422, 'OUT_OF_SERVICE_AREA']);
    // a profile cannot be moved out of the service area either (and so no 代点单 there)
    // north of the two points drawn inside A1: the village itself
    const profile = expectOk(await w.grid.a.http.post('/api/v1/beneficiaries', beneficiaryBody(offset(w.at.a1, 100, 2500))), 201, 'profile in A1');
    const moved = await w.grid.a.http.patch(`/api/v1/beneficiaries/${profile.id}`, { location: w.at.nowhere });
    expect([moved.status, moved.body.code]).toEqual([422, 'OUT_OF_SERVICE_AREA']);
    expect(await counts()).toEqual({ ...before, profiles: before.profiles + 1 });
    const { rows } = await db.query(`SELECT region_id FROM beneficiaries WHERE id = $1`, [profile.id]);
    expect(rows[0].region_id).toBe(w.regions.a1.id);
  });

  it('a boundary whose checks outlast the statement timeout is refused as too complex (422), not a 500, and writes nothing', async () => {
    // a valid 2,400-position ring inside village A1, clear of its points (6 decimals: it fits the
    // 64 KiB body limit): parsing, validating and comparing it takes longer than 1 ms, so Postgres
    // cancels the bounded checks (57014)
    const ring = Array.from({ length: 2400 }, (_, k) => {
      const p = offset(w.at.a1, 900 * Math.cos((2 * Math.PI * k) / 2400), 2500 + 900 * Math.sin((2 * Math.PI * k) / 2400));
      return [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))];
    });
    const body = { name: `圆点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } };
    const hasty = await startApp('api', testEnv(`regions-hasty-${tag}`, { REGION_BOUNDARY_CHECK_TIMEOUT_MS: '1' }));
    try {
      const admin = new Http(hasty.url, w.staff.townAdminA.http.token);
      const before = await regionCount();
      const refused = await admin.post('/api/v1/regions', body);
      expect([refused.status, refused.body.code, refused.body.fields?.[0]?.field]).toEqual([422, 'BOUNDARY_TOO_COMPLEX', 'boundary']);
      expect(await regionCount()).toBe(before);
      // with the default timeout the same ring is drawn: it was the clock that refused it
      expectOk(await w.staff.townAdminA.http.post('/api/v1/regions', body), 201, 'the same ring, in time');
    } finally {
      await hasty.stop();
    }
  }, 120000);

  it('with ALLOW_ORDERS_OUTSIDE_REGIONS=true takes a radius-only order, which only the everything-scope admin sees', async () => {
    // alice signed up through the main api; her token works on the lenient replica (same secret, same sessions)
    const alice = new Http(lenient.url, w.residents.alice.http.token);
    const lost = expectOk(
      await alice.post('/api/v1/orders', { serviceCode: w.serviceCode, description: '边界外', location: w.at.nowhere, address: '无名地' }, { 'Idempotency-Key': `lenient-${tag}` }),
      201,
      'radius-only order',
    );
    expect(lost.regionId).toBeNull();
    // region-less: no county's staff sees it, county-wide admin included; the bootstrap admin does
    for (const d of [w.staff.countyAdmin.http, w.staff.countyDispatcher.http, w.staff.townAdminA.http, w.staff.townDispatcherA.http, w.grid.a.http]) {
      expect((await d.get(`/api/v1/orders/${lost.id}`)).status).toBe(404);
    }
    const queue = expectOk(await w.staff.countyAdmin.http.get('/api/v1/dispatch/live-queue'), 200, 'county admin live queue');
    expect(queue.items.map((i: any) => i.orderId)).not.toContain(lost.id);
    const bootstrap = await login(api, ADMIN.phone, ADMIN.password);
    expectOk(await bootstrap.get(`/api/v1/orders/${lost.id}`), 200, 'bootstrap admin');
  });
});
