import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startApp, startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone } from './support/world';

/**
 * Proactive care, second part, against the started apps with the apps' clock in a file: plan
 * templates by tag (a county admin sets them, a grid worker applies one and gets an ordinary plan),
 * campaigns (五必访 / 寒潮: one visit task per matching person, assigned by plan or to the grid
 * worker, idempotent by client key, progress with overdue), a visit marked `concern` notifying the
 * region's grid workers and staff (visit_concern, no phone), and the care coverage sheet of the
 * statistics export with the numbers of this world.
 */
describe('care: templates by tag, campaigns, visit_concern, coverage in the export', () => {
  const tag = `CC${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.3, lng: 119.3 };
  const elsewhere: LatLng = { lat: 30.3, lng: 120.3 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-care2-clock-'));
  const clockFile = join(clockDir, 'now');
  const setClock = (iso: string) => writeFileSync(clockFile, iso);
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let regions: Awaited<ReturnType<typeof createRegions>>;
  let other: Awaited<ReturnType<typeof createRegions>>;
  let countyAdmin: { http: Http; id: string; token: string };
  let grid: { http: Http; id: string };
  let otherGrid: { http: Http; id: string };
  let team: CreatedTeam;
  const people: Record<string, string> = {};
  let campaignId: string;

  const person = async (name: string, tags: string[], ageBand = '80_plus', where: LatLng = home, by?: Http) =>
    expectOk(await (by ?? grid.http).post('/api/v1/beneficiaries', {
      name, ageBand, tags, address: `测试村${name}家`, location: offset(where, 40, 40),
      guardian: { name: `${name}的女儿`, phone: randomPhone('135'), relation: '女儿' },
    }), 201, `beneficiary ${name}`).id as string;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 07:00 in Shanghai
    setClock('2026-11-30T23:00:00.000Z');
    platform = await startPlatform(`care2-${tag}`, { CLOCK_FILE: clockFile, CARE_SWEEP_MS: '250', RELAY_POLL_MS: '50', NOTIFY_SWEEP_MS: '500' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    other = await createRegions(admin, elsewhere, `${tag}b`);
    const staff = async (regionId: string, name: string, role: string) => {
      const phone = randomPhone('138');
      const made = expectOk(await admin.post('/api/v1/staff', { phone, name, password: 'Care#2026two', role, regionId }), 201, name);
      const http = await login(api, phone, 'Care#2026two');
      return { http, id: made.userId ?? made.id, token: http.token! };
    };
    countyAdmin = await staff(regions.county.id, `县管理员${tag}`, 'admin');
    grid = await staff(regions.station.id, `网格员${tag}`, 'grid_worker');
    otherGrid = await staff(other.station.id, `外县网格员${tag}`, 'grid_worker');
    team = await createTeam(api, admin, regions.station.id, { name: `结对队${tag}`, location: offset(home, 100, 100), serviceRadiusM: 5000, skills: ['care_any'], capacity: 5, members: 1 });
    people.a = await person(`甲奶奶${tag}`, ['living_alone']);
    people.b = await person(`乙爷爷${tag}`, ['living_alone']);
    people.c = await person(`丙奶奶${tag}`, ['living_alone'], '70_79');
    people.d = await person(`丁爷爷${tag}`, ['extreme_poverty']);
    people.e = await person(`外县老人${tag}`, ['living_alone'], '80_plus', elsewhere, otherGrid.http);
  }, 200000);

  afterAll(async () => {
    await platform?.stop();
    await db?.end();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('templates: only a county admin sets them; a bad rule is 400 INVALID_RRULE; the county\'s officials read them, another county\'s do not', async () => {
    const livingAlone = { name: '独居老人：每天电话，每周上门', checkIn: { dailyBy: '09:00', graceMinutes: 30 },
      visits: [{ kind: 'call', rrule: 'FREQ=DAILY' }, { kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=TU' }] };
    const byGrid = await grid.http.put('/api/v1/care/templates/living_alone', livingAlone);
    expect(byGrid.status).toBe(403);
    expect(byGrid.body.code).toBe('OUTSIDE_JURISDICTION');
    const bad = await countyAdmin.http.put('/api/v1/care/templates/living_alone', { ...livingAlone, visits: [livingAlone.visits[0], { kind: 'visit', rrule: 'EVERY TUESDAY' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_RRULE');
    expect(bad.body.fields[0].field).toBe('visits.1.rrule');
    const badTag = await countyAdmin.http.put('/api/v1/care/templates/vip', livingAlone);
    expect(badTag.status).toBe(400);
    expect(badTag.body.code).toBe('VALIDATION_FAILED');
    const badZone = await countyAdmin.http.put('/api/v1/care/templates/living_alone', { ...livingAlone, checkIn: { dailyBy: '09:00', timeZone: 'Mars/Base' } });
    expect(badZone.body.code).toBe('INVALID_TIME_ZONE');
    expect((await db.query(`SELECT count(*)::int AS n FROM care_templates WHERE county_id = $1`, [regions.county.id])).rows[0].n).toBe(0);

    const set = expectOk(await countyAdmin.http.put('/api/v1/care/templates/living_alone', livingAlone), 200, 'template');
    expect(set).toMatchObject({ tag: 'living_alone', countyId: regions.county.id, checkIn: { dailyBy: '09:00', graceMinutes: 30, timeZone: 'Asia/Shanghai' } });
    expectOk(await countyAdmin.http.put('/api/v1/care/templates/extreme_poverty', { name: '特困：每月走访', visits: [{ kind: 'visit', rrule: 'FREQ=MONTHLY;BYMONTHDAY=5' }] }), 200, 'template');
    // the deployment admin names the county
    expect((await admin.put('/api/v1/care/templates/left_behind_child', { name: '留守儿童', visits: [] })).body.code).toBe('VALIDATION_FAILED');
    const mine = expectOk(await grid.http.get('/api/v1/care/templates'), 200, 'templates');
    expect(mine.items.map((t: any) => t.tag)).toEqual(['extreme_poverty', 'living_alone']);
    expect(expectOk(await otherGrid.http.get('/api/v1/care/templates'), 200, 'other').items).toEqual([]);
  });

  it('a grid worker applies templates: an ordinary plan (assignee named, check-in taken, no duplicate duties) that PUT then adjusts', async () => {
    const volunteer = team.members[0];
    const plan = expectOk(await grid.http.post(`/api/v1/beneficiaries/${people.a}/care-plan/apply-template`, { tag: 'living_alone', assigneeUserId: volunteer.userId }), 200, 'apply');
    expect(plan.checkIn).toMatchObject({ dailyBy: '09:00', graceMinutes: 30, timeZone: 'Asia/Shanghai' });
    // duties made in one write share their creation time: compared without order
    const duties = (p: any) => p.visits.map((v: any) => [v.kind, v.rrule, v.assigneeUserId]).sort();
    expect(duties(plan)).toEqual([['call', 'FREQ=DAILY', volunteer.userId], ['visit', 'FREQ=WEEKLY;BYDAY=TU', volunteer.userId]]);
    // its tasks are made like any plan's: today's call and visit are on the volunteer's list
    const today = expectOk(await volunteer.http.get('/api/v1/care/visits?due=today'), 200, 'volunteer today');
    expect(today.items.filter((v: any) => v.beneficiaryId === people.a).map((v: any) => v.kind).sort()).toEqual(['call', 'visit']);
    // a second tag adds its duty (default assignee: the grid worker applying it); the same tag again adds nothing
    const two = expectOk(await grid.http.post(`/api/v1/beneficiaries/${people.a}/care-plan/apply-template`, { tag: 'extreme_poverty' }), 200, 'apply 2');
    expect(two.visits).toHaveLength(3);
    expect(two.visits.find((v: any) => v.rrule === 'FREQ=MONTHLY;BYMONTHDAY=5')).toMatchObject({ kind: 'visit', assigneeUserId: grid.id });
    const again = expectOk(await grid.http.post(`/api/v1/beneficiaries/${people.a}/care-plan/apply-template`, { tag: 'living_alone', assigneeUserId: volunteer.userId }), 200, 'apply 3');
    const ids = (p: any) => p.visits.map((v: any) => v.id).sort();
    expect(ids(again)).toEqual(ids(two));
    // adjusted afterwards like any plan: the monthly visit dropped, the check-in moved
    const kept = two.visits.filter((v: any) => v.rrule !== 'FREQ=MONTHLY;BYMONTHDAY=5');
    const adjusted = expectOk(await grid.http.put(`/api/v1/beneficiaries/${people.a}/care-plan`, {
      checkIn: { dailyBy: '08:30' }, visits: kept.map((v: any) => ({ kind: v.kind, rrule: v.rrule, assigneeUserId: v.assigneeUserId })),
    }), 200, 'adjust');
    expect(adjusted.checkIn.dailyBy).toBe('08:30');
    expect(ids(adjusted)).toEqual(kept.map((v: any) => v.id).sort());

    const none = await grid.http.post(`/api/v1/beneficiaries/${people.b}/care-plan/apply-template`, { tag: 'left_behind_child' });
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('CARE_TEMPLATE_NOT_FOUND');
    expect((await otherGrid.http.post(`/api/v1/beneficiaries/${people.b}/care-plan/apply-template`, { tag: 'living_alone' })).status).toBe(404);
    const outside = await grid.http.post(`/api/v1/beneficiaries/${people.b}/care-plan/apply-template`, { tag: 'living_alone', assigneeUserId: otherGrid.id });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('ASSIGNEE_OUTSIDE_REGION');
    expect((await db.query(`SELECT count(*)::int AS n FROM care_plans WHERE beneficiary_id = $1`, [people.b])).rows[0].n).toBe(0);
  });

  it('campaign: 独居 + 80 岁以上 in the village, one task per person (plan assignee, else the grid worker), idempotent by client key', async () => {
    const body = { clientKey: `cold-${tag}`, regionId: regions.station.id, reason: 'cold_snap', tags: ['living_alone'], ageBands: ['80_plus'], dueAt: '2026-12-01T10:00:00.000Z' };
    const bad = await grid.http.post('/api/v1/care/campaigns', { ...body, reason: 'party' });
    expect(bad.status).toBe(400);
    const past = await grid.http.post('/api/v1/care/campaigns', { ...body, dueAt: '2026-11-30T00:00:00.000Z' });
    expect(past.status).toBe(400);
    expect(past.body.fields[0].field).toBe('dueAt');
    const empty = await grid.http.post('/api/v1/care/campaigns', { ...body, clientKey: `empty-${tag}`, tags: ['veteran'] });
    expect(empty.status).toBe(422);
    expect(empty.body.code).toBe('CARE_CAMPAIGN_EMPTY');
    const foreign = await otherGrid.http.post('/api/v1/care/campaigns', { ...body, clientKey: `foreign-${tag}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('OUTSIDE_JURISDICTION');
    expect((await db.query(`SELECT count(*)::int AS n FROM care_campaigns WHERE region_id = $1`, [regions.station.id])).rows[0].n).toBe(0);

    const made = expectOk(await grid.http.post('/api/v1/care/campaigns', body), 201, 'campaign');
    campaignId = made.id;
    expect(made).toMatchObject({ reason: 'cold_snap', title: '寒潮走访', tags: ['living_alone'], ageBands: ['80_plus'],
      progress: { total: 2, done: 0, open: 2, overdue: 0, unassigned: 0 } });
    const twice = await grid.http.post('/api/v1/care/campaigns', body);
    expect(twice.status).toBe(201);
    expect(twice.headers.get('idempotent-replayed')).toBe('true');
    expect(twice.body.id).toBe(made.id);
    const { rows } = await db.query(`SELECT beneficiary_id, assignee_user_id, kind, reason FROM care_visits WHERE campaign_id = $1 ORDER BY beneficiary_id`, [made.id]);
    expect(rows).toHaveLength(2);
    const by = Object.fromEntries(rows.map((r) => [r.beneficiary_id, r]));
    expect(by[people.a]).toMatchObject({ assignee_user_id: team.members[0].userId, kind: 'visit', reason: '寒潮走访' });
    expect(by[people.b]).toMatchObject({ assignee_user_id: grid.id });
    expect((await db.query(`SELECT count(*)::int AS n FROM care_campaigns WHERE created_by = $1`, [grid.id])).rows[0].n).toBe(1);

    expect((await otherGrid.http.get(`/api/v1/care/campaigns/${made.id}`)).status).toBe(404);
    expect(expectOk(await otherGrid.http.get('/api/v1/care/campaigns'), 200, 'other list').items).toEqual([]);
    const listed = expectOk(await countyAdmin.http.get('/api/v1/care/campaigns'), 200, 'list');
    expect(listed.items.map((c: any) => c.id)).toEqual([made.id]);
  });

  it('the paired volunteer completes their campaign task with "concern": the grid worker and staff are told (visit_concern, no phone)', async () => {
    const volunteer = team.members[0];
    // the morning's visit_due: once per task due today, to its assignee, with the name only
    const due = await until('visit_due to the paired volunteer', async () => {
      const inbox = (await volunteer.http.get('/api/v1/me/notifications')).body;
      return inbox.items?.find((n: any) => n.type === 'visit_due' && n.body.includes(`甲奶奶${tag}`));
    }, 20000);
    expect(due.title).toBe('今天有走访任务');
    expect(due.body).not.toMatch(/1\d{10}|测试村/);
    const { rows: twice } = await db.query(
      `SELECT dedupe_key FROM notifications WHERE type = 'visit_due' AND recipient_user_id = $1 GROUP BY dedupe_key HAVING count(*) > 1`, [volunteer.userId]);
    expect(twice).toEqual([]);
    const mine = expectOk(await volunteer.http.get(`/api/v1/care/visits?due=today&campaignId=${campaignId}`), 200, 'volunteer campaign tasks');
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ beneficiaryId: people.a, campaignId });
    const done = expectOk(await volunteer.http.post(`/api/v1/care/visits/${mine.items[0].id}/complete`, { wellbeing: 'concern', note: '屋里很冷，取暖器坏了' }), 200, 'complete');
    expect(done.alertId).toBeTruthy();
    const told = await until('grid worker told', async () => {
      const inbox = (await grid.http.get('/api/v1/me/notifications')).body;
      return inbox.items?.find((n: any) => n.type === 'visit_concern');
    }, 20000);
    expect(told.title).toBe('走访发现有情况');
    expect(told.body).toContain(`甲奶奶${tag}`);
    expect(told.body).not.toMatch(/1\d{10}|测试村/);
    const staffTold = await until('county admin told', async () => {
      const inbox = (await countyAdmin.http.get('/api/v1/me/notifications')).body;
      return inbox.items?.find((n: any) => n.type === 'visit_concern');
    }, 20000);
    expect(staffTold.body).toBe(told.body);
    // the volunteer who marked it is not told of their own mark; the other county hears nothing
    const { rows } = await db.query(`SELECT recipient_user_id FROM notifications WHERE type = 'visit_concern' AND dedupe_key LIKE $1`, [`%alert:${done.alertId}:%`]);
    expect(rows.map((r) => r.recipient_user_id)).not.toContain(volunteer.userId);
    expect(rows.map((r) => r.recipient_user_id)).not.toContain(otherGrid.id);

    // on today's call the volunteer finds a need: it becomes an order for her, placed on her behalf by the platform
    const call = expectOk(await volunteer.http.get(`/api/v1/care/visits?due=today&kind=call&beneficiaryId=${people.a}`), 200, 'call').items[0];
    // the grid worker records the same call at the same moment: one of them wins, the other gets 409
    // before placing a second order for the same need
    const body = { wellbeing: 'ok', note: '电话里说厨房灯坏了', order: { serviceCode: 'CARE_HOME_CHECK', description: '厨房灯坏了，请上门看看' } };
    const [byVolunteer, byGrid] = await Promise.all([
      volunteer.http.post(`/api/v1/care/visits/${call.id}/complete`, body),
      grid.http.post(`/api/v1/care/visits/${call.id}/complete`, body),
    ]);
    expect([byVolunteer.status, byGrid.status].sort()).toEqual([200, 409]);
    const { rows: needs } = await db.query(`SELECT id FROM orders WHERE beneficiary_id = $1 AND description LIKE '%厨房灯坏了%'`, [people.a]);
    expect(needs).toHaveLength(1);
    const winner = byVolunteer.status === 200 ? byVolunteer.body : byGrid.body;
    expect(winner.orderId).toBe(needs[0].id);
    const { rows: [order] } = await db.query(`SELECT beneficiary_id, on_behalf, description FROM orders WHERE id = $1`, [winner.orderId]);
    const { rows: [placed] } = await db.query(`SELECT actor_role FROM order_events WHERE order_id = $1 AND type = 'placed'`, [winner.orderId]);
    if (byVolunteer.status === 200) {
      // the volunteer found the need: placed on her behalf by the platform
      expect(order).toMatchObject({ beneficiary_id: people.a, on_behalf: true, description: '【走访发现】厨房灯坏了，请上门看看' });
      expect(placed.actor_role).toBe('system');
    } else {
      // the grid worker places it as their own 代点单
      expect(order).toMatchObject({ beneficiary_id: people.a, on_behalf: true, description: '厨房灯坏了，请上门看看' });
      expect(placed.actor_role).toBe('grid_worker');
    }
  }, 60000);

  it('campaign progress: one done, one overdue once its due time passed', async () => {
    // 甲奶奶 checked in this morning (her plan has a daily check-in since the template): no missed-check-in alert today
    expectOk(await grid.http.post(`/api/v1/beneficiaries/${people.a}/check-ins`, { source: 'grid_worker', note: '窗帘开了' }), 201, 'check-in');
    setClock('2026-12-01T10:30:00.000Z');
    const c = expectOk(await grid.http.get(`/api/v1/care/campaigns/${campaignId}`), 200, 'campaign');
    expect(c.progress).toMatchObject({ total: 2, done: 1, open: 1, overdue: 1, concerns: 1 });
  });

  it('the statistics export carries the care coverage sheet with this county\'s numbers', async () => {
    const coverage = expectOk(await countyAdmin.http.get('/api/v1/care/coverage'), 200, 'coverage');
    expect(coverage).toMatchObject({
      people: 4, withPlan: 1, dailyCheckIn: { people: 1, checkedInToday: 1 },
      policy: { livingAloneWeekly: { people: 3, visited: 1 }, extremePovertyMonthly: { people: 1, visited: 0 } },
      alerts: { open: 1 },
    });
    const xlsx = await fetch(`${platform.api.url}/api/v1/stats/export?format=xlsx`, { headers: { authorization: `Bearer ${countyAdmin.token}` } });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    expect(book.worksheets.map((s) => s.name).at(-1)).toBe('关爱覆盖');
    const sheet = book.getWorksheet('关爱覆盖')!;
    expect(sheet.getRow(1).values).toEqual([undefined, '指标', '数值']);
    const metrics = Object.fromEntries(sheet.getSheetValues().slice(2).map((r: any) => [r[1], r[2]]));
    expect(metrics['服务对象人数']).toBe(4);
    expect(metrics['有关爱计划']).toBe(1);
    expect(metrics['有计划比例']).toBe(0.25);
    expect(metrics['独居老人']).toBe(3);
    expect(metrics['独居：7 天内已走访']).toBe(1);
    expect(metrics['独居周走访率']).toBe(0.333);
    expect(metrics['特困人员']).toBe(1);
    expect(metrics['未处理提醒']).toBe(1);
    // the not-seen list ranks the people with a plan: here only 甲奶奶 (seen today)
    const notSeen = Object.keys(metrics).filter((k) => k.startsWith('最久未见'));
    expect(notSeen).toHaveLength(1);
    expect(notSeen[0]).toContain(`甲奶奶${tag}`);
    // as CSV on its own, in English
    const csv = await fetch(`${platform.api.url}/api/v1/stats/export?format=csv&table=care&lang=en`, { headers: { authorization: `Bearer ${countyAdmin.token}` } });
    const text = (await csv.text()).replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe('Metric,Value');
    expect(text).toContain('People,4');
    // the other county's grid worker cannot narrow coverage to this county
    expect((await otherGrid.http.get(`/api/v1/care/coverage?regionId=${regions.station.id}`)).status).toBe(403);
  });

  it('a visit that finds a need places its order on the visit\'s own connection: two at once on an api with a pool of two both finish', async () => {
    // each completion holds its visit's row lock on one pooled connection while it places the order; when
    // the placement took a second connection, DB_POOL_SIZE such completions at once waited on each other
    const narrow = await startApp('api', { ...platform.env, DB_POOL_SIZE: '2' });
    try {
      const campaign = async (clientKey: string, tags: string[], ageBands: string[]) =>
        expectOk(await grid.http.post('/api/v1/care/campaigns', { clientKey, regionId: regions.station.id, reason: 'cold_snap', tags, ageBands, dueAt: '2026-12-02T10:00:00.000Z' }), 201, clientKey).id as string;
      const ids = [await campaign(`pool-c-${tag}`, ['living_alone'], ['70_79']), await campaign(`pool-d-${tag}`, ['extreme_poverty'], ['80_plus'])];
      const { rows: visits } = await db.query(`SELECT id, beneficiary_id FROM care_visits WHERE campaign_id = ANY($1::uuid[]) AND status = 'open' ORDER BY beneficiary_id`, [ids]);
      expect(visits.map((v) => v.beneficiary_id).sort()).toEqual([people.c, people.d].sort());
      const http = grid.http.at(narrow.url);
      const body = (what: string) => ({ wellbeing: 'ok', note: `${what}坏了`, order: { serviceCode: 'CARE_HOME_CHECK', description: `${what}坏了，请上门修一下` } });
      const answers = await Promise.all(visits.map((v, i) => http.post(`/api/v1/care/visits/${v.id}/complete`, body(i ? '门锁' : '水龙头'))));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      const { rows: orders } = await db.query(`SELECT id, beneficiary_id, status FROM orders WHERE id = ANY($1::uuid[])`, [answers.map((a) => a.body.orderId)]);
      expect(orders.map((o) => o.beneficiary_id).sort()).toEqual([people.c, people.d].sort());
      const { rows: closed } = await db.query(`SELECT count(*)::int AS n FROM care_visits WHERE id = ANY($1::uuid[]) AND status = 'done' AND order_id IS NOT NULL`, [visits.map((v) => v.id)]);
      expect(closed[0].n).toBe(2);
      // once committed, the orders are dispatched like any other
      await until('both orders dispatched', async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[]) AND status <> 'dispatching'`, [orders.map((o) => o.id)]);
        return rows[0].n === 2 || undefined;
      }, 20000);
    } finally {
      await narrow.stop();
    }
  }, 60000);
});
