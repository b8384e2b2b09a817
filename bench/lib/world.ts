/**
 * A synthetic province-sized world for the dispatch benchmarks, built directly in SQL
 * (INSERT … SELECT generate_series) on top of the real migrations (harness `freshDatabase`):
 *
 * - regions: one county polygon over a ~300 km × 300 km area around 30.5 N 120 E, a 4 × 4 grid of
 *   townships tiling it, and one station (village level) around each of ~60 towns;
 * - a menu of 20 services needing 0–2 of 12 skills;
 * - N teams (quick 10,000, full 100,000), 70 % clustered around towns (Gaussian), 30 % spread
 *   uniformly, radius 2–10 km, ~4 of the 12 skills (each skill with its own frequency), capacity 1–10,
 *   ~3 % inactive, 3 members each (half of them with their own skills);
 * - residents (one per 10 historical orders) with a home near a "home team", and M historical
 *   orders (quick 100,000, full 1,000,000) over the past year in closed / completed / cancelled
 *   status (completed ones within the last 6 days: older ones would have been auto-closed) at the
 *   resident's home, served mostly by the home team, with their accepted offers, ratings of most
 *   closed orders, their timeline (placed + last step) and the aggregated team reputation — so the
 *   indexes the candidate query touches
 *   (orders by resident+team, offers by team, ratings by order) carry real volume.
 *
 * Only the real tables and columns of the migrations are used. Session settings make the load
 * fast without changing the schema: `session_replication_role = replica` skips the FK triggers
 * while generated, consistent-by-construction rows are inserted, and the secondary indexes of the
 * big tables are dropped before and re-created (from their own `pg_indexes` definitions, so any
 * index a newer migration adds comes back too) after the load. VACUUM ANALYZE and a CHECKPOINT at
 * the end, so the measured runs neither plan on empty statistics nor pay for flushing the load.
 */
import { hash } from '@node-rs/argon2';
import { Client } from 'pg';
import { BENCH_DATABASE_URL } from './harness';
import { mulberry32 } from './surge';

export const WORLD_CENTRE = { lat: 30.5, lng: 120 };
/** Half the side of the square area, km. */
export const WORLD_HALF_KM = 150;
const KM_PER_DEG_LAT = 111.32;
export const WORLD_BOX = (() => {
  const dLat = WORLD_HALF_KM / KM_PER_DEG_LAT;
  const dLng = WORLD_HALF_KM / (KM_PER_DEG_LAT * Math.cos((WORLD_CENTRE.lat * Math.PI) / 180));
  return { minLat: WORLD_CENTRE.lat - dLat, maxLat: WORLD_CENTRE.lat + dLat, minLng: WORLD_CENTRE.lng - dLng, maxLng: WORLD_CENTRE.lng + dLng };
})();
/** Password of every generated user (residents and volunteers), so benches can log in as them. */
export const WORLD_PASSWORD = 'Bench#World2026';

/** The phone of synthetic resident k (the `users` row is named 居民k and holds no phone until it logs in). */
export const residentPhone = (k: number): string => `15${String(k).padStart(9, '0')}`;
/** Share of teams (and of demand) clustered around towns. */
const TOWN_SHARE = 0.7;
const TOWNS = 60;
const TOWNSHIP_GRID = 4;
const STATION_HALF_KM = 4;
const MEMBERS_PER_TEAM = 3;
const ORDERS_PER_RESIDENT = 10;

/** Skill and its share of teams holding it. */
export const SKILLS: [string, number][] = [
  ['companionship', 0.6], ['cleaning', 0.5], ['meal', 0.45], ['transport', 0.4], ['haircut', 0.35], ['repair', 0.35],
  ['it', 0.3], ['tutoring', 0.3], ['medical', 0.25], ['pharmacy', 0.25], ['psychology', 0.2], ['legal', 0.15],
];

export interface WorldService {
  code: string;
  name: string;
  requiredSkills: string[];
  acceptTimeoutSeconds: number;
}

