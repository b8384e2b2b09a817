import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * Staff work on an order by hand, against the real apps: find any active team of their jurisdiction
 * by name (distance, load, skills; misfits flagged), assign it — withdrawing another team's pending
 * offer only once they name it, never restarting a countdown — and read the timeline's facts (teams by
 * name, the check-in distance, reasons) that residents and teams do not get. Completion refuses more
 * minutes than have passed since check-in plus COMPLETION_MINUTES_SLACK.
 */
describe('manual assign, the timeline for staff, and completion minutes', () => {
  const tag = `MA${Date.now() % 100000}`;
  const skill = `visit_${tag.toLowerCase()}`;
  const code = `VISIT_${tag}`;
  const home: LatLng = { lat: 30.52, lng: 119.61 };
  const elsewhere: LatLng = { lat: 31.95, lng: 118.7 };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let staff: Http;
  let otherCountyStaff: Http;
  let resident: { http: Http; id: string; phone: string };
  let teams: Record<'near' | 'beyondRadius' | 'noSkill' | 'full' | 'inactive' | 'otherCounty', CreatedTeam>;
  let orderId: string;

  beforeAll(async () => {
    platform = await startPlatform(`assign-${tag}`, { COMPLETION_MINUTES_SLACK: '10' });
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    const admin = await adminClient(api);
    const here = await createRegions(admin, home, tag);
    const there = await createRegions(admin, elsewhere, `${tag}外`);
    // a long accept window: the offers stay pending while the test works on them
    await createService(admin, code, [skill], 3600);
    const team = (regionId: string, spec: Parameters<typeof createTeam>[3]) => createTeam(api, admin, regionId, spec);
    teams = {
      near: await team(here.station.id, { name: `近队${tag}`, location: offset(home, 0, 400), serviceRadiusM: 3000, skills: [skill], capacity: 5 }),
      beyondRadius: await team(here.station.id, { name: `远队${tag}`, location: offset(home, 2000, 0), serviceRadiusM: 1000, skills: [skill], capacity: 5 }),
      noSkill: await team(here.station.id, { name: `保洁队${tag}`, location: offset(home, 300, 0), serviceRadiusM: 3000, skills: ['cleaning'], capacity: 5 }),
      full: await team(here.station.id, { name: `满员队${tag}`, location: offset(home, 600, 0), serviceRadiusM: 3000, skills: [skill], capacity: 0 }),
      inactive: await team(here.station.id, { name: `停用队${tag}`, location: offset(home, 100, 0), serviceRadiusM: 3000, skills: [skill], capacity: 5 }),
      otherCounty: await team(there.station.id, { name: `外县队${tag}`, location: elsewhere, serviceRadiusM: 3000, skills: [skill], capacity: 5 }),
    };
    expectOk(await admin.patch(`/api/v1/teams/${teams.inactive.id}`, { active: false }), 200, 'deactivate');
    const staffOf = async (regionId: string) => {
      const phone = randomPhone('138');
      expectOk(await admin.post('/api/v1/staff', { phone, name: `调度员${tag}`, password: 'Dispatch#2026', role: 'dispatcher', regionId }), 201, 'staff');
      return login(api, phone, 'Dispatch#2026');
    };
    staff = await staffOf(here.county.id);
    otherCountyStaff = await staffOf(there.county.id);
    resident = await registerResident(api, '李爷爷');
  }, 180000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const place = async (n: number) =>
    expectOk(
      await resident.http.post('/api/v1/orders', { serviceCode: code, description: `独居老人需要探访 ${n}`, location: home, address: `测试社区 ${n} 号` }, { 'Idempotency-Key': `assign-${tag}-${n}` }),
      201,
      'place',
    ).id as string;
  const pendingOfferOf = (team: CreatedTeam, order: string) =>
    until(`an offer to ${team.name}`, async () => (await team.members[0].http.get('/api/v1/offers?status=pending')).body.items.find((o: any) => o.orderId === order));
  const offerRow = async (offerId: string) => (await db.query(`SELECT status, expires_at, reason FROM offers WHERE id = $1`, [offerId])).rows[0];
  const staffTimeline = async (id: string) => expectOk(await staff.get(`/api/v1/orders/${id}`), 200, 'order').timeline as any[];

  it('finds every active team of the jurisdiction by name, nearest first, with misfits flagged and the pending offer shown', async () => {
    orderId = await place(1);
    const offer = await pendingOfferOf(teams.near, orderId);
    const page = expectOk(await staff.get(`/api/v1/orders/${orderId}/assignable-teams?q=${encodeURIComponent(tag)}`), 200, 'search');
    expect(page.items.map((t: any) => t.name)).toEqual([teams.noSkill.name, teams.near.name, teams.full.name, teams.beyondRadius.name]);
    const by = Object.fromEntries(page.items.map((t: any) => [t.name, t]));
    expect(by[teams.near.name]).toMatchObject({ holdsPendingOffer: true, previouslyOffered: true, withinServiceRadius: true, missingSkills: [], atCapacity: false });
    expect(by[teams.beyondRadius.name]).toMatchObject({ withinServiceRadius: false, serviceRadiusM: 1000, holdsPendingOffer: false });
    expect(by[teams.beyondRadius.name].distanceM).toBeGreaterThan(1900);
    expect(by[teams.noSkill.name]).toMatchObject({ missingSkills: [skill], skills: ['cleaning'] });
    expect(by[teams.full.name]).toMatchObject({ atCapacity: true, capacity: 0 });
    expect(page.pendingOffers).toEqual([{ offerId: offer.id, teamId: teams.near.id, teamName: teams.near.name, expiresAt: offer.expiresAt }]);
    expect(page.requiredSkills).toEqual([skill]);

    // by name; % is a literal character; pages follow on without repeats
    expect(expectOk(await staff.get(`/api/v1/orders/${orderId}/assignable-teams?q=${encodeURIComponent(`远队${tag}`)}`), 200, 'q').items.map((t: any) => t.teamId))
      .toEqual([teams.beyondRadius.id]);
    expect(expectOk(await staff.get(`/api/v1/orders/${orderId}/assignable-teams?q=%25`), 200, 'q=%').items).toEqual([]);
    const first = expectOk(await staff.get(`/api/v1/orders/${orderId}/assignable-teams?q=${encodeURIComponent(tag)}&limit=2`), 200, 'page 1');
    const second = expectOk(await staff.get(`/api/v1/orders/${orderId}/assignable-teams?q=${encodeURIComponent(tag)}&limit=2&cursor=${first.nextCursor}`), 200, 'page 2');
    expect([...first.items, ...second.items].map((t: any) => t.name)).toEqual(page.items.map((t: any) => t.name));
    expect(second.nextCursor).toBeNull();

    // another county's staff do not see the order; a resident may not search at all
    expect((await otherCountyStaff.get(`/api/v1/orders/${orderId}/assignable-teams`)).status).toBe(404);
    expect((await resident.http.get(`/api/v1/orders/${orderId}/assignable-teams`)).status).toBe(403);
    expect((await staff.get(`/api/v1/orders/${orderId}/assignable-teams?cursor=bm9wZQ`)).body.code).toBe('VALIDATION_FAILED');
  });

  it('refuses to end or restart a pending offer nobody confirmed, and leaves its countdown alone', async () => {
    const offer = await pendingOfferOf(teams.near, orderId);
    const before = await offerRow(offer.id);

    const unconfirmed = await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.beyondRadius.id });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.code).toBe('OFFER_PENDING');
    expect(unconfirmed.body.pendingOffers).toEqual([expect.objectContaining({ offerId: offer.id, teamName: teams.near.name })]);
    expect(unconfirmed.body.fields.map((f: any) => f.field)).toEqual(['withdrawOfferIds']);

    const again = await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.near.id, withdrawOfferIds: [offer.id] });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('TEAM_ALREADY_OFFERED');

    const full = await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.full.id, withdrawOfferIds: [offer.id] });
    expect([full.status, full.body.code]).toEqual([409, 'TEAM_AT_CAPACITY']);
    const lacking = await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.noSkill.id, withdrawOfferIds: [offer.id] });
    expect([lacking.status, lacking.body.code, lacking.body.missingSkills]).toEqual([422, 'TEAM_LACKS_SKILLS', [skill]]);
    const foreign = await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.otherCounty.id, withdrawOfferIds: [offer.id] });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'TEAM_NOT_FOUND']);

    // nothing moved: the same offer, pending, with the same deadline; no new offer, no new timeline entry
    expect(await offerRow(offer.id)).toEqual(before);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM offers WHERE order_id = $1`, [orderId]);
    expect(rows[0].n).toBe(1);
    expect((await staffTimeline(orderId)).map((e) => e.type)).toEqual(['placed', 'offer']);
  });

  it('assigns a team beyond its radius once the pending offer is named: the withdrawal is its own timeline entry', async () => {
    const offer = await pendingOfferOf(teams.near, orderId);
    const assigned = expectOk(
      await staff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.beyondRadius.id, withdrawOfferIds: [offer.id], note: '远队认识李爷爷' }),
      201,
      'assign',
    );
    expect(assigned).toMatchObject({ teamId: teams.beyondRadius.id, status: 'pending', withdrawnOfferIds: [offer.id] });
    expect(await offerRow(offer.id)).toMatchObject({ status: 'withdrawn', reason: 'manual_assign' });
    expect(await pendingOfferOf(teams.beyondRadius, orderId)).toMatchObject({ id: assigned.id, source: 'manual' });
    // the withdrawn team no longer sees the offer or the order
    expect((await teams.near.members[0].http.get(`/api/v1/orders/${orderId}`)).status).toBe(404);

    const timeline = await staffTimeline(orderId);
    expect(timeline.map((e) => e.type)).toEqual(['placed', 'offer', 'offer_withdrawn', 'assign']);
    const [, auto, withdrawn, assign] = timeline;
    expect(auto.details).toMatchObject({ mode: 'offer', scope: 'station', offers: [{ offerId: offer.id, team: { id: teams.near.id, name: teams.near.name } }] });
    expect(withdrawn).toMatchObject({ actorRole: 'dispatcher', note: `改派：撤回给「${teams.near.name}」的派单`,
      details: { offerId: offer.id, team: { id: teams.near.id, name: teams.near.name }, reason: 'manual_assign' } });
    expect(assign).toMatchObject({
      note: '远队认识李爷爷',
      details: {
        offerId: assigned.id,
        team: { id: teams.beyondRadius.id, name: teams.beyondRadius.name },
        withdrawnOffers: [{ offerId: offer.id, team: { id: teams.near.id, name: teams.near.name } }],
        outsideServiceRadius: true,
      },
    });
  });

  it('assigns a team lacking a skill only when told to, and records the missing skill', async () => {
    const second = await place(2);
    const offer = await pendingOfferOf(teams.near, second);
    const assigned = expectOk(
      await staff.post(`/api/v1/orders/${second}/assign`, { teamId: teams.noSkill.id, withdrawOfferIds: [offer.id], allowMissingSkills: true }),
      201,
      'assign without the skill',
    );
    const assign = (await staffTimeline(second)).find((e) => e.type === 'assign');
    expect(assign.details).toMatchObject({ offerId: assigned.id, team: { name: teams.noSkill.name }, missingSkills: [skill] });
    expect(assign.details.outsideServiceRadius).toBeUndefined();
  });

  it('shows staff who accepted and how far from the order the volunteer checked in; residents and teams get no details', async () => {
    const volunteer = teams.beyondRadius.members[0];
    const offer = await pendingOfferOf(teams.beyondRadius, orderId);
    expectOk(await volunteer.http.post(`/api/v1/offers/${offer.id}/accept`), 200, 'accept');
    // 1,000 km away: refused (CHECKIN_MAX_DISTANCE_M) unless overridden with a reason; the distance is visible to staff
    const far = { lat: 34.75, lng: 113.62 };
    const refused = await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: far });
    expect([refused.status, refused.body.code]).toEqual([422, 'CHECKIN_TOO_FAR']);
    expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: far, override: true, reason: '定位偏差，人已在老人家中' }), 200, 'check in');

    const timeline = await staffTimeline(orderId);
    expect(timeline.map((e) => e.type)).toEqual(['placed', 'offer', 'offer_withdrawn', 'assign', 'accept', 'check_in']);
    const accept = timeline[4];
    expect(accept).toMatchObject({ note: `「${teams.beyondRadius.name}」已接单`, details: { offerId: offer.id, team: { id: teams.beyondRadius.id, name: teams.beyondRadius.name } } });
    const checkIn = timeline[5];
    expect(checkIn.note).toBe('志愿者已到达，开始服务');
    expect(checkIn.details.distanceFromOrderM).toBeGreaterThan(500_000);
    expect(checkIn.details.distanceFromOrderM).toBeLessThan(1_500_000);

    for (const who of [resident.http, volunteer.http]) {
      const seen = expectOk(await who.get(`/api/v1/orders/${orderId}`), 200, 'order').timeline as any[];
      expect(seen.map((e) => e.type)).toEqual(timeline.map((e) => e.type));
      for (const e of seen) expect(e).not.toHaveProperty('details');
    }
  });

  it('refuses more minutes than have passed since check-in plus the slack, with the field and the most allowed', async () => {
    const volunteer = teams.beyondRadius.members[0];
    const tooMany = await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '陪老人聊天', minutes: 1440 });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.code).toBe('MINUTES_EXCEED_SERVICE_TIME');
    expect(tooMany.body.fields).toEqual([expect.objectContaining({ field: 'minutes' })]);
    // checked in moments ago: the slack (10 minutes) and the minute begun
    expect(tooMany.body.maxMinutes).toBeGreaterThanOrEqual(10);
    expect(tooMany.body.maxMinutes).toBeLessThanOrEqual(12);
    const untouched = (await db.query(`SELECT o.status, sr.minutes, sr.completed_at FROM orders o JOIN service_records sr ON sr.order_id = o.id WHERE o.id = $1`, [orderId])).rows[0];
    expect(untouched).toEqual({ status: 'in_service', minutes: null, completed_at: null });

    // two hours after check-in (the clock is moved in the database, not waited for)
    await db.query(`UPDATE service_records SET checked_in_at = now() - interval '2 hours' WHERE order_id = $1`, [orderId]);
    const stillTooMany = await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '陪老人聊天', minutes: 200 });
    expect([stillTooMany.status, stillTooMany.body.code]).toEqual([422, 'MINUTES_EXCEED_SERVICE_TIME']);
    expect(stillTooMany.body.maxMinutes).toBeGreaterThanOrEqual(130);
    expect(stillTooMany.body.maxMinutes).toBeLessThanOrEqual(132);
    const done = expectOk(await volunteer.http.post(`/api/v1/orders/${orderId}/complete`, { report: '陪老人聊天，检查了燃气', minutes: 125 }), 200, 'complete');
    expect(done.status).toBe('completed');
    expect((await db.query(`SELECT minutes FROM service_records WHERE order_id = $1`, [orderId])).rows[0].minutes).toBe(125);
    const complete = (await staffTimeline(orderId)).find((e) => e.type === 'complete');
    expect(complete.details).toEqual({ minutes: 125, volunteerCount: 1 });
  });
});
