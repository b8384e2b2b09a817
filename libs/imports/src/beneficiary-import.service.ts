import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { DomainException, ErrorCode, PiiCipher } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import { BeneficiaryRowValue, BENEFICIARY_COLUMNS, mapHeaders, naturalKey, readBeneficiaryRow, rowDigest, RowProblem } from './beneficiary-rows';
import { readSheet, SheetFormat, writeSheet } from './table-reader';

export type ImportMode = 'file' | 'row';

export interface ImportReport {
  id: string;
  dryRun: boolean;
  mode: ImportMode;
  status: 'running' | 'dry_run' | 'imported' | 'partial' | 'rejected' | 'failed';
  total: number;
  processed: number;
  /** Profiles made (or, in a dry run, that would be made), updated, left as they were. */
  created: number;
  updated: number;
  unchanged: number;
  badRows: number;
  /** Every problem of every bad row: row number in the file, column header, message (Chinese). */
  errors: RowProblem[];
  createdAt: Date;
  finishedAt: Date | null;
}

/** Largest file, in data rows. */
export const MAX_IMPORT_ROWS = 20000;
const BATCH = 500;

interface Planned {
  row: number;
  value: BeneficiaryRowValue;
  keyBidx: string;
  digest: string;
  /** The profile this row already is (a re-import), and whether its content changed. */
  existingId: string | null;
  changed: boolean;
}

/**
 * 一人一档 from a spreadsheet (CSV or XLSX). Every row is checked before anything is written: the
 * columns, the same rules as the console (phone, identity number, age band, tags), the location
 * inside the caller's jurisdiction, a profile already imported by someone of another jurisdiction,
 * duplicates inside the file. A dry run only reports. A real run writes either all good rows (`row`)
 * or nothing unless every row is good (`file`, one transaction). A row is matched to the profile it
 * made before by a keyed hash of its identity number (else name and address): the same row again
 * changes nothing, a changed row updates that profile. Personal data is encrypted as the console
 * does (PiiCipher); each run leaves an audit entry with its counts.
 */