export const SERVICES: WorldService[] = [
  { code: 'W_HAIRCUT', name: '上门理发', requiredSkills: ['haircut'], acceptTimeoutSeconds: 1800 },
  { code: 'W_TUTORING', name: '作业辅导', requiredSkills: ['tutoring'], acceptTimeoutSeconds: 1800 },
  { code: 'W_MEAL', name: '助餐送餐', requiredSkills: ['meal', 'transport'], acceptTimeoutSeconds: 900 },
  { code: 'W_COUNSELING', name: '心理慰藉', requiredSkills: ['psychology'], acceptTimeoutSeconds: 1800 },
  { code: 'W_LEGAL', name: '法律咨询', requiredSkills: ['legal'], acceptTimeoutSeconds: 3600 },
  { code: 'W_CLINIC', name: '义诊', requiredSkills: ['medical'], acceptTimeoutSeconds: 1800 },
  { code: 'W_APPLIANCE', name: '家电维修', requiredSkills: ['repair'], acceptTimeoutSeconds: 1800 },
  { code: 'W_CLEANING', name: '打扫卫生', requiredSkills: ['cleaning'], acceptTimeoutSeconds: 1800 },
  { code: 'W_MEDICINE', name: '代买药品', requiredSkills: ['pharmacy', 'transport'], acceptTimeoutSeconds: 900 },
  { code: 'W_COMPANY', name: '陪伴聊天', requiredSkills: ['companionship'], acceptTimeoutSeconds: 3600 },
  { code: 'W_ESCORT', name: '陪同就医', requiredSkills: ['medical', 'transport'], acceptTimeoutSeconds: 900 },
  { code: 'W_PLUMBING', name: '水电维修', requiredSkills: ['repair'], acceptTimeoutSeconds: 1800 },
  { code: 'W_PHONE', name: '智能手机教学', requiredSkills: ['it'], acceptTimeoutSeconds: 3600 },
  { code: 'W_BILLS', name: '代缴费用', requiredSkills: ['it'], acceptTimeoutSeconds: 3600 },
  { code: 'W_BATHING', name: '助浴', requiredSkills: ['cleaning', 'companionship'], acceptTimeoutSeconds: 1800 },
  { code: 'W_READING', name: '读书读报', requiredSkills: ['companionship'], acceptTimeoutSeconds: 3600 },
  { code: 'W_ANTIFRAUD', name: '防诈宣传', requiredSkills: ['legal'], acceptTimeoutSeconds: 3600 },
  { code: 'W_REHAB', name: '康复指导', requiredSkills: ['medical', 'psychology'], acceptTimeoutSeconds: 1800 },
  { code: 'W_WISH', name: '微心愿', requiredSkills: [], acceptTimeoutSeconds: 3600 },
  { code: 'W_MOBILITY', name: '助行设备维修', requiredSkills: ['repair', 'transport'], acceptTimeoutSeconds: 1800 },
];

export interface WorldSize {
  teams: number;
  orders: number;
}
export const WORLD_QUICK: WorldSize = { teams: 10_000, orders: 100_000 };
export const WORLD_FULL: WorldSize = { teams: 100_000, orders: 1_000_000 };

export interface Town {
  lat: number;
  lng: number;
  /** Cumulative weight in (0, 1], for picking a town by a uniform number. */
  cum: number;
  sigmaKm: number;
}

export interface WorldReport {
  size: WorldSize;
  seed: number;
  buildSeconds: number;
  steps: { step: string; seconds: number; rows?: number }[];
  rows: Record<string, number>;
  databaseSizeMB: number;
  area: typeof WORLD_BOX;
}

export interface World {
  report: WorldReport;
  towns: Town[];
  countyId: string;
  services: (WorldService & { id: string })[];
}

/** Small deterministic PRNG (mulberry32, shared with the quality bench), so every run sees the same world and the same load. */
export const rng = mulberry32;

export function makeTowns(seed: number): Town[] {
  const r = rng(seed);
  const towns: Omit<Town, 'cum'>[] = [];
  const b = WORLD_BOX;
  while (towns.length < TOWNS) {
    const lat = b.minLat + 0.08 + r() * (b.maxLat - b.minLat - 0.16);
    const lng = b.minLng + 0.08 + r() * (b.maxLng - b.minLng - 0.16);
    // at least 20 km apart, so the stations do not overlap
    if (towns.some((t) => distanceKm(t, { lat, lng }) < 20)) continue;
    towns.push({ lat, lng, sigmaKm: 2 + r() * 3 });
  }
  // a few big towns and many small ones (Zipf-like weights)
  const weights = towns.map((_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, w) => a + w, 0);
  let cum = 0;
  return towns.map((t, i) => ({ ...t, cum: i === towns.length - 1 ? 1 : (cum += weights[i] / total) }));
}

