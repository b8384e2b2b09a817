import { Client } from 'pg';
import { RunningApp, startApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createService, createTeam, CreatedTeam, expectOk, LatLng, offset, registerResident, square } from './support/world';

/**
 * Dispatch v2 against the real apps: jurisdiction first and widening with time, grab mode (抢单),
 * urgent orders first, batch assignment under surge, and three dispatchers with one killed.
 */
describe('dispatch v2', () => {
  const tag = `D${Date.now() % 100000}`;
  const centre: LatLng = { lat: 30.45, lng: 119.9 };
  let env: Record<string, string>;
  let api: RunningApp;
  let dispatchers: RunningApp[] = [];
  let db: Client;
  let http: Http;
  let admin: Http;
  let resident: { http: Http };

  const rect = (c: LatLng, west: number, south: number, east: number, north: number) => {
    const sw = offset(c, west, south);
    const ne = offset(c, east, north);
    return { type: 'Polygon', coordinates: [[[sw.lng, sw.lat], [ne.lng, sw.lat], [ne.lng, ne.lat], [sw.lng, ne.lat], [sw.lng, sw.lat]]] };
  };
  const region = async (name: string, level: string, parentId: string | undefined, boundary: object) =>
    expectOk(await admin.post('/api/v1/regions', { name, level, parentId, boundary }), 201, name);

  // county; township West (x < 0) with stations W1 (x < -2 km… 0) and W2 (further west); township East (x > 0)
  let regions: Record<'county' | 'west' | 'east' | 'w1' | 'w2' | 'e1', { id: string }>;

  beforeAll(async () => {
    env = testEnv(`dispatch-v2-${tag}`, { DISPATCH_BATCH_WINDOW_MS: '0' });
    api = await startApp('api', env);
    dispatchers = [await startApp('dispatcher', env)];
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    http = new Http(api.url);
    admin = await adminClient(http);
    const county = await region(`县${tag}`, 'county', undefined, square(centre, 30000));
    const west = await region(`西镇${tag}`, 'township', county.id, rect(centre, -30000, -30000, 0, 30000));
    const east = await region(`东镇${tag}`, 'township', county.id, rect(centre, 0, -30000, 30000, 30000));
    const w1 = await region(`西一村${tag}`, 'village', west.id, rect(centre, -3000, -3000, 0, 3000));
    const w2 = await region(`西二村${tag}`, 'village', west.id, rect(centre, -9000, -3000, -3000, 3000));
    const e1 = await region(`东一村${tag}`, 'village', east.id, rect(centre, 0, -3000, 3000, 3000));
    regions = { county, west, east, w1, w2, e1 };
    resident = await registerResident(http, '赵奶奶');
  }, 120000);

  afterAll(async () => {
    for (const d of dispatchers) await d.stop();
    await api?.stop();
    await db?.end();
  });

  const place = async (code: string, at: LatLng, extra: Record<string, unknown> = {}) =>
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '需要帮助', location: at, address: '测试地址 1 号', ...extra }), 201, 'place');
  const offersOf = async (orderId: string) =>
    (await db.query(`SELECT id, team_id, status, mode, score_breakdown, created_at, expires_at FROM offers WHERE order_id = $1 ORDER BY created_at, team_id`, [orderId])).rows;
  const statusOf = async (orderId: string) => (await db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).rows[0].status;

  describe('jurisdiction first, widening with time', () => {
    const skill = `visit_${tag.toLowerCase()}`;
    let own: CreatedTeam;
    let sameTownship: CreatedTeam;
    let otherTownship: CreatedTeam;
    const home = offset(centre, -500, 0); // inside station W1

    beforeAll(async () => {
      await createService(admin, `VISIT_${tag}`, [skill], 2);
      // the team across the township line is the nearest, yet the own station's team comes first
      otherTownship = await createTeam(http, admin, regions.e1.id, { name: `东一村队${tag}`, location: offset(centre, 300, 0), serviceRadiusM: 8000, skills: [skill], capacity: 5 });
      own = await createTeam(http, admin, regions.w1.id, { name: `西一村队${tag}`, location: offset(centre, -2500, 0), serviceRadiusM: 8000, skills: [skill], capacity: 5 });
      sameTownship = await createTeam(http, admin, regions.w2.id, { name: `西二村队${tag}`, location: offset(centre, -5000, 0), serviceRadiusM: 8000, skills: [skill], capacity: 5 });
    });

    it('offers inside the station, then the township, then the county, then escalates', async () => {
      const order = await place(`VISIT_${tag}`, home);
      expect(order.area).toBe(`西一村${tag}`);
      await until('station offer', async () => (await offersOf(order.id)).length === 1);
      expect((await offersOf(order.id))[0].team_id).toBe(own.id);
      expect((await offersOf(order.id))[0].score_breakdown.jurisdictionLevel).toBe('station');

      await until('township offer', async () => (await offersOf(order.id)).length === 2, 10000);
      expect((await offersOf(order.id))[1].team_id).toBe(sameTownship.id);
      await until('county offer', async () => (await offersOf(order.id)).length === 3, 10000);
      expect((await offersOf(order.id))[2].team_id).toBe(otherTownship.id);
      await until('escalated', async () => (await statusOf(order.id)) === 'escalated', 10000);

      const view = expectOk(await resident.http.get(`/api/v1/orders/${order.id}`), 200, 'order');
      const widenings = view.timeline.filter((e: any) => e.type === 'widen').map((e: any) => e.note);
      expect(widenings).toEqual(['本站内无人接单，扩大到本镇（街道）', '本镇（街道）内无人接单，扩大到全县']);
      expect(view.dispatchScope).toBe('county');
    });
  });

  describe('grab mode (抢单)', () => {
    const skill = `wish_${tag.toLowerCase()}`;
    let teams: CreatedTeam[];

    beforeAll(async () => {
      expectOk(
        await admin.post('/api/v1/services', { code: `GRAB_${tag}`, name: '微心愿', group: '微心愿', requiredSkills: [skill], acceptTimeoutSeconds: 3600, offerMode: 'grab' }),
        201,
        'grab service',
      );
      teams = [];
      for (let i = 0; i < 4; i++) {
        teams.push(await createTeam(http, admin, regions.e1.id, { name: `抢单队${tag}-${i}`, location: offset(centre, 600 + 400 * i, 200), serviceRadiusM: 6000, skills: [skill], capacity: 3, members: 2 }));
      }
    });

    it('offers the top 3 teams at once; one decline leaves the others holding it', async () => {
      const order = await place(`GRAB_${tag}`, offset(centre, 500, 0));
      await until('grab offers', async () => (await offersOf(order.id)).length === 3);
      const offers = await offersOf(order.id);
      expect(offers.every((o: any) => o.mode === 'grab' && o.status === 'pending')).toBe(true);
      expect(offers.map((o: any) => o.team_id).sort()).toEqual(teams.slice(0, 3).map((t) => t.id).sort());
      // one statement wrote the offers and the status change: the timeline row lists the offers in rank
      // order, and the outbox has each offer.created in that order, then order.offered
      const [offered] = (await db.query(`SELECT data FROM order_events WHERE order_id = $1 AND type = 'offer'`, [order.id])).rows;
      expect(offered.data.offers.map((o: any) => o.offerId).sort()).toEqual(offers.map((o: any) => o.id).sort());
      const events = (await db.query(`SELECT type, offer_id FROM outbox_events WHERE order_id = $1 AND type IN ('offer.created', 'order.offered') ORDER BY id`, [order.id])).rows;
      expect(events).toEqual([...offered.data.offers.map((o: any) => ({ type: 'offer.created', offer_id: o.offerId })), { type: 'order.offered', offer_id: null }]);

      const byTeam = (t: CreatedTeam) => offers.find((o: any) => o.team_id === t.id);
      expectOk(await teams[2].members[0].http.post(`/api/v1/offers/${byTeam(teams[2]).id}/decline`, { reason: '没空' }), 200, 'decline');
      expect(await statusOf(order.id)).toBe('offered');

      // the two remaining teams grab at once, twice each: exactly one wins, the other offer is withdrawn
      const attempts = [teams[0], teams[1], teams[0], teams[1]].map((t, i) => t.members[i < 2 ? 0 : 1].http.post(`/api/v1/offers/${byTeam(t).id}/accept`));
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r.status === 200)).toHaveLength(1);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'OFFER_NOT_PENDING')).toBe(true);
      const after = await offersOf(order.id);
      expect(after.map((o: any) => o.status).sort()).toEqual(['accepted', 'declined', 'withdrawn']);
      expect(await statusOf(order.id)).toBe('accepted');
      const winner = after.find((o: any) => o.status === 'accepted').team_id;
      const { rows } = await db.query(`SELECT id, active_orders FROM teams WHERE id = ANY($1::uuid[])`, [teams.map((t) => t.id)]);
      for (const r of rows) expect(r.active_orders).toBe(r.id === winner ? 1 : 0);
    });
  });

  describe('urgent orders', () => {
    const skill = `fall_${tag.toLowerCase()}`;

    beforeAll(async () => {
      await createService(admin, `HELP_${tag}`, [skill], 600);
      await createTeam(http, admin, regions.e1.id, { name: `应急队${tag}`, location: offset(centre, 1000, -1000), serviceRadiusM: 8000, skills: [skill], capacity: 100 });
    });

    it('are dispatched before normal orders that waited longer, with half the window', async () => {
      for (const d of dispatchers) await d.stop();
      dispatchers = [];
      const normal = [];
      for (let i = 0; i < 6; i++) normal.push(await place(`HELP_${tag}`, offset(centre, 1200, -800)));
      const urgent = await place(`HELP_${tag}`, offset(centre, 1200, -800), { urgent: true });
      expect(urgent.urgent).toBe(true);
      dispatchers = [await startApp('dispatcher', { ...env, DISPATCH_CONCURRENCY: '1' })];
      const all = [...normal, urgent].map((o) => o.id);
      await until('all offered', async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = ANY($1::uuid[])`, [all]);
        return rows[0].n === all.length;
      }, 20000);
      const { rows } = await db.query(
        `SELECT order_id, EXTRACT(EPOCH FROM expires_at - created_at)::int AS window_s FROM offers WHERE order_id = ANY($1::uuid[]) ORDER BY created_at`,
        [all],
      );
      expect(rows[0].order_id).toBe(urgent.id);
      expect(rows[0].window_s).toBe(300);
      expect(rows[1].window_s).toBe(600);
    });
  });

  describe('surge: batch assignment and three dispatchers, one killed', () => {
    const skill = `meal_${tag.toLowerCase()}`;
    let teams: CreatedTeam[];

    beforeAll(async () => {
      for (const d of dispatchers) await d.stop();
      dispatchers = [];
      await createService(admin, `MEAL_${tag}`, [skill], 3600);
      teams = [];
      for (let i = 0; i < 8; i++) {
        teams.push(await createTeam(http, admin, regions.w2.id, { name: `送餐队${tag}-${i}`, location: offset(centre, -6000 + (i % 4) * 700, -1500 + Math.floor(i / 4) * 3000), serviceRadiusM: 9000, skills: [skill], capacity: 4 }));
      }
    });

    it('offers every order exactly once, matches in batches, and never exceeds capacity', async () => {
      const surgeEnv = { ...env, DISPATCH_BATCH_WINDOW_MS: '400', DISPATCH_BATCH_MIN_ORDERS: '3' };
      dispatchers = await Promise.all([1, 2, 3].map(() => startApp('dispatcher', surgeEnv)));
      const orders: string[] = [];
      const placing = Promise.all(
        Array.from({ length: 40 }, async (_, i) => orders.push((await place(`MEAL_${tag}`, offset(centre, -5000 + (i % 8) * 300, -1000 + (i % 5) * 500))).id)),
      );
      await new Promise((r) => setTimeout(r, 150));
      await dispatchers[1].stop('SIGKILL');
      await placing;

      await until('every order offered', async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status = 'offered'`, [orders]);
        return rows[0].n === orders.length;
      }, 30000);
      const { rows: perOrder } = await db.query(
        `SELECT order_id, count(*)::int AS offers FROM offers WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
        [orders],
      );
      expect(perOrder).toHaveLength(orders.length);
      for (const r of perOrder) expect(r.offers).toBe(1);
      const { rows: strategies } = await db.query(
        `SELECT score_breakdown->>'strategy' AS strategy, count(*)::int AS n FROM offers WHERE order_id = ANY($1::uuid[]) GROUP BY 1`,
        [orders],
      );
      expect(strategies.find((s: any) => s.strategy === 'batch')?.n ?? 0).toBeGreaterThan(0);

      // every team answers every offer at once: no team ends above its capacity
      const { rows: pending } = await db.query(`SELECT id, team_id FROM offers WHERE order_id = ANY($1::uuid[]) AND status = 'pending'`, [orders]);
      const byTeam = new Map(teams.map((t) => [t.id, t]));
      const results = await Promise.all(pending.map((o: any) => byTeam.get(o.team_id)!.members[0].http.post(`/api/v1/offers/${o.id}/accept`)));
      const offersPerTeam = new Map<string, number>();
      for (const o of pending) offersPerTeam.set(o.team_id, (offersPerTeam.get(o.team_id) ?? 0) + 1);
      const expectedWins = [...offersPerTeam.values()].reduce((sum, n) => sum + Math.min(n, 4), 0);
      expect(results.filter((r) => r.status === 200).length).toBe(expectedWins);
      for (const r of results.filter((r) => r.status !== 200)) expect(r.body.code).toBe('TEAM_AT_CAPACITY');
      const { rows: load } = await db.query(`SELECT active_orders, capacity FROM teams WHERE id = ANY($1::uuid[])`, [teams.map((t) => t.id)]);
      for (const t of load) expect(t.active_orders).toBeLessThanOrEqual(t.capacity);
    }, 240000); // three dispatchers start: minutes on a loaded machine
  });
});
