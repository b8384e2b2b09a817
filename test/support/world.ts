import { randomInt } from 'node:crypto';
import { ADMIN } from './env';
import { Http } from './http';
import { readSmsCode, sendSmsCode, smsMark, uniquePhone } from './sms-codes';

export interface LatLng {
  lat: number;
  lng: number;
}

/** The point `east` and `north` metres away from `p` (good enough at county scale). */
export function offset(p: LatLng, east: number, north: number): LatLng {
  const dLat = north / 111320;
  const dLng = east / (111320 * Math.cos((p.lat * Math.PI) / 180));
  return { lat: p.lat + dLat, lng: p.lng + dLng };
}

export function randomPhone(prefix = '137'): string {
  return prefix + String(randomInt(0, 1e8)).padStart(8, '0');
}

/**
 * Password login; where the api asks staff for the second factor (STAFF_SECOND_FACTOR=sms: 401
 * SECOND_FACTOR_REQUIRED), the SMS code it sent is read and the login repeated with it.
 */
export async function login(api: Http, phone: string, password: string): Promise<Http> {
  let mark = smsMark();
  let res = await api.post('/api/v1/auth/login', { phone, password });
  for (let i = 0; i < 3 && res.status === 429 && res.body?.code === 'OTP_RESEND_COOLDOWN'; i++) {
    // the second factor's code was sent a moment ago: it is sent again once the cooldown has passed
    await new Promise((r) => setTimeout(r, 1000 * Number(res.body.retryAfterSeconds ?? 1)));
    mark = smsMark();
    res = await api.post('/api/v1/auth/login', { phone, password });
  }
  if (res.status === 401 && res.body?.code === 'SECOND_FACTOR_REQUIRED') {
    res = await api.post('/api/v1/auth/login', { phone, password, smsCode: await readSmsCode(phone, mark) });
  }
  if (res.status !== 200) throw new Error(`login ${phone}: ${res.status} ${JSON.stringify(res.body)}`);
  return api.as(res.body.accessToken);
}

export async function adminClient(api: Http): Promise<Http> {
  return login(api, ADMIN.phone, ADMIN.password);
}

/**
 * A new resident account through the real registration: the SMS code is sent to the phone and read
 * back from the development SMS sender's output or the fake gateway (test/support/sms-codes.ts).
 */
export async function registerResident(api: Http, name = '测试居民'): Promise<{ http: Http; id: string; phone: string }> {
  const phone = uniquePhone('137', () => randomPhone('137'));
  const smsCode = await sendSmsCode(api, phone);
  const res = await api.post('/api/v1/auth/register', { phone, password: 'Resident#2026', name, smsCode });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { http: api.as(res.body.accessToken), id: res.body.user.id, phone };
}

export function expectOk<T = any>(res: { status: number; body: T }, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface TeamSpec {
  name: string;
  location: LatLng;
  serviceRadiusM: number;
  skills: string[];
  capacity: number;
  members?: number;
}

export interface CreatedTeam {
  id: string;
  name: string;
  members: { phone: string; http: Http; userId: string }[];
}

/** A county with one township and one station around `centre`, made through the admin API. */
/** A square GeoJSON polygon of half-side `halfM` metres around `c`: the test worlds' region boundaries. */
export function square(c: LatLng, halfM: number) {
  const sw = offset(c, -halfM, -halfM);
  const ne = offset(c, halfM, halfM);
  return { type: 'Polygon', coordinates: [[[sw.lng, sw.lat], [ne.lng, sw.lat], [ne.lng, ne.lat], [sw.lng, ne.lat], [sw.lng, sw.lat]]] };
}

export async function createRegions(admin: Http, centre: LatLng, tag: string) {
  const county = expectOk(await admin.post('/api/v1/regions', { name: `测试县${tag}`, level: 'county', boundary: square(centre, 40000) }), 201, 'county');
  const township = expectOk(
    await admin.post('/api/v1/regions', { name: `测试镇${tag}`, level: 'township', parentId: county.id, boundary: square(centre, 15000) }),
    201,
    'township',
  );
  const station = expectOk(
    await admin.post('/api/v1/regions', { name: `测试社区${tag}`, level: 'village', parentId: township.id, boundary: square(centre, 5000) }),
    201,
    'station',
  );
  return { county, township, station };
}

export async function createService(admin: Http, code: string, skills: string[], acceptTimeoutSeconds: number, requiresReview = false) {
  return expectOk(
    await admin.post('/api/v1/services', { code, name: `测试服务${code}`, group: '测试', requiredSkills: skills, acceptTimeoutSeconds, requiresReview }),
    201,
    `service ${code}`,
  );
}

export async function createTeam(api: Http, admin: Http, regionId: string, spec: TeamSpec): Promise<CreatedTeam> {
  const team = expectOk(
    await admin.post('/api/v1/teams', {
      name: spec.name,
      regionId,
      location: spec.location,
      serviceRadiusM: spec.serviceRadiusM,
      skills: spec.skills,
      capacity: spec.capacity,
    }),
    201,
    `team ${spec.name}`,
  );
  const members: CreatedTeam['members'] = [];
  for (let i = 0; i < (spec.members ?? 1); i++) {
    const phone = randomPhone('139');
    const added = expectOk(
      await admin.post(`/api/v1/teams/${team.id}/members`, { phone, name: `${spec.name}队员${i + 1}`, password: 'Volunteer#2026', role: i === 0 ? 'leader' : 'member' }),
      201,
      'member',
    );
    members.push({ phone, http: await login(api, phone, 'Volunteer#2026'), userId: added.userId });
  }
  return { id: team.id, name: spec.name, members };
}
