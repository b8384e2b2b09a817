import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLog, RequestMeta } from '@xinyuan/audit';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { ColumnIndex, ColumnSpec, mapColumns, RowProblem } from './import-columns';
import { readSheet, SheetFormat, writeSheet } from './table-reader';

export type ImportMode = 'file' | 'row';
export const IMPORT_KINDS = ['beneficiaries', 'teams', 'team-members', 'services'] as const;
export type ImportKindName = (typeof IMPORT_KINDS)[number];

export interface ImportReport {
  id: string;
  kind: ImportKindName;
  dryRun: boolean;
  mode: ImportMode;
  status: 'running' | 'dry_run' | 'imported' | 'partial' | 'rejected' | 'failed';
  total: number;
  /** Rows handled so far: bad and unchanged rows at once, the others as their batch is written. */
  processed: number;
  /** Rows that made (or, in a dry run, would make) something new, updated something, left it as it was. */
  created: number;
  updated: number;
  unchanged: number;
  badRows: number;
  /** Every problem of every bad row: row number in the file, column header, message (Chinese). */
  errors: RowProblem[];
  createdAt: Date;
  finishedAt: Date | null;
}

/** A good row matched against the database: what it already is (a re-import), and whether it changed. */
export interface PlannedRow<V> {
  row: number;
  value: V;
  /** The object this row already made or names (null: the row makes a new one). */
  existingId: string | null;
  changed: boolean;
}

/** What the writes of one batch did; `afterCommit` runs once its transaction committed. */
export interface BatchOutcome {
  created: number;
  updated: number;
  afterCommit?: () => Promise<void>;
}

/**
 * One kind of spreadsheet (服务对象, 队伍, 队员, 服务菜单): its columns, who may import it, how a row
 * is read and checked, how good rows are matched to what exists, how they are written. The runner
 * does the rest the same way for every kind.
 */
export interface ImportKind<V, C> {
  readonly kind: ImportKindName;
  /** Chinese name, for the template's sheet and messages (服务对象). */
  readonly label: string;
  /** Audit action prefix: `<prefix>.import` and `<prefix>.import.dry_run`. */
  readonly auditPrefix: string;
  readonly columns: readonly ColumnSpec[];
  /** Who may import (403 otherwise) and what the rows are checked against (jurisdiction, look-ups). */
  context(user: AuthUser): Promise<C>;
  readRow(ctx: C, row: number, cells: string[], index: ColumnIndex): { value?: V; problems: RowProblem[] };
  /** The same thing twice in one file: the later row is a problem. */
  naturalKey(ctx: C, value: V): string;
  duplicateProblem(value: V, firstRow: number): { column: string; message: string };
  /** Checks of good rows against the database (jurisdiction, ownership) and what each row is already. */
  plan(ctx: C, rows: { row: number; value: V }[]): Promise<{ problems: RowProblem[]; planned: PlannedRow<V>[] }>;
  write(m: EntityManager, ctx: C, user: AuthUser, batch: PlannedRow<V>[]): Promise<BatchOutcome>;
}

/** Largest file, in data rows. */
export const MAX_IMPORT_ROWS = 20000;
const BATCH = 500;
/**
 * A running import whose writer has not beaten for this long is failed (the writer beats after each
 * batch of BATCH rows, a matter of seconds). Should a stalled writer finish after all, its last
 * write records the true outcome.
 */
const IMPORT_STALE_AFTER_SECONDS = 120;

/**
 * Spreadsheet import, the same for every kind. Every row is checked before anything is written: the
 * columns, the kind's rules per row, duplicates inside the file, then the database (jurisdiction,
 * what each row already is). A dry run only reports. A real run writes either all good rows (`row`,
 * one transaction per batch) or nothing unless every row is good (`file`, one transaction). The same
 * row again changes nothing; a changed row updates. Each run is a row of `import_runs` (counts,
 * progress, problems; no cell values) and an audit entry with its counts. With `background`, the real
 * run answers as soon as the rows are checked (status `running`) and writes on; `GET /imports/:id`
 * shows `processed` of `total` until it ends.
 */