@Injectable()
export class BeneficiaryImport {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly jurisdiction: JurisdictionService,
    private readonly audit: AuditLog,
  ) {}

  /** The template: headers and one example row. */
  template(format: SheetFormat): Promise<Buffer> {
    return writeSheet(format, BENEFICIARY_COLUMNS.map((c) => c.header), [BENEFICIARY_COLUMNS.map((c) => c.example)], '服务对象');
  }

  async run(user: AuthUser, file: Buffer, format: SheetFormat, opts: { dryRun: boolean; mode: ImportMode; fileName?: string }, meta: RequestMeta): Promise<ImportReport> {
    const staff = await this.jurisdiction.staffScope(user);
    const grid = await this.jurisdiction.gridScope(user);
    if (staff.kind === 'none' && grid.kind === 'none') throw DomainException.forbidden('只有网格员和工作人员可以导入服务对象档案');
    let sheet;
    try {
      sheet = await readSheet(file, format);
    } catch {
      throw DomainException.validation([{ field: 'file', messages: [`not a readable ${format.toUpperCase()} file`] }], `无法读取这个 ${format.toUpperCase()} 文件`);
    }
    const { index, missing } = mapHeaders(sheet.headers);
    if (missing.length) throw DomainException.validation([{ field: 'file', messages: [`missing columns: ${missing.join(', ')}`] }], `缺少列：${missing.join('、')}（请使用模板）`);
    if (sheet.rows.length === 0) throw DomainException.validation([{ field: 'file', messages: ['the file has no data rows'] }], '文件里没有数据行');
    if (sheet.rows.length > MAX_IMPORT_ROWS) {
      throw DomainException.validation([{ field: 'file', messages: [`at most ${MAX_IMPORT_ROWS} rows per file`] }], `每个文件最多 ${MAX_IMPORT_ROWS} 行，请分开导入`);
    }

    // 1. every row on its own
    const errors: RowProblem[] = [];
    const good: { row: number; value: BeneficiaryRowValue }[] = [];
    const firstRowOfKey = new Map<string, number>();
    for (const { row, cells } of sheet.rows) {
      const { value, problems } = readBeneficiaryRow(row, cells, index);
      if (!value) {
        errors.push(...problems);
        continue;
      }
      const key = naturalKey(value);
      const first = firstRowOfKey.get(key);
      if (first !== undefined) {
        errors.push({ row, column: value.idNumber ? '身份证号' : '姓名', message: `与第 ${first} 行是同一个人（${value.idNumber ? '身份证号相同' : '姓名和地址相同'}）` });
        continue;
      }
      firstRowOfKey.set(key, row);
      good.push({ row, value });
    }

    // 2. against the database: jurisdiction of each location, profiles imported before
    const planned: Planned[] = [];
    for (let i = 0; i < good.length; i += 2000) {
      const chunk = good.slice(i, i + 2000).map((g) => ({ ...g, keyBidx: this.cipher.blindIndex(naturalKey(g.value)), digest: rowDigest(g.value) }));
      const params: unknown[] = [JSON.stringify(chunk.map((g, j) => ({ j, lat: g.value.lat, lng: g.value.lng, key: g.keyBidx })))];
      const inStaff = scopeSql(staff, 'region_id', params);
      const inGrid = scopeSql(grid, 'region_id', params);
      const rows: { j: number; ok: boolean; existing_id: string | null; existing_hash: string | null; existing_ok: boolean | null }[] = await this.dataSource.query(
        `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(j int, lat float8, lng float8, key text)),
              placed AS (
                SELECT x.j, x.key, (SELECT rr.id FROM regions rr WHERE rr.boundary IS NOT NULL
                                      AND ST_Covers(rr.boundary, ST_SetSRID(ST_MakePoint(x.lng, x.lat), 4326)::geography)
                                    ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], rr.level) LIMIT 1) AS region_id
                  FROM x),
              judged AS (SELECT j, key, (${staff.kind === 'all' ? 'true' : `region_id IS NOT NULL AND (${inStaff} OR ${inGrid})`}) AS ok FROM placed)
         SELECT judged.j, judged.ok, k.beneficiary_id AS existing_id, k.row_hash AS existing_hash,
                (SELECT (${inStaff.replace(/\bregion_id\b/g, 'b.region_id')} OR ${inGrid.replace(/\bregion_id\b/g, 'b.region_id')})
                   FROM beneficiaries b WHERE b.id = k.beneficiary_id) AS existing_ok
           FROM judged LEFT JOIN beneficiary_import_keys k ON k.key_bidx = judged.key`,
        params,
      );
      for (const r of rows) {
        const g = chunk[r.j];
        if (!r.ok) {
          errors.push({ row: g.row, column: '纬度', message: '这个位置不在您的管辖范围内（请核对经纬度）' });
          continue;
        }
        if (r.existing_id && !r.existing_ok) {
          errors.push({ row: g.row, column: g.value.idNumber ? '身份证号' : '姓名', message: '这个人的档案已由其他辖区导入，请联系对方辖区处理' });
          continue;
        }
        planned.push({ row: g.row, value: g.value, keyBidx: g.keyBidx, digest: g.digest, existingId: r.existing_id, changed: !!r.existing_id && r.existing_hash !== g.digest });
      }
    }
    errors.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
    const badRows = new Set(errors.map((e) => e.row)).size;
    const counts = {
      created: planned.filter((p) => !p.existingId).length,
      updated: planned.filter((p) => p.changed).length,
      unchanged: planned.filter((p) => p.existingId && !p.changed).length,
    };
    const fileSha = createHash('sha256').update(file).digest('hex');
    const base = {
      kind: 'beneficiaries', actor: user, fileName: opts.fileName ?? null, fileSha, dryRun: opts.dryRun, mode: opts.mode, total: sheet.rows.length, badRows, errors,
    };

    if (opts.dryRun || (opts.mode === 'file' && badRows > 0)) {
      const status = opts.dryRun ? 'dry_run' : 'rejected';
      return this.dataSource.transaction(async (m) => {
        // a rejected file wrote nothing; a dry run tells what the import would do
        const told = opts.dryRun ? counts : { created: 0, updated: 0, unchanged: 0 };
        const run = await this.insertRun(m, { ...base, status, processed: sheet.rows.length, ...told, finished: true });
        await this.auditRun(m, user, run, meta);
        return run;
      });
    }

    // 3. the writes: one transaction for the whole file, or one per batch of rows
    const run = await this.insertRun(this.dataSource.manager, { ...base, status: 'running', processed: 0, created: 0, updated: 0, unchanged: 0, finished: false });
    const toWrite = planned.filter((p) => !p.existingId || p.changed);
    const done = { created: 0, updated: 0 };
    const writeBatch = async (m: EntityManager, batch: Planned[]) => {
      const r = await this.write(m, user, batch);
      done.created += r.created;
      done.updated += r.updated;
    };
    try {
      if (opts.mode === 'file') {
        await this.dataSource.transaction(async (m) => {
          for (let i = 0; i < toWrite.length; i += BATCH) await writeBatch(m, toWrite.slice(i, i + BATCH));
          await this.finishRun(m, run.id, 'imported', done, counts.unchanged + (counts.created - done.created) + (counts.updated - done.updated));
          await this.auditRun(m, user, { ...run, status: 'imported', ...done, unchanged: counts.unchanged }, meta);
        });
      } else {
        for (let i = 0; i < toWrite.length; i += BATCH) {
          await this.dataSource.transaction(async (m) => {
            await writeBatch(m, toWrite.slice(i, i + BATCH));
            // progress for the console: rows looked at so far
            await m.query(`UPDATE import_runs SET processed = $2, created = $3, updated = $4 WHERE id = $1`, [run.id, Math.min(sheet.rows.length, i + BATCH), done.created, done.updated]);
          });
        }
        await this.dataSource.transaction(async (m) => {
          const status = badRows ? 'partial' : 'imported';
          await this.finishRun(m, run.id, status, done, counts.unchanged + (counts.created - done.created) + (counts.updated - done.updated));
          await this.auditRun(m, user, { ...run, status, ...done, unchanged: counts.unchanged }, meta);
        });
      }
    } catch (e) {
      await this.dataSource.query(`UPDATE import_runs SET status = 'failed', finished_at = now() WHERE id = $1`, [run.id]).catch(() => undefined);
      throw e;
    }
    return this.get(user, run.id);
  }

  async get(user: AuthUser, id: string): Promise<ImportReport> {
    const [r] = await this.dataSource.query(`SELECT * FROM import_runs WHERE id = $1 AND actor_id = $2`, [id, user.id]);
    if (!r) throw DomainException.notFound(ErrorCode.NotFound, '导入记录不存在');
    return toReport(r);
  }

  /** New profiles (key first, so a concurrent import of the same row makes one profile) and changed ones. */
  private async write(m: EntityManager, user: AuthUser, batch: Planned[]): Promise<{ created: number; updated: number }> {
    const sealed = batch.map((p) => ({
      id: p.existingId ?? randomUUID(),
      existing: !!p.existingId,
      key: p.keyBidx,
      hash: p.digest,
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

  private async insertRun(
    m: EntityManager,
    r: { kind: string; actor: AuthUser; fileName: string | null; fileSha: string; dryRun: boolean; mode: ImportMode; status: string; total: number; processed: number;
      created: number; updated: number; unchanged: number; badRows: number; errors: RowProblem[]; finished: boolean },
  ): Promise<ImportReport> {
    const [row] = await m.query(
      `INSERT INTO import_runs (kind, actor_id, region_id, file_name, file_sha256, dry_run, mode, status, total, processed, created, updated, unchanged, bad_rows, errors, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, CASE WHEN $16 THEN now() END) RETURNING *`,
      [r.kind, r.actor.id, r.actor.regionId, r.fileName, r.fileSha, r.dryRun, r.mode, r.status, r.total, r.processed, r.created, r.updated, r.unchanged, r.badRows,
        JSON.stringify(r.errors), r.finished],
    );
    return toReport(row);
  }

  private async finishRun(m: EntityManager, id: string, status: string, done: { created: number; updated: number }, unchanged: number) {
    await m.query(
      `UPDATE import_runs SET status = $2, processed = total, created = $3, updated = $4, unchanged = $5, finished_at = now() WHERE id = $1`,
      [id, status, done.created, done.updated, unchanged],
    );
  }

  private async auditRun(m: EntityManager, user: AuthUser, run: Pick<ImportReport, 'id' | 'status' | 'dryRun' | 'mode' | 'total' | 'created' | 'updated' | 'unchanged' | 'badRows'>, meta: RequestMeta) {
    await this.audit.record(
      {
        actor: user, action: run.dryRun ? 'beneficiary.import.dry_run' : 'beneficiary.import', objectType: 'import', objectId: run.id, regionId: user.regionId,
        outcome: run.status === 'rejected' ? 'rejected' : 'success', statusCode: 200, meta,
        data: { mode: run.mode, status: run.status, total: run.total, created: run.created, updated: run.updated, unchanged: run.unchanged, badRows: run.badRows },
      },
      m,
    );
  }
}

function toReport(r: Record<string, any>): ImportReport {
  return {
    id: r.id, dryRun: r.dry_run, mode: r.mode, status: r.status, total: r.total, processed: r.processed, created: r.created, updated: r.updated,
    unchanged: r.unchanged, badRows: r.bad_rows, errors: r.errors, createdAt: r.created_at, finishedAt: r.finished_at,
  };
}
