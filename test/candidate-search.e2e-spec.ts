import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CANDIDATE_SQL } from '../libs/dispatch/src/candidate-sql';
import { TEST_DATABASE_URL } from './support/env';
import { offset } from './support/world';

/**
 * The candidate query on the real database (PostGIS, the `dispatch_candidates` function of
 * migrations 1766870000000 and 1766930000000): which teams pass the hard filters, nearest first, that
 * the skills filtered inside the index are exactly `skills @> required`, and that one query
 * reaches a team whose own radius is larger than everyone's former first ring. Everything runs in a
 * transaction that is rolled back, far from every other test's teams.
 */
describe('candidate search (SQL on PostgreSQL + PostGIS)', () => {
  const origin = { lat: 43.8123, lng: 87.6012 };
  let db: Client;
  const county = randomUUID();
  const townA = randomUUID();
  const townB = randomUUID();
  const team: Record<string, string> = {};
  let add: (key: string, spec: { east: number; north?: number; radius: number; skills: string[]; capacity?: number; load?: number; active?: boolean; region?: string }) => Promise<void>;

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query('BEGIN');
    await db.query(`INSERT INTO regions (id, name, level, parent_id) VALUES ($1, '候选县', 'county', NULL)`, [county]);
    await db.query(`INSERT INTO regions (id, name, level, parent_id) VALUES ($1, '甲镇', 'township', $3), ($2, '乙镇', 'township', $3)`, [townA, townB, county]);
    add = async (key, spec) => {
      const at = offset(origin, spec.east, spec.north ?? 0);
      const [row] = (await db.query(
        `INSERT INTO teams (name, region_id, location, service_radius_m, skills, capacity, active_orders, active)
         VALUES ($1, $2, ST_GeogFromText($3), $4, $5, $6, $7, $8) RETURNING id`,
        [key, spec.region ?? townA, `SRID=4326;POINT(${at.lng} ${at.lat})`, spec.radius, spec.skills, spec.capacity ?? 2, spec.load ?? 0, spec.active ?? true],
      )).rows;
      team[key] = row.id;
    };
    await add('near', { east: 1000, radius: 5000, skills: ['cook', 'drive'] });
    await add('outsideOwnRadius', { east: 3000, radius: 2000, skills: ['cook', 'drive'] });
    await add('missingSkill', { east: 2000, radius: 5000, skills: ['cook'] });
    await add('full', { east: 4000, radius: 5000, skills: ['cook', 'drive'], capacity: 1, load: 1 });
    await add('inactive', { east: 500, radius: 5000, skills: ['cook', 'drive'], active: false });
    await add('otherTownship', { east: 0, north: 6000, radius: 9000, skills: ['cook', 'drive', 'sing'], region: townB });
    await add('wideRadius', { east: 12000, radius: 15000, skills: ['drive', 'cook'] });
    await add('beyondMaxRadius', { east: 40000, radius: 50000, skills: ['cook', 'drive'] });
  });

  afterAll(async () => {
    await db?.query('ROLLBACK');
    await db?.end();
  });

  const search = async (opts: { skills?: string[]; limit?: number; scope?: string | null; maxRadiusM?: number; orderId?: string; excludeOffered?: boolean }) => {
    const { rows } = await db.query(CANDIDATE_SQL, [
      `SRID=4326;POINT(${origin.lng} ${origin.lat})`, opts.maxRadiusM ?? 30000, opts.orderId ?? randomUUID(), opts.skills ?? ['cook', 'drive'],
      opts.excludeOffered ?? true, opts.limit ?? 30, opts.scope ?? null, randomUUID(), 24,
    ]);
    return rows.sort((a, b) => a.distance_m - b.distance_m);
  };
  const names = (rows: { name: string }[]) => rows.map((r) => r.name);

  it('keeps only active teams with every skill, inside their own radius, below capacity, within the search radius', async () => {
    const rows = await search({});
    expect(names(rows)).toEqual(['near', 'otherTownship', 'wideRadius']);
    expect(rows[0].distance_m).toBeGreaterThan(990);
    expect(rows[0].distance_m).toBeLessThan(1010);
    // a team 12 km away that serves 15 km is found by the one query (the old first ring was 8 km)
    expect(rows[2].distance_m).toBeGreaterThan(11900);
    expect(rows[2]).toEqual(expect.objectContaining({ members: '0', rating_count: null, continuity: null, recent_offers: '0', previously_offered: false }));
    expect(rows[0].region_path).toEqual([county, townA]);
  });

  it('returns the nearest `limit` of them', async () => {
    expect(names(await search({ limit: 2 }))).toEqual(['near', 'otherTownship']);
    expect(names(await search({ limit: 1 }))).toEqual(['near']);
  });

  it('narrows to a scope region subtree, and to fewer skills widens', async () => {
    expect(names(await search({ scope: townA }))).toEqual(['near', 'wideRadius']);
    expect(names(await search({ scope: townB }))).toEqual(['otherTownship']);
    expect(names(await search({ scope: county }))).toEqual(['near', 'otherTownship', 'wideRadius']);
    expect(names(await search({ skills: ['cook'] }))).toEqual(['near', 'missingSkill', 'otherTownship', 'wideRadius']);
    expect(names(await search({ skills: ['sing'] }))).toEqual(['otherTownship']);
  });

  it('leaves out the teams this order was offered before (automatic dispatch), flags them for staff', async () => {
    const [resident] = (await db.query(`INSERT INTO users (name, roles) VALUES ('候选居民', ARRAY['resident']) RETURNING id`)).rows;
    const [service] = (await db.query(
      `INSERT INTO services (code, name, group_name, required_skills) VALUES ($1, '候选服务', '测试', ARRAY['cook', 'drive']) RETURNING id, code`,
      [`CAND_${Date.now() % 100000}`],
    )).rows;
    const [order] = (await db.query(
      `INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone, status)
       VALUES ($1, $2, $3, '候选测试', ST_GeogFromText($4), '候选路 1 号', 'x', 'cancelled') RETURNING id`,
      [resident.id, service.id, service.code, `SRID=4326;POINT(${origin.lng} ${origin.lat})`],
    )).rows;
    await db.query(`INSERT INTO offers (order_id, team_id, status, source, expires_at) VALUES ($1, $2, 'declined', 'auto', now())`, [order.id, team.near]);
    expect(names(await search({ orderId: order.id }))).toEqual(['otherTownship', 'wideRadius']);
    const forStaff = await search({ orderId: order.id, excludeOffered: false });
    expect(forStaff.map((r) => [r.name, r.previously_offered])).toEqual([['near', true], ['otherTownship', false], ['wideRadius', false]]);
  });

  it('counts a team\'s members and those qualified for the skills (no skills of their own: qualified)', async () => {
    const users = (await db.query(`INSERT INTO users (name, roles) SELECT '候选队员' || i, ARRAY['volunteer'] FROM generate_series(1, 3) i RETURNING id`)).rows;
    await db.query(
      `INSERT INTO team_members (team_id, user_id, role, skills) VALUES ($1, $2, 'member', ARRAY['cook', 'drive']), ($1, $3, 'member', ARRAY['cook']), ($1, $4, 'member', '{}')`,
      [team.near, users[0].id, users[1].id, users[2].id],
    );
    const [near] = await search({ limit: 1 });
    expect([near.name, near.members, near.qualified]).toEqual(['near', '3', '2']);
    const [forCook] = await search({ skills: ['cook'], limit: 1 });
    expect([forCook.name, forCook.members, forCook.qualified]).toEqual(['near', '3', '3']);
  });

  it('matches skills verbatim inside the index (quotes, backslashes, spaces), none required, and follows a change of skills', async () => {
    await db.query('SAVEPOINT odd_skills');
    await add('oddSkills', { east: 1500, radius: 5000, skills: ["it's", 'a\\b', 'two words', ''] });
    await add('noSkills', { east: 2500, radius: 5000, skills: [] });
    expect(names(await search({ skills: ["it's", 'a\\b', 'two words'] }))).toEqual(['oddSkills']);
    expect(names(await search({ skills: ['a\\b', ''] }))).toEqual(['oddSkills']);
    expect(names(await search({ skills: ["it'"] }))).toEqual([]);
    expect(names(await search({ skills: [], maxRadiusM: 10000 }))).toEqual(['near', 'oddSkills', 'missingSkill', 'noSkills', 'otherTownship']);
    await db.query(`UPDATE teams SET skills = ARRAY['sing'] WHERE id = $1`, [team.noSkills]);
    expect(names(await search({ skills: ['sing'] }))).toEqual(['noSkills', 'otherTownship']);
    await db.query('ROLLBACK TO SAVEPOINT odd_skills');
  });

  it('never searches beyond the configured maximum radius, whatever a team claims', async () => {
    expect(names(await search({ maxRadiusM: 10000 }))).toEqual(['near', 'otherTownship']);
    expect(names(await search({ maxRadiusM: 60000 }))).toEqual(['near', 'otherTownship', 'wideRadius', 'beyondMaxRadius']);
  });
});
