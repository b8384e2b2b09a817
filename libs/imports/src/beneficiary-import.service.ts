import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, PiiCipher } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, Scope, scopeSql } from '@xinyuan/org';
import { BeneficiaryRowValue, BENEFICIARY_COLUMNS, naturalKey, readBeneficiaryRow, rowDigest } from './beneficiary-rows';
import { ColumnIndex, RowProblem } from './import-columns';
import { BatchOutcome, ImportKind, PlannedRow } from './import-runner';

interface Ctx {
  staff: Scope;
  grid: Scope;
}

/** A row's value with its keyed natural key and content digest. */
type Keyed = BeneficiaryRowValue & { keyBidx: string; digest: string };

/**
 * 一人一档 from a spreadsheet: the same rules as the console (phone, identity number, age band,
 * tags), the location inside the caller's jurisdiction. A row is matched to the profile it made before
 * by a keyed hash of its identity number (else name and address) and the region its location falls in,
 * in `beneficiary_import_keys`: the same row again changes nothing, a changed row updates that profile.
 * The region is part of the key so that an import says nothing about people on file elsewhere (a
 * global key answered "imported by another jurisdiction" to anyone with an identity number: an
 * oracle); the same person imported in two regions is two profiles, one per jurisdiction. Personal
 * data is encrypted as the console does (PiiCipher).
 */
@Injectable()
export class BeneficiaryImport implements ImportKind<BeneficiaryRowValue | Keyed, Ctx> {
  readonly kind = 'beneficiaries' as const;
  readonly label = '服务对象';
  readonly auditPrefix = 'beneficiary';
  readonly columns = BENEFICIARY_COLUMNS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async context(user: AuthUser): Promise<Ctx> {
    const staff = await this.jurisdiction.staffScope(user);
    const grid = await this.jurisdiction.gridScope(user);
    if (staff.kind === 'none' && grid.kind === 'none') throw DomainException.forbidden('只有网格员和工作人员可以导入服务对象档案');
    return { staff, grid };
  }

  readRow(_ctx: Ctx, row: number, cells: string[], index: ColumnIndex) {
    return readBeneficiaryRow(row, cells, index);
  }

  naturalKey(_ctx: Ctx, value: BeneficiaryRowValue): string {
    return naturalKey(value);
  }

  duplicateProblem(value: BeneficiaryRowValue, first: number) {
    return { column: value.idNumber ? '身份证号' : '姓名', message: `与第 ${first} 行是同一个人（${value.idNumber ? '身份证号相同' : '姓名和地址相同'}）` };
  }

