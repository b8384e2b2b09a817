/** The dashboard's figures (GET /api/v1/stats/dashboard). Pure types and the export tables; no Nest. */
import { label, STATUS_LABELS } from '../../../web-shared/labels';
import type { CareCoverageView } from '@xinyuan/care';

export interface Percentiles {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface Dashboard {
  from: string;
  to: string;
  timeZone: string;
  regionId: string | null;
  totals: { orders: number; completed: number; cancelled: number; open: number };
  ordersPerDay: { day: string; status: string; count: number }[];
  byGroup: { group: string; orders: number; completed: number; cancelled: number }[];
  timeToAccept: Percentiles;
  timeToComplete: Percentiles;
  satisfaction: { ratings: number; averageStars: number | null; solvedRate: number | null; stars: Record<'1' | '2' | '3' | '4' | '5', number> };
  volunteerMinutes: { total: number; orders: number; volunteers: number };
  perRegion: {
    regionId: string | null;
    region: string;
    orders: number;
    completed: number;
    cancelled: number;
    medianAcceptSeconds: number | null;
    p90AcceptSeconds: number | null;
    medianCompleteSeconds: number | null;
    p90CompleteSeconds: number | null;
    averageStars: number | null;
    volunteerMinutes: number;
  }[];
}

export type Lang = 'zh' | 'en';

/** The care coverage figures (`GET /api/v1/care/coverage`) that the export puts on their own sheet. */
export type CareCoverageFigures = Omit<CareCoverageView, 'at'>;

export interface ExportColumn {
  key: string;
  zh: string;
  en: string;
}

export interface ExportTable {
  key: string;
  zh: string;
  en: string;
  columns: ExportColumn[];
  rows: Record<string, string | number | null>[];
}

export const EXPORT_TABLE_KEYS = ['summary', 'ordersPerDay', 'byGroup', 'perRegion'] as const;
export type ExportTableKey = (typeof EXPORT_TABLE_KEYS)[number];

const minutes = (s: number | null) => (s === null ? null : Math.round(s / 6) / 10);
const round = (v: number | null, digits: number) => (v === null ? null : Number(v.toFixed(digits)));

/** The dashboard as the tables staff export: the same figures, one table per chart. */
export function dashboardTables(d: Dashboard): Record<ExportTableKey, ExportTable> {
  const summaryRows: [string, string, string | number | null][] = [
    ['时间范围', 'Period', `${d.from} – ${d.to} (${d.timeZone})`],
    ['订单数', 'Orders', d.totals.orders],
    ['已完成', 'Completed', d.totals.completed],
    ['已取消', 'Cancelled', d.totals.cancelled],
    ['进行中', 'Open', d.totals.open],
    ['接单用时中位数（分钟）', 'Time to accept, median (min)', minutes(d.timeToAccept.medianSeconds)],
    ['接单用时 P90（分钟）', 'Time to accept, p90 (min)', minutes(d.timeToAccept.p90Seconds)],
    ['完成用时中位数（分钟）', 'Time to complete, median (min)', minutes(d.timeToComplete.medianSeconds)],
    ['完成用时 P90（分钟）', 'Time to complete, p90 (min)', minutes(d.timeToComplete.p90Seconds)],
    ['评价数', 'Ratings', d.satisfaction.ratings],
    ['平均星级', 'Average stars', round(d.satisfaction.averageStars, 2)],
    ['问题解决率', 'Solved rate', round(d.satisfaction.solvedRate, 3)],
    ['志愿服务时长（分钟）', 'Volunteer minutes', d.volunteerMinutes.total],
  ];
  return {
    summary: {
      key: 'summary', zh: '概览', en: 'Summary',
      columns: [{ key: 'metric', zh: '指标', en: 'Metric' }, { key: 'value', zh: '数值', en: 'Value' }],
      rows: summaryRows.map(([zh, en, value]) => ({ metric: zh, metric_en: en, value })),
    },
    ordersPerDay: {
      key: 'ordersPerDay', zh: '每日订单（按状态）', en: 'Orders per day by status',
      columns: [{ key: 'day', zh: '日期', en: 'Day' }, { key: 'status', zh: '状态', en: 'Status' }, { key: 'count', zh: '订单数', en: 'Orders' }],
      rows: d.ordersPerDay.map((r) => ({ ...r })),
    },
    byGroup: {
      key: 'byGroup', zh: '按服务类别', en: 'By menu group',
      columns: [
        { key: 'group', zh: '服务类别', en: 'Group' }, { key: 'orders', zh: '订单数', en: 'Orders' },
        { key: 'completed', zh: '已完成', en: 'Completed' }, { key: 'cancelled', zh: '已取消', en: 'Cancelled' },
      ],
      rows: d.byGroup.map((r) => ({ ...r })),
    },
    perRegion: {
      key: 'perRegion', zh: '按区域', en: 'Per region',
      columns: [
        { key: 'region', zh: '区域', en: 'Region' }, { key: 'orders', zh: '订单数', en: 'Orders' },
        { key: 'completed', zh: '已完成', en: 'Completed' }, { key: 'cancelled', zh: '已取消', en: 'Cancelled' },
        { key: 'medianAcceptMin', zh: '接单中位数（分钟）', en: 'Accept median (min)' },
        { key: 'p90AcceptMin', zh: '接单 P90（分钟）', en: 'Accept p90 (min)' },
        { key: 'medianCompleteMin', zh: '完成中位数（分钟）', en: 'Complete median (min)' },
        { key: 'p90CompleteMin', zh: '完成 P90（分钟）', en: 'Complete p90 (min)' },
        { key: 'averageStars', zh: '平均星级', en: 'Average stars' },
        { key: 'volunteerMinutes', zh: '服务时长（分钟）', en: 'Volunteer minutes' },
      ],
      rows: d.perRegion.map((r) => ({
        region: r.region, orders: r.orders, completed: r.completed, cancelled: r.cancelled,
        medianAcceptMin: minutes(r.medianAcceptSeconds), p90AcceptMin: minutes(r.p90AcceptSeconds),
        medianCompleteMin: minutes(r.medianCompleteSeconds), p90CompleteMin: minutes(r.p90CompleteSeconds),
        averageStars: round(r.averageStars, 2), volunteerMinutes: r.volunteerMinutes,
      })),
    },
  };
}

/** Care coverage as a metric/value table (the XLSX's 关爱覆盖 sheet, or `table=care` as CSV); the not-seen list last, longest first. */
export function careCoverageTable(c: CareCoverageFigures): ExportTable {
  const rows: [string, string, string | number | null][] = [
    ['服务对象人数', 'People', c.people],
    ['有关爱计划', 'With a plan', c.withPlan],
    ['有计划比例', 'Plan share', c.planShare],
    ['每日报平安人数', 'Daily check-in: people', c.dailyCheckIn.people],
    ['今日已报平安', 'Checked in today', c.dailyCheckIn.checkedInToday],
    ['今日报平安率', 'Check-in rate today', c.dailyCheckIn.rate],
    ['特困人员', 'Extreme poverty: people', c.policy.extremePovertyMonthly.people],
    ['特困：30 天内已走访', 'Extreme poverty: visited in 30 days', c.policy.extremePovertyMonthly.visited],
    ['特困月走访率', 'Extreme poverty: monthly visit rate', c.policy.extremePovertyMonthly.rate],
    ['独居老人', 'Living alone: people', c.policy.livingAloneWeekly.people],
    ['独居：7 天内已走访', 'Living alone: visited in 7 days', c.policy.livingAloneWeekly.visited],
    ['独居周走访率', 'Living alone: weekly visit rate', c.policy.livingAloneWeekly.rate],
    ['未处理提醒', 'Open alerts', c.alerts.open],
    ['30 天内提醒', 'Alerts in 30 days', c.alerts.openedLast30Days],
    ['处理用时中位数（分钟）', 'Median minutes to resolve', c.alerts.medianMinutesToResolve],
    ['回访待办', 'Follow-ups open', c.followUps.open],
    ['回访逾期', 'Follow-ups overdue', c.followUps.overdue],
    ['回访后重新下单', 'Follow-ups ended in a redo', c.followUps.redo],
    ...c.notSeen.map((p, i): [string, string, string | number | null] => [
      `最久未见 ${i + 1}：${p.name}${p.area ? `（${p.area}）` : ''}`, `Not seen longest ${i + 1}: ${p.name}${p.area ? ` (${p.area})` : ''}`,
      p.days === null ? '从未' : p.days,
    ]),
  ];
  return {
    key: 'care', zh: '关爱覆盖', en: 'Care coverage',
    columns: [{ key: 'metric', zh: '指标', en: 'Metric' }, { key: 'value', zh: '数值', en: 'Value' }],
    rows: rows.map(([zh, en, value]) => ({ metric: zh, metric_en: en, value })),
  };
}

/** The value a cell shows: summary metric names and order statuses follow the language (never a raw code). */
function cellValue(table: ExportTable, row: Record<string, string | number | null>, key: string, lang: Lang) {
  if ((table.key === 'summary' || table.key === 'care') && key === 'metric' && lang === 'en') return row.metric_en;
  if (table.key === 'ordersPerDay' && key === 'status') return label(STATUS_LABELS, row.status as string, lang);
  return row[key];
}

/**
 * A cell as CSV: quoted when needed, and text that a spreadsheet would run as a formula
 * (= + - @, tab, CR) is prefixed with an apostrophe (CSV injection).
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One table as CSV with a UTF-8 byte-order mark, so spreadsheet programs read the Chinese text right. */
export function toCsv(table: ExportTable, lang: Lang): string {
  const lines = [table.columns.map((c) => csvCell(c[lang])).join(',')];
  for (const row of table.rows) lines.push(table.columns.map((c) => csvCell(cellValue(table, row, c.key, lang))).join(','));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** Rows of a table as plain arrays (header first), for the XLSX writer. */
export function tableMatrix(table: ExportTable, lang: Lang): (string | number | null)[][] {
  return [table.columns.map((c) => c[lang]), ...table.rows.map((row) => table.columns.map((c) => cellValue(table, row, c.key, lang) ?? null))];
}
