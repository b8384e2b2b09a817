import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Platform, startPlatform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import { adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident } from './support/world';

/**
 * The volunteer's service record (志愿服务记录) against the real apps: check-in within
 * CHECKIN_MAX_DISTANCE_M or an override that leaves the minutes pending; a separate check-out; the
 * claimed minutes within check-in → check-out; the resident's confirmation at rating; staff confirm;
 * the append-only ledger (the database refuses UPDATE/DELETE/TRUNCATE) with corrections as a
 * reversal plus a new entry; fraud flags (overlap, impossible travel); the certificate PDF (rendered
 * with poppler) and its public verify page, valid then revoked.
 */
describe('service record: verified minutes, ledger, fraud checks, certificate', () => {
  const tag = `R${Date.now() % 100000}`;
  const skill = `visit_${tag.toLowerCase()}`;
  const code = `VISIT_${tag}`;
  const home: LatLng = { lat: 30.64, lng: 119.7 };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let staff: Http;
  let team: CreatedTeam;
  let countyId: string;
  const clockFile = join(mkdtempSync(join(tmpdir(), 'record-clock-')), 'now');

  beforeAll(async () => {
    const pack = (p: Record<string, unknown>) => ({ pointsPerHour: 10, dailyCap: 50, expiryDays: 1, donateToPool: true, minAgeToDraw: 60, ...p });
    platform = await startPlatform(`record-${tag}`, {
      CHECKIN_MAX_DISTANCE_M: '500', TRAVEL_MAX_SPEED_KMH: '120', CONFIRMATIONS_PER_RESIDENT_DAY_MAX: '3', CLOCK_FILE: clockFile, FIVE_STAR_TEAMS_PER_COUNTY: '1',
      // the station's pack lets banked time go to a relative; the county's (for teams of the county itself) does not
      RULE_PACKS: JSON.stringify({ open: pack({ transferToRelative: true }), strict: pack({ transferToRelative: false, donateToPool: false }) }),
      REGION_RULE_PACKS: JSON.stringify({ [`测试社区${tag}`]: 'open', [`测试县${tag}`]: 'strict' }),
    }, { relay: false });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    const { county, station } = await createRegions(admin, home, tag);
    countyId = county.id;
    await createService(admin, code, [skill], 60);
    team = await createTeam(api, admin, station.id, { name: `记录队${tag}`, location: offset(home, 200, 0), serviceRadiusM: 10000, skills: [skill], capacity: 20, members: 5 });
    const phone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone, name: '站长', password: 'Dispatch#2026', role: 'dispatcher', regionId: county.id }), 201, 'staff');
    staff = await login(api, phone, 'Dispatch#2026');
  }, 180000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  /** A new resident's order at `where`, offered to the team and accepted by `by`. */
  async function acceptedOrder(by: CreatedTeam['members'][number], where: LatLng = home) {
    const resident = await registerResident(api, '王奶奶');
    const placed = expectOk(await resident.http.post('/api/v1/orders', { serviceCode: code, description: '陪老人聊天', location: where, address: '测试社区 1 幢' }), 201, 'place');
    const offer = await until('offer to the team', async () =>
      (await by.http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === placed.id), 30000);
    expectOk(await by.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    return { orderId: placed.id as string, resident };
  }

  const rate = (resident: { http: Http }, orderId: string, extra: Record<string, unknown> = {}) =>
    resident.http.at(platform.rating.url).post(`/api/v1/orders/${orderId}/rating`, { stars: 5, solved: true, ...extra });

  /** Moves the check-in back in time (the database clock is what check-in and check-out use). */
  const checkedInMinutesAgo = (orderId: string, minutes: number) =>
    db.query(`UPDATE service_records SET checked_in_at = checked_in_at - make_interval(mins => $2) WHERE order_id = $1`, [orderId, minutes]);

  const creditsOf = async (orderId: string) =>
    (await db.query(`SELECT volunteer_id, minutes, status, pending_reasons FROM service_credits WHERE source_type = 'order' AND source_id = $1 ORDER BY volunteer_id`, [orderId])).rows;

  describe('verified minutes', () => {
    it('refuses check-in 2 km away, accepts it with an override and a reason, keeps those minutes pending until staff confirm', async () => {
      const volunteer = team.members[0];
      const { orderId, resident } = await acceptedOrder(volunteer);

      const early = await volunteer.http.post(`/api/v1/orders/${orderId}/check-out`, { location: home });
      expect([early.status, early.body.code]).toEqual([422, 'CHECKOUT_BEFORE_CHECKIN']);

      const twoKm = offset(home, 2000, 0);
      const far = await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: twoKm });
      expect([far.status, far.body.code]).toEqual([422, 'CHECKIN_TOO_FAR']);
      expect(far.body.distanceM).toBeGreaterThan(1900);
      expect(far.body.maxDistanceM).toBe(500);
      const noReason = await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: twoKm, override: true });
      expect([noReason.status, noReason.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(noReason.body.fields.map((f: any) => f.field)).toEqual(['reason']);
      expect((await db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).rows[0].status).toBe('accepted');

      const overridden = expectOk(
        await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: twoKm, override: true, reason: '老人临时在女儿家' }), 200, 'override');
      expect(overridden.status).toBe('in_service');
      const sr = (await db.query(`SELECT check_in_distance_m, check_in_override_reason, flags FROM service_records WHERE order_id = $1`, [orderId])).rows[0];
      expect(sr.check_in_distance_m).toBeGreaterThan(1900);
      expect(sr.check_in_override_reason).toBe('老人临时在女儿家');
      expect(sr.flags).toEqual(['checkin_override']);

      await checkedInMinutesAgo(orderId, 90);
      expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/check-out`, { location: home }), 200, 'check out');
      const again = await volunteer.http.post(`/api/v1/orders/${orderId}/check-out`, { location: home });
      expect([again.status, again.body.code]).toEqual([409, 'ALREADY_CHECKED_OUT']);

      const tooMany = await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '陪聊', minutes: 120 });
      expect([tooMany.status, tooMany.body.code]).toEqual([422, 'MINUTES_EXCEED_SERVICE_TIME']);
      expect(tooMany.body.maxMinutes).toBeGreaterThanOrEqual(90);
      expect(tooMany.body.maxMinutes).toBeLessThanOrEqual(91);
      expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '陪聊，打扫卫生', minutes: 80 }), 200, 'complete');

      let record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record).toMatchObject({ verifiedMinutes: 0, pendingMinutes: 80, starLevel: 0, entries: [] });
      expect(record.pending[0].pendingReasons.sort()).toEqual(['checkin_override', 'unconfirmed']);

      // the resident confirms when rating; the override still waits for staff
      expectOk(await rate(resident, orderId), 201, 'rate');
      expect(await creditsOf(orderId)).toEqual([{ volunteer_id: volunteer.userId, minutes: 80, status: 'pending', pending_reasons: ['checkin_override'] }]);
      record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect([record.verifiedMinutes, record.pendingMinutes]).toEqual([0, 80]);

      const pending = expectOk(await staff.get('/api/v1/service-credits?status=pending&limit=100'), 200, 'pending credits');
      const credit = pending.items.find((c: any) => c.sourceId === orderId);
      expect(credit).toMatchObject({ volunteerId: volunteer.userId, minutes: 80, status: 'pending', flagged: false });
      // a volunteer may not confirm their own minutes
      expect((await volunteer.http.post(`/api/v1/service-credits/${credit.id}/confirm`, {})).status).toBe(403);
      const confirmed = expectOk(await staff.post(`/api/v1/service-credits/${credit.id}/confirm`, { note: '已电话回访' }), 200, 'confirm');
      expect(confirmed.credit.status).toBe('verified');
      expect(confirmed.entry).toMatchObject({ kind: 'credit', minutes: 80, confirmation: 'staff', sourceId: orderId });
      const twice = await staff.post(`/api/v1/service-credits/${credit.id}/confirm`, {});
      expect([twice.status, twice.body.code]).toEqual([409, 'CREDIT_NOT_PENDING']);

      record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record).toMatchObject({ verifiedMinutes: 80, pendingMinutes: 0, pending: [] });
      expect(record.entries).toHaveLength(1);
    });
  });

  describe('the ledger', () => {
    let volunteer: CreatedTeam['members'][number];
    let entryId: string;

    it('credits every participant the team leader names, once the resident confirms at rating', async () => {
      volunteer = team.members[1];
      const { orderId, resident } = await acceptedOrder(volunteer);
      expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: offset(home, 30, 30) }), 200, 'check in');
      await checkedInMinutesAgo(orderId, 60);
      expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/check-out`, { location: home }), 200, 'check out');
      // 谁组织谁记录: a member may complete for themself only; naming others is the leader's call
      const notLeader = await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '理发', minutes: 60, volunteerIds: [volunteer.userId, team.members[4].userId] });
      expect([notLeader.status, notLeader.body.code, notLeader.body.fields?.[0]?.field]).toEqual([403, 'NOT_TEAM_LEADER', 'volunteerIds']);
      expect((await db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])).rows[0].status).toBe('in_service');
      const leader = team.members[0];
      expectOk(await leader.http.post(`/api/v1/orders/${orderId}/complete`, { report: '理发', minutes: 60, volunteerIds: [volunteer.userId, team.members[4].userId] }), 200, 'complete');
      expect((await creditsOf(orderId)).map((c: any) => c.status)).toEqual(['pending', 'pending']);
      expectOk(await rate(resident, orderId), 201, 'rate');
      const credits = await creditsOf(orderId);
      expect(credits.map((c: any) => [c.status, c.minutes, c.pending_reasons])).toEqual([['verified', 60, []], ['verified', 60, []]]);

      const record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record.verifiedMinutes).toBe(60);
      expect(record.entries).toEqual([expect.objectContaining({ kind: 'credit', minutes: 60, confirmation: 'recipient', sourceType: 'order', sourceId: orderId })]);
      expect(record.entries[0].organiser).toContain(team.name);
      entryId = record.entries[0].id;
    });

    it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
      await expect(db.query(`UPDATE service_ledger SET minutes = 600 WHERE id = $1`, [entryId])).rejects.toThrow(/append-only/);
      await expect(db.query(`DELETE FROM service_ledger WHERE id = $1`, [entryId])).rejects.toThrow(/append-only/);
      await expect(db.query(`TRUNCATE service_ledger CASCADE`)).rejects.toThrow(/append-only/);
      expect((await db.query(`SELECT minutes FROM service_ledger WHERE id = $1`, [entryId])).rows[0].minutes).toBe(60);
    });

    it('corrects by a reversal and a new entry; totals are the sum of entries', async () => {
      const done = expectOk(await staff.post(`/api/v1/ledger-entries/${entryId}/corrections`, { minutes: 45, reason: '签退时间有误' }), 201, 'correct');
      expect(done.reversal).toMatchObject({ kind: 'reversal', minutes: -60, reversesId: entryId, reason: '签退时间有误' });
      expect(done.correction).toMatchObject({ kind: 'correction', minutes: 45, reason: '签退时间有误' });
      const again = await staff.post(`/api/v1/ledger-entries/${entryId}/corrections`, { minutes: 30, reason: '再改' });
      expect([again.status, again.body.code]).toEqual([409, 'ENTRY_ALREADY_REVERSED']);
      expect((await staff.post(`/api/v1/ledger-entries/999999999/corrections`, { minutes: 30, reason: 'x' })).status).toBe(404);

      // the volunteer asks for 50; staff approve: another reversal and entry
      const asked = expectOk(
        await volunteer.http.post('/api/v1/me/correction-requests', { entryId: done.correction.id, minutes: 50, reason: '实际服务了 50 分钟' }), 201, 'request');
      const dup = await volunteer.http.post('/api/v1/me/correction-requests', { entryId: done.correction.id, minutes: 55, reason: '再次申请' });
      expect(dup.status).toBe(409);
      const open = expectOk(await staff.get('/api/v1/correction-requests?status=open'), 200, 'open requests');
      expect(open.items.map((r: any) => r.id)).toContain(asked.id);
      const decided = expectOk(await staff.post(`/api/v1/correction-requests/${asked.id}/decide`, { approve: true, note: '同意' }), 200, 'decide');
      expect(decided.request.status).toBe('approved');
      expect(decided.reversal.minutes).toBe(-45);
      expect(decided.correction.minutes).toBe(50);

      const record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record.entries.map((e: any) => [e.kind, e.minutes])).toEqual([['correction', 50], ['reversal', -45], ['correction', 45], ['reversal', -60], ['credit', 60]]);
      expect(record.verifiedMinutes).toBe(record.entries.reduce((s: number, e: any) => s + e.minutes, 0));
      expect(record.verifiedMinutes).toBe(50);
      const { rows } = await db.query(`SELECT sum(minutes)::int AS total, count(*)::int AS n FROM service_ledger WHERE volunteer_id = $1`, [volunteer.userId]);
      expect(rows[0]).toEqual({ total: 50, n: 5 });

      // the wallet follows: 60 min earned 10 points and banked 60; 45 min is worth 7 (3 taken back), 50 min 8 (1 given back)
      const wallet = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet');
      expect([wallet.verifiedMinutes, wallet.points, wallet.bankedMinutes]).toEqual([50, 8, 50]);
      expect(wallet.movements.filter((m: any) => m.type === 'correct').map((m: any) => [m.account, m.amount]).sort()).toEqual(
        [['points', -3], ['points', 1], ['time_bank', -15], ['time_bank', 5]].sort());
      const sums = await db.query(`SELECT sum(balance)::int AS all_accounts FROM wallet_accounts`);
      expect(sums.rows[0].all_accounts).toBe(0);
    });
  });

  describe('fraud checks', () => {
    it('flags two overlapping services of one volunteer; their minutes stay pending after the residents confirm', async () => {
      const volunteer = team.members[2];
      const a = await acceptedOrder(volunteer);
      const b = await acceptedOrder(volunteer);
      expectOk(await volunteer.http.post(`/api/v1/orders/${a.orderId}/check-in`, { location: home }), 200, 'check in a');
      expectOk(await volunteer.http.post(`/api/v1/orders/${b.orderId}/check-in`, { location: home }), 200, 'check in b');
      await checkedInMinutesAgo(a.orderId, 30);
      await checkedInMinutesAgo(b.orderId, 20);
      for (const o of [a, b]) {
        expectOk(await volunteer.http.post(`/api/v1/orders/${o.orderId}/check-out`, { location: home }), 200, 'check out');
        expectOk(await volunteer.http.post(`/api/v1/orders/${o.orderId}/complete`, { report: '陪聊' }), 200, 'complete');
      }
      for (const o of [a, b]) expectOk(await rate(o.resident, o.orderId), 201, 'rate');
      const [ca] = await creditsOf(a.orderId);
      const [cb] = await creditsOf(b.orderId);
      expect([ca.status, ca.pending_reasons]).toEqual(['pending', ['overlap']]);
      expect([cb.status, cb.pending_reasons]).toEqual(['pending', ['overlap']]);
      expect(ca.minutes).toBeGreaterThanOrEqual(30);
      const flagged = expectOk(await staff.get('/api/v1/service-credits?flagged=true&limit=100'), 200, 'flagged');
      const mine = flagged.items.filter((c: any) => c.volunteerId === volunteer.userId);
      expect(mine).toHaveLength(2);
      expect(mine.every((c: any) => c.flagged)).toBe(true);
      const record = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record.verifiedMinutes).toBe(0);
      expect(record.pendingMinutes).toBe(ca.minutes + cb.minutes);
      // reviewed: one rejected, one confirmed
      const rejected = expectOk(await staff.post(`/api/v1/service-credits/${mine.find((c: any) => c.sourceId === b.orderId).id}/reject`, { reason: '同一时段不能服务两处' }), 200, 'reject');
      expect(rejected.status).toBe('rejected');
      expectOk(await staff.post(`/api/v1/service-credits/${mine.find((c: any) => c.sourceId === a.orderId).id}/confirm`, {}), 200, 'confirm');
      const after = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record');
      expect([after.verifiedMinutes, after.pendingMinutes]).toEqual([ca.minutes, 0]);
    });

    it('flags impossible travel between consecutive check-ins', async () => {
      const volunteer = team.members[3];
      const near = await acceptedOrder(volunteer);
      const fourKmNorth = offset(home, 0, 4000);
      const far = await acceptedOrder(volunteer, fourKmNorth);
      expectOk(await volunteer.http.post(`/api/v1/orders/${near.orderId}/check-in`, { location: home }), 200, 'check in near');
      // 4 km seconds later: far above TRAVEL_MAX_SPEED_KMH
      expectOk(await volunteer.http.post(`/api/v1/orders/${far.orderId}/check-in`, { location: fourKmNorth }), 200, 'check in far');
      const flags = (await db.query(`SELECT order_id, flags FROM service_records WHERE order_id = ANY($1::uuid[])`, [[near.orderId, far.orderId]])).rows;
      expect(flags.find((r: any) => r.order_id === near.orderId).flags).toEqual([]);
      expect(flags.find((r: any) => r.order_id === far.orderId).flags).toEqual(['impossible_travel']);
      expectOk(await volunteer.http.post(`/api/v1/orders/${far.orderId}/complete`, { report: '送餐' }), 200, 'complete');
      expectOk(await rate(far.resident, far.orderId), 201, 'rate');
      const [credit] = await creditsOf(far.orderId);
      expect([credit.status, credit.pending_reasons]).toEqual(['pending', ['impossible_travel']]);
      const flagged = expectOk(await staff.get('/api/v1/service-credits?flagged=true&limit=100'), 200, 'flagged');
      expect(flagged.items.find((c: any) => c.sourceId === far.orderId)).toMatchObject({ flagged: true, pendingReasons: ['impossible_travel'] });
    });
  });

  describe('certificate', () => {
    let number: string;

    it('is a PDF whose first page renders and whose text holds the number and the verified hours', async () => {
      const volunteer = team.members[1];
      const res = await fetch(`${platform.api.url}/api/v1/me/certificate`, { headers: { authorization: `Bearer ${volunteer.http.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      number = res.headers.get('x-certificate-number')!;
      expect(number).toMatch(/^ZYFW-\d{8}-[A-Z0-9]{10}$/);
      const dir = mkdtempSync(join(tmpdir(), 'cert-'));
      const file = join(dir, 'cert.pdf');
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
      execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', '40', '-png', file, join(dir, 'page')]);
      const png = readFileSync(join(dir, 'page-1.png'));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(statSync(join(dir, 'page-1.png')).size).toBeGreaterThan(2000);
      const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('志愿服务记录证明');
      expect(text).toContain(number);
      expect(text).toContain('0.8 小时'); // 50 verified minutes
      expect(text).toContain('县志愿服务联合会');

      // the same verified minutes: the same number
      const again = await fetch(`${platform.api.url}/api/v1/me/certificate`, { headers: { authorization: `Bearer ${volunteer.http.token}` } });
      expect(again.headers.get('x-certificate-number')).toBe(number);
      // issuing a number is audited once (the reused one is not issued again)
      const issued = await db.query(`SELECT actor_id, object_id, data FROM audit_log WHERE action = 'certificate.issue' AND data->>'number' = $1`, [number]);
      expect(issued.rows).toEqual([{ actor_id: volunteer.userId, object_id: volunteer.userId, data: { number, verifiedMinutes: 50 } }]);
    });

    it('is verified by anyone, then answers revoked after staff revoke it', async () => {
      const anyone = new Http(platform.api.url);
      const check = expectOk(await anyone.get(`/api/v1/certificates/${number}`), 200, 'verify');
      expect(check).toMatchObject({ number, verifiedHours: 0.8, issuer: '县志愿服务联合会', valid: true, revokedAt: null });
      expect(check.holder).toMatch(/^记\*+2$/); // 记录队…队员2, masked
      expect(JSON.stringify(check)).not.toContain(team.members[1].phone);

      expect((await team.members[1].http.post(`/api/v1/certificates/${number}/revoke`, { reason: '自己作废' })).status).toBe(403);
      const revoked = expectOk(await staff.post(`/api/v1/certificates/${number}/revoke`, { reason: '服务时长经复核有误' }), 200, 'revoke');
      expect(revoked.valid).toBe(false);
      const after = expectOk(await anyone.get(`/api/v1/certificates/${number}`), 200, 'verify after');
      expect(after.valid).toBe(false);
      expect(after.revokedAt).toEqual(expect.any(String));
      const audited = await db.query(`SELECT object_id, data, outcome FROM audit_log WHERE action = 'certificate.revoke' AND data->>'number' = $1`, [number]);
      expect(audited.rows).toEqual([{ object_id: team.members[1].userId, data: { number, reason: '服务时长经复核有误' }, outcome: 'success' }]);
      const twice = await staff.post(`/api/v1/certificates/${number}/revoke`, { reason: '再次' });
      expect([twice.status, twice.body.code]).toEqual([409, 'CERTIFICATE_ALREADY_REVOKED']);
      expect((await anyone.get('/api/v1/certificates/ZYFW-20260101-AAAAAAAAAA')).body.code).toBe('CERTIFICATE_NOT_FOUND');
      expect((await anyone.get('/api/v1/certificates/not-a-number')).status).toBe(404);
    });

    it('is refused while nothing is verified', async () => {
      const fresh = await createTeam(api, admin, (await db.query(`SELECT region_id FROM teams WHERE id = $1`, [team.id])).rows[0].region_id,
        { name: `新队${tag}`, location: home, serviceRadiusM: 1000, skills: [skill], capacity: 1 });
      const none = await fresh.members[0].http.get('/api/v1/me/certificate');
      expect([none.status, none.body.code]).toEqual([422, 'NO_VERIFIED_MINUTES']);
    });
  });
  describe('wallet', () => {
    /** The county's 爱心超市 egg (1 point) and rice (3 points), made by the county's staff in the first wallet test. */
    let egg: { id: string };
    let rice: { id: string };

    it('sells only catalogue items of the volunteer\'s area, at the catalogue\'s price; staff of the region keep the catalogue', async () => {
      const volunteer = team.members[4];
      // the volunteer may not name a price any more
      const priced = await volunteer.http.post('/api/v1/me/redemptions', { item: '大米 5 斤', points: 1 });
      expect([priced.status, priced.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect((await volunteer.http.post('/api/v1/redemption-items', { regionId: countyId, name: '鸡蛋', points: 1 })).status).toBe(403);
      egg = expectOk(await staff.post('/api/v1/redemption-items', { regionId: countyId, name: '鸡蛋', points: 1 }), 201, 'egg');
      expect(egg).toMatchObject({ regionId: countyId, area: `测试县${tag}`, name: '鸡蛋', points: 1, active: true, retiredAt: null });
      rice = expectOk(await staff.post('/api/v1/redemption-items', { regionId: countyId, name: '大米 5 斤', points: 4 }), 201, 'rice');
      const towel = expectOk(await staff.post('/api/v1/redemption-items', { regionId: countyId, name: '毛巾', points: 1 }), 201, 'towel');
      expect(expectOk(await staff.patch(`/api/v1/redemption-items/${rice.id}`, { points: 3 }), 200, 'reprice')).toMatchObject({ name: '大米 5 斤', points: 3 });
      expect(expectOk(await staff.post(`/api/v1/redemption-items/${towel.id}/retire`), 200, 'retire')).toMatchObject({ active: false });
      const retiredEdit = await staff.patch(`/api/v1/redemption-items/${towel.id}`, { points: 2 });
      expect([retiredEdit.status, retiredEdit.body.code]).toEqual([409, 'REDEMPTION_ITEM_RETIRED']);
      const blank = await staff.post('/api/v1/redemption-items', { regionId: countyId, name: '  ', points: 0 });
      expect([blank.status, blank.body.code, blank.body.fields.map((f: any) => f.field).sort()]).toEqual([400, 'VALIDATION_FAILED', ['name', 'points']]);

      // another county's 爱心超市: its staff's item is neither seen nor sold here
      const far = await createRegions(admin, { lat: home.lat - 1.5, lng: home.lng - 1.5 }, `${tag}F`);
      const elsewhere = expectOk(await admin.post('/api/v1/redemption-items', { regionId: far.county.id, name: '外县的油', points: 1 }), 201, 'far item');
      const unseen = await staff.get(`/api/v1/redemption-items/${elsewhere.id}`);
      expect([unseen.status, unseen.body.code]).toEqual([404, 'REDEMPTION_ITEM_NOT_FOUND']);
      expect((await staff.patch(`/api/v1/redemption-items/${elsewhere.id}`, { points: 100 })).status).toBe(404);
      expect((await staff.post('/api/v1/redemption-items', { regionId: far.county.id, name: '越权', points: 1 })).status).toBe(403);
      expect(expectOk(await staff.get('/api/v1/redemption-items?includeRetired=true'), 200, 'staff list').map((i: any) => i.name).sort())
        .toEqual(['大米 5 斤', '毛巾', '鸡蛋']);
      expect(expectOk(await volunteer.http.get('/api/v1/me/redemption-items'), 200, 'offered').map((i: any) => [i.name, i.points]))
        .toEqual([['鸡蛋', 1], ['大米 5 斤', 3]]);
      for (const id of [elsewhere.id, towel.id, '00000000-0000-4000-8000-000000000000']) {
        const refused = await volunteer.http.post('/api/v1/me/redemptions', { itemId: id });
        expect([refused.status, refused.body.code, refused.body.fields?.[0]?.field]).toEqual([422, 'REDEMPTION_ITEM_UNAVAILABLE', 'itemId']);
      }
      expect(expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet').points).toBe(10);
    });

    it('earned points by the pack (10 an hour); 200 concurrent redemptions against 10 points: exactly 10 succeed, never below zero', async () => {
      const volunteer = team.members[4];
      const before = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet');
      expect(before).toMatchObject({ verifiedMinutes: 60, points: 10, bankedMinutes: 60, pack: { name: 'open', pointsPerHour: 10, transferToRelative: true } });
      expect(before.movements.map((m: any) => [m.type, m.account, m.amount]).sort()).toEqual([['bank', 'time_bank', 60], ['earn', 'points', 10]]);

      const results = await Promise.all(Array.from({ length: 200 }, () => volunteer.http.post('/api/v1/me/redemptions', { itemId: egg.id })));
      const ok = results.filter((r) => r.status === 201);
      const refused = results.filter((r) => r.status !== 201);
      expect(ok).toHaveLength(10);
      expect([...new Set(refused.map((r) => `${r.status} ${r.body.code}`))]).toEqual(['409 INSUFFICIENT_BALANCE']);
      expect(new Set(ok.map((r) => r.body.pickupCode)).size).toBe(10);
      const after = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet');
      expect(after.points).toBe(0);
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM redemptions WHERE volunteer_id = $1) AS redemptions,
                (SELECT balance::int FROM wallet_accounts WHERE owner_id = $1 AND kind = 'points') AS balance,
                (SELECT COALESCE(sum(remaining), 0)::int FROM point_lots l JOIN wallet_accounts a ON a.id = l.account_id WHERE a.owner_id = $1) AS lots,
                (SELECT sum(balance)::int FROM wallet_accounts) AS all_accounts`,
        [volunteer.userId],
      );
      // double entry: every movement debits one account and credits another, so all balances add up to zero
      expect(rows[0]).toEqual({ redemptions: 10, balance: 0, lots: 0, all_accounts: 0 });
      await expect(db.query(`UPDATE wallet_movements SET amount = 1000`)).rejects.toThrow(/append-only/);

      // staff hand the goods over, once
      const code = ok[0].body.pickupCode;
      expect((await volunteer.http.post(`/api/v1/redemptions/${code}/collect`)).status).toBe(403);
      expect(expectOk(await staff.post(`/api/v1/redemptions/${code}/collect`), 200, 'collect').status).toBe('collected');
      const twice = await staff.post(`/api/v1/redemptions/${code}/collect`);
      expect([twice.status, twice.body.code]).toEqual([409, 'REDEMPTION_ALREADY_COLLECTED']);
    });

    it('charges the catalogue\'s price times the quantity, and answers a double tap (the same Idempotency-Key, five at once) with one redemption and one debit', async () => {
      const volunteer = team.members[1];
      expect(expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet').points).toBe(8);
      const two = expectOk(await volunteer.http.post('/api/v1/me/redemptions', { itemId: rice.id, quantity: 2 }), 201, 'rice × 2');
      expect(two).toMatchObject({ itemId: rice.id, item: '大米 5 斤', quantity: 2, points: 6, status: 'reserved', balance: 2 });
      const key = `redeem-${tag}-egg-1`;
      const taps = await Promise.all(Array.from({ length: 5 }, () => volunteer.http.post('/api/v1/me/redemptions', { itemId: egg.id }, { 'idempotency-key': key })));
      expect(taps.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(taps.map((r) => r.body.id)).size).toBe(1);
      expect(new Set(taps.map((r) => r.body.pickupCode)).size).toBe(1);
      expect(taps.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM redemptions WHERE volunteer_id = $1 AND idempotency_key = $2`, [volunteer.userId, key]);
      expect(rows[0].n).toBe(1);
      expect(expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet').points).toBe(1);
      // the same key for another request, or a malformed key, is refused
      const reused = await volunteer.http.post('/api/v1/me/redemptions', { itemId: egg.id, quantity: 2 }, { 'idempotency-key': key });
      expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
      const bad = await volunteer.http.post('/api/v1/me/redemptions', { itemId: egg.id }, { 'idempotency-key': 'short' });
      expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet').points).toBe(1);
    });

    it('expires points by the pack (after a day); hours and banked time never expire', async () => {
      const volunteer = team.members[1];
      const now = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet');
      expect([now.points, now.bankedMinutes, now.verifiedMinutes]).toEqual([1, 50, 50]);
      // spending takes the lot that expires first (the credit's, 3 taken back by the correction); the 1 given back is left
      expect(now.nextExpiry.points).toBe(1);
      writeFileSync(clockFile, '+' + String(2 * 24 * 3600 * 1000));
      try {
        const later = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet two days later');
        expect([later.points, later.bankedMinutes, later.verifiedMinutes, later.nextExpiry]).toEqual([0, 50, 50, null]);
        expect(later.movements[0]).toMatchObject({ type: 'expire', account: 'points', amount: -1 });
        const spend = await volunteer.http.post('/api/v1/me/redemptions', { itemId: egg.id });
        expect([spend.status, spend.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
      } finally {
        writeFileSync(clockFile, '');
      }
    });

    it('transfers banked time to a relative where the pack allows it, and refuses it where it does not', async () => {
      const volunteer = team.members[0];
      const relative = await registerResident(api, '志愿者的母亲');
      const before = expectOk(await volunteer.http.get('/api/v1/me/wallet'), 200, 'wallet');
      expect(before.bankedMinutes).toBe(80);
      // the relation must exist: named by the volunteer and, as confirmation, by the relative
      const notYet = await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 30, relation: '父母' });
      expect([notYet.status, notYet.body.code, notYet.body.fields?.[0]?.field]).toEqual([422, 'NOT_A_RELATIVE', 'toUserId']);
      const named = expectOk(await volunteer.http.post('/api/v1/me/relatives', { phone: relative.phone, relation: '母亲' }), 200, 'name relative');
      expect(named.relatives).toEqual([]); // one side only: nothing shown (and nothing said about the number)
      const unknown = expectOk(await volunteer.http.post('/api/v1/me/relatives', { phone: randomPhone('137'), relation: '父亲' }), 200, 'unknown number');
      expect(unknown).toEqual(named);
      expect((await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 30, relation: '父母' })).body.code).toBe('NOT_A_RELATIVE');
      const confirmed = expectOk(await relative.http.post('/api/v1/me/relatives', { phone: volunteer.phone, relation: '儿子' }), 200, 'relative confirms');
      expect(confirmed.relatives).toEqual([{ userId: volunteer.userId, name: `${team.name}队员1`, relation: '儿子' }]);
      expect(expectOk(await volunteer.http.get('/api/v1/me/relatives'), 200, 'relatives')).toEqual([{ userId: relative.id, name: '志愿者的母亲', relation: '母亲' }]);
      // the relation of a transfer is one of the fixed list (free text is for the relatives list)
      const freeText = await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 30, relation: '母亲' });
      expect([freeText.status, freeText.body.code, freeText.body.fields[0].field]).toEqual([400, 'VALIDATION_FAILED', 'relation']);
      // an unknown id gets the same answer as someone not named: nothing is learnt about other accounts
      const unknownId = await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: '00000000-0000-4000-8000-000000000000', minutes: 1, relation: '父母' });
      expect([unknownId.status, unknownId.body.code]).toEqual([422, 'NOT_A_RELATIVE']);
      const moved = expectOk(await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 30, relation: '父母' }), 200, 'transfer');
      expect(moved.bankedMinutes).toBe(50);
      expect(moved.movements[0]).toMatchObject({ type: 'transfer', account: 'time_bank', amount: -30, ref: 'relative:父母' });
      expect((await db.query(`SELECT balance::int FROM wallet_accounts WHERE owner_id = $1 AND kind = 'time_bank'`, [relative.id])).rows[0].balance).toBe(30);
      const tooMuch = await volunteer.http.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 51, relation: '父母' });
      expect([tooMuch.status, tooMuch.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);

      // the relative draws the time as care for a profile she recorded, if its age band reaches the pack's minimum (60)
      const young = expectOk(await relative.http.post('/api/v1/beneficiaries', { name: '志愿者的母亲', ageBand: '18_59', address: '测试社区 5 幢', location: offset(home, 50, 0) }), 201, 'young profile').id;
      const old = expectOk(await relative.http.post('/api/v1/beneficiaries', { name: '志愿者的外婆', ageBand: '80_plus', address: '测试社区 5 幢', location: offset(home, 50, 0) }), 201, 'old profile').id;
      const tooYoung = await relative.http.post('/api/v1/me/wallet/draw', { beneficiaryId: young, minutes: 10 });
      expect([tooYoung.status, tooYoung.body.code, tooYoung.body.minAgeToDraw, tooYoung.body.ageBand]).toEqual([422, 'DRAW_AGE_BELOW_MINIMUM', 60, '18_59']);
      const drawn = expectOk(await relative.http.post('/api/v1/me/wallet/draw', { beneficiaryId: old, minutes: 20 }), 200, 'draw');
      expect(drawn.bankedMinutes).toBe(10);
      expect(drawn.movements[0]).toMatchObject({ type: 'draw', account: 'time_bank', amount: -20 });
      const overdraw = await relative.http.post('/api/v1/me/wallet/draw', { beneficiaryId: old, minutes: 11 });
      expect([overdraw.status, overdraw.body.code]).toEqual([409, 'INSUFFICIENT_BALANCE']);
      // someone else's profile is not theirs to draw for
      expect((await volunteer.http.post('/api/v1/me/wallet/draw', { beneficiaryId: old, minutes: 1 })).status).toBe(404);

      // a team of the county itself: the county's pack forbids transfers (and donations)
      const strictTeam = await createTeam(api, admin, countyId, { name: `县直队${tag}`, location: home, serviceRadiusM: 1000, skills: [skill], capacity: 1 });
      const strict = strictTeam.members[0].http;
      expect(expectOk(await strict.get('/api/v1/me/wallet'), 200, 'wallet').pack).toMatchObject({ name: 'strict', transferToRelative: false });
      const refused = await strict.post('/api/v1/me/wallet/transfer', { toUserId: relative.id, minutes: 1, relation: '父母' });
      expect([refused.status, refused.body.code]).toEqual([422, 'TRANSFER_NOT_ALLOWED']);
      const donation = await strict.post('/api/v1/me/wallet/donate', { minutes: 1 });
      expect([donation.status, donation.body.code]).toEqual([422, 'TRANSFER_NOT_ALLOWED']);
    });

    it('runs opposite transfers at the same moment (A→B and B→A, twenty pairs) without a deadlock: each succeeds or is refused cleanly, nothing goes negative', async () => {
      // two residents who also volunteer in the station's team (its pack allows transfers), each given 20 banked minutes
      const [a, b] = await Promise.all([registerResident(api, '老张'), registerResident(api, '老李')]);
      for (const r of [a, b]) {
        expectOk(await admin.post(`/api/v1/teams/${team.id}/members`, { phone: r.phone, name: '居民志愿者', password: 'Volunteer#2026', role: 'member' }), 201, 'member');
      }
      // their sessions ended when they became volunteers; they sign in again with their own password
      const [httpA, httpB] = [await login(api, a.phone, 'Resident#2026'), await login(api, b.phone, 'Resident#2026')];
      // everyone names everyone: a transfer goes to a relative both sides have named
      const giver = team.members[0];
      for (const [from, to] of [[giver.http, a], [giver.http, b], [httpA, giver], [httpB, giver], [httpA, b], [httpB, a]] as const) {
        expectOk(await from.post('/api/v1/me/relatives', { phone: to.phone, relation: '亲戚' }), 200, 'relative');
      }
      for (const r of [a, b]) {
        expectOk(await giver.http.post('/api/v1/me/wallet/transfer', { toUserId: r.id, minutes: 20, relation: '兄弟姐妹' }), 200, 'seed');
      }
      const results = await Promise.all(Array.from({ length: 20 }, () => [
        httpA.post('/api/v1/me/wallet/transfer', { toUserId: b.id, minutes: 5, relation: '配偶' }),
        httpB.post('/api/v1/me/wallet/transfer', { toUserId: a.id, minutes: 5, relation: '配偶' }),
      ]).flat());
      const outcomes = results.map((r) => (r.status === 200 ? '200' : `${r.status} ${r.body.code}`));
      expect(outcomes.filter((o) => o !== '200' && o !== '409 INSUFFICIENT_BALANCE')).toEqual([]);
      expect(outcomes.filter((o) => o === '200').length).toBeGreaterThan(0);
      const { rows } = await db.query(
        `SELECT a.owner_id, a.balance::int,
                (SELECT count(*)::int FROM wallet_movements m WHERE m.type = 'transfer' AND m.debit_account = a.id) AS sent
           FROM wallet_accounts a WHERE a.kind = 'time_bank' AND a.owner_id = ANY ($1::uuid[])`,
        [[a.id, b.id]],
      );
      const byOwner = Object.fromEntries(rows.map((r: any) => [r.owner_id, r]));
      expect(byOwner[a.id].balance + byOwner[b.id].balance).toBe(40);
      expect(Math.min(byOwner[a.id].balance, byOwner[b.id].balance)).toBeGreaterThanOrEqual(0);
      // every success is one movement, and each side's balance is what its movements say
      expect(byOwner[a.id].sent + byOwner[b.id].sent).toBe(outcomes.filter((o) => o === '200').length);
      expect(byOwner[a.id].balance).toBe(20 - 5 * byOwner[a.id].sent + 5 * byOwner[b.id].sent);
    });
  });
  describe('themed activities', () => {
    it('signs up within the capacity, then onto the waiting list; a cancellation promotes the first waiting', async () => {
      const [a, b, c] = [team.members[0], team.members[1], team.members[2]];
      const region = (await db.query(`SELECT region_id FROM teams WHERE id = $1`, [team.id])).rows[0].region_id;
      const startsAt = new Date(Date.now() + 3 * 24 * 3600_000);
      const endsAt = new Date(startsAt.getTime() + 2 * 3600_000);
      const created = expectOk(await staff.post('/api/v1/activities', {
        regionId: region, theme: '月月有主题：为独居老人包饺子', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(),
        location: home, address: '社区活动室', capacity: 2, creditedMinutes: 120,
      }), 201, 'create activity');
      expect(created.qrToken).toEqual(expect.any(String));
      expect((await a.http.post('/api/v1/activities', { regionId: region, theme: 'x', startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), location: home, address: 'x', capacity: 1, creditedMinutes: 1 })).status).toBe(403);

      expect(expectOk(await a.http.post(`/api/v1/activities/${created.id}/signup`), 200, 'a').myStatus).toBe('confirmed');
      expect(expectOk(await b.http.post(`/api/v1/activities/${created.id}/signup`), 200, 'b').myStatus).toBe('confirmed');
      const waiting = expectOk(await c.http.post(`/api/v1/activities/${created.id}/signup`), 200, 'c');
      expect(waiting).toMatchObject({ myStatus: 'waiting', confirmed: 2, waiting: 1 });
      expect(waiting).not.toHaveProperty('qrToken');
      expectOk(await a.http.post(`/api/v1/activities/${created.id}/cancel-signup`), 200, 'a cancels');
      expect(expectOk(await c.http.get(`/api/v1/activities/${created.id}`), 200, 'c').myStatus).toBe('confirmed');

      // QR attendance: only with the venue's code, during the activity and near the place
      const scan = (who: typeof a, body: Record<string, unknown>) => who.http.post(`/api/v1/activities/${created.id}/attend`, { token: created.qrToken, location: home, ...body });
      const early = await scan(b, {});
      expect([early.status, early.body.code]).toEqual([422, 'ACTIVITY_NOT_NOW']);
      writeFileSync(clockFile, new Date(startsAt.getTime() + 30 * 60_000).toISOString());
      try {
        const far = await scan(b, { location: offset(home, 0, 2000) });
        expect([far.status, far.body.code]).toEqual([422, 'ACTIVITY_TOO_FAR']);
        const forged = await scan(b, { token: 'not-the-code' });
        expect([forged.status, forged.body.code]).toEqual([422, 'ACTIVITY_QR_INVALID']);
        const cancelled = await scan(a, {});
        expect([cancelled.status, cancelled.body.code]).toEqual([409, 'NOT_SIGNED_UP']);
        expect(expectOk(await scan(b, {}), 200, 'attend').myAttended).toBe(true);
      } finally {
        writeFileSync(clockFile, '');
      }
      const late = await scan(c, {});
      expect([late.status, late.body.code]).toEqual([422, 'ACTIVITY_NOT_NOW']);
      // the leader's list, entered by staff
      expect(expectOk(await staff.post(`/api/v1/activities/${created.id}/attendance`, { volunteerIds: [c.userId] }), 200, 'attendance').attended).toBe(2);

      const record = expectOk(await b.http.get('/api/v1/me/service-record'), 200, 'record');
      expect(record.entries[0]).toMatchObject({ kind: 'credit', minutes: 120, sourceType: 'activity', sourceId: created.id, confirmation: 'organiser', content: '主题活动：月月有主题：为独居老人包饺子' });
      const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(startsAt);
      const listed = expectOk(await staff.get(`/api/v1/activities?month=${month}`), 200, 'month list');
      expect(listed.find((x: any) => x.id === created.id)).toMatchObject({ confirmed: 2, waiting: 0, attended: 2 });
    });
  });
  describe('exports', () => {
    it('exports a volunteer\'s and a team\'s ledger as XLSX and CSV, and the national import CSV', async () => {
      const volunteer = team.members[1];
      const get = (who: Http, path: string) => fetch(`${platform.api.url}${path}`, { headers: { authorization: `Bearer ${who.token}` } });
      const xlsx = await get(volunteer.http, '/api/v1/me/service-record/export');
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
      const ledgerBytes = Buffer.from(await (await get(volunteer.http, '/api/v1/me/service-record/export?format=csv')).arrayBuffer());
      expect([...ledgerBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: spreadsheets read the Chinese right
      const ledger = ledgerBytes.subarray(3).toString('utf8');
      expect(ledger.split('\r\n')[0]).toBe('记录号,志愿者,服务日期,类型,服务内容,时长（分钟）,组织方,确认方式,更正原因');
      expect(ledger).toContain(',冲销,');
      const national = await (await get(volunteer.http, '/api/v1/me/service-record/export?format=national')).text();
      const lines = national.trim().split('\r\n');
      expect(lines[0]).toBe('姓名,证件类型,证件号码,服务日期,服务时长（小时）,服务内容,服务组织');
      // the order (60 → 45 → 50 minutes, net 50) and the activity (120 minutes)
      expect(lines.slice(1).map((l) => l.split(',')[4]).sort()).toEqual(['0.83', '2']);
      expect(lines[1].split(',')[0]).toBe(`${team.name}队员2`);

      const teamCsv = await get(staff, `/api/v1/teams/${team.id}/service-ledger/export?format=csv`);
      expect(teamCsv.status).toBe(200);
      expect(await teamCsv.text()).toContain(`${team.name}队员5`);
      expect((await get(volunteer.http, `/api/v1/teams/${team.id}/service-ledger/export`)).status).toBe(403);
    });
  });

  describe('五星服务队 and the county boundary', () => {
    it('ranks a county\'s teams for the month by hours, satisfaction and answered offers; flags the top team; shows each county only its own', async () => {
      const far: LatLng = { lat: home.lat + 1, lng: home.lng + 1 };
      const { station } = await createRegions(admin, far, `${tag}B`);
      const [skillX, skillY] = [`${skill}_x`, `${skill}_y`];
      await createService(admin, `${code}_X`, [skillX], 60);
      await createService(admin, `${code}_Y`, [skillY], 60);
      const x = await createTeam(api, admin, station.id, { name: `甲队${tag}`, location: offset(far, 100, 0), serviceRadiusM: 10000, skills: [skillX], capacity: 5, members: 1 });
      const y = await createTeam(api, admin, station.id, { name: `乙队${tag}`, location: offset(far, -100, 0), serviceRadiusM: 10000, skills: [skillY], capacity: 5, members: 1 });
      const z = await createTeam(api, admin, station.id, { name: `丙队${tag}`, location: offset(far, 0, 100), serviceRadiusM: 10000, skills: [`${skill}_z`], capacity: 5, members: 1 });

      /** One served, checked-out, rated order of `team` with `minutes` and `stars`. */
      async function serve(t: CreatedTeam, serviceCode: string, minutes: number, stars: number) {
        const v = t.members[0];
        const resident = await registerResident(api, '李大爷');
        const placed = expectOk(await resident.http.post('/api/v1/orders', { serviceCode, description: '上门理发', location: far, address: '远方社区 2 幢' }), 201, 'place');
        const offer = await until('offer', async () => (await v.http.get('/api/v1/offers?status=pending&limit=100')).body.items.find((o: any) => o.orderId === placed.id), 30000);
        expectOk(await v.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
        expectOk(await v.http.post(`/api/v1/orders/${placed.id}/check-in`, { location: far }), 200, 'check in');
        await checkedInMinutesAgo(placed.id, minutes);
        expectOk(await v.http.post(`/api/v1/orders/${placed.id}/check-out`, { location: far }), 200, 'check out');
        expectOk(await v.http.post(`/api/v1/orders/${placed.id}/complete`, { report: '理发', minutes }), 200, 'complete');
        expectOk(await rate(resident, placed.id, { stars }), 201, 'rate');
      }
      await serve(x, `${code}_X`, 60, 5);
      await serve(y, `${code}_Y`, 30, 3);

      const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date(Date.now() - 60 * 60_000)).slice(0, 7);
      const seen = expectOk(await x.members[0].http.get(`/api/v1/teams/rankings?month=${month}`), 200, 'rankings');
      expect(seen).toMatchObject({ month, fiveStarCount: 1 });
      // X: 50 × 1 + 30 × 5/5 + 20 × 1/1 = 100; Y: 50 × 30/60 + 30 × 3/5 + 20 × 1/1 = 63; Z: nothing = 0
      expect(seen.items.map((i: any) => [i.teamName, i.rank, i.verifiedMinutes, i.averageStars, i.offersAnswered, i.score, i.fiveStar, i.mine])).toEqual([
        [x.name, 1, 60, 5, 1, 100, true, true],
        [y.name, 2, 30, 3, 1, 63, false, false],
        [z.name, 3, 0, null, 0, 0, false, false],
      ]);
      // the first county's staff and volunteers see their own county only
      const ours = expectOk(await staff.get(`/api/v1/teams/rankings?month=${month}`), 200, 'staff rankings');
      expect(ours.items.map((i: any) => i.teamId)).toContain(team.id);
      expect(ours.items.map((i: any) => i.teamId)).not.toContain(x.id);
      expect(expectOk(await team.members[0].http.get(`/api/v1/teams/rankings?month=${month}`), 200, 'member rankings').items.map((i: any) => i.teamId)).not.toContain(x.id);
      // another month has nothing to rank
      const old = expectOk(await x.members[0].http.get('/api/v1/teams/rankings?month=2020-01'), 200, 'old month');
      expect(old.items.map((i: any) => [i.verifiedMinutes, i.fiveStar])).toEqual([[0, false], [0, false], [0, false]]);
      expect((await x.members[0].http.get('/api/v1/teams/rankings?month=2026-13')).status).toBe(400);

      // the team page: members' star levels, for staff of the team's jurisdiction only
      const levels = expectOk(await staff.get(`/api/v1/teams/${team.id}/star-levels`), 200, 'stars');
      expect(levels.find((l: any) => l.userId === team.members[1].userId)).toMatchObject({ verifiedMinutes: 170, starLevel: 0 });
      expect((await staff.get(`/api/v1/teams/${x.id}/star-levels`)).status).toBe(404);

      // activities: a volunteer of the other county neither lists, opens nor joins the first county's
      const region = (await db.query(`SELECT region_id FROM teams WHERE id = $1`, [team.id])).rows[0].region_id;
      const startsAt = new Date(Date.now() + 2 * 24 * 3600_000);
      const created = expectOk(await staff.post('/api/v1/activities', {
        regionId: region, theme: '社区义诊', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
        location: home, address: '社区卫生室', capacity: 1, creditedMinutes: 60,
      }), 201, 'activity');
      const activityMonth = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(startsAt).slice(0, 7);
      const outsider = x.members[0].http;
      expect(expectOk(await outsider.get(`/api/v1/activities?month=${activityMonth}`), 200, 'outsider list').map((a: any) => a.id)).not.toContain(created.id);
      expect((await outsider.get(`/api/v1/activities/${created.id}`)).status).toBe(404);
      expect((await outsider.post(`/api/v1/activities/${created.id}/signup`)).status).toBe(404);
      // inside: the first sign-up takes the place, the next waits as number 1; staff see both in order
      expect(expectOk(await team.members[2].http.get(`/api/v1/activities?month=${activityMonth}`), 200, 'list').map((a: any) => a.id)).toContain(created.id);
      expectOk(await team.members[2].http.post(`/api/v1/activities/${created.id}/signup`), 200, 'signup');
      expect(expectOk(await team.members[3].http.post(`/api/v1/activities/${created.id}/signup`), 200, 'wait')).toMatchObject({ myStatus: 'waiting', myWaitingPosition: 1 });
      const signups = expectOk(await staff.get(`/api/v1/activities/${created.id}/signups`), 200, 'signups');
      expect(signups.map((r: any) => [r.volunteerId, r.status, r.waitingPosition])).toEqual([
        [team.members[2].userId, 'confirmed', null], [team.members[3].userId, 'waiting', 1]]);
      expect((await team.members[2].http.get(`/api/v1/activities/${created.id}/signups`)).status).toBe(403);
    });
  });

  describe('a correction and the certificates already issued', () => {
    it('a correction that lowers the record revokes the holder\'s certificates above it; the next download carries the right hours', async () => {
      const volunteer = team.members[4];
      const download = async () => {
        const res = await fetch(`${platform.api.url}/api/v1/me/certificate`, { headers: { authorization: `Bearer ${volunteer.http.token}` } });
        expect(res.status).toBe(200);
        return res.headers.get('x-certificate-number')!;
      };
      const anyone = new Http(platform.api.url);
      const before = await download();
      const hoursBefore = expectOk(await anyone.get(`/api/v1/certificates/${before}`), 200, 'verify').verifiedHours;
      const entry = expectOk(await volunteer.http.get('/api/v1/me/service-record'), 200, 'record').entries.find((e: any) => e.kind === 'credit' && e.minutes >= 30);
      expectOk(await staff.post(`/api/v1/ledger-entries/${entry.id}/corrections`, { minutes: entry.minutes - 30, reason: '复核：实际少了半小时' }), 201, 'correct');
      const check = expectOk(await anyone.get(`/api/v1/certificates/${before}`), 200, 'verify after the correction');
      expect(check.valid).toBe(false);
      const after = await download();
      expect(after).not.toBe(before);
      const renewed = expectOk(await anyone.get(`/api/v1/certificates/${after}`), 200, 'the new one');
      expect(renewed.valid).toBe(true);
      expect(renewed.verifiedHours).toBeCloseTo(hoursBefore - 0.5, 5);
    });
  });
});