  /** Jurisdiction of each location; the profile each row made before (and whether the caller may still change it). */
  async plan(ctx: Ctx, rows: { row: number; value: BeneficiaryRowValue }[]): Promise<{ problems: RowProblem[]; planned: PlannedRow<Keyed>[] }> {
    const errors: RowProblem[] = [];
    const planned: PlannedRow<Keyed>[] = [];
    for (let i = 0; i < rows.length; i += 2000) {
      const chunk = rows.slice(i, i + 2000).map((g) => ({ ...g, keyBidx: this.cipher.blindIndex(naturalKey(g.value)), digest: rowDigest(g.value) }));
      const params: unknown[] = [JSON.stringify(chunk.map((g, j) => ({ j, lat: g.value.lat, lng: g.value.lng, key: g.keyBidx })))];
      const inStaff = scopeSql(ctx.staff, 'region_id', params);
      const inGrid = scopeSql(ctx.grid, 'region_id', params);
      const found: { j: number; ok: boolean; key: string; existing_id: string | null; existing_hash: string | null; existing_ok: boolean | null }[] = await this.dataSource.query(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(j int, lat float8, lng float8, key text)),
              placed AS (
                SELECT x.j, x.key, (SELECT rr.id FROM regions rr WHERE rr.boundary IS NOT NULL
                                      AND ST_Covers(rr.boundary, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography)
                                    ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], rr.level) LIMIT 1) AS region_id
                  FROM x),
              judged AS (SELECT j, key || ':' || COALESCE(region_id::text, '-') AS key,
                                (${ctx.staff.kind === 'all' ? 'true' : `region_id IS NOT NULL AND (${inStaff} OR ${inGrid})`}) AS ok FROM placed)
         SELECT judged.j, judged.ok, judged.key, k.beneficiary_id AS existing_id, k.row_hash AS existing_hash,
                (SELECT (${inStaff.replace(/\bregion_id\b/g, 'b.region_id')} OR ${inGrid.replace(/\bregion_id\b/g, 'b.region_id')})
                   FROM beneficiaries b WHERE b.id = k.beneficiary_id) AS existing_ok
           FROM judged LEFT JOIN beneficiary_import_keys k ON k.key_bidx = judged.key`,
        params,
      );
      for (const r of found) {
        const g = chunk[r.j];
        if (!r.ok) {
          errors.push({ row: g.row, column: '纬度', message: '这个位置不在您的管辖范围内（请核对经纬度）' });
          continue;
        }
        if (r.existing_id && !r.existing_ok) {
          // the row's own region made this profile, which has since moved out of the caller's reach
          errors.push({ row: g.row, column: g.value.idNumber ? '身份证号' : '姓名', message: '这一行对应的档案已转到其他辖区，请联系上级处理' });
          continue;
        }
        planned.push({ row: g.row, value: { ...g.value, keyBidx: r.key, digest: g.digest }, existingId: r.existing_id, changed: !!r.existing_id && r.existing_hash !== g.digest });
      }
    }
    return { problems: errors, planned };
  }

  /** New profiles (key first, so a concurrent import of the same row makes one profile) and changed ones. */
  async write(m: EntityManager, _ctx: Ctx, user: AuthUser, batch: PlannedRow<Keyed>[]): Promise<BatchOutcome> {
    const sealed = batch.map((p) => ({
      id: p.existingId ?? randomUUID(),
      existing: !!p.existingId,
      key: p.value.keyBidx,
      hash: p.value.digest,
      name: p.value.name,
      age_band: p.value.ageBand,
      address: p.value.address,
      lat: p.value.lat,
      lng: p.value.lng,
      tags: p.value.tags,
      id_number_enc: this.cipher.encryptNullable(p.value.idNumber),
      phone_enc: this.cipher.encryptNullable(p.value.phone),
      guardian_enc: p.value.guardian ? this.cipher.encrypt(JSON.stringify(p.value.guardian)) : null,
    }));
    const REGION = `(SELECT rr.id FROM regions rr WHERE rr.boundary IS NOT NULL AND ST_Covers(rr.boundary, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography)
                     ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], rr.level) LIMIT 1)`;
    const RECORD = `x(id uuid, key text, hash text, name text, age_band text, address text, lat float8, lng float8, tags text[], id_number_enc text, phone_enc text, guardian_enc text)`;
    const fresh = sealed.filter((s) => !s.existing);
    const changed = sealed.filter((s) => s.existing);
    let created = 0;
    let updated = 0;
    if (fresh.length) {
      const [row] = await m.query(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}),
              k AS (INSERT INTO beneficiary_import_keys (key_bidx, beneficiary_id, row_hash) SELECT key, id, hash FROM x
                    ON CONFLICT (key_bidx) DO NOTHING RETURNING key_bidx),
              b AS (INSERT INTO beneficiaries (id, created_by, region_id, name, age_band, address, location, tags, id_number_enc, phone_enc, guardian_enc)
                    SELECT x.id, $2, ${REGION}, x.name, x.age_band, x.address, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, x.tags,
                           x.id_number_enc, x.phone_enc, x.guardian_enc
                      FROM x JOIN k ON k.key_bidx = x.key RETURNING 1)
         SELECT count(*)::int AS n FROM b`,
        [JSON.stringify(fresh), user.id],
      );
      created = row.n;
    }
    if (changed.length) {
      const [row] = await m.query(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS ${RECORD}),
              b AS (UPDATE beneficiaries b SET name = x.name, age_band = x.age_band, address = x.address,
                           location = ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography, region_id = ${REGION}, tags = x.tags,
                           id_number_enc = x.id_number_enc, phone_enc = x.phone_enc, guardian_enc = x.guardian_enc,
                           version = b.version + 1, updated_at = now()
                      FROM x WHERE b.id = x.id RETURNING b.id),
              k AS (UPDATE beneficiary_import_keys k SET row_hash = x.hash, updated_at = now() FROM x WHERE k.key_bidx = x.key RETURNING 1)
         SELECT (SELECT count(*)::int FROM b) AS n, (SELECT count(*) FROM k) AS keys`,
        [JSON.stringify(changed)],
      );
      updated = row.n;
    }
    return { created, updated };
  }
}