export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const dy = (a.lat - b.lat) * KM_PER_DEG_LAT;
  const dx = (a.lng - b.lng) * KM_PER_DEG_LAT * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  return Math.hypot(dx, dy);
}

/** A demand location drawn like the teams: 70 % around a town, 30 % anywhere in the area. */
export function demandPoint(towns: Town[], r: () => number): { lat: number; lng: number } {
  const b = WORLD_BOX;
  if (r() >= TOWN_SHARE) return { lat: b.minLat + r() * (b.maxLat - b.minLat), lng: b.minLng + r() * (b.maxLng - b.minLng) };
  const u = r();
  const t = towns.find((x) => x.cum >= u) ?? towns[towns.length - 1];
  const rad = Math.sqrt(-2 * Math.log(1 - r()));
  const ang = 2 * Math.PI * r();
  const lat = t.lat + (rad * Math.sin(ang) * t.sigmaKm) / KM_PER_DEG_LAT;
  const lng = t.lng + (rad * Math.cos(ang) * t.sigmaKm) / (KM_PER_DEG_LAT * Math.cos((t.lat * Math.PI) / 180));
  return { lat: clamp(lat, b.minLat, b.maxLat), lng: clamp(lng, b.minLng, b.maxLng) };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const ring = (minLng: number, minLat: number, maxLng: number, maxLat: number) =>
  `POLYGON((${minLng} ${minLat}, ${maxLng} ${minLat}, ${maxLng} ${maxLat}, ${minLng} ${maxLat}, ${minLng} ${minLat}))`;

/**
 * Builds the world into the (freshly migrated) bench database. `log` receives one line per step.
 */
export async function buildWorld(size: WorldSize, opts: { seed?: number; log?: (line: string) => void } = {}): Promise<World> {
  const seed = opts.seed ?? 20260301;
  const log = opts.log ?? ((l: string) => console.log(l));
  const towns = makeTowns(seed);
  const residents = Math.max(1, Math.round(size.orders / ORDERS_PER_RESIDENT));
  const c = new Client({ connectionString: BENCH_DATABASE_URL });
  await c.connect();
  const steps: WorldReport['steps'] = [];
  const t0 = performance.now();
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const out = await fn();
    const seconds = (performance.now() - s) / 1000;
    const rows = typeof out === 'number' ? out : (out as any)?.rowCount ?? undefined;
    steps.push({ step: name, seconds: round(seconds, 2), ...(typeof rows === 'number' ? { rows } : {}) });
    log(`  world: ${name.padEnd(34)} ${seconds.toFixed(1).padStart(6)} s${typeof rows === 'number' ? `  ${rows} rows` : ''}`);
    return out;
  };
  try {
    await c.query(`SET synchronous_commit = off`);
    await c.query(`SET maintenance_work_mem = '1GB'`);
    await c.query(`SET work_mem = '256MB'`);
    await c.query(`SELECT setseed($1)`, [((seed % 1000) / 1000) * 2 - 1]);
    const passwordHash = await hash(WORLD_PASSWORD);
    const b = WORLD_BOX;

    // ---- helper tables (temporary, this session only) --------------------------------------
    await c.query(`CREATE TEMP TABLE w_towns (k int PRIMARY KEY, lat float8, lng float8, cum float8, sigma_km float8)`);
    await c.query(
      `INSERT INTO w_towns SELECT * FROM unnest($1::int[], $2::float8[], $3::float8[], $4::float8[], $5::float8[])`,
      [towns.map((_, i) => i + 1), towns.map((t) => t.lat), towns.map((t) => t.lng), towns.map((t) => t.cum), towns.map((t) => t.sigmaKm)],
    );
    await c.query(`CREATE TEMP TABLE w_skills (k int PRIMARY KEY, skill text, p float8)`);
    await c.query(`INSERT INTO w_skills SELECT * FROM unnest($1::int[], $2::text[], $3::float8[])`, [
      SKILLS.map((_, i) => i + 1), SKILLS.map(([s]) => s), SKILLS.map(([, p]) => p),
    ]);

    // ---- regions: county, 4 × 4 townships, one station per town -----------------------------
    const m = 0.05; // margin: geodesic edges of a 300 km polygon bow by ~1 km
    const countyId = await step('regions', async () => {
      const [{ id: county }] = (
        await c.query(`INSERT INTO regions (name, level, boundary) VALUES ('基准省域县', 'county', ST_Multi(ST_GeomFromText($1, 4326))::geography) RETURNING id`, [
          ring(b.minLng - m, b.minLat - m, b.maxLng + m, b.maxLat + m),
        ])
      ).rows;
      const n = TOWNSHIP_GRID;
      const cells: string[] = [];
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const x0 = i === 0 ? b.minLng - m : b.minLng + ((b.maxLng - b.minLng) * i) / n;
          const x1 = i === n - 1 ? b.maxLng + m : b.minLng + ((b.maxLng - b.minLng) * (i + 1)) / n;
          const y0 = j === 0 ? b.minLat - m : b.minLat + ((b.maxLat - b.minLat) * j) / n;
          const y1 = j === n - 1 ? b.maxLat + m : b.minLat + ((b.maxLat - b.minLat) * (j + 1)) / n;
          cells.push(ring(x0, y0, x1, y1));
          names.push(`基准镇${i * n + j + 1}`);
        }
      }
      await c.query(
        `INSERT INTO regions (name, level, parent_id, boundary)
         SELECT name, 'township', $1, ST_Multi(ST_GeomFromText(wkt, 4326))::geography FROM unnest($2::text[], $3::text[]) AS x(name, wkt)`,
        [county, names, cells],
      );
      // a station (站) around each town, clipped to the township holding the town centre
      const half = STATION_HALF_KM / KM_PER_DEG_LAT;
      await c.query(
        `INSERT INTO regions (name, level, parent_id, boundary)
         SELECT '基准站' || t.k, 'village', tw.id,
                ST_Multi(ST_Intersection(
                  ST_MakeEnvelope(t.lng - $1 / cos(radians(t.lat)), t.lat - $1, t.lng + $1 / cos(radians(t.lat)), t.lat + $1, 4326),
                  tw.boundary::geometry))::geography
           FROM w_towns t
           JOIN regions tw ON tw.level = 'township' AND ST_Covers(tw.boundary::geometry, ST_SetSRID(ST_MakePoint(t.lng, t.lat), 4326))`,
        [half],
      );
      return county as string;
    });

    // ---- menu ----------------------------------------------------------------------------
    const services = await step('services', async () => {
      const rows = (
        await c.query(
          `INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review)
           SELECT code, name, '基准', name || '（基准）', ARRAY(SELECT jsonb_array_elements_text(skills)), timeout, false
             FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::int[]) AS s(code, name, skills, timeout)
           RETURNING id, code`,
          [SERVICES.map((s) => s.code), SERVICES.map((s) => s.name), SERVICES.map((s) => JSON.stringify(s.requiredSkills)), SERVICES.map((s) => s.acceptTimeoutSeconds)],
        )
      ).rows as { id: string; code: string }[];
      const byCode = new Map(rows.map((r) => [r.code, r.id]));
      return SERVICES.map((s) => ({ ...s, id: byCode.get(s.code)! }));
    });
    await c.query(`CREATE TEMP TABLE w_services (k int PRIMARY KEY, id uuid, code text, name text)`);
    await c.query(`INSERT INTO w_services SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[])`, [
      services.map((_, i) => i + 1), services.map((s) => s.id), services.map((s) => s.code), services.map((s) => s.name),
    ]);

    // the bulk load: FK triggers off (rows are consistent by construction), secondary indexes later
    await c.query(`SET session_replication_role = replica`);
    const dropped = await step('drop secondary indexes', () =>
      dropSecondaryIndexes(c, ['users', 'teams', 'team_members', 'orders', 'offers', 'ratings', 'order_events']),
    );

    // ---- teams -------------------------------------------------------------------------------
    await c.query(`CREATE TEMP TABLE w_teams (k int PRIMARY KEY, id uuid, lat float8, lng float8, radius int, region_id uuid, skills text[])`);
    await step('teams', () =>
      c.query(
        `WITH g AS MATERIALIZED (
           SELECT i, random() AS u_town, random() AS u_kind, 1 - random() AS u1, random() AS u2, random() AS ux, random() AS uy
             FROM generate_series(1, $1::int) i
         ), pos AS MATERIALIZED (
           SELECT g.i,
                  least(greatest(CASE WHEN g.u_kind < $6::float8 THEN t.lat + sqrt(-2 * ln(g.u1)) * sin(2 * pi() * g.u2) * t.sigma_km / ${KM_PER_DEG_LAT}
                                      ELSE $2::float8 + g.uy * ($3::float8 - $2::float8) END, $2::float8), $3::float8) AS lat,
                  least(greatest(CASE WHEN g.u_kind < $6::float8 THEN t.lng + sqrt(-2 * ln(g.u1)) * cos(2 * pi() * g.u2) * t.sigma_km / (${KM_PER_DEG_LAT} * cos(radians(t.lat)))
                                      ELSE $4::float8 + g.ux * ($5::float8 - $4::float8) END, $4::float8), $5::float8) AS lng
             FROM g CROSS JOIN LATERAL (SELECT * FROM w_towns tt WHERE tt.cum >= g.u_town ORDER BY tt.cum LIMIT 1) t
         ), team AS MATERIALIZED (
           SELECT pos.i, pos.lat, pos.lng, ST_SetSRID(ST_MakePoint(pos.lng, pos.lat), 4326)::geography AS geog,
                  2000 + floor(random() * 8001)::int AS radius,
                  1 + floor(random() * 10)::int AS capacity,
                  random() > 0.03 AS active,
                  ARRAY(SELECT s.skill FROM w_skills s WHERE random() < s.p + 0 * pos.i ORDER BY s.k) AS skills
             FROM pos
         ), ins AS (
           INSERT INTO teams (name, region_id, location, service_radius_m, skills, capacity, active)
           SELECT '基准志愿服务队' || lpad(team.i::text, 6, '0'),
                  COALESCE((SELECT r.id FROM regions r WHERE r.boundary IS NOT NULL AND ST_Covers(r.boundary, team.geog)
                             ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], r.level) LIMIT 1), $7::uuid),
                  team.geog, team.radius,
                  CASE WHEN cardinality(team.skills) = 0 THEN ARRAY[(SELECT skill FROM w_skills WHERE k = 1 + team.i % 12)] ELSE team.skills END,
                  team.capacity, team.active
             FROM team
           RETURNING id, name, region_id, service_radius_m, skills, ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lng
         )
         INSERT INTO w_teams SELECT substring(name from 8)::int, id, lat, lng, service_radius_m, region_id, skills FROM ins`,
        [size.teams, b.minLat, b.maxLat, b.minLng, b.maxLng, TOWN_SHARE, countyId],
      ),
    );

    // ---- users: volunteers (3 per team) and residents -----------------------------------------
    await step('users (volunteers)', () =>
      c.query(
        // synthetic volunteers have no phone (phones are encrypted per row; none of them logs in)
        `INSERT INTO users (name, password_hash, roles, created_at)
         SELECT '志愿者' || j, $2, ARRAY['volunteer'], now() - interval '400 days'
           FROM generate_series(1, $1::int) j`,
        [size.teams * MEMBERS_PER_TEAM, passwordHash],
      ),
    );
    await step('team_members', () =>
      c.query(
        `INSERT INTO team_members (team_id, user_id, role, skills, joined_at)
         SELECT t.id, u.id, CASE WHEN (x.j - 1) % ${MEMBERS_PER_TEAM} = 0 THEN 'leader' ELSE 'member' END,
                CASE WHEN random() < 0.5 THEN '{}'::text[]
                     ELSE ARRAY(SELECT s FROM unnest(t.skills) s WHERE random() < 0.6 + 0 * x.j) END,
                now() - interval '400 days'
           FROM generate_series(1, $1::int) x(j)
           JOIN w_teams t ON t.k = (x.j - 1) / ${MEMBERS_PER_TEAM} + 1
           JOIN users u ON u.name = '志愿者' || x.j`,
        [size.teams * MEMBERS_PER_TEAM],
      ),
    );
    await c.query(`CREATE TEMP TABLE w_residents (k int PRIMARY KEY, id uuid, phone text, lat float8, lng float8, team_k int)`);
    await step('users (residents)', () =>
      c.query(
        `WITH ins AS (
           INSERT INTO users (name, password_hash, roles, created_at)
           SELECT '居民' || i, $2, ARRAY['resident'], now() - interval '400 days'
             FROM generate_series(1, $1::int) i
           RETURNING id, name
         ), home AS MATERIALIZED (
           -- resident k's phone is residentPhone(k); the users row gets it (encrypted) only when it logs in
           SELECT substring(ins.name from 3)::int AS k, ins.id, '15' || lpad(substring(ins.name from 3), 9, '0') AS phone,
                  1 + floor(random() * $3)::int AS team_k,
                  1 - random() AS u1, random() AS u2, random() AS f
             FROM ins
         )
         INSERT INTO w_residents
         SELECT h.k, h.id, h.phone,
                least(greatest(t.lat + sqrt(-2 * ln(h.u1)) * sin(2 * pi() * h.u2) * t.radius * 0.25 / 1000 / ${KM_PER_DEG_LAT}, $4), $5),
                least(greatest(t.lng + sqrt(-2 * ln(h.u1)) * cos(2 * pi() * h.u2) * t.radius * 0.25 / 1000 / (${KM_PER_DEG_LAT} * cos(radians(t.lat))), $6), $7),
                h.team_k
           FROM home h JOIN w_teams t ON t.k = h.team_k`,
        [residents, passwordHash, size.teams, b.minLat, b.maxLat, b.minLng, b.maxLng],
      ),
    );

    // ---- historical orders, their offers, ratings, reputation ----------------------------------
    await step('orders (historical)', () =>
      c.query(
        `WITH g AS MATERIALIZED (
           SELECT i, 1 + floor(random() * $2)::int AS res_k, u_status, random() AS u_team, 1 + floor(random() * $3)::int AS other_team_k,
                  1 + floor(random() * ${SERVICES.length})::int AS svc_k,
                  -- completed-but-unrated orders are auto-closed after AUTO_CLOSE_AFTER_DAYS (7): only recent ones are left
                  CASE WHEN u_status >= 0.6 AND u_status < 0.75 THEN now() - (0.5 + random() * 5) * interval '1 day'
                       ELSE now() - (7 + random() * 358) * interval '1 day' END AS created_at
             FROM (SELECT i, random() AS u_status FROM generate_series(1, $1::int) i) x
         )
         INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, region_id,
                             status, version, team_id, dispatch_attempts, created_at, updated_at)
         SELECT r.id, s.id, s.code, s.name || '（历史订单 ' || g.i || '）',
                ST_SetSRID(ST_MakePoint(r.lng, r.lat), 4326)::geography, '基准小区 ' || (g.res_k % 500) || ' 幢 ' || (g.res_k % 30) || ' 室', r.phone,
                ht.region_id,
                CASE WHEN g.u_status < 0.6 THEN 'closed' WHEN g.u_status < 0.75 THEN 'completed' ELSE 'cancelled' END,
                CASE WHEN g.u_status < 0.6 THEN 7 WHEN g.u_status < 0.75 THEN 6 ELSE 3 END,
                CASE WHEN g.u_status >= 0.75 THEN NULL WHEN g.u_team < 0.8 THEN ht.id ELSE ot.id END,
                CASE WHEN g.u_status >= 0.75 THEN 0 ELSE 1 END,
                g.created_at, g.created_at + interval '1 day' * (0.05 + random() * 0.4)
           FROM g
           JOIN w_residents r ON r.k = g.res_k
           JOIN w_teams ht ON ht.k = r.team_k
           JOIN w_teams ot ON ot.k = g.other_team_k
           JOIN w_services s ON s.k = g.svc_k`,
        [size.orders, residents, size.teams],
      ),
    );
    await step('offers (historical, accepted)', () =>
      c.query(
        `INSERT INTO offers (order_id, team_id, status, source, score, score_breakdown, distance_m, expires_at, created_at, responded_at)
         SELECT o.id, o.team_id, 'accepted', 'auto', 0.5, '{}'::jsonb, 1000 * random(), o.created_at + interval '30 minutes',
                o.created_at + interval '2 seconds', o.created_at + interval '5 minutes'
           FROM orders o WHERE o.team_id IS NOT NULL AND o.status IN ('completed', 'closed')`,
      ),
    );
    await step('ratings', () =>
      c.query(
        `INSERT INTO ratings (order_id, resident_id, team_id, stars, solved, created_at)
         SELECT o.id, o.resident_id, o.team_id, least(5, 2 + floor(random() * 4 + random()))::smallint, random() < 0.9, o.updated_at
           FROM orders o WHERE o.status = 'closed' AND o.team_id IS NOT NULL AND random() < 0.7`,
      ),
    );
    await step('order_events (placed + last step)', () =>
      c.query(
        `INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note, at)
         SELECT o.id, 'placed', NULL, 'dispatching', o.resident_id, 'resident', '已下单，正在派单', o.created_at FROM orders o
         UNION ALL
         SELECT o.id, CASE o.status WHEN 'closed' THEN 'rate' WHEN 'completed' THEN 'complete' ELSE 'cancel' END,
                CASE o.status WHEN 'closed' THEN 'completed' WHEN 'completed' THEN 'in_service' ELSE 'dispatching' END,
                o.status, CASE WHEN o.status = 'completed' THEN NULL ELSE o.resident_id END,
                CASE WHEN o.status = 'completed' THEN 'volunteer' ELSE 'resident' END, NULL, o.updated_at
           FROM orders o`,
      ),
    );
    await step('team_reputation', () =>
      c.query(
        `INSERT INTO team_reputation (team_id, rating_count, stars_sum, solved_count)
         SELECT team_id, count(*), sum(stars), count(*) FILTER (WHERE solved) FROM ratings GROUP BY team_id`,
      ),
    );

    await c.query(`SET session_replication_role = origin`);
    await step('re-create secondary indexes', () => recreateIndexes(c, dropped));
    await step('vacuum analyze', async () => {
      for (const t of ['regions', 'services', 'users', 'teams', 'team_members', 'orders', 'offers', 'ratings', 'team_reputation', 'order_events']) {
        await c.query(`VACUUM (ANALYZE) ${t}`);
      }
    });

    // flush the bulk load now, so the measured run does not pay for its checkpoint
    await step('checkpoint', () => c.query(`CHECKPOINT`));

    const counts: Record<string, number> = {};
    for (const t of ['regions', 'services', 'users', 'teams', 'team_members', 'orders', 'offers', 'ratings', 'team_reputation']) {
      counts[t] = Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    }
    const [{ mb }] = (await c.query(`SELECT round(pg_database_size(current_database()) / 1048576.0) AS mb`)).rows;
    const buildSeconds = round((performance.now() - t0) / 1000, 1);
    log(`  world: built in ${buildSeconds} s (${JSON.stringify(counts)}; ${mb} MB)`);
    return {
      report: { size, seed, buildSeconds, steps, rows: counts, databaseSizeMB: Number(mb), area: WORLD_BOX },
      towns,
      countyId,
      services,
    };
  } finally {
    await c.end();
  }
}

interface DroppedIndex {
  name: string;
  table: string;
  def: string;
}

/** Drops the indexes of `tables` that back no constraint (PK / UNIQUE constraints stay). */
async function dropSecondaryIndexes(c: Client, tables: string[]): Promise<DroppedIndex[]> {
  const { rows } = await c.query(
    `SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS "table", pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid = ANY($1::regclass[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`,
    [tables],
  );
  for (const r of rows) await c.query(`DROP INDEX ${r.name}`);
  return rows;
}

async function recreateIndexes(c: Client, dropped: DroppedIndex[]): Promise<number> {
  for (const d of dropped) await c.query(d.def);
  return dropped.length;
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/** `node dist/bench/lib/world.js [--full]`: builds the world alone into the bench database and prints its cost. */
if (require.main === module) {
  (async () => {
    const { freshDatabase, FULL } = await import('./harness');
    await freshDatabase();
    const world = await buildWorld(FULL ? WORLD_FULL : WORLD_QUICK);
    console.log(JSON.stringify(world.report, null, 2));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
