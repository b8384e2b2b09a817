import type { ServiceLedgerRow } from '@xinyuan/record';
import { ExportTable } from '../stats/dashboard';

type Row = ServiceLedgerRow & { volunteer_name: string };

const KIND_ZH: Record<string, string> = { credit: '记入', reversal: '冲销', correction: '更正' };
const CONFIRMATION_ZH: Record<string, string> = { recipient: '服务对象确认', staff: '工作人员确认', organiser: '组织方确认' };

function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The ledger as the station's 台账: every row, reversals and corrections included, signed minutes. */
export function ledgerTable(rows: Row[], timeZone: string): ExportTable {
  return {
    key: 'ledger',
    zh: '志愿服务记录台账',
    en: 'Service record ledger',
    columns: [
      { key: 'id', zh: '记录号', en: 'Entry' },
      { key: 'volunteer', zh: '志愿者', en: 'Volunteer' },
      { key: 'date', zh: '服务日期', en: 'Service date' },
      { key: 'kind', zh: '类型', en: 'Kind' },
      { key: 'content', zh: '服务内容', en: 'Content' },
      { key: 'minutes', zh: '时长（分钟）', en: 'Minutes' },
      { key: 'organiser', zh: '组织方', en: 'Organiser' },
      { key: 'confirmation', zh: '确认方式', en: 'Confirmed by' },
      { key: 'reason', zh: '更正原因', en: 'Reason' },
    ],
    rows: rows.map((r) => ({
      id: String(r.id),
      volunteer: r.volunteer_name,
      date: localDate(new Date(r.served_at), timeZone),
      kind: KIND_ZH[r.kind] ?? r.kind,
      content: r.content,
      minutes: r.minutes,
      organiser: r.organiser,
      confirmation: CONFIRMATION_ZH[r.confirmation] ?? r.confirmation,
      reason: r.reason,
    })),
  };
}

/**
 * The shape national volunteer systems import: name, ID type and number, service date, hours,
 * content, organisation — one line per volunteer, day and content with the net hours (reversals
 * netted out; lines netting to zero left out). No identity numbers are held yet: the columns stay empty.
 */
export function nationalTable(rows: Row[], timeZone: string): ExportTable {
  const lines = new Map<string, { name: string; date: string; content: string; organiser: string; minutes: number }>();
  for (const r of rows) {
    const date = localDate(new Date(r.served_at), timeZone);
    const key = `${r.volunteer_id}|${date}|${r.content}|${r.organiser}`;
    const line = lines.get(key) ?? { name: r.volunteer_name, date, content: r.content, organiser: r.organiser, minutes: 0 };
    line.minutes += r.minutes;
    lines.set(key, line);
  }
  return {
    key: 'national',
    zh: '志愿服务时长导入',
    en: 'National import',
    columns: [
      { key: 'name', zh: '姓名', en: 'Name' },
      { key: 'idType', zh: '证件类型', en: 'ID type' },
      { key: 'idNumber', zh: '证件号码', en: 'ID number' },
      { key: 'date', zh: '服务日期', en: 'Service date' },
      { key: 'hours', zh: '服务时长（小时）', en: 'Hours' },
      { key: 'content', zh: '服务内容', en: 'Content' },
      { key: 'organiser', zh: '服务组织', en: 'Organisation' },
    ],
    rows: [...lines.values()].filter((l) => l.minutes > 0).map((l) => ({
      name: l.name, idType: null, idNumber: null, date: l.date, hours: Math.round((l.minutes / 60) * 100) / 100, content: l.content, organiser: l.organiser,
    })),
  };
}