@Injectable()
export class ImportRunner {
  private readonly logger = new Logger(ImportRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /** The template: headers and one example row. */
  template(kind: ImportKind<unknown, unknown>, format: SheetFormat): Promise<Buffer> {
    return writeSheet(format, kind.columns.map((c) => c.header), [kind.columns.map((c) => c.example)], kind.label);
  }

  async run<V, C>(
    kind: ImportKind<V, C>,
    user: AuthUser,
    file: Buffer,
    format: SheetFormat,
    opts: { dryRun: boolean; mode: ImportMode; fileName?: string; background?: boolean },
    meta: RequestMeta,
  ): Promise<ImportReport> {
    const ctx = await kind.context(user);
    let sheet;
    try {
      sheet = await readSheet(file, format);
    } catch {
      throw DomainException.validation([{ field: 'file', messages: [`not a readable ${format.toUpperCase()} file`] }], `无法读取这个 ${format.toUpperCase()} 文件`);
    }
    const { index, missing } = mapColumns(kind.columns, sheet.headers);
    if (missing.length) throw DomainException.validation([{ field: 'file', messages: [`missing columns: ${missing.join(', ')}`] }], `缺少列：${missing.join('、')}（请使用模板）`);
    if (sheet.rows.length === 0) throw DomainException.validation([{ field: 'file', messages: ['the file has no data rows'] }], '文件里没有数据行');
    if (sheet.rows.length > MAX_IMPORT_ROWS) {
      throw DomainException.validation([{ field: 'file', messages: [`at most ${MAX_IMPORT_ROWS} rows per file`] }], `每个文件最多 ${MAX_IMPORT_ROWS} 行，请分开导入`);
    }

    // 1. every row on its own, then duplicates inside the file
    const errors: RowProblem[] = [];
    const good: { row: number; value: V }[] = [];
    const firstRowOfKey = new Map<string, number>();
    for (const { row, cells } of sheet.rows) {
      const { value, problems } = kind.readRow(ctx, row, cells, index);
      if (value === undefined) {
        errors.push(...problems);
        continue;
      }
      const key = kind.naturalKey(ctx, value);
      const first = firstRowOfKey.get(key);
      if (first !== undefined) {
        errors.push({ row, ...kind.duplicateProblem(value, first) });
        continue;
      }
      firstRowOfKey.set(key, row);
      good.push({ row, value });
    }

    // 2. against the database
    const { problems, planned } = await kind.plan(ctx, good);
    errors.push(...problems);
    errors.sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));
    const badRows = new Set(errors.map((e) => e.row)).size;
    const counts = {
      created: planned.filter((p) => !p.existingId).length,
      updated: planned.filter((p) => p.existingId && p.changed).length,
      unchanged: planned.filter((p) => p.existingId && !p.changed).length,
    };
    const total = sheet.rows.length;
    const base = {
      kind: kind.kind, actor: user, fileName: opts.fileName ?? null, fileSha: createHash('sha256').update(file).digest('hex'), dryRun: opts.dryRun,
      mode: opts.mode, total, badRows, errors,
    };

    if (opts.dryRun || (opts.mode === 'file' && badRows > 0)) {
      const status = opts.dryRun ? 'dry_run' : 'rejected';
      return this.dataSource.transaction(async (m) => {
        // a rejected file wrote nothing; a dry run tells what the import would do
        const told = opts.dryRun ? counts : { created: 0, updated: 0, unchanged: 0 };
        const run = await this.insertRun(m, { ...base, status, processed: total, ...told, finished: true });
        await this.auditRun(m, kind, user, run, meta);
        return run;
      });
    }

