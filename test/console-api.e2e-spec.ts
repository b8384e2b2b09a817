import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { RunningApp, startApp, startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { SseStream } from './support/sse';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * What the staff console and the apps read beyond the core contract: the live queue (a stream
 * that works across api replicas), GeoJSON for maps (coarse for non-staff), the dashboard and its
 * XLSX/CSV export, management lists and edits, a volunteer's service hours.
 */
describe('console API: live queue, maps, dashboard, management', () => {
  const tag = `C${Date.now() % 100000}`;
  const skill = `visit_${tag.toLowerCase()}`;
  const home: LatLng = { lat: 29.91, lng: 121.37 };
  let platform: Platform;
  let replica: RunningApp;
  let db: Client;
  let api: Http;
  let admin: Http;
  let staff: Http;
  let staffToken: string;
  let regions: Awaited<ReturnType<typeof createRegions>>;
  let team: CreatedTeam;
  let resident: { http: Http; id: string; phone: string };
  let stream: SseStream;
  const codes = { review: `REVIEW_${tag}`, visit: `VISIT_${tag}`, nobody: `NOBODY_${tag}` };

  beforeAll(async () => {
    platform = await startPlatform(`console-${tag}`, { LIVE_QUEUE_EXPIRING_SECONDS: '600', LIVE_QUEUE_REFRESH_MS: '1000', CORS_ORIGINS: 'http://h5.example' });
    // a second api process: the stream is watched here while every change goes through the first
    replica = await startApp('api', platform.env);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    await createService(admin, codes.review, [skill], 300, true);
    await createService(admin, codes.visit, [skill], 300);
    await createService(admin, codes.nobody, [`${skill}_rare`], 300);
    team = await createTeam(api, admin, regions.station.id, { name: `走访队${tag}`, location: offset(home, 300, 200), serviceRadiusM: 5000, skills: [skill], capacity: 3, members: 2 });
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '值班调度', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.county.id }), 201, 'staff');
    staff = await login(api, phone, 'Dispatch#2026');
    staffToken = staff.token!;
    resident = await registerResident(api, '钱奶奶');
    stream = await SseStream.open(`${replica.url}/api/v1/dispatch/live-queue/stream`, staffToken);
  }, 120000);

  afterAll(async () => {
    stream?.close();
    await db?.end();
    await replica?.stop();
    await platform?.stop();
  });

  const place = async (serviceCode: string, at: LatLng = home) =>
    expectOk(await resident.http.post('/api/v1/orders', { serviceCode, description: '想请人上门看看', location: at, address: '测试路 9 号 2 单元 301' }), 201, 'place');
  const queueItem = (orderId: string) => (s: any) => s.items.some((i: any) => i.orderId === orderId);
  const notInQueue = (orderId: string) => (s: any) => !s.items.some((i: any) => i.orderId === orderId);

  describe('live queue', () => {
    it('streams server-sent events to staff and refuses everyone else', async () => {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toContain('text/event-stream');
      const first = await stream.next('the first snapshot', () => true);
      expect(first.data).toEqual(expect.objectContaining({ serverTime: expect.any(String), expiringWithinSeconds: 600, items: expect.any(Array) }));
      const denied = await SseStream.open(`${replica.url}/api/v1/dispatch/live-queue/stream`, resident.http.token!);
      expect(denied.status).toBe(403);
      const anonymous = await fetch(`${replica.url}/api/v1/dispatch/live-queue/stream`);
      expect(anonymous.status).toBe(401);
    });

    it('pushes an order awaiting review as it is placed on another replica, and drops it once approved', async () => {
      const order = await place(codes.review);
      const seen = await stream.next('pending_review item', queueItem(order.id));
      const item = seen.data.items.find((i: any) => i.orderId === order.id);
      expect(item).toEqual(expect.objectContaining({ reason: 'pending_review', status: 'pending_review', serviceCode: codes.review, offer: null }));
      expectOk(await staff.post(`/api/v1/orders/${order.id}/approve`, { note: '同意' }), 200, 'approve');
      // approval sends it to dispatch: it is no longer awaiting review but an offer about to expire (600 s band)
      const back = await stream.next('approved order offered', (s: any) =>
        s.items.some((i: any) => i.orderId === order.id && i.reason === 'expiring'), 10000, seen.index + 1);
      const offered = back.data.items.find((i: any) => i.orderId === order.id);
      expect(offered.reason).toBe('expiring');
      expect(offered.offer).toEqual(expect.objectContaining({ teamId: team.id, teamName: team.name, expiresAt: expect.any(String) }));
      expect(Date.parse(offered.offer.expiresAt) - Date.parse(back.data.serverTime)).toBeLessThanOrEqual(300_000);
      // the team accepts: the order needs nobody any more
      const offer = await until('pending offer', async () =>
        (await team.members[0].http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === order.id));
      expectOk(await team.members[0].http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      await stream.next('accepted order leaves the queue', notInQueue(order.id), 10000, back.index + 1);
      expectOk(await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
    });

    it('pushes an order the dispatcher escalated because no team can serve it', async () => {
      const order = await place(codes.nobody);
      const seen = await stream.next('escalated item', queueItem(order.id));
      expect(seen.data.items.find((i: any) => i.orderId === order.id)).toEqual(expect.objectContaining({ reason: 'escalated', status: 'escalated' }));
      // the same snapshot is available without a stream
      const once = expectOk(await staff.get('/api/v1/dispatch/live-queue'), 200, 'live queue');
      expect(once.items.find((i: any) => i.orderId === order.id)?.reason).toBe('escalated');
      expectOk(await staff.post(`/api/v1/orders/${order.id}/cancel`, { reason: '无人可派，电话联系家属' }), 200, 'cancel');
      await stream.next('cancelled order leaves the queue', notInQueue(order.id), 10000, seen.index + 1);
      // a Postgres NOTIFY reached the replica that served no request of these changes
      const ids = (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'xinyuan-live-queue'`)).rows[0].n;
      expect(ids).toBeGreaterThanOrEqual(1);
    });
  });

  describe('maps (GeoJSON)', () => {
    it('draws region boundaries as polygons for any signed-in user', async () => {
      const fc = expectOk(await resident.http.get(`/api/v1/map/regions?parentId=${regions.county.id}`), 200, 'regions');
      expect(fc.type).toBe('FeatureCollection');
      const township = fc.features.find((f: any) => f.id === regions.township.id);
      expect(township.properties).toEqual(expect.objectContaining({ name: `测试镇${tag}`, level: 'township', parentId: regions.county.id }));
      expect(['Polygon', 'MultiPolygon']).toContain(township.geometry.type);
      const ring = township.geometry.type === 'Polygon' ? township.geometry.coordinates[0] : township.geometry.coordinates[0][0];
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect((await api.get('/api/v1/map/regions')).status).toBe(401);
      expect((await staff.get('/api/v1/map/regions?level=planet')).body.code).toBe('VALIDATION_FAILED');
    });

    it("draws only the caller's jurisdiction: a township's staff their township, a grid worker their grid, residents the service area", async () => {
      const townPhone = randomPhone('138');
      expectOk(await admin.post('/api/v1/staff', { phone: townPhone, name: '镇调度', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.township.id }), 201, 'town staff');
      const town = await login(api, townPhone, 'Dispatch#2026');
      const gridPhone = randomPhone('138');
      expectOk(await admin.post('/api/v1/staff', { phone: gridPhone, name: '网格员', password: 'Grid#2026x', role: 'grid_worker', regionId: regions.station.id }), 201, 'grid worker');
      const grid = await login(api, gridPhone, 'Grid#2026x');
      const ids = async (who: Http) => (expectOk(await who.get('/api/v1/map/regions'), 200, 'regions').features as any[]).map((f) => f.id).sort();
      expect(await ids(town)).toEqual([regions.township.id, regions.station.id].sort());
      expect(await ids(grid)).toEqual([regions.station.id]);
      // the county dispatcher: the whole county, not the regions of other counties
      const county = await ids(staff);
      expect(county).toEqual([regions.county.id, regions.township.id, regions.station.id].sort());
      // residents pick anywhere an order is taken: every region with a boundary
      expect(await ids(resident.http)).toEqual(expect.arrayContaining([regions.county.id, regions.township.id, regions.station.id]));
      // filters narrow within the scope, never beyond it
      expect((expectOk(await town.get(`/api/v1/map/regions?parentId=${regions.county.id}`), 200, 'filtered').features as any[]).map((f) => f.id)).toEqual([regions.township.id]);
    });

    it("opens map pickers on the person's own area: last order, recorded profile, own region, else the deployment's home region", async () => {
      const configured = await startApp('api', { ...platform.env, MAP_HOME_REGION: `测试县${tag}` });
      try {
        const at = (who: Http) => who.at(configured.url);
        // a resident who ordered before: the township of that order, with its ancestors and box
        const last = expectOk(await at(resident.http).get('/api/v1/map/home'), 200, 'home (ordered)');
        expect(last).toEqual(expect.objectContaining({ source: 'last_order', region: { id: regions.township.id, name: `测试镇${tag}`, level: 'township' } }));
        expect(last.path.map((r: any) => r.id)).toEqual([regions.county.id, regions.township.id]);
        const [w, s, e, n] = last.bbox;
        expect(w < home.lng && home.lng < e && s < home.lat && home.lat < n).toBe(true);
        expect(e - w).toBeLessThan(0.5);
        expect(last.point.lat).toBeCloseTo(home.lat, 3);
        // a new resident: the configured home region (a county), no point
        const fresh = await registerResident(api, '新居民');
        expect(expectOk(await at(fresh.http).get('/api/v1/map/home'), 200, 'home (new)')).toEqual(expect.objectContaining({
          source: 'config', region: { id: regions.county.id, name: `测试县${tag}`, level: 'county' }, point: null,
        }));
        // …who records a profile for her mother: that profile's township
        expectOk(await fresh.http.post('/api/v1/beneficiaries', { name: '母亲', ageBand: '80_plus', address: '测试路 1 号', location: offset(home, 100, 100) }), 201, 'profile');
        expect(expectOk(await at(fresh.http).get('/api/v1/map/home'), 200, 'home (profile)')).toEqual(expect.objectContaining({ source: 'beneficiary', region: expect.objectContaining({ id: regions.township.id }) }));
        // staff: their own region
        expect(expectOk(await at(staff).get('/api/v1/map/home'), 200, 'home (staff)')).toEqual(expect.objectContaining({ source: 'own_region', region: expect.objectContaining({ id: regions.county.id }), point: null }));
        // without the setting, a new resident still gets one county, never the box of every region
        const fallback = expectOk(await (await registerResident(api, '又一位')).http.get('/api/v1/map/home'), 200, 'home (default)');
        expect(fallback.source).toBe('deployment');
        expect(fallback.region.level).toBe('county');
        expect((await api.get('/api/v1/map/home')).status).toBe(401);
      } finally {
        await configured.stop();
      }
    });

    it('shows staff exact team and order points, and others only ~1 km cells without ids', async () => {
      const order = await place(codes.visit, offset(home, 123, 77));
      const teamsForStaff = expectOk(await staff.get('/api/v1/map/teams'), 200, 'teams');
      const mine = teamsForStaff.features.find((f: any) => f.id === team.id);
      expect(mine.properties).toEqual(expect.objectContaining({ capacity: 3, members: 2, serviceRadiusM: 5000 }));
      const exactTeam = offset(home, 300, 200);
      expect(mine.geometry.coordinates[0]).toBeCloseTo(exactTeam.lng, 6);

      const ordersForStaff = expectOk(await staff.get('/api/v1/map/orders'), 200, 'orders');
      const point = ordersForStaff.features.find((f: any) => f.id === order.id);
      expect(point.geometry.coordinates[1]).toBeCloseTo(offset(home, 123, 77).lat, 6);

      const volunteer = team.members[1].http;
      const teamsForVolunteer = expectOk(await volunteer.get('/api/v1/map/teams'), 200, 'teams (volunteer)');
      const coarseTeam = teamsForVolunteer.features.find((f: any) => f.id === team.id);
      expect(coarseTeam.properties.capacity).toBeUndefined();
      for (const c of coarseTeam.geometry.coordinates) expect(Math.abs(c * 100 - Math.round(c * 100))).toBeLessThan(1e-6);

      // where help is wanted is itself sensitive: the open-order layer is for staff only
      for (const who of [resident.http, volunteer]) {
        const refused = await who.get('/api/v1/map/orders');
        expect(refused.status).toBe(403);
        expect(JSON.stringify(refused.body)).not.toContain(order.id);
      }
      expectOk(await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
    });
  });

  describe('dashboard and export', () => {
    let completedId: string;

    beforeAll(async () => {
      const order = await place(codes.visit);
      const member = team.members[0];
      const offer = await until('pending offer', async () =>
        (await member.http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === order.id));
      expectOk(await member.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      expectOk(await member.http.post(`/api/v1/orders/${order.id}/check-in`, { location: home }), 200, 'check in');
      expectOk(await member.http.post(`/api/v1/orders/${order.id}/complete`, { report: '陪老人聊天，检查了燃气', minutes: 45, volunteerIds: [member.userId, team.members[1].userId] }), 200, 'complete');
      expectOk(await resident.http.at(platform.rating.url).post(`/api/v1/orders/${order.id}/rating`, { stars: 4, solved: true }), 201, 'rate');
      completedId = order.id;
    }, 60000);

    it('counts the region\'s orders per day and status, by group, with timing, satisfaction and minutes', async () => {
      const d = expectOk(await staff.get(`/api/v1/stats/dashboard?regionId=${regions.county.id}`), 200, 'dashboard');
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      expect(d.to).toBe(day);
      const { rows } = await db.query(
        `SELECT status, count(*)::int AS n FROM orders WHERE region_id IN (SELECT id FROM regions WHERE $1 = ANY(path)) GROUP BY 1`,
        [regions.county.id],
      );
      const expected = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      const got = Object.fromEntries(d.ordersPerDay.filter((r: any) => r.day === day).map((r: any) => [r.status, r.count]));
      expect(got).toEqual(expected);
      expect(d.totals.orders).toBe(rows.reduce((a, r) => a + r.n, 0));
      expect(d.totals.completed).toBe(expected.closed ?? 0);
      expect(d.byGroup).toEqual([expect.objectContaining({ group: '测试', orders: d.totals.orders, completed: 1 })]);
      expect(d.timeToAccept.count).toBe(2);
      expect(d.timeToAccept.medianSeconds).toBeGreaterThan(0);
      expect(d.timeToAccept.p90Seconds).toBeGreaterThanOrEqual(d.timeToAccept.medianSeconds);
      expect(d.timeToComplete).toEqual(expect.objectContaining({ count: 1, medianSeconds: expect.any(Number) }));
      expect(d.satisfaction).toEqual({ ratings: 1, averageStars: 4, solvedRate: 1, stars: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 0 } });
      expect(d.volunteerMinutes).toEqual({ total: 45, orders: 1, volunteers: 2 });
      // per region: one level below the chosen one (the township)
      expect(d.perRegion).toEqual([expect.objectContaining({ regionId: regions.township.id, region: `测试镇${tag}`, orders: d.totals.orders, completed: 1, averageStars: 4, volunteerMinutes: 45 })]);
      const byStation = expectOk(await staff.get(`/api/v1/stats/dashboard?regionId=${regions.township.id}`), 200, 'township');
      expect(byStation.perRegion.map((r: any) => r.region)).toEqual([`测试社区${tag}`]);
      expect(completedId).toBeDefined();
    });

    it('rejects bad periods with the offending fields and closes the dashboard to non-staff', async () => {
      const backwards = await staff.get('/api/v1/stats/dashboard?from=2026-05-02&to=2026-05-01');
      expect(backwards.status).toBe(400);
      expect(backwards.body.fields).toEqual([{ field: 'from', messages: ['from must not be after to'] }]);
      const unreal = await staff.get('/api/v1/stats/dashboard?from=2026-02-30');
      expect(unreal.body.fields?.[0]?.field).toBe('from');
      const tooLong = await staff.get('/api/v1/stats/dashboard?from=2024-01-01&to=2026-01-01');
      expect(tooLong.body.fields?.[0]?.field).toBe('to');
      expect((await staff.get('/api/v1/stats/export?format=pdf')).body.code).toBe('VALIDATION_FAILED');
      expect((await resident.http.get('/api/v1/stats/dashboard')).status).toBe(403);
      expect((await team.members[0].http.get('/api/v1/stats/export')).status).toBe(403);
    });

    it('exports the same tables as CSV (UTF-8 with BOM) and XLSX (one sheet per table)', async () => {
      const csv = await fetch(`${api.baseUrl}/api/v1/stats/export?format=csv&table=perRegion&regionId=${regions.county.id}`, { headers: { authorization: `Bearer ${staffToken}` } });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="xinyuan-stats-.*-perRegion\.csv"/);
      const bytes = new Uint8Array(await csv.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = new TextDecoder().decode(bytes.slice(3)).trim().split('\r\n');
      expect(lines[0]).toBe('区域,订单数,已完成,已取消,接单中位数（分钟）,接单 P90（分钟）,完成中位数（分钟）,完成 P90（分钟）,平均星级,服务时长（分钟）');
      expect(lines[1]).toMatch(new RegExp(`^测试镇${tag},\\d+,1,\\d+,`));
      expect(lines[1].endsWith(',4,45')).toBe(true);

      const xlsx = await fetch(`${api.baseUrl}/api/v1/stats/export?format=xlsx&lang=en&regionId=${regions.county.id}`, { headers: { authorization: `Bearer ${staffToken}` } });
      expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
      expect(book.worksheets.map((s) => s.name)).toEqual(['Summary', 'Orders per day by status', 'By menu group', 'Per region', 'Care coverage']);
      const perRegion = book.getWorksheet('Per region')!;
      expect(perRegion.getRow(1).getCell(1).value).toBe('Region');
      expect(perRegion.getRow(2).getCell(1).value).toBe(`测试镇${tag}`);
      expect(perRegion.getRow(2).getCell(10).value).toBe(45);
      const summary = book.getWorksheet('Summary')!;
      const metrics = Object.fromEntries(summary.getSheetValues().slice(2).map((r: any) => [r[1], r[2]]));
      expect(metrics['Volunteer minutes']).toBe(45);
      expect(metrics['Average stars']).toBe(4);
    });
  });

  describe('management and volunteers', () => {
    it('lists teams with load and members with masked phones; edits a team; refuses capacity below load', async () => {
      const teams = expectOk(await staff.get(`/api/v1/teams?regionId=${regions.county.id}`), 200, 'teams');
      expect(teams.items).toEqual([expect.objectContaining({ id: team.id, members: 2, capacity: 3, region: `测试社区${tag}` })]);
      const members = expectOk(await staff.get(`/api/v1/teams/${team.id}/members`), 200, 'members');
      expect(members.items).toHaveLength(2);
      expect(members.items[0].phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
      expect(JSON.stringify(members)).not.toContain(team.members[0].phone);
      expect(members.items.map((m: any) => m.serviceMinutes)).toEqual([45, 45]);

      const moved = offset(home, -500, 0);
      const edited = expectOk(await admin.request('PATCH', `/api/v1/teams/${team.id}`, { location: moved, skills: [skill, 'chat'], capacity: 4 }), 200, 'edit');
      expect(edited).toEqual(expect.objectContaining({ capacity: 4, skills: [skill, 'chat'] }));
      expect(edited.location.lng).toBeCloseTo(moved.lng, 6);
      expect((await staff.request('PATCH', `/api/v1/teams/${team.id}`, { capacity: 1 })).status).toBe(403);
      const bad = await admin.request('PATCH', `/api/v1/teams/${team.id}`, { capacity: -1, skills: ['Not A Skill'] });
      expect(bad.status).toBe(400);
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['capacity', 'skills']);

      // hold one order so the team serves it, then try to drop capacity to 0
      const order = await place(codes.visit);
      const offer = await until('pending offer', async () =>
        (await team.members[0].http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === order.id));
      expectOk(await team.members[0].http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      const below = await admin.request('PATCH', `/api/v1/teams/${team.id}`, { capacity: 0 });
      expect(below.status).toBe(409);
      expect(below.body.code).toBe('TEAM_CAPACITY_BELOW_LOAD');
      expect((await db.query(`SELECT capacity FROM teams WHERE id = $1`, [team.id])).rows[0].capacity).toBe(4);
      expectOk(await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
    });

    it('lists staff for admins only and the whole menu for staff; takes an item off the menu', async () => {
      const staffList = expectOk(await admin.get('/api/v1/staff'), 200, 'staff');
      expect(staffList.items.some((s: any) => s.name === '值班调度' && s.roles.includes('dispatcher') && /\*{4}/.test(s.phone))).toBe(true);
      expect((await staff.get('/api/v1/staff')).status).toBe(403);
      const off = expectOk(await admin.request('PATCH', `/api/v1/services/${codes.nobody}`, { active: false }), 200, 'deactivate');
      expect(off).toEqual(expect.objectContaining({ code: codes.nobody, active: false, requiredSkills: [`${skill}_rare`] }));
      const all = expectOk(await staff.get('/api/v1/services/all'), 200, 'menu');
      expect(all.items.find((s: any) => s.code === codes.nobody)?.active).toBe(false);
      const menu = expectOk(await api.get('/api/v1/services?limit=100'), 200, 'public menu');
      expect(menu.items.some((s: any) => s.code === codes.nobody)).toBe(false);
      expect((await admin.request('PATCH', '/api/v1/services/NO_SUCH_ITEM', { active: true })).body.code).toBe('SERVICE_NOT_FOUND');
    });

    it("sums a volunteer's service minutes; tells clients where the rating service is", async () => {
      const hours = expectOk(await team.members[1].http.get('/api/v1/me/service-hours'), 200, 'hours');
      expect(hours).toEqual(expect.objectContaining({ totalMinutes: 45, orders: 1, thisMonthMinutes: 45 }));
      expect(hours.recent[0]).toEqual(expect.objectContaining({ serviceName: `测试服务${codes.visit}`, minutes: 45, teamName: team.name }));
      expect((await resident.http.get('/api/v1/me/service-hours')).body.totalMinutes).toBe(0);
      const config = expectOk(await api.get('/api/v1/client-config'), 200, 'client config');
      expect(config).toEqual({ ratingUrl: null, mapTileUrl: null, liveQueueExpiringSeconds: 600, preferredTimeHorizonDays: 60, wechatTemplates: {} });
      // residents rate from the H5 site's origin
      const preflight = await fetch(`${platform.rating.url}/api/v1/orders/00000000-0000-4000-8000-000000000000/rating`, {
        method: 'OPTIONS', headers: { origin: 'http://h5.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://h5.example');
    });
  });

  describe('shutdown', () => {
    it('a replica shutting down ends its open streams and exits promptly', async () => {
      const extra = await SseStream.open(`${replica.url}/api/v1/dispatch/live-queue/stream`, staffToken);
      await extra.next('a snapshot', () => true);
      const started = Date.now();
      await replica.stop();
      expect(replica.process.signalCode ?? replica.process.exitCode).not.toBe('SIGKILL');
      expect(Date.now() - started).toBeLessThan(5000);
      extra.close();
    });
  });
});
