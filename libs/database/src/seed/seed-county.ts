import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { hash } from '@node-rs/argon2';
import type { PiiCipher } from '@xinyuan/common';
import * as county from './county-data';
import { seedCare, seedCareTemplates } from './seed-care';
import { seedRecord } from './seed-record';

/** A stable UUID per seed key, so seeding twice finds the rows it wrote the first time. */
export function seedId(key: string): string {
  const h = createHash('sha256').update(`xinyuan-seed:${key}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Menu items volunteers grab (抢单): several teams are offered at once and the first to accept serves. */
const GRAB_CODES = new Set(['MICRO_WISH', 'STUDY_WISH', 'SPRING_COUPLETS', 'FAMILY_PHOTO', 'ERRAND']);

const ewkt = (p: county.LatLng) => `SRID=4326;POINT(${p.lng} ${p.lat})`;

export interface SeedReport {
  regions: number;
  services: number;
  teams: number;
  volunteers: number;
  staff: number;
  residents: number;
  beneficiaries: number;
  carePlans: number;
  careTemplates: number;
  redemptionItems: number;
  activities: number;
}

/**
 * Writes the demo county: regions with boundaries, the menu, teams with their volunteers, staff and
 * residents. Idempotent: rows that exist (same key, code or phone) are left as they are.
 */
export async function seedCounty(dataSource: DataSource, pii: PiiCipher): Promise<SeedReport> {
  const passwordHash = await hash(county.DEMO_PASSWORD);
  const upsertUser = (m: EntityManager, phone: string, name: string, hashed: string, role: string, regionId: string | null) =>
    upsertUserRow(m, pii, phone, name, hashed, role, regionId);
  return dataSource.transaction(async (m) => {
    const report: SeedReport = { regions: 0, services: 0, teams: 0, volunteers: 0, staff: 0, residents: 0, beneficiaries: 0, carePlans: 0, careTemplates: 0, redemptionItems: 0, activities: 0 };
    for (const r of county.regions) {
      const boundary = r.boundary ? JSON.stringify({ type: 'Polygon', coordinates: r.boundary }) : null;
      const rows = await m.query(
        `INSERT INTO regions (id, name, level, parent_id, boundary)
         VALUES ($1, $2, $3, $4, CASE WHEN $5::text IS NULL THEN NULL ELSE ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($5::text), 4326))::geography END)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [seedId(`region:${r.key}`), r.name, r.level, r.parentKey ? seedId(`region:${r.parentKey}`) : null, boundary],
      );
      report.regions += rows.length;
    }
    for (const s of county.services) {
      const rows = await m.query(
        `INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review, offer_mode)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8) ON CONFLICT (code) DO NOTHING RETURNING id`,
        [s.code, s.name, s.group, s.description, s.requiredSkills, s.acceptTimeoutSeconds, s.requiresReview, GRAB_CODES.has(s.code) ? 'grab' : 'offer'],
      );
      report.services += rows.length;
    }
    for (const t of county.teams) {
      const teamId = seedId(`team:${t.key}`);
      const rows = await m.query(
        `INSERT INTO teams (id, name, region_id, location, service_radius_m, skills, capacity)
         VALUES ($1, $2, $3, $4::geography, $5, $6::text[], $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [teamId, t.name, seedId(`region:${t.regionKey}`), ewkt(t.location), t.serviceRadiusM, t.skills, t.capacity],
      );
      report.teams += rows.length;
      for (const v of t.members) {
        const userId = await upsertUser(m, v.phone, v.name, passwordHash, 'volunteer', null);
        const added = await m.query(
          `INSERT INTO team_members (team_id, user_id, role, skills) VALUES ($1, $2, $3, $4::text[])
           ON CONFLICT DO NOTHING RETURNING user_id`,
          [teamId, userId, v.role, v.skills],
        );
        report.volunteers += added.length;
      }
    }
    const userIds = new Map<string, string>();
    for (const s of county.staff) {
      userIds.set(s.phone, await upsertUser(m, s.phone, s.name, passwordHash, s.role, seedId(`region:${s.regionKey}`)));
      report.staff++;
    }
    for (const r of county.residents) {
      userIds.set(r.phone, await upsertUser(m, r.phone, r.name, passwordHash, 'resident', null));
      report.residents++;
    }
    for (const b of county.beneficiaries) {
      const rows = await m.query(
        `INSERT INTO beneficiaries (id, created_by, region_id, name, age_band, address, location, tags, id_number_enc, phone_enc, guardian_enc)
         VALUES ($1, $2, region_of_point($6::geography),
                 $3, $4, $5, $6::geography, $7::text[], $8, $9, $10)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [seedId(`beneficiary:${b.key}`), userIds.get(b.recordedBy), b.name, b.ageBand, b.address, ewkt(b.location), b.tags,
          pii.encryptNullable(b.idNumber), pii.encryptNullable(b.phone), b.guardian ? pii.encrypt(JSON.stringify(b.guardian)) : null],
      );
      report.beneficiaries += rows.length;
    }
    report.carePlans = await seedCare(m, (key) => seedId(`beneficiary:${key}`), userIds, new Date());
    report.careTemplates = await seedCareTemplates(m, seedId('region:county'), userIds.get('13800000003') ?? null);
    Object.assign(report, await seedRecord(m, seedId, { county: seedId('region:county'), township: seedId('region:dipu') },
      { countyAdmin: userIds.get('13800000003')!, townshipAdmin: userIds.get('13800000004')! }, new Date()));
    return report;
  });
}

/** Phones are stored encrypted and found by blind index, as the api does (IdentityService). */
async function upsertUserRow(
  m: EntityManager,
  pii: PiiCipher,
  phone: string,
  name: string,
  passwordHash: string,
  role: string,
  regionId: string | null,
): Promise<string> {
  const [row] = await m.query(
    `INSERT INTO users (phone_enc, phone_bidx, name, password_hash, roles, region_id) VALUES ($1, $2, $3, $4, ARRAY[$5]::text[], $6)
     ON CONFLICT (phone_bidx) DO UPDATE
       SET roles = CASE WHEN $5 = ANY(users.roles) THEN users.roles ELSE array_append(users.roles, $5) END
     RETURNING id`,
    [pii.encrypt(phone), pii.blindIndex(phone), name, passwordHash, role, regionId],
  );
  return row.id;
}
