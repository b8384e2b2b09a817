import { Injectable } from '@nestjs/common';
import { PassThrough, Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { DomainException, isCalendarDay, maskName } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import type { SheetFormat } from './table-reader';

export interface LedgerFilter {
  /** First and last day, inclusive, YYYY-MM-DD in STATS_TIME_ZONE. */
  from: string;
  to: string;
  regionId?: string;
  serviceCode?: string;
}

/** The itemised ledger's columns, one row per order. */
export const LEDGER_HEADERS = ['下单时间', '订单号', '服务项目', '区域', '服务队', '志愿者', '服务时长（分钟）', '评分', '是否解决', '状态', '服务对象'];

const STATUS_WORDS: Record<string, string> = {
  pending_review: '待审核', rejected: '未通过', dispatching: '派单中', offered: '待接单', escalated: '待人工派单', accepted: '已接单',
  in_service: '服务中', completed: '已完成', closed: '已评价', cancelled: '已取消',
};

/** Rows read from the database per round trip; only this many are held in memory at once. */
export const LEDGER_FETCH = 1000;
const MAX_DAYS = 366;

/**
 * 台账: the itemised ledger of orders (date, service, area, team, volunteers, minutes, rating,
 * solved) for a period, a region and a service, as CSV or XLSX, streamed: a server-side cursor is
 * read LEDGER_FETCH rows at a time and each batch is written out — waiting for the client when it
 * reads slower — so 100,000 rows take no more memory than 1,000. The beneficiary's name is shown
 * only to staff whose jurisdiction covers the profile, masked (王**) otherwise; no phone, no address.
 */
@Injectable()
export class OrderLedgerExport {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
  ) {}

  /** The period asked for, with defaults (`to`: today in STATS_TIME_ZONE; `from`: 30 days before `to`); refuses days that do not exist. */
  period(from: string | undefined, to: string | undefined, now = new Date()): { from: string; to: string } {
    const bad = [
      ...(from !== undefined && !isCalendarDay(from) ? [{ field: 'from', messages: ['from must be a real day (YYYY-MM-DD)'] }] : []),
      ...(to !== undefined && !isCalendarDay(to) ? [{ field: 'to', messages: ['to must be a real day (YYYY-MM-DD)'] }] : []),
    ];
    if (bad.length) throw DomainException.validation(bad, '日期不存在，请按 年-月-日 填写');
    const lastDay = to ?? new Intl.DateTimeFormat('en-CA', { timeZone: this.config.STATS_TIME_ZONE }).format(now);
    return { from: from ?? new Date(Date.parse(`${lastDay}T00:00:00Z`) - 30 * 86400e3).toISOString().slice(0, 10), to: lastDay };
  }

  async check(user: AuthUser, f: LedgerFilter): Promise<void> {
    if (!isCalendarDay(f.from) || !isCalendarDay(f.to)) {
      throw DomainException.validation([{ field: 'from', messages: ['from and to must be real days (YYYY-MM-DD)'] }]);
    }
    const days = (Date.parse(f.to) - Date.parse(f.from)) / 86400e3;
    if (days < 0 || days > MAX_DAYS) throw DomainException.validation([{ field: 'to', messages: [`to must be on or after from, at most ${MAX_DAYS} days later`] }], `时间段最长 ${MAX_DAYS} 天`);
    if (f.regionId) await this.jurisdiction.requireStaffCovers(user, f.regionId);
  }

  /** The file as a stream (call `check` first: errors after the first byte cannot be answered as a 4xx). */
  async stream(user: AuthUser, f: LedgerFilter, format: SheetFormat): Promise<Readable> {
    const params: unknown[] = [f.from, f.to, this.config.STATS_TIME_ZONE];
    const where = [`o.created_at >= ($1::date)::timestamp AT TIME ZONE $3`, `o.created_at < ($2::date + 1)::timestamp AT TIME ZONE $3`];
    where.push(scopeSql(await this.jurisdiction.staffScope(user), 'o.region_id', params));
    if (f.regionId) {
      params.push(f.regionId);
      where.push(`o.region_id IN (SELECT sr.id FROM regions sr WHERE sr.path @> ARRAY[$${params.length}::uuid])`);
    }
    if (f.serviceCode) {
      params.push(f.serviceCode);
      where.push(`o.service_code = $${params.length}`);
    }
    const maySee = `(${scopeSql(await this.jurisdiction.staffScope(user), 'b.region_id', params)} OR ${scopeSql(await this.jurisdiction.gridScope(user), 'b.region_id', params)})`;
    const sql = `
      SELECT o.id, to_char(o.created_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') AS at, o.status, s.name AS service, r.name AS area, t.name AS team,
             sr.minutes, (SELECT string_agg(u.name, '、' ORDER BY u.name) FROM users u WHERE u.id = ANY(sr.volunteer_ids)) AS volunteers,
             rt.stars, rt.solved, b.name AS beneficiary, CASE WHEN b.id IS NULL THEN NULL ELSE ${maySee} END AS may_see
        FROM orders o JOIN services s ON s.id = o.service_id
        LEFT JOIN regions r ON r.id = o.region_id LEFT JOIN teams t ON t.id = o.team_id
        LEFT JOIN service_records sr ON sr.order_id = o.id LEFT JOIN ratings rt ON rt.order_id = o.id
        LEFT JOIN beneficiaries b ON b.id = o.beneficiary_id
       WHERE ${where.join(' AND ')}
       ORDER BY o.created_at, o.id`;
    const batches = this.batches(sql, params);
    const toCells = (o: Record<string, any>): (string | number | null)[] => [
      o.at, o.id, o.service, o.area ?? '', o.team ?? '', o.volunteers ?? '', o.minutes ?? null, o.stars ?? null,
      o.solved === null || o.solved === undefined ? '' : o.solved ? '是' : '否', STATUS_WORDS[o.status] ?? o.status,
      o.beneficiary ? (o.may_see ? o.beneficiary : maskName(o.beneficiary)) : '',
    ];
    return format === 'csv' ? csvStream(batches, toCells) : xlsxStream(batches, toCells);
  }

  /** A server-side cursor in a read-only transaction, LEDGER_FETCH rows per FETCH; closed however the reading ends. */
  private async *batches(sql: string, params: unknown[]): AsyncGenerator<Record<string, any>[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let committed = false;
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(`DECLARE ledger NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows: Record<string, any>[] = await runner.query(`FETCH ${LEDGER_FETCH} FROM ledger`);
        if (!rows.length) break;
        yield rows;
      }
      await runner.query('COMMIT');
      committed = true;
    } finally {
      // the client went away (or a query failed): close the cursor's transaction before the connection goes back
      if (!committed) await runner.query('ROLLBACK').catch(() => undefined);
      await runner.release();
    }
  }
}

const csvCell = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
};

function csvStream(batches: AsyncGenerator<Record<string, any>[]>, toCells: (o: Record<string, any>) => (string | number | null)[]): Readable {
  async function* lines() {
    yield '\uFEFF' + LEDGER_HEADERS.join(',') + '\r\n';
    for await (const batch of batches) yield batch.map((o) => toCells(o).map(csvCell).join(',')).join('\r\n') + '\r\n';
  }
  // Readable.from pulls the next batch only when the client has taken the last one
  return Readable.from(lines());
}

function xlsxStream(batches: AsyncGenerator<Record<string, any>[]>, toCells: (o: Record<string, any>) => (string | number | null)[]): Readable {
  const out = new PassThrough({ highWaterMark: 256 * 1024 });
  void (async () => {
    try {
      const { default: ExcelJS } = await import('exceljs');
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
      const sheet = workbook.addWorksheet('服务台账', { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = LEDGER_HEADERS.map((h, i) => ({ header: h, width: [18, 38, 16, 14, 16, 24, 10, 6, 8, 10, 10][i] }));
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      for await (const batch of batches) {
        for (const o of batch) sheet.addRow(toCells(o)).commit();
        // back-pressure: wait while the client has not read what was written
        if (out.writableNeedDrain) await new Promise((r) => out.once('drain', r));
      }
      sheet.commit();
      await workbook.commit();
    } catch (e) {
      out.destroy(e as Error);
      await batches.return(undefined).catch(() => undefined);
    }
  })();
  out.on('close', () => void batches.return(undefined).catch(() => undefined));
  return out;
}
