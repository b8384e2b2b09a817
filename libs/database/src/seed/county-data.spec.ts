import {
  DEMO_PASSWORD,
  LatLng,
  SKILL_LABELS,
  SKILLS,
  SeedRegion,
  regions,
  residents,
  beneficiaries,
  services,
  staff,
  teams,
} from './county-data';

/** The demo geometry is made of axis-aligned rectangles: [west, south, east, north]. */
type Rect = [number, number, number, number];

const EPS = 1e-9;

function rectOf(region: SeedRegion): Rect {
  const ring = region.boundary?.[0];
  if (!ring) throw new Error(`${region.key} has no boundary`);
  const lngs = ring.map((p) => p[0] as number);
  const lats = ring.map((p) => p[1] as number);
  return [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)];
}

/** Ray casting, for any simple polygon ring of [lng, lat]. */
function pointInRing(p: LatLng, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > p.lat !== yj > p.lat && p.lng < ((xj - xi) * (p.lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const rectContains = (outer: Rect, inner: Rect): boolean =>
  inner[0] >= outer[0] - EPS && inner[1] >= outer[1] - EPS && inner[2] <= outer[2] + EPS && inner[3] <= outer[3] + EPS;

/** True when the interiors intersect (sharing an edge is not overlapping). */
const rectsOverlap = (a: Rect, b: Rect): boolean =>
  Math.min(a[2], b[2]) - Math.max(a[0], b[0]) > EPS && Math.min(a[3], b[3]) - Math.max(a[1], b[1]) > EPS;

const area = (r: Rect): number => (r[2] - r[0]) * (r[3] - r[1]);

const byKey = new Map(regions.map((r) => [r.key, r]));
const regionOf = (key: string): SeedRegion => {
  const r = byKey.get(key);
  if (!r) throw new Error(`unknown region ${key}`);
  return r;
};
const ofLevel = (level: SeedRegion['level']) => regions.filter((r) => r.level === level);

const volunteers = teams.flatMap((t) => t.members);
const PHONE = /^1[3-9]\d{9}$/;

function pairs<T>(list: T[]): [T, T][] {
  const out: [T, T][] = [];
  list.forEach((a, i) => list.slice(i + 1).forEach((b) => out.push([a, b])));
  return out;
}

describe('demo county data', () => {
  describe('skills', () => {
    it('has a unique snake_case vocabulary with a Chinese label for each skill', () => {
      expect(new Set(SKILLS).size).toBe(SKILLS.length);
      for (const s of SKILLS) {
        expect(s).toMatch(/^[a-z][a-z0-9_]{1,39}$/);
        expect(SKILL_LABELS[s]).toMatch(/[\u4e00-\u9fff]/);
      }
      expect(Object.keys(SKILL_LABELS).sort()).toEqual([...SKILLS].sort());
    });

    it('uses only known skills in services, teams and volunteers', () => {
      const known = new Set(SKILLS);
      const used = [
        ...services.flatMap((s) => s.requiredSkills),
        ...teams.flatMap((t) => t.skills),
        ...volunteers.flatMap((v) => v.skills),
      ];
      expect(used.filter((s) => !known.has(s))).toEqual([]);
    });
  });

  describe('regions', () => {
    it('has unique keys and one county with key "county"', () => {
      expect(new Set(regions.map((r) => r.key)).size).toBe(regions.length);
      const counties = ofLevel('county');
      expect(counties.map((r) => r.key)).toEqual(['county']);
      expect(counties[0]?.parentKey).toBeUndefined();
    });

    it('has 5–6 townships, about 12 stations and a few points', () => {
      expect(ofLevel('township').length).toBeGreaterThanOrEqual(5);
      expect(ofLevel('township').length).toBeLessThanOrEqual(6);
      expect(ofLevel('village').length).toBeGreaterThanOrEqual(10);
      expect(ofLevel('village').length).toBeLessThanOrEqual(14);
      expect(ofLevel('point').length).toBeGreaterThanOrEqual(1);
    });

    it('nests each level in the level above', () => {
      const parentLevel = { township: 'county', village: 'township', point: 'village' } as const;
      for (const r of regions) {
        if (r.level === 'county') continue;
        expect({ key: r.key, parent: regionOf(r.parentKey ?? '').level }).toEqual({ key: r.key, parent: parentLevel[r.level] });
      }
    });

    it('gives every county, township and station a closed rectangle that contains its center', () => {
      for (const r of regions.filter((x) => x.level !== 'point')) {
        const ring = r.boundary?.[0];
        expect(r.boundary).toHaveLength(1);
        expect(ring).toHaveLength(5);
        expect(ring?.[0]).toEqual(ring?.[4]);
        for (const [lng, lat] of ring ?? []) {
          expect(Number.isFinite(lng) && Number.isFinite(lat)).toBe(true);
        }
        const rect = rectOf(r);
        // axis-aligned: every corner lies on the bounding box
        for (const [lng, lat] of ring ?? []) {
          expect([rect[0], rect[2]]).toContain(lng);
          expect([rect[1], rect[3]]).toContain(lat);
        }
        expect(area(rect)).toBeGreaterThan(0);
        expect({ key: r.key, inside: pointInRing(r.center, ring ?? []) }).toEqual({ key: r.key, inside: true });
      }
    });

    it('lies in Anji county (about 30.4–30.9 N, 119.2–119.9 E)', () => {
      const county = rectOf(regionOf('county'));
      expect(county[0]).toBeGreaterThanOrEqual(119.2);
      expect(county[2]).toBeLessThanOrEqual(119.9);
      expect(county[1]).toBeGreaterThanOrEqual(30.4);
      expect(county[3]).toBeLessThanOrEqual(30.9);
    });

    it('tiles the county with township polygons that do not overlap', () => {
      const county = rectOf(regionOf('county'));
      const townships = ofLevel('township');
      for (const t of townships) expect({ key: t.key, inside: rectContains(county, rectOf(t)) }).toEqual({ key: t.key, inside: true });
      for (const [a, b] of pairs(townships)) {
        expect({ a: a.key, b: b.key, overlap: rectsOverlap(rectOf(a), rectOf(b)) }).toEqual({ a: a.key, b: b.key, overlap: false });
      }
      const covered = townships.reduce((sum, t) => sum + area(rectOf(t)), 0);
      expect(covered).toBeCloseTo(area(county), 9);
    });

    it('puts each station polygon inside its township polygon, with no two stations overlapping', () => {
      const villages = ofLevel('village');
      for (const v of villages) {
        const township = regionOf(v.parentKey ?? '');
        expect({ key: v.key, inside: rectContains(rectOf(township), rectOf(v)) }).toEqual({ key: v.key, inside: true });
      }
      for (const [a, b] of pairs(villages)) {
        expect({ a: a.key, b: b.key, overlap: rectsOverlap(rectOf(a), rectOf(b)) }).toEqual({ a: a.key, b: b.key, overlap: false });
      }
    });

    it('puts each point inside its station', () => {
      for (const p of ofLevel('point')) {
        const ring = regionOf(p.parentKey ?? '').boundary?.[0] ?? [];
        expect({ key: p.key, inside: pointInRing(p.center, ring) }).toEqual({ key: p.key, inside: true });
      }
    });
  });

  describe('service menu', () => {
    it('has about 40 items with unique UPPER_SNAKE codes, in Chinese, in the usual groups', () => {
      expect(services.length).toBeGreaterThanOrEqual(35);
      expect(services.length).toBeLessThanOrEqual(60);
      expect(new Set(services.map((s) => s.code)).size).toBe(services.length);
      expect(new Set(services.map((s) => s.name)).size).toBe(services.length);
      for (const s of services) {
        expect(s.code).toMatch(/^[A-Z][A-Z0-9_]{1,39}$/);
        expect(s.name).toMatch(/[\u4e00-\u9fff]/);
        expect(s.description.length).toBeGreaterThan(0);
        expect(s.requiredSkills.length).toBeGreaterThan(0);
      }
      const groups = new Set(services.map((s) => s.group));
      for (const g of ['生活服务', '助老服务', '关爱儿童', '健康服务', '法律服务', '心理服务', '微心愿', '文化服务']) {
        expect(groups).toContain(g);
      }
      const names = services.map((s) => s.name);
      for (const n of ['上门理发', '作业辅导', '助餐送餐', '心理慰藉', '法律咨询', '义诊', '家电维修', '打扫卫生', '代买药品', '微心愿']) {
        expect(names).toContain(n);
      }
    });

    it('uses accept windows the API accepts, mostly 15–60 minutes, and reviews a few items', () => {
      for (const s of services) {
        expect(Number.isInteger(s.acceptTimeoutSeconds)).toBe(true);
        expect(s.acceptTimeoutSeconds).toBeGreaterThanOrEqual(5);
        expect(s.acceptTimeoutSeconds).toBeLessThanOrEqual(86400);
      }
      const usual = services.filter((s) => s.acceptTimeoutSeconds >= 900 && s.acceptTimeoutSeconds <= 3600);
      expect(usual.length / services.length).toBeGreaterThanOrEqual(0.8);
      const reviewed = services.filter((s) => s.requiresReview).map((s) => s.code);
      expect(reviewed.length).toBeGreaterThanOrEqual(1);
      expect(reviewed.length).toBeLessThan(services.length / 2);
      expect(reviewed).toEqual(expect.arrayContaining(['MICRO_WISH', 'LEGAL_AID']));
    });

    it('can be served by at least two teams for every item', () => {
      const thin = services
        .map((s) => ({ code: s.code, teams: teams.filter((t) => s.requiredSkills.every((k) => t.skills.includes(k))).length }))
        .filter((x) => x.teams < 2);
      expect(thin).toEqual([]);
    });
  });

  describe('teams and volunteers', () => {
    it('has about 30 teams with unique keys and names', () => {
      expect(teams.length).toBeGreaterThanOrEqual(25);
      expect(teams.length).toBeLessThanOrEqual(40);
      expect(new Set(teams.map((t) => t.key)).size).toBe(teams.length);
      expect(new Set(teams.map((t) => t.name)).size).toBe(teams.length);
    });

    it('places each team at a station, inside that station’s boundary', () => {
      for (const t of teams) {
        const region = regionOf(t.regionKey);
        expect({ team: t.key, level: region.level }).toEqual({ team: t.key, level: 'village' });
        expect({ team: t.key, inside: pointInRing(t.location, region.boundary?.[0] ?? []) }).toEqual({ team: t.key, inside: true });
      }
      // every station has at least one team
      const staffed = new Set(teams.map((t) => t.regionKey));
      expect(ofLevel('village').filter((v) => !staffed.has(v.key))).toEqual([]);
    });

    it('keeps radius, capacity and skills in range', () => {
      for (const t of teams) {
        expect(Number.isInteger(t.serviceRadiusM)).toBe(true);
        expect(t.serviceRadiusM).toBeGreaterThanOrEqual(2000);
        expect(t.serviceRadiusM).toBeLessThanOrEqual(8000);
        expect(t.serviceRadiusM).toBeLessThanOrEqual(30000); // DISPATCH_MAX_RADIUS_M
        expect(Number.isInteger(t.capacity)).toBe(true);
        expect(t.capacity).toBeGreaterThanOrEqual(3);
        expect(t.capacity).toBeLessThanOrEqual(10);
        expect(t.skills.length).toBeGreaterThan(0);
        expect(new Set(t.skills).size).toBe(t.skills.length);
      }
    });

    it('has about 300 volunteers, exactly one leader per team, each with some of the team’s skills', () => {
      expect(volunteers.length).toBeGreaterThanOrEqual(270);
      expect(volunteers.length).toBeLessThanOrEqual(330);
      for (const t of teams) {
        expect({ team: t.key, leaders: t.members.filter((m) => m.role === 'leader').length }).toEqual({ team: t.key, leaders: 1 });
        expect(t.members.length).toBeGreaterThanOrEqual(3);
        for (const m of t.members) {
          expect(m.skills.length).toBeGreaterThan(0);
          expect(m.skills.filter((s) => !t.skills.includes(s))).toEqual([]);
          expect(m.name).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
        }
      }
      expect(teams[0]?.members.find((m) => m.role === 'leader')?.phone).toBe('13900000001');
    });

    it('gives every volunteer a unique 139 mobile number', () => {
      const phones = volunteers.map((v) => v.phone);
      expect(new Set(phones).size).toBe(phones.length);
      for (const p of phones) expect(p).toMatch(/^139\d{8}$/);
    });
  });

  describe('staff and residents', () => {
    it('has the county dispatcher, a township dispatcher and an admin, in known regions', () => {
      expect(staff).toContainEqual(expect.objectContaining({ phone: '13800000001', role: 'dispatcher', regionKey: 'county' }));
      expect(staff.some((s) => s.role === 'dispatcher' && regionOf(s.regionKey).level === 'township')).toBe(true);
      expect(staff.some((s) => s.role === 'admin')).toBe(true);
      for (const s of staff) expect(byKey.has(s.regionKey)).toBe(true);
    });

    it('has about 10 residents living in the township named in their address', () => {
      expect(residents.length).toBeGreaterThanOrEqual(8);
      expect(residents.length).toBeLessThanOrEqual(20);
      expect(residents[0]?.phone).toBe('13700000001');
      const countyRing = regionOf('county').boundary?.[0] ?? [];
      for (const r of residents) {
        expect(r.address.startsWith('浙江省湖州市安吉县')).toBe(true);
        expect(pointInRing(r.location, countyRing)).toBe(true);
        const township = ofLevel('township').find((t) => r.address.includes(t.name));
        expect({ phone: r.phone, township: township?.key !== undefined }).toEqual({ phone: r.phone, township: true });
        expect({ phone: r.phone, inside: pointInRing(r.location, township?.boundary?.[0] ?? []) }).toEqual({ phone: r.phone, inside: true });
      }
    });

    it('never gives two accounts the same phone, and leaves the env admin phone free', () => {
      const phones = [...volunteers.map((v) => v.phone), ...staff.map((s) => s.phone), ...residents.map((r) => r.phone)];
      expect(new Set(phones).size).toBe(phones.length);
      for (const p of phones) expect(p).toMatch(PHONE);
      expect(phones).not.toContain('13800000000');
    });

    it('has grid workers in villages and beneficiaries recorded by them or a resident, inside the recorder\'s village', () => {
      const grid = staff.filter((s) => s.role === 'grid_worker');
      expect(grid.length).toBeGreaterThanOrEqual(1);
      for (const g of grid) expect(regionOf(g.regionKey).level).toBe('village');
      expect(beneficiaries.length).toBeGreaterThanOrEqual(3);
      const tags = new Set(['living_alone', 'empty_nest', 'left_behind_child', 'vulnerable_child', 'disability', 'low_income', 'extreme_poverty', 'veteran']);
      for (const b of beneficiaries) {
        for (const t of b.tags) expect(tags.has(t)).toBe(true);
        const recorder = grid.find((g) => g.phone === b.recordedBy);
        if (recorder) expect({ key: b.key, inside: pointInRing(b.location, regionOf(recorder.regionKey).boundary?.[0] ?? []) }).toEqual({ key: b.key, inside: true });
        else expect(residents.map((r) => r.phone)).toContain(b.recordedBy);
        if (b.idNumber) expect(b.idNumber).toMatch(/^\d{17}[\dX]$/);
      }
      expect(beneficiaries.some((b) => residents.some((r) => r.phone === b.recordedBy))).toBe(true);
    });

    it('uses a demo password the API accepts (8–72 characters)', () => {
      expect(DEMO_PASSWORD.length).toBeGreaterThanOrEqual(8);
      expect(DEMO_PASSWORD.length).toBeLessThanOrEqual(72);
    });
  });

  it('is deterministic: loading the module again yields the same county', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const again = require('./county-data') as typeof import('./county-data');
      expect(again.teams).toEqual(teams);
      expect(again.regions).toEqual(regions);
      expect(again.services).toEqual(services);
    });
  });
});
