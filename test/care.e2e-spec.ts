import IORedis from 'ioredis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { RunningApp, startApp, startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * Proactive care against the started apps, with the apps' clock in a file (CLOCK_FILE): a plan with
 * dailyBy 08:00 Asia/Shanghai and no check-in opens its alert at 08:00 + grace, climbs the ladder at
 * each step's time and ends in an urgent order that is dispatched; a check-in at 07:59 opens nothing;
 * a Kathmandu (+05:45) plan fires at its own local time; a dispatcher killed at a deadline with Redis
 * flushed still opens the alert exactly once; visits are generated from rules; authorization and bad
 * input answer with stable codes.
 */
describe('care: plans, check-ins, the missed-check-in ladder, visits', () => {
  const tag = `CA${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.62, lng: 119.62 };
  // another county: its 80 km square must not overlap the first (sibling counties never overlap)
  const elsewhere: LatLng = { lat: 30.62, lng: 120.6 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-care-clock-'));
  const clockFile = join(clockDir, 'now');
  const setClock = (iso: string) => writeFileSync(clockFile, iso);
  let platform: Platform;
  const extraDispatchers: RunningApp[] = [];
  let db: Client;
  let redis: IORedis;
  let api: Http;
  let admin: Http;
  let station: any;
  let grid: Http;
  let gridId: string;
  let otherGrid: Http;
  let otherGridId: string;
  let family: { http: Http; id: string };
  let teamA: CreatedTeam;
  const people: Record<string, string> = {};

  const person = async (by: Http, name: string, where: LatLng = home, guardian = true) =>
    expectOk(await by.post('/api/v1/beneficiaries', {
      name, ageBand: '80_plus', address: `测试村${name}家`, location: offset(where, 30, 30),
      ...(guardian ? { guardian: { name: `${name}的儿子`, phone: randomPhone('135'), relation: '儿子' } } : {}),
    }), 201, `beneficiary ${name}`).id as string;
  const alertsOf = async (beneficiaryId: string) =>
    (await db.query(`SELECT * FROM care_alerts WHERE beneficiary_id = $1 ORDER BY opened_at`, [beneficiaryId])).rows;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 07:00 in Shanghai
    setClock('2026-11-30T23:00:00.000Z');
    platform = await startPlatform(`care-${tag}`, { CLOCK_FILE: clockFile, CARE_SWEEP_MS: '250', RELAY_POLL_MS: '50', NOTIFY_SWEEP_MS: '500' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    redis = new IORedis(TEST_REDIS_URL);
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    ({ station } = await createRegions(admin, home, tag));
    const other = await createRegions(admin, elsewhere, `${tag}b`);
    const staff = async (regionId: string, name: string) => {
      const phone = randomPhone('138');
      const made = expectOk(await admin.post('/api/v1/staff', { phone, name, password: 'Grid#2026care', role: 'grid_worker', regionId }), 201, name);
      return { http: await login(api, phone, 'Grid#2026care'), id: made.userId ?? made.id };
    };
    ({ http: grid, id: gridId } = await staff(station.id, `网格员${tag}`));
    ({ http: otherGrid, id: otherGridId } = await staff(other.station.id, `乙村网格员${tag}`));
    // a team near home: the urgent 上门查看 order (no skills needed) goes to it
    teamA = await createTeam(api, admin, station.id, { name: `关爱队${tag}`, location: offset(home, 200, 200), serviceRadiusM: 5000, skills: ['care_any'], capacity: 5, members: 1 });
    const r = await registerResident(api, '家属');
    family = { http: r.http, id: r.id };
  }, 200000);

  afterAll(async () => {
    await Promise.all(extraDispatchers.map((d) => d.stop()));
    await platform?.stop();
    redis?.disconnect();
    await db?.end();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('bad input: invalid rrule, dailyBy 25:00, unknown zone, assignee outside the region → 400/422 with stable codes', async () => {
    const id = await person(grid, '错例老人', home, false);
    const put = (body: unknown) => grid.put(`/api/v1/beneficiaries/${id}/care-plan`, body);
    const bad = await put({ visits: [{ kind: 'visit', rrule: 'EVERY TUESDAY' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_RRULE');
    expect(bad.body.fields[0].field).toBe('visits.0.rrule');
    const late = await put({ checkIn: { dailyBy: '25:00' } });
    expect(late.status).toBe(400);
    expect(late.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(late.body.fields)).toContain('dailyBy');
    const zone = await put({ checkIn: { dailyBy: '08:00', timeZone: 'Mars/Olympus_Mons' } });
    expect(zone.status).toBe(400);
    expect(zone.body.code).toBe('INVALID_TIME_ZONE');
    const outside = await put({ visits: [{ kind: 'call', rrule: 'FREQ=DAILY', assigneeUserId: otherGridId }] });
    expect(outside.status).toBe(422);
    expect(outside.body.code).toBe('ASSIGNEE_OUTSIDE_REGION');
    expect(outside.body.fields[0].field).toBe('visits.0.assigneeUserId');
    const kind = await put({ visits: [{ kind: 'party', rrule: 'FREQ=DAILY' }] });
    expect(kind.status).toBe(400);
    // nothing was written by the refused requests
    expect((await db.query(`SELECT count(*)::int AS n FROM care_plans WHERE beneficiary_id = $1`, [id])).rows[0].n).toBe(0);
  });

  it('sets plans: Shanghai 08:00 + 30 min, a 07:59 check-in, Kathmandu 08:00, the kill test at 11:00', async () => {
    people.missed = await person(grid, `王奶奶${tag}`);
    people.early = await person(grid, `李爷爷${tag}`);
    people.nepal = await person(grid, `加德满都${tag}`);
    people.kill = await person(grid, `赵奶奶${tag}`);
    const plan = expectOk(await grid.put(`/api/v1/beneficiaries/${people.missed}/care-plan`, {
      checkIn: { dailyBy: '08:00', graceMinutes: 30 }, visits: [{ kind: 'call', rrule: 'FREQ=DAILY', assigneeUserId: gridId }],
    }), 200, 'plan');
    expect(plan.checkIn).toEqual({ dailyBy: '08:00', graceMinutes: 30, timeZone: 'Asia/Shanghai', nextDeadlineAt: '2026-12-01T00:30:00.000Z' });
    expectOk(await grid.put(`/api/v1/beneficiaries/${people.early}/care-plan`, { checkIn: { dailyBy: '08:00', graceMinutes: 30 } }), 200, 'plan');
    const nepal = expectOk(await grid.put(`/api/v1/beneficiaries/${people.nepal}/care-plan`, {
      checkIn: { dailyBy: '08:00', graceMinutes: 0, timeZone: 'Asia/Kathmandu' } }), 200, 'plan');
    expect(nepal.checkIn.nextDeadlineAt).toBe('2026-12-01T02:15:00.000Z');
    expectOk(await grid.put(`/api/v1/beneficiaries/${people.kill}/care-plan`, { checkIn: { dailyBy: '11:00', graceMinutes: 0 } }), 200, 'plan');

    setClock('2026-11-30T23:59:00.000Z'); // 07:59 Shanghai
    const checkIn = expectOk(await grid.post(`/api/v1/beneficiaries/${people.early}/check-ins`, { source: 'neighbour', note: '窗帘开了' }), 201, 'check-in');
    expect(checkIn).toMatchObject({ localDay: '2026-12-01', source: 'neighbour', resolvedAlertIds: [] });
  });

  it('no check-in: nothing at 08:29, the alert at 08:30 (person, guardian, grid worker told), step 2 at 09:00, the urgent order at 09:30', async () => {
    setClock('2026-12-01T00:29:00.000Z');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await alertsOf(people.missed)).toHaveLength(0);

    setClock('2026-12-01T00:30:00.000Z');
    const [alert] = await until('alert opened', async () => {
      const a = await alertsOf(people.missed);
      return a.length ? a : undefined;
    }, 20000);
    expect(alert).toMatchObject({ kind: 'checkin_missed', stage: 1, status: 'open', local_day: '2026-12-01' });
    expect(new Date(alert.deadline_at).toISOString()).toBe('2026-12-01T00:30:00.000Z');
    expect(new Date(alert.opened_at).toISOString()).toBe('2026-12-01T00:30:00.000Z');
    // the check-in at 07:59 kept the other person quiet
    expect(await alertsOf(people.early)).toHaveLength(0);

    const list = expectOk(await grid.get('/api/v1/care/alerts?status=open'), 200, 'alerts');
    expect(list.items.map((a: any) => a.id)).toContain(alert.id);
    // step 1 reached the grid worker's inbox and the guardian (an SMS contact: name and what happened only)
    await until('grid worker told', async () => {
      const inbox = (await grid.get('/api/v1/me/notifications')).body;
      return inbox.items?.some((n: any) => n.type === 'checkin_missed') ? inbox : undefined;
    }, 20000);
    const guardian = await until('guardian told', async () => {
      const { rows } = await db.query(`SELECT title, body FROM notifications WHERE type = 'checkin_missed' AND recipient_beneficiary_id = $1`, [people.missed]);
      return rows.length ? rows : undefined;
    }, 20000);
    expect(guardian).toHaveLength(1);
    expect(guardian[0].body).toContain(`王奶奶${tag}`);
    expect(guardian[0].body).not.toMatch(/1\d{10}/);

    setClock('2026-12-01T01:00:00.000Z'); // 09:00: step 2
    const stage2 = await until('step 2', async () => {
      const [a] = await alertsOf(people.missed);
      return a.stage === 2 ? a : undefined;
    }, 20000);
    const check = (await db.query(`SELECT * FROM care_visits WHERE alert_id = $1`, [alert.id])).rows;
    expect(check).toHaveLength(1);
    expect(check[0]).toMatchObject({ kind: 'check', status: 'open', assignee_user_id: gridId });
    expect(new Date(check[0].due_at).toISOString()).toBe('2026-12-01T01:30:00.000Z');
    const today = expectOk(await grid.get('/api/v1/care/visits?due=today&kind=check'), 200, 'visits');
    expect(today.items.map((v: any) => v.id)).toContain(check[0].id);
    expect(new Date(stage2.next_step_at).toISOString()).toBe('2026-12-01T01:30:00.000Z');

    setClock('2026-12-01T01:30:00.000Z'); // 09:30: step 3, the urgent order
    const stage3 = await until('step 3', async () => {
      const [a] = await alertsOf(people.missed);
      return a.stage === 3 && a.order_id ? a : undefined;
    }, 30000);
    expect(stage3.steps.map((s: any) => [s.stage, s.action, s.at])).toEqual([
      [1, 'reminded', '2026-12-01T00:30:00.000Z'], [2, 'escalated_to_grid', '2026-12-01T01:00:00.000Z'], [3, 'urgent_order', '2026-12-01T01:30:00.000Z'],
    ]);
    const { rows: [order] } = await db.query(`SELECT urgent, beneficiary_id, on_behalf, service_code FROM orders WHERE id = $1`, [stage3.order_id]);
    expect(order).toMatchObject({ urgent: true, beneficiary_id: people.missed, on_behalf: true, service_code: 'CARE_HOME_CHECK' });
    const { rows: [placed] } = await db.query(`SELECT actor_role FROM order_events WHERE order_id = $1 AND type = 'placed'`, [stage3.order_id]);
    expect(placed.actor_role).toBe('system');
    await until('urgent order dispatched (offered)', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = $1`, [stage3.order_id]);
      return rows[0].n > 0;
    }, 30000);
    // the staff of the jurisdiction hear of step 3
    await until('staff told', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM notifications WHERE type = 'checkin_missed' AND dedupe_key LIKE $1`, [`%alert:${alert.id}:s3:%`]);
      return rows[0].n > 0;
    }, 20000);

    // a check-in after the alert resolves it
    const late = expectOk(await grid.post(`/api/v1/beneficiaries/${people.missed}/check-ins`, { source: 'grid_worker', note: '已上门，安好' }), 201, 'late check-in');
    expect(late.resolvedAlertIds).toEqual([alert.id]);
    const [done] = await alertsOf(people.missed);
    expect(done).toMatchObject({ status: 'resolved', outcome: 'checked_in', next_step_at: null });
    // and the ladder never fires again for that day: exactly one alert
    await new Promise((r) => setTimeout(r, 800));
    expect(await alertsOf(people.missed)).toHaveLength(1);
  }, 120000);

  it('a zone that is not Shanghai (Kathmandu, +05:45, no daylight saving) fires at its own 08:00', async () => {
    setClock('2026-12-01T02:14:00.000Z');
    await new Promise((r) => setTimeout(r, 1200));
    expect(await alertsOf(people.nepal)).toHaveLength(0);
    setClock('2026-12-01T02:15:00.000Z');
    const [a] = await until('nepal alert', async () => {
      const rows = await alertsOf(people.nepal);
      return rows.length ? rows : undefined;
    }, 20000);
    expect(a.local_day).toBe('2026-12-01');
    expect(new Date(a.deadline_at).toISOString()).toBe('2026-12-01T02:15:00.000Z');
    // resolving with "away" suspends the plan
    const resolved = expectOk(await grid.post(`/api/v1/care/alerts/${a.id}/resolve`, { outcome: 'away', note: '随儿子去杭州了', awayUntil: '2026-12-04T00:00:00.000Z' }), 200, 'resolve');
    expect(resolved).toMatchObject({ status: 'resolved', outcome: 'away' });
    expect(resolved.steps.at(-1)).toMatchObject({ action: 'resolved', outcome: 'away' });
    const again = await grid.post(`/api/v1/care/alerts/${a.id}/resolve`, { outcome: 'found_well', note: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CARE_ALERT_RESOLVED');
  }, 60000);

  it('dispatcher killed at the deadline and Redis flushed: the alert still opens, exactly once (two dispatchers after)', async () => {
    setClock('2026-12-01T02:59:00.000Z'); // 10:59 Shanghai
    await new Promise((r) => setTimeout(r, 600));
    await platform.dispatcher.stop('SIGKILL');
    await redis.flushdb();
    setClock('2026-12-01T03:00:00.000Z');
    await new Promise((r) => setTimeout(r, 500));
    expect(await alertsOf(people.kill)).toHaveLength(0);
    const [one, two] = await Promise.all([startApp('dispatcher', platform.env), startApp('dispatcher', platform.env)]);
    extraDispatchers.push(one, two);
    platform.dispatcher = one;
    await until('alert after restart', async () => (await alertsOf(people.kill)).length > 0, 30000);
    await new Promise((r) => setTimeout(r, 1500));
    const alerts = await alertsOf(people.kill);
    expect(alerts).toHaveLength(1);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM outbox_events WHERE type = 'care.checkin_missed' AND subject_id = $1`, [alerts[0].id]);
    expect(rows[0].n).toBe(1);
  }, 200000);

  it('authorization: a grid worker of another village gets 404; a family account only checks in and reads its own status', async () => {
    const [alert] = await alertsOf(people.missed);
    const visit = (await db.query(`SELECT id FROM care_visits WHERE beneficiary_id = $1 LIMIT 1`, [people.missed])).rows[0];
    expect((await otherGrid.get(`/api/v1/beneficiaries/${people.missed}/care-plan`)).status).toBe(404);
    expect((await otherGrid.put(`/api/v1/beneficiaries/${people.missed}/care-plan`, { checkIn: { dailyBy: '09:00' } })).status).toBe(404);
    expect((await otherGrid.post(`/api/v1/beneficiaries/${people.missed}/check-ins`, { source: 'grid_worker' })).status).toBe(404);
    expect((await otherGrid.post(`/api/v1/care/alerts/${alert.id}/resolve`, { outcome: 'found_well', note: 'x' })).status).toBe(404);
    expect((await otherGrid.post(`/api/v1/care/alerts/${alert.id}/acknowledge`, {})).status).toBe(404);
    expect((await otherGrid.post(`/api/v1/care/visits/${visit.id}/complete`, { wellbeing: 'ok', note: 'x' })).status).toBe(404);
    const theirAlerts = expectOk(await otherGrid.get('/api/v1/care/alerts'), 200, 'alerts');
    expect(theirAlerts.items).toHaveLength(0);
    const theirVisits = expectOk(await otherGrid.get('/api/v1/care/visits'), 200, 'visits');
    expect(theirVisits.items).toHaveLength(0);

    // the family account records its mother; a grid worker of her village sets the plan
    const mother = expectOk(await family.http.post('/api/v1/beneficiaries', { name: `妈妈${tag}`, ageBand: '80_plus', address: '测试村', location: offset(home, -40, 20) }), 201, 'mother').id;
    expectOk(await grid.put(`/api/v1/beneficiaries/${mother}/care-plan`, { checkIn: { dailyBy: '20:00' } }), 200, 'plan');
    expectOk(await family.http.post(`/api/v1/beneficiaries/${mother}/check-ins`, { source: 'family' }), 201, 'family check-in');
    const status = expectOk(await family.http.get(`/api/v1/beneficiaries/${mother}/care-status`), 200, 'status');
    expect(status).toMatchObject({ checkedInToday: true, today: '2026-12-01', openAlert: null, dailyBy: '20:00' });
    expect((await family.http.post(`/api/v1/beneficiaries/${mother}/check-ins`, { source: 'neighbour' })).status).toBe(403);
    expect((await family.http.get(`/api/v1/beneficiaries/${mother}/care-plan`)).status).toBe(404);
    expect((await family.http.put(`/api/v1/beneficiaries/${mother}/care-plan`, { checkIn: { dailyBy: '09:00' } })).status).toBe(404);
    expect((await family.http.get(`/api/v1/beneficiaries/${people.missed}/care-status`)).status).toBe(404);
    expect((await family.http.post(`/api/v1/beneficiaries/${people.missed}/check-ins`, { source: 'family' })).status).toBe(404);
    expect((await family.http.post(`/api/v1/care/alerts/${alert.id}/resolve`, { outcome: 'found_well', note: 'x' })).status).toBe(404);
    expect(expectOk(await family.http.get('/api/v1/care/alerts'), 200, 'alerts').items).toHaveLength(0);
    // the reads of care data are audited
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'care.status.read' AND object_id = $1`, [mother]);
    expect(rows[0].n).toBe(1);
  }, 60000);

  it('a device key posts check-ins; a wrong key is 401', async () => {
    const device = expectOk(await grid.post(`/api/v1/beneficiaries/${people.early}/care-devices`, { name: '智能水表' }), 201, 'device');
    const ok = await api.post('/api/v1/care/device-check-ins', { note: '今日用水 0.1 吨' }, { 'x-device-key': device.key });
    expect(ok.status).toBe(201);
    expect(ok.body.source).toBe('device');
    const bad = await api.post('/api/v1/care/device-check-ins', {}, { 'x-device-key': `${device.key}x` });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('DEVICE_KEY_INVALID');
  });

  it('visits: weekly Tuesday, twice a month, last Friday — exactly the tasks of the 14-day window, regenerated without duplicates, edits replace future tasks only', async () => {
    const id = await person(grid, `走访${tag}`, home, false);
    const rules = [
      { kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=TU', assigneeUserId: gridId },
      { kind: 'delivery', rrule: 'FREQ=MONTHLY;BYMONTHDAY=1,15' },
      { kind: 'call', rrule: 'FREQ=MONTHLY;BYDAY=-1FR' },
    ];
    expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { visits: rules }), 200, 'plan');
    const tasks = async () => (await db.query(
      `SELECT v.id, v.kind, v.status, to_char(v.due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS due FROM care_visits v WHERE v.beneficiary_id = $1 ORDER BY v.due_at, v.kind`,
      [id])).rows;
    // today is Tuesday 1 December (11:00 Shanghai): the window is 1–14 December
    expect((await tasks()).map((t) => `${t.kind} ${t.due}`)).toEqual(['delivery 2026-12-01 09:00', 'visit 2026-12-01 09:00', 'visit 2026-12-08 09:00']);
    // the same plan again: nothing new
    expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { visits: rules }), 200, 'plan');
    expect(await tasks()).toHaveLength(3);
    const today = expectOk(await grid.get(`/api/v1/care/visits?due=today&beneficiaryId=${id}`), 200, 'today');
    expect(today.items.map((v: any) => v.kind).sort()).toEqual(['delivery', 'visit']);
    expect(today.items.every((v: any) => v.overdue)).toBe(true);
    const tuesday = today.items.find((v: any) => v.kind === 'visit');
    const done = expectOk(await grid.post(`/api/v1/care/visits/${tuesday.id}/complete`, { wellbeing: 'concern', note: '腿脚不便，需要助浴' }), 200, 'complete');
    expect(done).toMatchObject({ status: 'done', wellbeing: 'concern' });
    expect(done.alertId).toBeTruthy();
    expect((await grid.post(`/api/v1/care/visits/${tuesday.id}/complete`, { wellbeing: 'ok', note: '' })).status).toBe(409);

    // Tuesday becomes Thursday: the done Tuesday stays, the future Tuesday goes, Thursdays come
    const edited = [{ ...rules[0], rrule: 'FREQ=WEEKLY;BYDAY=TH' }, rules[1], rules[2]];
    expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { visits: edited }), 200, 'edit');
    expect((await tasks()).map((t) => `${t.kind} ${t.status} ${t.due}`)).toEqual([
      'delivery open 2026-12-01 09:00', 'visit done 2026-12-01 09:00', 'visit open 2026-12-03 09:00', 'visit open 2026-12-10 09:00',
    ]);

    // twelve days on (Sunday 13 December): the sweep extends the window — the 15th, Thursdays, the last Friday (25th)
    setClock('2026-12-12T23:00:00.000Z');
    const later = await until('window extended', async () => {
      const t = await tasks();
      return t.some((x) => x.due.startsWith('2026-12-25')) ? t : undefined;
    }, 20000);
    expect(later.filter((t) => t.due >= '2026-12-13').map((t) => `${t.kind} ${t.due}`)).toEqual([
      'delivery 2026-12-15 09:00', 'visit 2026-12-17 09:00', 'visit 2026-12-24 09:00', 'call 2026-12-25 09:00',
    ]);
    const overdue = expectOk(await grid.get(`/api/v1/care/visits?due=overdue&beneficiaryId=${id}`), 200, 'overdue');
    expect(overdue.items.map((v: any) => v.localDay)).toEqual(['2026-12-01', '2026-12-03', '2026-12-10']);
  }, 90000);
  it('回访: a 1-star unsolved rating opens a follow-up for the station; overdue after 48 h; "redo" places a linked order, its first team offered last', async () => {
    setClock('+0'); // real time: the rating app and dispatch use the database's clock
    const teamB = await createTeam(api, admin, station.id, { name: `回访队${tag}`, location: offset(home, -300, 100), serviceRadiusM: 5000, skills: ['care_any'], capacity: 5, members: 1 });
    const teams = [teamA, teamB];
    const placed = expectOk(await family.http.post('/api/v1/orders', {
      serviceCode: 'CARE_HOME_CHECK', description: '帮忙修水龙头', location: offset(home, 60, 40), address: '测试村1组5号' }), 201, 'order');
    const offer = await until('offer', async () => {
      const { rows } = await db.query(`SELECT id, team_id FROM offers WHERE order_id = $1 AND status = 'pending'`, [placed.id]);
      return rows[0];
    }, 30000);
    const first = teams.find((t) => t.id === offer.team_id)!;
    const member = first.members[0];
    expectOk(await member.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    expectOk(await member.http.post(`/api/v1/orders/${placed.id}/check-in`, { location: offset(home, 60, 40) }), 200, 'check-in');
    expectOk(await member.http.post(`/api/v1/orders/${placed.id}/complete`, { report: '换了垫片', minutes: 1, volunteerIds: [member.userId] }), 200, 'complete');
    const rating = new Http(platform.rating.url, family.http.token);
    expectOk(await rating.post(`/api/v1/orders/${placed.id}/rating`, { stars: 1, solved: false, comment: '还是漏水' }), 201, 'rating');

    const list = expectOk(await grid.get('/api/v1/care/visits?kind=followup&status=open'), 200, 'follow-ups');
    const followUp = list.items.find((v: any) => v.sourceOrderId === placed.id);
    expect(followUp).toMatchObject({ kind: 'followup', beneficiaryId: null, overdue: false, data: { stars: 1, solved: false, comment: '还是漏水', teamId: first.id } });
    const dueInHours = (new Date(followUp.dueAt).getTime() - Date.now()) / 3600_000;
    expect(dueInHours).toBeGreaterThan(47.5);
    expect(dueInHours).toBeLessThanOrEqual(48);
    // another village's grid worker does not see it
    expect(expectOk(await otherGrid.get('/api/v1/care/visits?kind=followup'), 200, 'other').items).toHaveLength(0);

    setClock(`+${49 * 3600_000}`);
    const overdue = expectOk(await grid.get('/api/v1/care/visits?due=overdue&kind=followup'), 200, 'overdue');
    expect(overdue.items.find((v: any) => v.id === followUp.id)?.overdue).toBe(true);
    setClock('+0');

    const noOutcome = await grid.post(`/api/v1/care/visits/${followUp.id}/complete`, { wellbeing: 'ok', note: '电话没人接' });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.body.fields[0].field).toBe('followUp');
    const done = expectOk(await grid.post(`/api/v1/care/visits/${followUp.id}/complete`, {
      wellbeing: 'ok', note: '上门看了，确实还漏', followUp: { outcome: 'redo' } }), 200, 'redo');
    expect(done).toMatchObject({ status: 'done', data: { outcome: 'redo' } });
    const redoId = done.orderId;
    expect(redoId).toBeTruthy();
    expect(redoId).not.toBe(placed.id);
    const { rows: [redoPlaced] } = await db.query(`SELECT data FROM order_events WHERE order_id = $1 AND type = 'placed'`, [redoId]);
    expect(redoPlaced.data).toEqual({ redoOf: placed.id, avoidTeamId: first.id });
    const { rows: [link] } = await db.query(`SELECT data FROM order_events WHERE order_id = $1 AND type = 'follow_up'`, [placed.id]);
    expect(link.data).toMatchObject({ outcome: 'redo', newOrderId: redoId, visitId: followUp.id });
    const redoOffer = await until('redo dispatched', async () => {
      const { rows } = await db.query(`SELECT team_id FROM offers WHERE order_id = $1 ORDER BY created_at LIMIT 1`, [redoId]);
      return rows[0];
    }, 30000);
    // the team that left it unsolved is offered last: the other team first
    expect(redoOffer.team_id).not.toBe(first.id);
  }, 120000);

  it('coverage for officials: plans, today\'s check-ins, alerts, 回访 and the people not seen longest; others see nothing of it', async () => {
    const c = expectOk(await grid.get('/api/v1/care/coverage'), 200, 'coverage');
    // seven profiles in the village, six with a plan (the refused one has none), five with a daily check-in
    expect(c).toMatchObject({ people: 7, withPlan: 6, planShare: 0.857, dailyCheckIn: { people: 5 } });
    expect(c.alerts.openedLast30Days).toBeGreaterThanOrEqual(4);
    expect(c.followUps.redo).toBe(1);
    expect(c.notSeen.length).toBeGreaterThan(0);
    expect(c.notSeen[0]).toHaveProperty('beneficiaryId');
    const other = expectOk(await otherGrid.get('/api/v1/care/coverage'), 200, 'other coverage');
    expect(other).toMatchObject({ people: 0, withPlan: 0, followUps: { open: 0, overdue: 0, redo: 0 }, notSeen: [] });
    expect((await family.http.get('/api/v1/care/coverage')).status).toBe(403);
  });
});
