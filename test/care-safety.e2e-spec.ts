import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startApp, startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * Security fixes of proactive care, against the started apps with the apps' clock in a file:
 * - recurrence rules cannot block Node: a stranger's plan is refused (404) before its rules are read;
 *   rules that never happen or name many times a day are refused (400 INVALID_RRULE) at once, and a
 *   bad rule stored before these checks neither stalls nor fails the dispatcher's sweep;
 * - device keys are listed and revoked by the person's officials (a revoked key gets 401);
 * - a device check-in does not close an alert that reached stage 2 (a person must confirm);
 * - the sweep wakes at the next deadline rather than up to CARE_SWEEP_MS after it.
 */
describe('care safety: rule checks before work, device keys revoked, devices do not close stage-2 alerts', () => {
  const tag = `CS${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.72, lng: 119.42 };
  const elsewhere: LatLng = { lat: 30.72, lng: 120.4 };
  const clockDir = mkdtempSync(join(tmpdir(), 'xinyuan-care-safety-clock-'));
  const clockFile = join(clockDir, 'now');
  const setClock = (iso: string) => writeFileSync(clockFile, iso);
  let platform: Platform;
  let db: Client;
  let api: Http;
  let grid: Http;
  let gridId: string;
  let otherGrid: Http;
  let resident: Http;

  const person = async (by: Http, name: string) =>
    expectOk(await by.post('/api/v1/beneficiaries', { name, ageBand: '80_plus', address: `测试村${name}家`, location: offset(home, 30, 30) }), 201, name).id as string;
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t = Date.now();
    const value = await f();
    return [value, Date.now() - t];
  };
  // rules that made rrule walk to the year 9999 (~30 s each) and rules that name hundreds of times a day
  const NEVER = ['FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30', 'FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=31', 'FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'];
  const FLOOD = 'FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,10,20,30,40,50';
  const body20 = { visits: Array.from({ length: 20 }, (_, i) => ({ kind: 'call', rrule: NEVER[i % NEVER.length] })) };

  beforeAll(async () => {
    // Tuesday 1 December 2026, 07:00 in Shanghai
    setClock('2026-11-30T23:00:00.000Z');
    platform = await startPlatform(`care-safety-${tag}`, { CLOCK_FILE: clockFile, CARE_SWEEP_MS: '250', RELAY_POLL_MS: '50', NOTIFY_SWEEP_MS: '500' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    const admin = await adminClient(api);
    const { station } = await createRegions(admin, home, tag);
    const other = await createRegions(admin, elsewhere, `${tag}b`);
    const staff = async (regionId: string, name: string) => {
      const phone = randomPhone('138');
      const made = expectOk(await admin.post('/api/v1/staff', { phone, name, password: 'Grid#2026safe', role: 'grid_worker', regionId }), 201, name);
      return { http: await login(api, phone, 'Grid#2026safe'), id: made.userId ?? made.id };
    };
    ({ http: grid, id: gridId } = await staff(station.id, `网格员${tag}`));
    ({ http: otherGrid } = await staff(other.station.id, `乙村网格员${tag}`));
    resident = (await registerResident(api, '居民')).http;
  }, 200000);

  afterAll(async () => {
    await platform?.stop();
    await db?.end();
    rmSync(clockDir, { recursive: true, force: true });
  });

  it('a resident or an official of another village PUTting 20 never-happening rules gets 404 at once; the api stays responsive', async () => {
    const id = await person(grid, `甲${tag}`);
    const own = await person(resident, `自家老人${tag}`);
    const [stranger, ms] = await timed(() => resident.put(`/api/v1/beneficiaries/${id}/care-plan`, body20));
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe('BENEFICIARY_NOT_FOUND');
    expect(ms).toBeLessThan(2000);
    // the resident's own record: still not an official, still 404 (as GET), before the rules are read
    const [mine, ms2] = await timed(() => resident.put(`/api/v1/beneficiaries/${own}/care-plan`, body20));
    expect(mine.status).toBe(404);
    expect(ms2).toBeLessThan(2000);
    const [outside, ms3] = await timed(() => otherGrid.put(`/api/v1/beneficiaries/${id}/care-plan`, body20));
    expect(outside.status).toBe(404);
    expect(ms3).toBeLessThan(2000);
    // fired together, they do not queue behind each other either
    const [all, msAll] = await timed(() => Promise.all([
      ...Array.from({ length: 5 }, () => resident.put(`/api/v1/beneficiaries/${id}/care-plan`, body20)),
      api.get('/health'),
    ]));
    expect(all.slice(0, 5).map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(all[5].status).toBe(200);
    expect(msAll).toBeLessThan(3000);
    expect((await db.query(`SELECT count(*)::int AS n FROM care_plans WHERE beneficiary_id = ANY($1::uuid[])`, [[id, own]])).rows[0].n).toBe(0);
  }, 30000);

  it('an official sending never-happening or many-times-a-day rules gets 400 INVALID_RRULE per rule, at once, nothing written', async () => {
    const id = await person(grid, `乙${tag}`);
    const [bad, ms] = await timed(() => grid.put(`/api/v1/beneficiaries/${id}/care-plan`, body20));
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_RRULE');
    expect(bad.body.fields.map((f: any) => f.field)).toEqual(body20.visits.map((_, i) => `visits.${i}.rrule`));
    expect(bad.body.fields[0].messages[0]).toMatch(/no occurrence within a year/);
    expect(ms).toBeLessThan(3000);
    for (const rrule of [FLOOD, 'FREQ=DAILY;BYSECOND=0,1,2,3', 'FREQ=DAILY;BYSETPOS=1,2', 'FREQ=HOURLY']) {
      const r = await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { checkIn: { dailyBy: '08:00' }, visits: [{ kind: 'call', rrule: 'FREQ=WEEKLY;BYDAY=TU' }, { kind: 'call', rrule }] });
      expect({ rrule, status: r.status, code: r.body.code, field: r.body.fields?.[0]?.field }).toEqual({ rrule, status: 400, code: 'INVALID_RRULE', field: 'visits.1.rrule' });
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM care_plans WHERE beneficiary_id = $1`, [id])).rows[0].n).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM care_duties WHERE beneficiary_id = $1`, [id])).rows[0].n).toBe(0);
    // a good plan still goes through: one call a day at ten is 14 tasks in the window, not thousands
    const ok = expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { visits: [{ kind: 'call', rrule: 'FREQ=DAILY;BYHOUR=10', assigneeUserId: gridId }] }), 200, 'plan');
    expect(ok.visits).toHaveLength(1);
    expect((await db.query(`SELECT count(*)::int AS n FROM care_visits WHERE beneficiary_id = $1`, [id])).rows[0].n).toBe(14);
  }, 30000);

  it('bad rules stored before the checks neither stall nor fail the sweep: they are skipped, the good duty beside them gets its tasks', async () => {
    const id = await person(grid, `丙${tag}`);
    expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { checkIn: { dailyBy: '20:00' } }), 200, 'plan');
    const { rows } = await db.query(
      `INSERT INTO care_duties (beneficiary_id, kind, rrule, created_at)
       SELECT $1, 'call', r, now() FROM unnest($2::text[]) WITH ORDINALITY AS t(r, n) ORDER BY n RETURNING id, rrule`,
      [id, [NEVER[0], FLOOD, 'FREQ=WEEKLY;BYDAY=TU']],
    );
    const good = rows.find((r: any) => r.rrule === 'FREQ=WEEKLY;BYDAY=TU').id;
    const swept = await until('the sweep reached all three duties', async () => {
      const { rows: d } = await db.query(`SELECT id, generated_until FROM care_duties WHERE beneficiary_id = $1`, [id]);
      return d.every((x: any) => x.generated_until) ? d : undefined;
    }, 10000);
    expect(swept).toHaveLength(3);
    const { rows: tasks } = await db.query(`SELECT duty_id, due_at FROM care_visits WHERE beneficiary_id = $1 ORDER BY due_at`, [id]);
    // Tuesdays 1 and 8 December at 09:00 Shanghai; nothing from the two bad rules
    expect(tasks.map((t: any) => [t.duty_id, new Date(t.due_at).toISOString()])).toEqual([
      [good, '2026-12-01T01:00:00.000Z'], [good, '2026-12-08T01:00:00.000Z'],
    ]);
  }, 30000);

  it('device keys: officials list and revoke them; a revoked key gets 401; strangers get 404', async () => {
    const id = await person(grid, `丁${tag}`);
    const someoneElse = await person(grid, `戊${tag}`);
    const meter = expectOk(await grid.post(`/api/v1/beneficiaries/${id}/care-devices`, { name: '智能水表' }), 201, 'meter');
    const door = expectOk(await grid.post(`/api/v1/beneficiaries/${id}/care-devices`, { name: '门磁' }), 201, 'door');
    expect(await api.post('/api/v1/care/device-check-ins', { note: '今日用水 0.1 吨' }, { 'x-device-key': meter.key })).toMatchObject({ status: 201 });

    const list = expectOk(await grid.get(`/api/v1/beneficiaries/${id}/care-devices`), 200, 'list');
    expect(list.map((d: any) => d.name).sort()).toEqual(['智能水表', '门磁']);
    expect(JSON.stringify(list)).not.toContain(meter.key);
    expect(list.find((d: any) => d.id === meter.id)).toMatchObject({ revokedAt: null, lastCheckInAt: '2026-11-30T23:00:00.000Z' });
    expect(list.find((d: any) => d.id === door.id)).toMatchObject({ revokedAt: null, lastCheckInAt: null });

    // strangers: another village's grid worker, a resident, the wrong person, an unknown key
    for (const who of [otherGrid, resident]) {
      expect((await who.get(`/api/v1/beneficiaries/${id}/care-devices`)).status).toBe(404);
      expect((await who.request('DELETE', `/api/v1/beneficiaries/${id}/care-devices/${meter.id}`)).status).toBe(404);
    }
    const wrongPerson = await grid.request('DELETE', `/api/v1/beneficiaries/${someoneElse}/care-devices/${meter.id}`);
    expect(wrongPerson.status).toBe(404);
    expect(wrongPerson.body.code).toBe('CARE_DEVICE_NOT_FOUND');
    expect((await grid.request('DELETE', `/api/v1/beneficiaries/${id}/care-devices/not-a-uuid`)).status).toBe(400);
    expect(await api.post('/api/v1/care/device-check-ins', {}, { 'x-device-key': meter.key })).toMatchObject({ status: 201 });

    const revoked = await grid.request('DELETE', `/api/v1/beneficiaries/${id}/care-devices/${meter.id}`);
    expect(revoked.status).toBe(204);
    const refused = await api.post('/api/v1/care/device-check-ins', {}, { 'x-device-key': meter.key });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('DEVICE_KEY_INVALID');
    // the other key still works; revoking again changes nothing
    expect(await api.post('/api/v1/care/device-check-ins', {}, { 'x-device-key': door.key })).toMatchObject({ status: 201 });
    expect((await grid.request('DELETE', `/api/v1/beneficiaries/${id}/care-devices/${meter.id}`)).status).toBe(204);
    const after = expectOk(await grid.get(`/api/v1/beneficiaries/${id}/care-devices`), 200, 'list');
    expect(after.find((d: any) => d.id === meter.id).revokedAt).toBe('2026-11-30T23:00:00.000Z');
    expect(after.find((d: any) => d.id === door.id).revokedAt).toBeNull();
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'care.device.revoke' AND object_id = $1`, [meter.id]);
    expect(rows[0].n).toBe(2);
  });

  it('a device check-in resolves a stage-1 alert but not a stage-2 one: it is noted, the alert stays open until a person checks in', async () => {
    const early = await person(grid, `己${tag}`);
    const late = await person(grid, `庚${tag}`);
    const keys: Record<string, string> = {};
    for (const id of [early, late]) {
      expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, {
        checkIn: { dailyBy: '08:00', graceMinutes: 0 }, visits: [{ kind: 'call', rrule: 'FREQ=WEEKLY;BYDAY=TU', assigneeUserId: gridId }],
      }), 200, 'plan');
      keys[id] = expectOk(await grid.post(`/api/v1/beneficiaries/${id}/care-devices`, { name: '智能水表' }), 201, 'device').key;
    }
    const alertOf = async (id: string) => (await db.query(`SELECT * FROM care_alerts WHERE beneficiary_id = $1`, [id])).rows[0];

    setClock('2026-12-01T00:00:00.000Z'); // 08:00 Shanghai: both alerts open at stage 1
    await until('both alerts open', async () => ((await alertOf(early)) && (await alertOf(late)) ? true : undefined), 20000);
    const first = expectOk(await api.post('/api/v1/care/device-check-ins', { note: '用水' }, { 'x-device-key': keys[early] }), 201, 'device');
    expect(first.resolvedAlertIds).toEqual([(await alertOf(early)).id]);
    expect(await alertOf(early)).toMatchObject({ status: 'resolved', outcome: 'checked_in' });

    setClock('2026-12-01T00:30:00.000Z'); // 08:30: step 2 for the other one
    const stage2 = await until('step 2', async () => {
      const a = await alertOf(late);
      return a.stage === 2 ? a : undefined;
    }, 20000);
    const second = expectOk(await api.post('/api/v1/care/device-check-ins', { note: '用水' }, { 'x-device-key': keys[late] }), 201, 'device');
    expect(second.resolvedAlertIds).toEqual([]);
    const still = await alertOf(late);
    expect(still).toMatchObject({ id: stage2.id, status: 'open', stage: 2, outcome: null });
    expect(still.steps.at(-1)).toMatchObject({ stage: 2, action: 'device_check_in', source: 'device', at: '2026-12-01T00:30:00.000Z' });
    expect((await db.query(`SELECT count(*)::int AS n FROM care_check_ins WHERE beneficiary_id = $1 AND source = 'device'`, [late])).rows[0].n).toBe(1);
    const status = expectOk(await grid.get(`/api/v1/beneficiaries/${late}/care-status`), 200, 'status');
    expect(status).toMatchObject({ checkedInToday: true, openAlert: { id: stage2.id, stage: 2 } });

    // a person (the grid worker at the door) closes it
    const byPerson = expectOk(await grid.post(`/api/v1/beneficiaries/${late}/check-ins`, { source: 'grid_worker', note: '上门看过，安好' }), 201, 'check-in');
    expect(byPerson.resolvedAlertIds).toEqual([stage2.id]);
    expect(await alertOf(late)).toMatchObject({ status: 'resolved', outcome: 'checked_in' });
  }, 60000);
  it('the sweep wakes at the next deadline: a dispatcher sweeping once a minute opens the alert at the deadline', async () => {
    const id = await person(grid, `辛${tag}`);
    expectOk(await grid.put(`/api/v1/beneficiaries/${id}/care-plan`, { checkIn: { dailyBy: '08:00', graceMinutes: 0 } }), 200, 'plan');
    // a second dispatcher whose clock runs, ten days on: its now is 12 s before 08:00 Shanghai on 11 December
    const deadline = new Date('2026-12-11T00:00:00.000Z');
    const runningClock = join(clockDir, 'running');
    writeFileSync(runningClock, `+${deadline.getTime() - 12_000 - Date.now()}`);
    await db.query(`UPDATE care_plans SET next_deadline_at = $2 WHERE beneficiary_id = $1`, [id, deadline]);
    const slow = await startApp('dispatcher', { ...platform.env, CLOCK_FILE: runningClock, CARE_SWEEP_MS: '60000' });
    try {
      const alert = await until('alert opened', async () => (await db.query(`SELECT * FROM care_alerts WHERE beneficiary_id = $1`, [id])).rows[0], 30000);
      const late = new Date(alert.opened_at).getTime() - deadline.getTime();
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(2000); // the minute's cadence alone would have opened it up to 60 s late
    } finally {
      await slow.stop();
    }
  }, 60000);
});
