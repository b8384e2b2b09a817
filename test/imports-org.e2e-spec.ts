import ExcelJS from 'exceljs';
import { Client } from 'pg';
import { startApp, RunningApp, testEnv } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { sendSmsCode, uniquePhone } from './support/sms-codes';
import { adminClient, createRegions, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const TEAM_HEADER = ['队伍名称', '所属区域', '纬度', '经度', '服务半径（米）', '技能', '同时接单上限'];
const MEMBER_HEADER = ['队伍名称', '队伍所属区域', '姓名', '手机号', '队内角色', '技能'];
const MENU_HEADER = ['服务编码', '服务名称', '分组', '说明', '所需技能', '接单时限（分钟）', '需要审核', '派单方式', '启用'];

/**
 * Spreadsheet import of teams, team members and menu items against the real api, through the same
 * runner as 一人一档: the dry run lists every bad row (row, column, Chinese message) and writes
 * nothing; per file is all-or-nothing; per row writes the good rows; the same file again changes
 * nothing; a changed row updates; each run is audited; phones are encrypted; a large file runs in
 * the background with its progress readable.
 */
describe('imports: teams, team members and menu items', () => {
  const tag = `J${Date.now() % 100000}`;
  const home: LatLng = { lat: 30.52, lng: 119.25 };
  let app: RunningApp;
  let db: Client;
  let api: Http;
  let staff: Http;
  let staffId: string;
  let regions: Awaited<ReturnType<typeof createRegions>>;

  beforeAll(async () => {
    app = await startApp('api', testEnv(`imports-org-${tag}`));
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(app.url);
    const admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '导入管理员', password: 'Import#2026', role: 'admin', regionId: regions.county.id }), 201, 'staff');
    staff = await login(api, phone, 'Import#2026');
    staffId = expectOk(await staff.get('/api/v1/me'), 200, 'me').id;
  }, 180000);

  afterAll(async () => {
    await app?.stop();
    await db?.end();
  });

  const csv = (header: string[], rows: string[][]) =>
    '\uFEFF' + [header, ...rows].map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\r\n');
  const upload = (kind: string, body: string | Buffer, query: string, as: Http = staff, type = 'text/csv') =>
    fetch(`${app.url}/api/v1/imports/${kind}?${query}`, { method: 'POST', headers: { authorization: `Bearer ${as.token}`, 'content-type': type }, body })
      .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const audit = async (prefix: string) =>
    (await db.query(`SELECT action, data FROM audit_log WHERE actor_id = $1 AND action LIKE $2 ORDER BY id`, [staffId, `${prefix}.import%`])).rows;
  const problems = (report: any) => report.errors.map((e: any) => [e.row, e.column]);

  const teamRow = (i: number, over: Partial<Record<number, string>> = {}): string[] => {
    const p = offset(home, i * 50, 0);
    const row = [`${tag}队${i}`, regions.station.name, p.lat.toFixed(6), p.lng.toFixed(6), '3000', i % 2 ? '理发、haircut' : 'tutoring', '3'];
    for (const [k, v] of Object.entries(over)) row[Number(k)] = v!;
    return row;
  };
  const teamsOf = async () =>
    (await db.query(`SELECT name, capacity, skills, region_id FROM teams WHERE name LIKE $1 ORDER BY name`, [`${tag}队%`])).rows;

  describe('teams', () => {
    const rows = () => [
      teamRow(1),
      teamRow(2, { 1: '不存在的村' }),
      teamRow(3, { 4: '99999999' }),
      teamRow(4),
      teamRow(1, { 6: '5' }), // the same team as row 2
      teamRow(5, { 5: '开飞机', 6: '-1' }),
    ];

    it('the template is the one the import reads (CSV and XLSX)', async () => {
      const res = await fetch(`${app.url}/api/v1/imports/teams/template?format=csv`, { headers: { authorization: `Bearer ${staff.token}` } });
      expect(res.status).toBe(200);
      expect((await res.text()).replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(TEAM_HEADER.join(','));
      const xlsx = await fetch(`${app.url}/api/v1/imports/team-members/template`, { headers: { authorization: `Bearer ${staff.token}` } });
      expect(xlsx.headers.get('content-type')).toBe(XLSX);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
      expect((workbook.worksheets[0].getRow(1).values as string[]).slice(1)).toEqual(MEMBER_HEADER);
      const unknown = await fetch(`${app.url}/api/v1/imports/planets/template`, { headers: { authorization: `Bearer ${staff.token}` } });
      expect(unknown.status).toBe(404);
    });

    it('dry run lists every problem by row and column in Chinese and writes nothing; per file writes nothing', async () => {
      const dry = await upload('teams', csv(TEAM_HEADER, rows()), 'dryRun=true');
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ kind: 'teams', status: 'dry_run', total: 6, badRows: 4, created: 2 });
      expect(problems(dry.body)).toEqual([[3, '所属区域'], [4, '服务半径（米）'], [6, '队伍名称'], [7, '同时接单上限'], [7, '技能']]);
      for (const e of dry.body.errors) expect(e.message).toMatch(/[\u4e00-\u9fa5]/);
      const whole = await upload('teams', csv(TEAM_HEADER, rows()), 'mode=file');
      expect(whole.body).toMatchObject({ status: 'rejected', created: 0, badRows: 4 });
      expect(await teamsOf()).toEqual([]);
    });

    it('per row writes the good rows; the same file again changes nothing; a changed row updates; audited', async () => {
      const first = await upload('teams', csv(TEAM_HEADER, rows()), 'mode=row');
      expect(first.body).toMatchObject({ status: 'partial', created: 2, updated: 0, unchanged: 0, badRows: 4, processed: 6 });
      const teams = await teamsOf();
      expect(teams.map((t) => [t.name, t.capacity, t.skills, t.region_id])).toEqual([
        [`${tag}队1`, 3, ['haircut'], regions.station.id],
        [`${tag}队4`, 3, ['tutoring'], regions.station.id],
      ]);
      const again = await upload('teams', csv(TEAM_HEADER, rows()), 'mode=row');
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      const changed = await upload('teams', csv(TEAM_HEADER, [teamRow(1, { 6: '7' }), teamRow(4)]), 'mode=file');
      expect(changed.body).toMatchObject({ status: 'imported', created: 0, updated: 1, unchanged: 1 });
      expect((await teamsOf())[0].capacity).toBe(7);
      expect((await audit('team')).map((a) => a.action)).toEqual(['team.import.dry_run', 'team.import', 'team.import', 'team.import', 'team.import']);
      expect((await audit('team'))[2].data).toMatchObject({ kind: 'teams', created: 2, badRows: 4 });
    });

    it('the same file imported twice at the same moment makes each team once', async () => {
      const file = csv(TEAM_HEADER, [1, 2, 3].map((i) => {
        const row = teamRow(i);
        row[0] = `${tag}同时队${i}`;
        return row;
      }));
      // the table is held until both imports wait to write, as two racing imports would both have
      // planned the teams as new before either committed
      const blocker = new Client({ connectionString: TEST_DATABASE_URL });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE teams IN SHARE MODE');
        const both = Promise.all([upload('teams', file, 'mode=file'), upload('teams', file, 'mode=file')]);
        await until('both imports waiting to write', async () => {
          const { rows } = await db.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`);
          return rows[0].n >= 2;
        });
        await blocker.query('COMMIT');
        const [a, b] = await both;
        expect([a.status, b.status]).toEqual([200, 200]);
        expect(a.body.created + b.body.created).toBe(3);
        const { rows } = await db.query(`SELECT name, count(*)::int AS n FROM teams WHERE name LIKE $1 GROUP BY name ORDER BY name`, [`${tag}同时队%`]);
        expect(rows).toEqual([1, 2, 3].map((i) => ({ name: `${tag}同时队${i}`, n: 1 })));
      } finally {
        await blocker.end();
      }
    });

    it('only admins import teams, members and the menu (a resident and a dispatcher: 403)', async () => {
      const resident = await registerResident(api);
      const phone = randomPhone('138');
      expectOk(await staff.post('/api/v1/staff', { phone, name: '派单员', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.county.id }), 201, 'dispatcher');
      const dispatcher = await login(api, phone, 'Dispatch#2026');
      for (const as of [resident.http, dispatcher]) {
        for (const kind of ['teams', 'team-members', 'services']) {
          const res = await upload(kind, csv(TEAM_HEADER, [teamRow(9)]), 'dryRun=true', as);
          expect([kind, res.status]).toEqual([kind, 403]);
        }
      }
    });
  });

  describe('team members', () => {
    const smsPhone = uniquePhone('136', () => randomPhone('136'));
    const phones = [smsPhone, randomPhone('135'), randomPhone('135')];
    const memberRows = () => [
      [`${tag}队1`, '', '队员甲', `+86 ${phones[0]}`, '队长', '理发'],
      [`${tag}队1`, regions.station.name, '队员乙', phones[1], '队员', ''],
      [`${tag}队4`, '', '队员甲', phones[0], '', 'tutoring'],
      [`${tag}队9`, '', '队员丙', phones[2], '队员', ''], // no such team
      [`${tag}队4`, '', '队员丁', '1234', '队员', ''], // not a mobile number
      [`${tag}队1`, '', '队员乙', phones[1], '队员', ''], // the same as row 3
      [`${tag}队4`, '', '队员戊', phones[2], '副队长', ''], // no such role
    ];

    it('dry run, then per row: accounts without a password (SMS sign-in), encrypted phones; idempotent; a changed role updates', async () => {
      const dry = await upload('team-members', csv(MEMBER_HEADER, memberRows()), 'dryRun=true');
      expect(problems(dry.body)).toEqual([[5, '队伍名称'], [6, '手机号'], [7, '手机号'], [8, '队内角色']]);
      expect(dry.body).toMatchObject({ created: 3, badRows: 4 });
      expect(JSON.stringify(dry.body)).not.toContain(phones[1]);

      const first = await upload('team-members', csv(MEMBER_HEADER, memberRows()), 'mode=row');
      expect(first.body).toMatchObject({ status: 'partial', created: 3, updated: 0, badRows: 4 });
      const { rows: members } = await db.query(
        `SELECT t.name AS team, u.name, u.roles, u.password_hash, u.phone_enc, tm.role, tm.skills FROM team_members tm
           JOIN teams t ON t.id = tm.team_id JOIN users u ON u.id = tm.user_id WHERE t.name LIKE $1 ORDER BY t.name, u.name`,
        [`${tag}队%`],
      );
      expect(members.map((m) => [m.team, m.name, m.role, m.skills])).toEqual([
        [`${tag}队1`, '队员乙', 'member', []],
        [`${tag}队1`, '队员甲', 'leader', ['haircut']],
        [`${tag}队4`, '队员甲', 'member', ['tutoring']],
      ]);
      for (const m of members) {
        expect(m.roles).toEqual(['volunteer']);
        expect(m.password_hash).toBeNull();
        expect(m.phone_enc).not.toContain(phones[0].slice(3));
      }
      // the imported volunteer signs in with an SMS code and sees their team
      const code = await sendSmsCode(api, smsPhone);
      const session = expectOk(await api.post('/api/v1/auth/sms/login', { phone: smsPhone, code }), 200, 'sms login');
      expect(session).toMatchObject({ isNewUser: false, user: { roles: ['volunteer'] } });

      const again = await upload('team-members', csv(MEMBER_HEADER, memberRows()), 'mode=row');
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
      const promoted = memberRows();
      promoted[1][4] = '队长';
      const third = await upload('team-members', csv(MEMBER_HEADER, promoted.slice(0, 3)), 'mode=file');
      expect(third.body).toMatchObject({ status: 'imported', created: 0, updated: 1, unchanged: 2 });
      const { rows: [leader] } = await db.query(
        `SELECT tm.role FROM team_members tm JOIN users u ON u.id = tm.user_id JOIN teams t ON t.id = tm.team_id WHERE t.name = $1 AND u.name = '队员乙'`,
        [`${tag}队1`],
      );
      expect(leader.role).toBe('leader');
      expect((await audit('team_member')).map((a) => a.action)).toEqual(['team_member.import.dry_run', 'team_member.import', 'team_member.import', 'team_member.import']);
    }, 60000);
  });

  describe('menu items', () => {
    const code = (s: string) => `${tag}_${s}`.toUpperCase();
    const menuRows = () => [
      [code('CUT'), '上门理发', '生活照料', '带工具上门', '理发', '20', '否', '派单', '是'],
      [code('READ'), '读报', '精神慰藉', '', '', '', '', '抢单', ''],
      ['bad code', '坏编码', '生活照料', '', '', '', '', '', ''],
      [code('SLOW'), '慢服务', '生活照料', '', '', '十分钟', '也许', '', ''],
    ];

    it('county items of the admin\'s county; dry run lists bad rows; idempotent; a changed row updates', async () => {
      const dry = await upload('services', csv(MENU_HEADER, menuRows()), 'dryRun=true');
      expect(problems(dry.body)).toEqual([[4, '服务编码'], [5, '接单时限（分钟）'], [5, '需要审核']]);
      const first = await upload('services', csv(MENU_HEADER, menuRows()), 'mode=row');
      expect(first.body).toMatchObject({ status: 'partial', created: 2, badRows: 2 });
      const { rows: items } = await db.query(
        `SELECT code, name, required_skills, accept_timeout_seconds, requires_review, offer_mode, active, region_id FROM services WHERE code LIKE $1 ORDER BY code`,
        [`${tag}_%`],
      );
      expect(items).toEqual([
        { code: code('CUT'), name: '上门理发', required_skills: ['haircut'], accept_timeout_seconds: 1200, requires_review: false, offer_mode: 'offer', active: true, region_id: regions.county.id },
        { code: code('READ'), name: '读报', required_skills: [], accept_timeout_seconds: 900, requires_review: false, offer_mode: 'grab', active: true, region_id: regions.county.id },
      ]);
      expect((await upload('services', csv(MENU_HEADER, menuRows().slice(0, 2)), 'mode=file')).body).toMatchObject({ status: 'imported', unchanged: 2 });
      const renamed = menuRows().slice(0, 2);
      renamed[1][1] = '读报纸';
      expect((await upload('services', csv(MENU_HEADER, renamed), 'mode=file')).body).toMatchObject({ updated: 1, unchanged: 1 });
      const menu = expectOk(await staff.get('/api/v1/services/all'), 200, 'staff menu');
      expect(menu.items.find((s: any) => s.code === code('READ'))).toMatchObject({ name: '读报纸', regionId: regions.county.id, editable: true });
      // a deployment-wide item is not the county admin's to change
      const { rows: [wide] } = await db.query(`SELECT code FROM services WHERE region_id IS NULL LIMIT 1`);
      const refused = await upload('services', csv(MENU_HEADER, [[wide.code, '改名', '生活照料', '', '', '', '', '', '']]), 'dryRun=true');
      expect(problems(refused.body)).toEqual([[2, '服务编码']]);
    });
  });

  it('a large file in the background: the answer comes at once (running), GET shows processed of total until it is imported', async () => {
    const many = Array.from({ length: 1600 }, (_, i) => teamRow(1000 + i, { 0: `${tag}队B${i}` }));
    const started = await upload('teams', csv(TEAM_HEADER, many), 'mode=file&background=true');
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'running', total: 1600, finishedAt: null });
    expect(started.body.processed).toBeLessThan(1600);
    const seen: number[] = [];
    let run = started.body;
    for (let i = 0; i < 600 && run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = expectOk(await staff.get(`/api/v1/imports/${started.body.id}`), 200, 'run');
      seen.push(run.processed);
    }
    expect(run).toMatchObject({ status: 'imported', processed: 1600, created: 1600 });
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // progress only goes forward
    expect((await db.query(`SELECT count(*)::int AS n FROM teams WHERE name LIKE $1`, [`${tag}队B%`])).rows[0].n).toBe(1600);
  }, 120000);
  it('a background import whose writer died (no heartbeat for minutes) reads as failed; a live one stays running', async () => {
    const done = expectOk(await upload('teams', csv(TEAM_HEADER, [teamRow(3000, { 0: `${tag}队C` })]), 'mode=row'), 200, 'run');
    // two runs left `running` by an api process: one beat 3 minutes ago (it died), one 10 s ago (still writing)
    const copy = (beat: string) => db.query(
      `INSERT INTO import_runs (kind, actor_id, region_id, file_sha256, dry_run, mode, status, total, processed, heartbeat_at)
       SELECT kind, actor_id, region_id, file_sha256, false, 'row', 'running', 1000, 500, now() - $2::interval FROM import_runs WHERE id = $1 RETURNING id`,
      [done.id, beat]).then((r) => r.rows[0].id as string);
    const dead = await copy('3 minutes');
    const alive = await copy('10 seconds');
    const deadRun = expectOk(await staff.get(`/api/v1/imports/${dead}`), 200, 'dead');
    expect(deadRun).toMatchObject({ status: 'failed', processed: 500, total: 1000 });
    expect(deadRun.finishedAt).not.toBeNull();
    expect(expectOk(await staff.get(`/api/v1/imports/${alive}`), 200, 'alive')).toMatchObject({ status: 'running', finishedAt: null });
  });
});
