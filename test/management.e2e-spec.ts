import { Client } from 'pg';
import { createHmac } from 'node:crypto';
import { Platform, startPlatform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { SseStream } from './support/sse';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * The console's management pages beyond creating things: editing menu items, changing and removing
 * team members, editing and disabling staff accounts — each inside the caller's jurisdiction, each
 * audited, and a disabled or re-roled account losing its sessions at once.
 */
describe('management: menu items, team members, staff accounts', () => {
  const tag = `M${Date.now() % 100000}`;
  const skill = `care_${tag.toLowerCase()}`;
  const home: LatLng = { lat: 30.21, lng: 120.61 };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let regions: Awaited<ReturnType<typeof createRegions>>;
  let otherTownship: any;
  let townAdmin: Http;
  let dispatcher: Http;
  let team: CreatedTeam;
  const code = `CARE_${tag}`;

  beforeAll(async () => {
    platform = await startPlatform(`mgmt-${tag}`, { LIVE_QUEUE_HEARTBEAT_MS: '200' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    regions = await createRegions(admin, home, tag);
    otherTownship = expectOk(await admin.post('/api/v1/regions', { name: `另一镇${tag}`, level: 'township', parentId: regions.county.id }), 201, 'township 2');
    await createService(admin, code, [skill], 300);
    team = await createTeam(api, admin, regions.station.id, { name: `关爱队${tag}`, location: offset(home, 200, 100), serviceRadiusM: 5000, skills: [skill], capacity: 3, members: 3 });
    const townAdminPhone = randomPhone('136');
    expectOk(await admin.post('/api/v1/staff', { phone: townAdminPhone, name: '镇管理员', password: 'TownAdmin#2026', role: 'admin', regionId: otherTownship.id }), 201, 'town admin');
    townAdmin = await login(api, townAdminPhone, 'TownAdmin#2026');
    const dispatcherPhone = randomPhone('136');
    expectOk(await admin.post('/api/v1/staff', { phone: dispatcherPhone, name: '调度员', password: 'Dispatch#2026', role: 'dispatcher', regionId: regions.township.id }), 201, 'dispatcher');
    dispatcher = await login(api, dispatcherPhone, 'Dispatch#2026');
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const auditActions = async (actorId: string) =>
    (await db.query(`SELECT action, outcome, status_code FROM audit_log WHERE actor_id = $1 ORDER BY id`, [actorId])).rows;

  describe('menu items', () => {
    it('edits every field but the code; the new timeout applies to the next offer', async () => {
      const edited = expectOk(
        await admin.patch(`/api/v1/services/${code}`, {
          name: '上门陪护', group: '照护服务', description: '陪老人聊天、读报', requiredSkills: [skill, skill], acceptTimeoutSeconds: 600, offerMode: 'grab', requiresReview: false,
        }),
        200,
        'edit',
      );
      expect(edited).toEqual(expect.objectContaining({
        code, name: '上门陪护', group: '照护服务', description: '陪老人聊天、读报', requiredSkills: [skill], acceptTimeoutSeconds: 600, offerMode: 'grab', active: true,
      }));
      const menu = expectOk(await api.get('/api/v1/services?limit=100'), 200, 'menu');
      expect(menu.items.find((s: any) => s.code === code)).toEqual(expect.objectContaining({ name: '上门陪护', group: '照护服务' }));
      // clearing the description; a patch of one field leaves the others alone
      expect(expectOk(await admin.patch(`/api/v1/services/${code}`, { description: null, offerMode: 'offer' }), 200, 'clear')).toEqual(
        expect.objectContaining({ description: null, name: '上门陪护', acceptTimeoutSeconds: 600, offerMode: 'offer' }),
      );

      const resident = await registerResident(api, '孙爷爷');
      const order = expectOk(
        await resident.http.post('/api/v1/orders', { serviceCode: code, description: '想有人陪着聊聊天', location: home, address: '测试路 1 号 101' }),
        201,
        'order',
      );
      const offer = await until('an offer', async () => {
        const [row] = (await db.query(`SELECT created_at, expires_at FROM offers WHERE order_id = $1`, [order.id])).rows;
        return row;
      });
      expect((new Date(offer.expires_at).getTime() - new Date(offer.created_at).getTime()) / 1000).toBeCloseTo(600, -1);
      expectOk(await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');
    });

    it('answers bad edits with 400 and the fields, other jurisdictions with 403, and changes nothing', async () => {
      const bad = await admin.patch(`/api/v1/services/${code}`, { name: '', offerMode: 'lottery', requiredSkills: ['Bad Skill'] });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['name', 'offerMode', 'requiredSkills']);
      // the test platform allows timeouts down to 1 s (ACCEPT_TIMEOUT_MIN_SECONDS)
      const tooShort = await admin.patch(`/api/v1/services/${code}`, { acceptTimeoutSeconds: 0 });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.fields).toEqual([expect.objectContaining({ field: 'acceptTimeoutSeconds' })]);
      expect((await townAdmin.patch(`/api/v1/services/${code}`, { name: '改名' })).status).toBe(403);
      expect((await dispatcher.patch(`/api/v1/services/${code}`, { name: '改名' })).status).toBe(403);
      expect((await admin.patch('/api/v1/services/NO_SUCH_ITEM', { name: 'x' })).body.code).toBe('SERVICE_NOT_FOUND');
      const [row] = (await db.query(`SELECT name, accept_timeout_seconds FROM services WHERE code = $1`, [code])).rows;
      expect(row).toEqual({ name: '上门陪护', accept_timeout_seconds: 600 });
    });
  });

  describe('skill labels (技能名称)', () => {
    it('lists every skill id with its labels; county admins label one, others may only read', async () => {
      // the team's and menu item's skill of this test, not labelled yet; the common vocabulary is
      const list = expectOk(await dispatcher.get('/api/v1/skills'), 200, 'skills').items as any[];
      expect(list.find((s) => s.code === skill)).toEqual({ code: skill, zh: null, en: null, teams: 1, services: 1, updatedAt: null });
      expect(list.find((s) => s.code === 'meal_delivery')).toEqual(expect.objectContaining({ zh: '助餐送餐', en: 'Meal delivery' }));
      const labelled = expectOk(await admin.put(`/api/v1/skills/${skill}`, { zh: ' 关爱探访 ', en: 'Caring visits' }), 200, 'label');
      expect(labelled).toEqual(expect.objectContaining({ code: skill, zh: '关爱探访', en: 'Caring visits', teams: 1, services: 1, updatedAt: expect.any(String) }));
      const again = (expectOk(await api.as((await registerResident(api)).http.token!).get('/api/v1/skills'), 200, 'skills (resident)').items as any[]).find((s) => s.code === skill);
      expect(again).toEqual(expect.objectContaining({ zh: '关爱探访', en: 'Caring visits' }));
      const row = (await db.query(`SELECT zh, en, updated_by FROM skill_labels WHERE code = $1`, [skill])).rows[0];
      expect(row.zh).toBe('关爱探访');
      expect(row.updated_by).toBeTruthy();
    });

    it('refuses labels from anyone but county-wide admins, for unknown ids, and blank or malformed input', async () => {
      const before = (await db.query(`SELECT count(*)::int AS n FROM skill_labels`)).rows[0].n;
      expect((await townAdmin.put(`/api/v1/skills/${skill}`, { zh: '镇里改的', en: 'Town' })).body.code).toBe('OUTSIDE_JURISDICTION');
      expect((await dispatcher.put(`/api/v1/skills/${skill}`, { zh: '调度改的', en: 'Dispatch' })).status).toBe(403);
      const unknown = await admin.put(`/api/v1/skills/no_such_skill_${tag.toLowerCase()}`, { zh: '没有', en: 'None' });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'SKILL_NOT_FOUND']);
      const badCode = await admin.put('/api/v1/skills/Not-A-Skill', { zh: '坏', en: 'Bad' });
      expect([badCode.status, badCode.body.code, badCode.body.fields?.[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'code']);
      const blank = await admin.put(`/api/v1/skills/${skill}`, { zh: '   ', en: 'x'.repeat(61) });
      expect([blank.status, blank.body.fields?.map((f: any) => f.field).sort()]).toEqual([400, ['en', 'zh']]);
      expect((await api.put(`/api/v1/skills/${skill}`, { zh: '匿名', en: 'Anon' })).status).toBe(401);
      expect((await db.query(`SELECT count(*)::int AS n FROM skill_labels`)).rows[0].n).toBe(before);
      expect((await db.query(`SELECT zh FROM skill_labels WHERE code = $1`, [skill])).rows[0].zh).toBe('关爱探访');
    });
  });

  describe('team members', () => {
    it('changes a member to leader and back', async () => {
      const member = team.members[1];
      const changed = expectOk(await admin.patch(`/api/v1/teams/${team.id}/members/${member.userId}`, { role: 'leader', skills: [skill] }), 200, 'promote');
      expect(changed).toEqual({ teamId: team.id, userId: member.userId, role: 'leader', skills: [skill] });
      const members = expectOk(await dispatcher.get(`/api/v1/teams/${team.id}/members`), 200, 'members');
      expect(members.items.find((m: any) => m.userId === member.userId)).toEqual(expect.objectContaining({ role: 'leader', skills: [skill] }));
      const bad = await admin.patch(`/api/v1/teams/${team.id}/members/${member.userId}`, { role: 'captain' });
      expect(bad.status).toBe(400);
      expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'role' })]);
      const notUuid = await admin.patch(`/api/v1/teams/${team.id}/members/not-a-uuid`, { role: 'member' });
      expect(notUuid.status).toBe(400);
      expect(notUuid.body.fields).toEqual([expect.objectContaining({ field: 'userId' })]);
    });

    it('removes a member: they stop seeing the team\'s offers, the team keeps serving', async () => {
      const leaving = team.members[2];
      const staying = team.members[0];
      expect((await dispatcher.request('DELETE', `/api/v1/teams/${team.id}/members/${leaving.userId}`)).status).toBe(403);
      expect((await townAdmin.request('DELETE', `/api/v1/teams/${team.id}/members/${leaving.userId}`)).body.code).toBe('TEAM_NOT_FOUND');
      expect((await townAdmin.patch(`/api/v1/teams/${team.id}/members/${leaving.userId}`, { role: 'leader' })).body.code).toBe('TEAM_NOT_FOUND');

      const removed = await admin.request('DELETE', `/api/v1/teams/${team.id}/members/${leaving.userId}`);
      expect(removed.status).toBe(204);
      const again = await admin.request('DELETE', `/api/v1/teams/${team.id}/members/${leaving.userId}`);
      expect(again.status).toBe(404);
      expect(again.body.code).toBe('MEMBER_NOT_FOUND');
      const members = expectOk(await admin.get(`/api/v1/teams/${team.id}/members`), 200, 'members');
      expect(members.items.map((m: any) => m.userId).sort()).toEqual([team.members[0].userId, team.members[1].userId].sort());

      const resident = await registerResident(api, '周奶奶');
      const order = expectOk(
        await resident.http.post('/api/v1/orders', { serviceCode: code, description: '需要陪护', location: home, address: '测试路 2 号 202' }),
        201,
        'order',
      );
      const offer = await until('offer to the team', async () =>
        (await staying.http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === order.id));
      expect((await leaving.http.get('/api/v1/offers?status=pending&limit=100')).body.items.some((o: any) => o.orderId === order.id)).toBe(false);
      expect((await leaving.http.post(`/api/v1/offers/${offer.id}/accept`)).status).toBe(404);
      expectOk(await staying.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
      expectOk(await resident.http.post(`/api/v1/orders/${order.id}/cancel`, { reason: '测试结束' }), 200, 'cancel');

      const adminId = (await admin.get('/api/v1/me')).body.id;
      const actions = (await auditActions(adminId)).map((r: any) => r.action);
      expect(actions).toEqual(expect.arrayContaining(['team.update_member', 'team.remove_member']));
    });
  });

  describe('staff accounts', () => {
    const create = async (role: string, regionId: string) => {
      const phone = randomPhone('137');
      const created = expectOk(await admin.post('/api/v1/staff', { phone, name: `员工${role}`, password: 'Staff#2026pw', role, regionId }), 201, 'staff');
      return { phone, id: created.userId as string };
    };

    it('disables an account: its tokens stop working at once, it cannot sign in or refresh; enabling lets it back', async () => {
      const person = await create('dispatcher', regions.township.id);
      const signedIn = expectOk(await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' }), 200, 'login');
      const asPerson = api.as(signedIn.accessToken);
      expectOk(await asPerson.get('/api/v1/dispatch/queue'), 200, 'queue before');
      const stream = await SseStream.open(`${platform.api.url}/api/v1/dispatch/live-queue/stream`, signedIn.accessToken);
      await stream.next('a snapshot', () => true);

      const disabled = expectOk(await admin.patch(`/api/v1/staff/${person.id}`, { active: false }), 200, 'disable');
      expect(disabled).toEqual(expect.objectContaining({ userId: person.id, active: false, roles: ['dispatcher'], regionId: regions.township.id }));
      expect((await asPerson.get('/api/v1/dispatch/queue')).status).toBe(401);
      // the console they left open stops receiving the live queue (checked at every heartbeat)
      expect((await stream.next('the end of the stream', (d: any) => d.reason !== undefined, 5000)).data).toEqual({ reason: 'revoked' });
      stream.close();
      const refresh = await api.post('/api/v1/auth/refresh', { refreshToken: signedIn.refreshToken });
      expect(refresh.status).toBe(401);
      const refused = await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(expect.objectContaining({ code: 'ACCOUNT_DISABLED', message: '账号已停用，请联系管理员' }));
      const wrongPassword = await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Wrong#2026pw' });
      expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
      const listed = expectOk(await admin.get('/api/v1/staff'), 200, 'staff list').items.find((s: any) => s.userId === person.id);
      expect(listed.active).toBe(false);
      const { rows } = await db.query(`SELECT revoked_reason FROM auth_sessions WHERE user_id = $1`, [person.id]);
      expect(rows.map((r) => r.revoked_reason)).toEqual(['account_disabled']);

      expect(expectOk(await admin.patch(`/api/v1/staff/${person.id}`, { active: true }), 200, 'enable').active).toBe(true);
      expectOk(await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' }), 200, 'login again');
    });

    it('ends a live-queue stream when the token that opened it expires', async () => {
      const person = await create('dispatcher', regions.township.id);
      const signedIn = expectOk(await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' }), 200, 'login');
      // the same token with only two seconds left (access tokens live at least a minute by configuration)
      const [header, body] = signedIn.accessToken.split('.');
      const claims = { ...JSON.parse(Buffer.from(body, 'base64url').toString()), exp: Math.floor(Date.now() / 1000) + 2 };
      const unsigned = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const shortLived = `${unsigned}.${createHmac('sha256', platform.env.JWT_SECRET).update(unsigned).digest('base64url')}`;
      const started = Date.now();
      const stream = await SseStream.open(`${platform.api.url}/api/v1/dispatch/live-queue/stream`, shortLived);
      expect(stream.status).toBe(200);
      expect((await stream.next('the end of the stream', (d: any) => d.reason !== undefined, 6000)).data).toEqual({ reason: 'expired' });
      expect(Date.now() - started).toBeLessThan(4000);
      stream.close();
    });

    it('changes role and jurisdiction: the old session ends and the next sign-in carries the new role', async () => {
      const person = await create('dispatcher', regions.township.id);
      const before = await login(api, person.phone, 'Staff#2026pw');
      expect((await before.get('/api/v1/staff')).status).toBe(403);
      const changed = expectOk(await admin.patch(`/api/v1/staff/${person.id}`, { role: 'admin', regionId: regions.station.id, name: '社区管理员' }), 200, 'promote');
      expect(changed).toEqual(expect.objectContaining({ name: '社区管理员', roles: ['admin'], regionId: regions.station.id, region: `测试社区${tag}`, active: true }));
      expect((await before.get('/api/v1/me')).status).toBe(401);
      const after = await login(api, person.phone, 'Staff#2026pw');
      expect(expectOk(await after.get('/api/v1/me'), 200, 'me').roles).toEqual(['admin']);
      // a name-only change leaves sessions alone
      expectOk(await admin.patch(`/api/v1/staff/${person.id}`, { name: '社区管理员甲' }), 200, 'rename');
      expectOk(await after.get('/api/v1/me'), 200, 'still signed in');
    });

    it('leaves the bootstrap admin and peer admins to the admin above them', async () => {
      const countyAdminPhone = randomPhone('137');
      expectOk(await admin.post('/api/v1/staff', { phone: countyAdminPhone, name: '县管理员', password: 'Staff#2026pw', role: 'admin', regionId: regions.county.id }), 201, 'county admin');
      const countyAdmin = await login(api, countyAdminPhone, 'Staff#2026pw');
      const bootstrapId = (await admin.get('/api/v1/me')).body.id;
      // a county-wide admin sees the bootstrap admin in the list, but cannot disable or demote them
      const seen = expectOk(await countyAdmin.get('/api/v1/staff'), 200, 'list').items;
      expect(seen.find((x: any) => x.userId === bootstrapId)).toEqual(expect.objectContaining({ editable: false, self: false }));
      expect(seen.find((x: any) => x.name === '县管理员')).toEqual(expect.objectContaining({ editable: true, self: true }));
      for (const change of [{ active: false }, { role: 'dispatcher' }, { regionId: regions.township.id }]) {
        const refused = await countyAdmin.patch(`/api/v1/staff/${bootstrapId}`, change);
        expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'OUTSIDE_JURISDICTION' });
      }
      // nor a peer of the same county; the bootstrap admin can
      const peer = await create('admin', regions.county.id);
      const listed = expectOk(await countyAdmin.get('/api/v1/staff'), 200, 'list').items;
      expect(listed.find((x: any) => x.userId === peer.id).editable).toBe(false);
      expect(listed.find((x: any) => x.regionId === otherTownship.id && x.roles.includes('admin')).editable).toBe(true);
      expect((await countyAdmin.patch(`/api/v1/staff/${peer.id}`, { active: false })).status).toBe(403);
      // an admin of a township below is theirs to change
      const townAdminId = (await townAdmin.get('/api/v1/me')).body.id;
      expect(expectOk(await countyAdmin.patch(`/api/v1/staff/${townAdminId}`, { name: '镇管理员（已核实）' }), 200, 'rename').name).toBe('镇管理员（已核实）');
      expect(expectOk(await admin.patch(`/api/v1/staff/${peer.id}`, { active: false }), 200, 'by the admin above').active).toBe(false);
      const { rows } = await db.query(`SELECT roles, region_id, disabled_at FROM users WHERE id = $1`, [bootstrapId]);
      expect(rows[0]).toEqual({ roles: ['admin'], region_id: null, disabled_at: null });
    });

    it('sets a new password for staff who forgot theirs: old sessions end, a locked-out phone may sign in again, only within the jurisdiction', async () => {
      const person = await create('dispatcher', regions.township.id);
      const signedIn = expectOk(await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' }), 200, 'login');
      // they forgot it: five wrong tries lock the phone
      for (let i = 0; i < 5; i++) await api.post('/api/v1/auth/login', { phone: person.phone, password: `Wrong#${i}pw` });
      expect((await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' })).body.code).toBe('LOGIN_LOCKED');

      const weak = await admin.post(`/api/v1/staff/${person.id}/password`, { newPassword: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.fields.map((f: any) => f.field)).toEqual(['newPassword']);
      // nobody outside the jurisdiction, no dispatcher, not one's own
      expect((await townAdmin.post(`/api/v1/staff/${person.id}/password`, { newPassword: 'Taken#Over2026' })).body.code).toBe('USER_NOT_FOUND');
      expect((await dispatcher.post(`/api/v1/staff/${person.id}/password`, { newPassword: 'Taken#Over2026' })).status).toBe(403);
      const townAdminId = (await townAdmin.get('/api/v1/me')).body.id;
      const own = await townAdmin.post(`/api/v1/staff/${townAdminId}/password`, { newPassword: 'Own#Password2026' });
      expect({ status: own.status, code: own.body.code, field: own.body.fields?.[0]?.field }).toEqual({ status: 409, code: 'OWN_ACCOUNT_CHANGE', field: 'newPassword' });
      // a resident is not staff
      const resident = await registerResident(api, '郑阿姨');
      expect((await admin.post(`/api/v1/staff/${resident.id}/password`, { newPassword: 'Taken#Over2026' })).body.code).toBe('USER_NOT_FOUND');
      expect((await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' })).body.code).toBe('LOGIN_LOCKED');

      const reset = await admin.post(`/api/v1/staff/${person.id}/password`, { newPassword: 'Fresh#Start2026' });
      expect(reset.status).toBe(204);
      expect((await api.as(signedIn.accessToken).get('/api/v1/dispatch/queue')).status).toBe(401);
      expect((await api.post('/api/v1/auth/refresh', { refreshToken: signedIn.refreshToken })).status).toBe(401);
      expect((await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Staff#2026pw' })).body.code).toBe('INVALID_CREDENTIALS');
      expectOk(await api.post('/api/v1/auth/login', { phone: person.phone, password: 'Fresh#Start2026' }), 200, 'the new password');
      const { rows } = await db.query(`SELECT revoked_reason FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NOT NULL`, [person.id]);
      expect(rows.map((r) => r.revoked_reason)).toEqual(['password_changed']);
      const adminId = (await admin.get('/api/v1/me')).body.id;
      const audited = (await auditActions(adminId)).filter((r: any) => r.action === 'staff.reset_password');
      expect(audited.map((r: any) => [r.outcome, r.status_code])).toEqual([['rejected', 400], ['denied', 404], ['success', 204]]);
      const { rows: [logged] } = await db.query(`SELECT data::text AS data FROM audit_log WHERE actor_id = $1 AND action = 'staff.reset_password' AND outcome = 'success'`, [adminId]);
      expect(logged.data).not.toContain('Fresh#Start2026');
    });

    it('keeps edits inside the jurisdiction and refuses changes to one\'s own account', async () => {
      const person = await create('grid_worker', regions.station.id);
      // a township admin of another township neither sees nor edits them, nor moves their own staff out
      expect((await townAdmin.patch(`/api/v1/staff/${person.id}`, { active: false })).body.code).toBe('USER_NOT_FOUND');
      const townStaff = randomPhone('137');
      const own = expectOk(await townAdmin.post('/api/v1/staff', { phone: townStaff, name: '镇调度', password: 'Staff#2026pw', role: 'dispatcher', regionId: otherTownship.id }), 201, 'town staff');
      const outside = await townAdmin.patch(`/api/v1/staff/${own.userId}`, { regionId: regions.township.id });
      expect(outside.status).toBe(403);
      expect(outside.body.code).toBe('OUTSIDE_JURISDICTION');
      expect((await dispatcher.patch(`/api/v1/staff/${person.id}`, { active: false })).status).toBe(403);

      const townAdminId = (await townAdmin.get('/api/v1/me')).body.id;
      const self = await townAdmin.patch(`/api/v1/staff/${townAdminId}`, { active: false });
      expect(self.status).toBe(409);
      expect(self.body).toEqual(expect.objectContaining({ code: 'OWN_ACCOUNT_CHANGE', fields: [expect.objectContaining({ field: 'active' })] }));
      expect((await townAdmin.patch(`/api/v1/staff/${townAdminId}`, { role: 'dispatcher' })).body.fields[0].field).toBe('role');
      expectOk(await townAdmin.get('/api/v1/staff'), 200, 'still admin');

      const bad = await admin.patch(`/api/v1/staff/${person.id}`, { role: 'resident', regionId: 'nowhere', active: 'no' });
      expect(bad.status).toBe(400);
      expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['active', 'regionId', 'role']);
      const missingRegion = await admin.patch(`/api/v1/staff/${person.id}`, { regionId: '00000000-0000-4000-8000-000000000000' });
      expect(missingRegion.status).toBe(422);
      expect(missingRegion.body.code).toBe('REGION_NOT_FOUND');
      // a resident is not staff: there is nothing to edit
      const resident = await registerResident(api, '吴阿姨');
      expect((await admin.patch(`/api/v1/staff/${resident.id}`, { role: 'admin' })).body.code).toBe('USER_NOT_FOUND');
      expect((await db.query(`SELECT roles, region_id, disabled_at FROM users WHERE id = $1`, [person.id])).rows[0]).toEqual({
        roles: ['grid_worker'], region_id: regions.station.id, disabled_at: null,
      });
      const adminId = (await admin.get('/api/v1/me')).body.id;
      expect((await auditActions(adminId)).some((r: any) => r.action === 'staff.update' && r.outcome === 'rejected')).toBe(true);
    });
  });
});
