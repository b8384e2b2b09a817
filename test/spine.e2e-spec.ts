import { Client } from 'pg';
import { startPlatform, Platform } from './support/apps';
import { TEST_DATABASE_URL } from './support/env';
import { Http, until } from './support/http';
import {
  adminClient, createRegions, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident,
} from './support/world';

/**
 * The whole 点单 → 派单 → 接单 → 评单 story against the three real apps, real Postgres+PostGIS and
 * real Redis: nearest capable team first, decline cascades, a 2-second timeout escalates, staff
 * assign, 20 simultaneous accepts with exactly one winner, check-in, complete, rate, closed.
 */
describe('spine: order → dispatch → accept → rate', () => {
  const tag = `S${Date.now() % 100000}`;
  const skill = `haircut_${tag.toLowerCase()}`;
  const home: LatLng = { lat: 30.62, lng: 119.66 };
  let platform: Platform;
  let db: Client;
  let api: Http;
  let admin: Http;
  let dispatcherStaff: Http;
  let teams: Record<'noSkill' | 'near' | 'second' | 'outOfRadius' | 'far', CreatedTeam>;
  let resident: { http: Http; id: string; phone: string };
  let orderId: string;

  beforeAll(async () => {
    platform = await startPlatform(`spine-${tag}`);
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    api = new Http(platform.api.url);
    admin = await adminClient(api);
    const { county, station } = await createRegions(admin, home, tag);
    await createService(admin, `HAIRCUT_${tag}`, [skill], 2);
    teams = {
      noSkill: await createTeam(api, admin, station.id, { name: `保洁队${tag}`, location: offset(home, 150, 0), serviceRadiusM: 3000, skills: ['cleaning'], capacity: 5 }),
      near: await createTeam(api, admin, station.id, { name: `近队${tag}`, location: offset(home, 0, 500), serviceRadiusM: 3000, skills: [skill, 'cleaning'], capacity: 5 }),
      second: await createTeam(api, admin, station.id, { name: `次近队${tag}`, location: offset(home, -1500, 0), serviceRadiusM: 3000, skills: [skill], capacity: 5 }),
      outOfRadius: await createTeam(api, admin, station.id, { name: `半径外队${tag}`, location: offset(home, 0, -1200), serviceRadiusM: 1000, skills: [skill], capacity: 5 }),
      far: await createTeam(api, admin, station.id, { name: `远队${tag}`, location: offset(home, 12000, 0), serviceRadiusM: 3000, skills: [skill], capacity: 1, members: 20 }),
    };
    const staffPhone = randomPhone('138');
    expectOk(await admin.post('/api/v1/staff', { phone: staffPhone, name: '调度员', password: 'Dispatch#2026', role: 'dispatcher', regionId: county.id }), 201, 'staff');
    dispatcherStaff = await login(api, staffPhone, 'Dispatch#2026');
    resident = await registerResident(api, '王奶奶');
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await platform?.stop();
  });

  const order = async () => expectOk(await resident.http.get(`/api/v1/orders/${orderId}`), 200, 'get order');
  const pendingOffer = async (team: CreatedTeam) => {
    const res = await team.members[0].http.get('/api/v1/offers?status=pending');
    return res.body.items.find((o: any) => o.orderId === orderId);
  };

  it('places an order that is offered to the nearest team holding the skill, within its radius', async () => {
    const placed = await resident.http.post(
      '/api/v1/orders',
      { serviceCode: `HAIRCUT_${tag}`, description: '老人行动不便，需要上门理发', location: home, address: '测试社区 3 幢 201 室' },
      { 'Idempotency-Key': `spine-${tag}-1` },
    );
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('dispatching');
    expect(placed.body.address).toBe('测试社区 3 幢 201 室');
    expect(placed.body.area).toBe(`测试社区${tag}`);
    orderId = placed.body.id;

    const offer = await until('offer to the near team', () => pendingOffer(teams.near));
    expect(offer.teamId).toBe(teams.near.id);
    // ~500 m away: the team is told the distance to the kilometre, never in metres
    expect([0, 1]).toContain(offer.scoreBreakdown.distanceKm);
    expect(offer.scoreBreakdown.distanceM).toBeUndefined();
    // privacy: the offer carries area and a coarse location, never the address, exact location or phone
    expect(offer.order.area).toBe(`测试社区${tag}`);
    expect(JSON.stringify(offer)).not.toContain('3 幢 201');
    expect(JSON.stringify(offer)).not.toContain(resident.phone);
    expect(offer.order.coarseLocation).toEqual({ lat: 30.62, lng: 119.66 });
    expect((await order()).status).toBe('offered');
    expect(await pendingOffer(teams.noSkill)).toBeUndefined();

    // the offered team may read the order, but only its redacted view
    const asTeam = expectOk(await teams.near.members[0].http.get(`/api/v1/orders/${orderId}`), 200, 'team reads order');
    expect(asTeam.address).toBeUndefined();
    expect(asTeam.contactPhone).toBeUndefined();
    expect(asTeam.location).toBeUndefined();
  });

  it('cascades to the next team when the first declines', async () => {
    const offer = await pendingOffer(teams.near);
    const declined = await teams.near.members[0].http.post(`/api/v1/offers/${offer.id}/decline`, { reason: '今天人手不足' });
    expect(declined.status).toBe(200);
    const next = await until('offer to the second team', () => pendingOffer(teams.second));
    expect(next.teamId).toBe(teams.second.id);
    // declining twice is a conflict, not a second cascade
    const again = await teams.near.members[0].http.post(`/api/v1/offers/${offer.id}/decline`, {});
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('OFFER_NOT_PENDING');
  });

  it('escalates to staff when the last candidate lets the 2-second window pass', async () => {
    const escalated = await until('escalation', async () => ((await order()).status === 'escalated' ? true : undefined), 15000);
    expect(escalated).toBe(true);
    const { rows } = await db.query(`SELECT team_id, status FROM offers WHERE order_id = $1 ORDER BY created_at`, [orderId]);
    expect(rows).toEqual([
      { team_id: teams.near.id, status: 'declined' },
      { team_id: teams.second.id, status: 'expired' },
    ]);
    const queue = expectOk(await dispatcherStaff.get('/api/v1/dispatch/queue?limit=100'), 200, 'queue');
    expect(queue.items.map((i: any) => i.orderId)).toContain(orderId);
  });

  it('shows staff the ranked candidates and lets them assign a team by hand', async () => {
    const candidates = expectOk(await dispatcherStaff.get(`/api/v1/orders/${orderId}/candidates`), 200, 'candidates');
    const ids = candidates.items.map((c: any) => c.teamId);
    expect(ids).toEqual([teams.near.id, teams.second.id]);
    expect(candidates.items[0].previouslyOffered).toBe(true);
    expect(candidates.items[0].breakdown).toHaveProperty('proximity');

    const assigned = await dispatcherStaff.post(`/api/v1/orders/${orderId}/assign`, { teamId: teams.far.id, note: '远队熟悉这位老人' });
    expect(assigned.status).toBe(201);
    expect(assigned.body.teamId).toBe(teams.far.id);
    expect((await order()).status).toBe('offered');
  });

  it('lets exactly one of 20 simultaneous accepts win, and the team never exceeds capacity', async () => {
    const offer = await pendingOffer(teams.far);
    const results = await Promise.all(teams.far.members.map((m) => m.http.post(`/api/v1/offers/${offer.id}/accept`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.code).toBe('OFFER_NOT_PENDING');
    const { rows } = await db.query(`SELECT active_orders, capacity FROM teams WHERE id = $1`, [teams.far.id]);
    expect(rows[0]).toEqual({ active_orders: 1, capacity: 1 });

    const accepted = await order();
    expect(accepted.status).toBe('accepted');
    expect(accepted.team).toEqual({ id: teams.far.id, name: teams.far.name });
    // now the serving team sees the exact address and phone
    const asTeam = expectOk(await teams.far.members[3].http.get(`/api/v1/orders/${orderId}`), 200, 'team reads');
    expect(asTeam.address).toBe('测试社区 3 幢 201 室');
    expect(asTeam.contactPhone).toBe(resident.phone);
  });

  it('checks in, completes, and the resident rates: the order closes and reputation moves', async () => {
    const volunteer = teams.far.members[1];
    const checkedIn = await volunteer.http.post(`/api/v1/orders/${orderId}/check-in`, { location: offset(home, 20, 10) });
    expect(checkedIn.status).toBe(200);
    expect(checkedIn.body.status).toBe('in_service');
    // naming who took part is the team leader's call (谁组织谁记录)
    const completed = await teams.far.members[0].http.post(`/api/v1/orders/${orderId}/complete`, {
      report: '理发完成，老人很满意',
      minutes: 45,
      volunteerIds: [volunteer.userId, teams.far.members[2].userId],
    });
    expect(completed.status).toBe(200);
    expect(completed.body.status).toBe('completed');
    const { rows } = await db.query(`SELECT active_orders FROM teams WHERE id = $1`, [teams.far.id]);
    expect(rows[0].active_orders).toBe(0);

    const rating = new Http(platform.rating.url, resident.http.token);
    const before = expectOk(await rating.get(`/api/v1/teams/${teams.far.id}/reputation`), 200, 'reputation');
    expect(before.ratingCount).toBe(0);
    const rated = await rating.post(`/api/v1/orders/${orderId}/rating`, {
      stars: 5, solved: true, comment: '非常感谢', dimensions: { attitude: 5, timeliness: 4, quality: 5 },
    });
    expect(rated.status).toBe(201);
    expect(rated.body.orderStatus).toBe('closed');
    const again = await rating.post(`/api/v1/orders/${orderId}/rating`, { stars: 4, solved: true });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_RATED');

    const after = expectOk(await rating.get(`/api/v1/teams/${teams.far.id}/reputation`), 200, 'reputation');
    expect(after.ratingCount).toBe(1);
    expect(after.average).toBe(5);
    // Bayesian: one 5-star rating lifts the score above the prior (3.5) but far from 5
    expect(after.score).toBeGreaterThan(3.5);
    expect(after.score).toBeLessThan(4);
  });

  it('records a complete timeline', async () => {
    const final = await order();
    expect(final.status).toBe('closed');
    const steps = final.timeline.map((e: any) => `${e.type}:${e.fromStatus ?? '-'}>${e.toStatus ?? '-'}`);
    expect(steps).toEqual([
      'placed:->dispatching',
      'offer:dispatching>offered',
      'decline:offered>dispatching',
      'offer:dispatching>offered',
      'expire_offer:offered>dispatching',
      'widen:->-',
      'widen:->-',
      'escalate:dispatching>escalated',
      'assign:escalated>offered',
      'accept:offered>accepted',
      'check_in:accepted>in_service',
      'complete:in_service>completed',
      'rate:completed>closed',
    ]);
    expect(final.timeline.find((e: any) => e.type === 'assign').actorRole).toBe('dispatcher');
    expect(final.timeline.find((e: any) => e.type === 'accept').actorRole).toBe('volunteer');
    expect(final.timeline.find((e: any) => e.type === 'escalate').actorRole).toBe('system');
    // station first, then township, then county (each widening a timeline entry), then staff
    expect(final.timeline.filter((e: any) => e.type === 'widen').map((e: any) => e.note)).toEqual([
      '本站内无人接单，扩大到本镇（街道）',
      '本镇（街道）内无人接单，扩大到全县',
    ]);
    for (const e of final.timeline) expect(Date.parse(e.at)).not.toBeNaN();
  });

  it('leaves no address, description, exact point, phone or phone ciphertext in any app\'s log of the whole run', async () => {
    // a refused request full of personal data (an order for a beneficiary who does not exist)
    const failed = await resident.http.post('/api/v1/orders', {
      serviceCode: `HAIRCUT_${tag}`, description: '门锁密码 4321，老人独居', location: home, address: '测试社区 9 幢 909 室', beneficiaryId: '00000000-0000-4000-8000-000000000000',
    }, { 'Idempotency-Key': `spine-fail-${tag}` });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    expect(failed.status).toBeLessThan(500);
    const { rows } = await db.query(`SELECT phone_enc FROM users WHERE id = $1`, [resident.id]);
    const secrets = [
      '测试社区 3 幢 201 室', '老人行动不便，需要上门理发', '门锁密码 4321', '测试社区 9 幢 909 室',
      resident.phone, ...Object.values(teams).flatMap((t) => t.members.map((m) => m.phone)),
      rows[0].phone_enc, String(home.lat) + ',' + String(home.lng), `${home.lng} ${home.lat}`,
    ];
    const apps = [platform.api, platform.dispatcher, platform.rating, platform.relay].filter((a): a is NonNullable<typeof a> => Boolean(a));
    // the api's log is not empty (it holds the development SMS sender's lines at least): the search is real
    expect(platform.api.output.join('')).toContain('[dev SMS]');
    for (const app of apps) {
      const log = app.output.join('');
      const found = secrets.filter((x) => log.includes(x));
      expect({ app: app.name, found }).toEqual({ app: app.name, found: [] });
    }
  });
});
