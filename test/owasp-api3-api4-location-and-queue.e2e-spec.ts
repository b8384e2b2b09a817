import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http } from './support/http';
import { buildJurisdictionWorld, createPerson, JurisdictionWorld, pendingOfferFor, placeOrder } from './support/jurisdiction-world';
import { SseStream } from './support/sse';
import { createRegions, expectOk, LatLng, offset } from './support/world';

/**
 * OWASP API3 (property level) and API4/API6 (resource consumption, business flows):
 *   - offers told a team the exact distance to the home and the proximity part of the score, even
 *     after the offer was gone: two teams' distances and the ~1 km cell located an elder within
 *     20 m. A team now sees the distance to the kilometre, no proximity, and nothing but the outcome
 *     once the offer is no longer pending; staff still see everything;
 *   - a self-intersecting boundary kept Postgres busy repairing it for minutes: boundaries are
 *     capped in positions and refused when invalid, promptly;
 *   - the live queue took the 500 most urgent orders everywhere, then filtered: fake urgent orders
 *     in another county hid a real one. It is scoped in SQL before the limit.
 */
describe('API3/API4/API6:2023 location leaks and jurisdiction flooding', () => {
  const tag = `L${Date.now() % 100000}`;
  const centre: LatLng = { lat: 37.0, lng: 113.0 };
  const MAX_VERTICES = 300;
  let platform: Platform;
  let db: Client;
  let api: Http;
  let w: JurisdictionWorld;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    platform = await startPlatform(`location-${tag}`, { REGION_BOUNDARY_MAX_VERTICES: String(MAX_VERTICES) }, { relay: false });
    api = new Http(platform.api.url);
    w = await buildJurisdictionWorld(api, tag, centre);
  }, 400000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  describe('API3: what a team sees of an offer', () => {
    it('a pending offer carries the distance to the kilometre, no proximity and a score without it; staff still see the metres', async () => {
      const home = offset(w.at.a1, 1900, 600); // team A sits 200 m east of the village centre
      const order = await placeOrder(w.residents.alice.http, { serviceCode: w.serviceCode, description: '独居老人送餐', location: home, address: '甲村幸福路 7 号' });
      const offer = await pendingOfferFor(w.teams.a, order.id);
      const text = JSON.stringify(offer);
      expect(text).not.toMatch(/distanceM|proximity/);
      expect(text).not.toContain('幸福路');
      const { rows } = await db.query(`SELECT distance_m, score, score_breakdown FROM offers WHERE id = $1`, [offer.id]);
      const metres = Number(rows[0].distance_m);
      expect(metres).toBeGreaterThan(1000);
      expect(offer.scoreBreakdown.distanceKm).toBe(Math.round(metres / 1000));
      expect(Number.isInteger(offer.scoreBreakdown.distanceKm)).toBe(true);
      expect(offer.scoreBreakdown.proximity).toBeUndefined();
      expect(offer.score).toEqual(expect.any(Number));
      expect(rows[0].score_breakdown.proximity).toBeGreaterThan(0); // the stored breakdown keeps it, for staff
      // the offer still shows what the team needs to decide
      expect(offer.order).toMatchObject({ serviceCode: w.serviceCode, description: '独居老人送餐', coarseLocation: expect.any(Object) });

      // staff of the jurisdiction see the full breakdown in metres
      const candidates = expectOk(await w.staff.townDispatcherA.http.get(`/api/v1/orders/${order.id}/candidates`), 200, 'candidates');
      const teamA = candidates.items.find((c: any) => c.teamId === w.teams.a.id);
      expect(Math.abs(teamA.breakdown.distanceM - metres)).toBeLessThanOrEqual(1);
      expect(teamA.breakdown.proximity).toEqual(expect.any(Number));

      // once declined, the team keeps only the outcome: no area, no cell, no description, no score
      expectOk(await w.teams.a.members[0].http.post(`/api/v1/offers/${offer.id}/decline`, { reason: '人手不足' }), 200, 'decline');
      const page = expectOk(await w.teams.a.members[0].http.get('/api/v1/offers?limit=100'), 200, 'offers');
      const gone = page.items.find((o: any) => o.id === offer.id);
      expect(gone).toMatchObject({ id: offer.id, orderId: order.id, status: 'declined', score: null, scoreBreakdown: null });
      expect(gone.order).toEqual({ serviceCode: w.serviceCode, serviceName: expect.any(String) });
      expect(JSON.stringify(gone)).not.toMatch(/distance|proximity|coarseLocation|甲村|送餐/);
      const declinedOnly = expectOk(await w.teams.a.members[0].http.get('/api/v1/offers?status=declined&limit=100'), 200, 'declined offers');
      expect(declinedOnly.items.every((o: any) => o.scoreBreakdown === null && o.order.coarseLocation === undefined)).toBe(true);
    });
  });

  describe('API4: region boundaries cannot burn the database', () => {
    const around = (c: LatLng, n: number, radiusM: number, jitter = 0) => {
      const ring: number[][] = [];
      for (let i = 0; i < n; i++) {
        // a jittered star crosses itself many times; jitter 0 is a plain circle
        const r = radiusM * (jitter ? 0.2 + ((i * 7919) % 97) / 97 : 1);
        const angle = (2 * Math.PI * (jitter ? (i * 37) % n : i)) / n;
        const p = offset(c, r * Math.cos(angle), r * Math.sin(angle));
        ring.push([p.lng, p.lat]);
      }
      ring.push(ring[0]);
      return { type: 'Polygon', coordinates: [ring] };
    };

    it('refuses a self-intersecting 8 KB ring at once with 400 INVALID_GEOMETRY instead of repairing it, and leaves no query running', async () => {
      const knot = around(w.at.a1, 250, 3000, 1);
      expect(JSON.stringify(knot).length).toBeGreaterThan(8000);
      const before = (await db.query(`SELECT count(*)::int AS n FROM regions`)).rows[0].n;
      const started = Date.now();
      const res = await w.staff.townAdminA.http.post('/api/v1/regions', { name: `乱麻${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: knot });
      expect([res.status, res.body.code, res.body.fields?.[0]?.field]).toEqual([400, 'INVALID_GEOMETRY', 'boundary']);
      expect(res.body.message).toMatch(/Self-intersection|Ring/i);
      expect(Date.now() - started).toBeLessThan(5000);
      expect((await db.query(`SELECT count(*)::int AS n FROM regions`)).rows[0].n).toBe(before);
      const running = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query ILIKE '%ST_GeomFromGeoJSON%' AND pid <> pg_backend_pid()`);
      expect(running.rows[0].n).toBe(0);
      // the same through PATCH
      const patched = await w.staff.countyAdmin.http.patch(`/api/v1/regions/${w.regions.a1.id}`, { boundary: knot });
      expect([patched.status, patched.body.code]).toEqual([400, 'INVALID_GEOMETRY']);
    });

    it('caps the positions of a boundary (REGION_BOUNDARY_MAX_VERTICES): 422 BOUNDARY_TOO_COMPLEX; a valid ring under the cap is taken', async () => {
      const tooMany = around(w.at.a1, MAX_VERTICES + 10, 3000);
      const res = await w.staff.townAdminA.http.post('/api/v1/regions', { name: `细点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: tooMany });
      expect([res.status, res.body.code, res.body.maxVertices]).toEqual([422, 'BOUNDARY_TOO_COMPLEX', MAX_VERTICES]);
      const circle = around(w.at.a1, MAX_VERTICES - 10, 3000);
      const ok = expectOk(await w.staff.townAdminA.http.post('/api/v1/regions', { name: `圆点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: circle }), 201, 'circle');
      expect(ok.hasBoundary).toBe(true);
      await db.query(`DELETE FROM regions WHERE id = $1`, [ok.id]);
    });

    it('a boundary body larger than BODY_LIMIT_BYTES reaches the checks (REGION_BODY_LIMIT_BYTES); other routes keep the small limit', async () => {
      // 3,000 positions at full precision: well over 64 KiB, within the regions' 512 KiB
      const big = around(w.at.a1, 3000, 3000);
      expect(JSON.stringify(big).length).toBeGreaterThan(64 * 1024);
      const checked = await w.staff.townAdminA.http.post('/api/v1/regions', { name: `大点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: big });
      expect([checked.status, checked.body.code]).toEqual([422, 'BOUNDARY_TOO_COMPLEX']);
      const patched = await w.staff.countyAdmin.http.patch(`/api/v1/regions/${w.regions.a1.id}`, { boundary: big });
      expect([patched.status, patched.body.code]).toEqual([422, 'BOUNDARY_TOO_COMPLEX']);
      // beyond the regions' limit: 413, unread
      const huge = around(w.at.a1, 16000, 3000);
      const refused = await w.staff.townAdminA.http.post('/api/v1/regions', { name: `巨点${tag}`, level: 'point', parentId: w.regions.a1.id, boundary: huge });
      expect([refused.status, refused.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      // an order of the same size is refused as before
      const order = await w.residents.alice.http.post('/api/v1/orders', { serviceCode: w.reviewCode, description: 'x'.repeat(100 * 1024), location: w.at.a1, address: '甲村 1 号' });
      expect([order.status, order.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    });
  });

  describe('API6: flooding another county does not hide this county\'s orders from its live queue', () => {
    it('600 urgent orders in county B; county A\'s dispatcher still sees A\'s order (snapshot and stream)', async () => {
      const far: LatLng = { lat: centre.lat + 3, lng: centre.lng + 3 };
      const other = await createRegions(w.admin, far, `${tag}乙县`);
      const dispatcherB = await createPerson(api, w.admin, 'dispatcher', other.county.id, '乙县调度员');
      const mine = await placeOrder(w.residents.alice.http, { serviceCode: w.reviewCode, description: '摔倒了需要帮助', location: offset(w.at.a1, 100, 100), address: '甲村 1 号', urgent: true });
      expect(mine.status).toBe('pending_review');
      // the attacker's flood, written as the old rows would be (no triggers: no notifications for fake orders)
      await db.query('BEGIN');
      await db.query(`SET LOCAL session_replication_role = replica`);
      await db.query(
        `INSERT INTO orders (id, resident_id, service_id, service_code, description, location, address, contact_phone, region_id, status, urgent)
         SELECT gen_random_uuid(), o.resident_id, o.service_id, o.service_code, '假的紧急单', ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography,
                o.address, o.contact_phone, $2, 'escalated', true
           FROM orders o CROSS JOIN generate_series(1, 600)
          WHERE o.id = $1`,
        [mine.id, other.station.id, far.lng, far.lat],
      );
      await db.query('COMMIT');

      const queue = expectOk(await w.staff.countyDispatcher.http.get('/api/v1/dispatch/live-queue'), 200, 'county A live queue');
      expect(queue.items.map((i: any) => i.orderId)).toContain(mine.id);
      expect(queue.items.every((i: any) => i.description !== '假的紧急单')).toBe(true);
      const town = expectOk(await w.staff.townDispatcherA.http.get('/api/v1/dispatch/live-queue'), 200, 'township A live queue');
      expect(town.items.map((i: any) => i.orderId)).toContain(mine.id);
      // county B's dispatcher sees B's flood (up to the limit), not A's order
      const b = expectOk(await dispatcherB.http.get('/api/v1/dispatch/live-queue'), 200, 'county B live queue');
      expect(b.items.length).toBe(500);
      expect(b.items.map((i: any) => i.orderId)).not.toContain(mine.id);

      const stream = await SseStream.open(`${platform.api.url}/api/v1/dispatch/live-queue/stream`, w.staff.countyDispatcher.http.token!);
      try {
        expect(stream.status).toBe(200);
        const first = await stream.next<any>('the first queue event', (d) => Array.isArray(d.items), 20000);
        expect(first.data.items.map((i: any) => i.orderId)).toContain(mine.id);
        expect(first.data.items.some((i: any) => i.description === '假的紧急单')).toBe(false);
      } finally {
        stream.close();
      }
    });
  });
});
