import { Http, until } from './http';
import {
  adminClient, createService, createTeam, CreatedTeam, expectOk, LatLng, login, offset, randomPhone, registerResident, square,
} from './world';

/**
 * A county with two townships (A and B), one village in each, a team in each village, and people
 * at every level of jurisdiction — what the OWASP API1/API3/API5 suites test access against:
 *
 *   county ─┬─ township A ── village A1   team A, grid worker A, resident alice
 *           └─ township B ── village B1   team B, grid worker B, resident bob
 *
 * Staff: a county-wide admin, a county dispatcher, an admin and a dispatcher of township A, a
 * dispatcher of township B. `centre` must be unique per suite (regions of all suites share a database).
 */
export interface Person {
  http: Http;
  id: string;
  phone: string;
}

export interface JurisdictionWorld {
  tag: string;
  centre: LatLng;
  admin: Http;
  regions: { county: any; a: any; a1: any; b: any; b1: any };
  at: { a1: LatLng; b1: LatLng; nowhere: LatLng };
  skill: string;
  serviceCode: string;
  reviewCode: string;
  teams: { a: CreatedTeam; b: CreatedTeam };
  staff: { countyAdmin: Person; countyDispatcher: Person; townAdminA: Person; townDispatcherA: Person; townDispatcherB: Person };
  grid: { a: Person; b: Person };
  residents: { alice: Person; bob: Person };
}


export const STAFF_PASSWORD = 'Staff#Pass2026';

export async function createPerson(api: Http, admin: Http, role: 'dispatcher' | 'admin' | 'grid_worker', regionId: string, name: string): Promise<Person> {
  const phone = randomPhone('135');
  const created = expectOk(await admin.post('/api/v1/staff', { phone, name, password: STAFF_PASSWORD, role, regionId }), 201, `staff ${name}`);
  return { http: await login(api, phone, STAFF_PASSWORD), id: created.userId, phone };
}

export async function buildJurisdictionWorld(api: Http, tag: string, centre: LatLng): Promise<JurisdictionWorld> {
  const admin = await adminClient(api);
  const aCentre = offset(centre, -12000, 0);
  const bCentre = offset(centre, 12000, 0);
  const region = async (body: Record<string, unknown>) => expectOk(await admin.post('/api/v1/regions', body), 201, `region ${body.name}`);
  const county = await region({ name: `辖区县${tag}`, level: 'county', boundary: square(centre, 30000) });
  const a = await region({ name: `甲镇${tag}`, level: 'township', parentId: county.id, boundary: square(aCentre, 10000) });
  const b = await region({ name: `乙镇${tag}`, level: 'township', parentId: county.id, boundary: square(bCentre, 10000) });
  const a1 = await region({ name: `甲村${tag}`, level: 'village', parentId: a.id, boundary: square(aCentre, 4000) });
  const b1 = await region({ name: `乙村${tag}`, level: 'village', parentId: b.id, boundary: square(bCentre, 4000) });

  const skill = `care_${tag.toLowerCase()}`;
  const serviceCode = `CARE_${tag}`;
  const reviewCode = `AID_${tag}`;
  await createService(admin, serviceCode, [skill], 3600);
  await createService(admin, reviewCode, [skill], 3600, true);
  const teams = {
    a: await createTeam(api, admin, a1.id, { name: `甲队${tag}`, location: offset(aCentre, 200, 0), serviceRadiusM: 5000, skills: [skill], capacity: 20, members: 2 }),
    b: await createTeam(api, admin, b1.id, { name: `乙队${tag}`, location: offset(bCentre, 200, 0), serviceRadiusM: 5000, skills: [skill], capacity: 20, members: 2 }),
  };
  const staff = {
    countyAdmin: await createPerson(api, admin, 'admin', county.id, '县管理员'),
    countyDispatcher: await createPerson(api, admin, 'dispatcher', county.id, '县调度员'),
    townAdminA: await createPerson(api, admin, 'admin', a.id, '甲镇管理员'),
    townDispatcherA: await createPerson(api, admin, 'dispatcher', a.id, '甲镇调度员'),
    townDispatcherB: await createPerson(api, admin, 'dispatcher', b.id, '乙镇调度员'),
  };
  const grid = {
    a: await createPerson(api, admin, 'grid_worker', a1.id, '甲村网格员'),
    b: await createPerson(api, admin, 'grid_worker', b1.id, '乙村网格员'),
  };
  const residents = { alice: await registerResident(api, '甲村居民'), bob: await registerResident(api, '乙村居民') };
  return {
    tag,
    centre,
    admin,
    regions: { county, a, a1, b, b1 },
    at: { a1: aCentre, b1: bCentre, nowhere: { lat: centre.lat + 8, lng: centre.lng + 8 } },
    skill,
    serviceCode,
    reviewCode,
    teams,
    staff,
    grid,
    residents,
  };
}

let keys = 0;
export async function placeOrder(who: Http, body: Record<string, unknown>): Promise<any> {
  return expectOk(await who.post('/api/v1/orders', body, { 'Idempotency-Key': `jw-${Date.now()}-${keys++}` }), 201, 'place order');
}

export async function pendingOfferFor(team: CreatedTeam, orderId: string): Promise<any> {
  return until(`offer of ${orderId} to ${team.name}`, async () => {
    const res = await team.members[0].http.get('/api/v1/offers?status=pending&limit=100');
    return res.body.items?.find((o: any) => o.orderId === orderId);
  });
}

export const beneficiaryBody = (location: LatLng, extra: Record<string, unknown> = {}) => ({
  name: '王桂英',
  ageBand: '80_plus',
  address: '古城路 18 号',
  location,
  phone: randomPhone('139'),
  ...extra,
});