    // 3. the writes
    const toWrite = planned.filter((p) => !p.existingId || p.changed);
    const untouched = total - toWrite.length;
    const run = await this.insertRun(this.dataSource.manager, { ...base, status: 'running', processed: untouched, created: 0, updated: 0, unchanged: 0, finished: false });
    const writing = this.write(kind, ctx, user, run, toWrite, { untouched, counts, badRows }, meta);
    if (opts.background) {
      writing.catch((e) => this.logger.error(`import ${run.id} failed: ${(e as Error).message}`));
      return run;
    }
    await writing;
    return this.get(user, run.id);
  }

  private async write<V, C>(
    kind: ImportKind<V, C>, ctx: C, user: AuthUser, run: ImportReport, toWrite: PlannedRow<V>[],
    facts: { untouched: number; counts: { created: number; updated: number; unchanged: number }; badRows: number }, meta: RequestMeta,
  ): Promise<void> {
    const done = { created: 0, updated: 0 };
    const later: (() => Promise<void>)[] = [];
    // rows the import planned but found done by someone else meanwhile count as unchanged
    const unchanged = () => facts.counts.unchanged + (facts.counts.created - done.created) + (facts.counts.updated - done.updated);
    const progress = (m: EntityManager, written: number) =>
      m.query(`UPDATE import_runs SET processed = $2, created = $3, updated = $4, heartbeat_at = clock_timestamp() WHERE id = $1`, [run.id, facts.untouched + written, done.created, done.updated]);
    const batch = async (m: EntityManager, rows: PlannedRow<V>[]) => {
      const r = await kind.write(m, ctx, user, rows);
      done.created += r.created;
      done.updated += r.updated;
      if (r.afterCommit) later.push(r.afterCommit);
    };
    try {
      if (run.mode === 'file') {
        await this.dataSource.transaction(async (m) => {
          for (let i = 0; i < toWrite.length; i += BATCH) {
            await batch(m, toWrite.slice(i, i + BATCH));
            // progress is written outside the file's transaction, so the console sees it while it runs
            await progress(this.dataSource.manager, Math.min(toWrite.length, i + BATCH));
          }
          await this.finishRun(m, run.id, 'imported', done, unchanged());
          await this.auditRun(m, kind, user, { ...run, status: 'imported', ...done, unchanged: unchanged() }, meta);
        });
      } else {
        for (let i = 0; i < toWrite.length; i += BATCH) {
          await this.dataSource.transaction(async (m) => {
            await batch(m, toWrite.slice(i, i + BATCH));
            await progress(m, Math.min(toWrite.length, i + BATCH));
          });
        }
        await this.dataSource.transaction(async (m) => {
          const status = facts.badRows ? 'partial' : 'imported';
          await this.finishRun(m, run.id, status, done, unchanged());
          await this.auditRun(m, kind, user, { ...run, status, ...done, unchanged: unchanged() }, meta);
        });
      }
    } catch (e) {
      await this.dataSource.query(`UPDATE import_runs SET status = 'failed', finished_at = now() WHERE id = $1`, [run.id]).catch(() => undefined);
      throw e;
    }
    for (const f of later) await f().catch((e) => this.logger.warn(`after import ${run.id}: ${(e as Error).message}`));
  }

  async get(user: AuthUser, id: string): Promise<ImportReport> {
    // a writer that stopped beating died with its process (an api restart): the run failed
    await this.dataSource.query(
      `UPDATE import_runs SET status = 'failed', finished_at = now()
        WHERE id = $1 AND actor_id = $2 AND status = 'running' AND heartbeat_at < now() - make_interval(secs => $3)`,
      [id, user.id, IMPORT_STALE_AFTER_SECONDS],
    );
    const [r] = await this.dataSource.query(`SELECT * FROM import_runs WHERE id = $1 AND actor_id = $2`, [id, user.id]);
    if (!r) throw DomainException.notFound(ErrorCode.NotFound, '导入记录不存在');
    return toReport(r);
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

  private async auditRun(
    m: EntityManager, kind: ImportKind<any, any>, user: AuthUser,
    run: Pick<ImportReport, 'id' | 'status' | 'dryRun' | 'mode' | 'total' | 'created' | 'updated' | 'unchanged' | 'badRows'>, meta: RequestMeta,
  ) {
    await this.audit.record(
      {
        actor: user, action: run.dryRun ? `${kind.auditPrefix}.import.dry_run` : `${kind.auditPrefix}.import`, objectType: 'import', objectId: run.id, regionId: user.regionId,
        outcome: run.status === 'rejected' ? 'rejected' : 'success', statusCode: 200, meta,
        data: { kind: kind.kind, mode: run.mode, status: run.status, total: run.total, created: run.created, updated: run.updated, unchanged: run.unchanged, badRows: run.badRows },
      },
      m,
    );
  }
}

function toReport(r: Record<string, any>): ImportReport {
  return {
    id: r.id, kind: r.kind, dryRun: r.dry_run, mode: r.mode, status: r.status, total: r.total, processed: r.processed, created: r.created, updated: r.updated,
    unchanged: r.unchanged, badRows: r.bad_rows, errors: r.errors, createdAt: r.created_at, finishedAt: r.finished_at,
  };
}
