/**
 * Open311 GeoReport v2: the shapes the specification defines, and the mapping of our orders onto
 * them. Pure functions, unit-tested directly.
 */

import { isRealTimestamp } from '@xinyuan/common/calendar';

export type Format = 'json' | 'xml';

/** `services.json` → { name: 'services', format: 'json' }; null for anything else. */
export function splitFormat(file: string): { name: string; format: Format } | null {
  const m = /^(.+)\.(json|xml)$/i.exec(file);
  return m ? { name: m[1], format: m[2].toLowerCase() as Format } : null;
}

/** The specification's error: a list of {code, description}, code being the HTTP status. */
export interface GeoError {
  code: number;
  description: string;
}

export class Open311Error extends Error {
  constructor(
    readonly status: number,
    description: string,
  ) {
    super(description);
  }
  get errors(): GeoError[] {
    return [{ code: this.status, description: this.message }];
  }
}

export const CLOSED_STATUSES = ['completed', 'closed', 'cancelled', 'rejected'] as const;

/** Our ten statuses onto the specification's two. */
export function georeportStatus(status: string): 'open' | 'closed' {
  return (CLOSED_STATUSES as readonly string[]).includes(status) ? 'closed' : 'open';
}

const STATUS_NOTES: Record<string, string> = {
  pending_review: '待工作人员审核',
  rejected: '未通过审核',
  dispatching: '正在联系服务队',
  offered: '正在联系服务队',
  escalated: '工作人员正在安排',
  accepted: '服务队已接单',
  in_service: '服务中',
  completed: '服务已完成',
  closed: '服务已完成',
  cancelled: '已取消',
};

/** `status_notes`: plain fixed words for an order's status (no free text leaves the platform). */
export function georeportStatusNote(status: string): string | null {
  return STATUS_NOTES[status] ?? null;
}

/** The statuses behind `status=open,closed`. */
export function ordersStatusesFor(filter: ('open' | 'closed')[]): string[] | null {
  if (!filter.length || filter.length === 2) return null;
  const all = ['pending_review', 'rejected', 'dispatching', 'offered', 'escalated', 'accepted', 'in_service', 'completed', 'closed', 'cancelled'];
  return all.filter((s) => georeportStatus(s) === filter[0]);
}

/** The span of `start_date`/`end_date`: at most 90 days; without them the last 90 days. */
export const MAX_RANGE_DAYS = 90;

export function dateRange(start: string | undefined, end: string | undefined, now: Date): { from: Date; to: Date } {
  const parse = (v: string, field: string) => {
    // W3C date-time with a zone (Z or ±hh:mm), as the specification requires
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) || !isRealTimestamp(v)) {
      throw new Open311Error(400, `${field} must be a W3C date-time with a time zone, e.g. 2026-11-29T08:15:30+08:00`);
    }
    return new Date(v);
  };
  const dayMs = 86400e3;
  const to = end ? parse(end, 'end_date') : start ? new Date(parse(start, 'start_date').getTime() + MAX_RANGE_DAYS * dayMs) : now;
  const from = start ? parse(start, 'start_date') : new Date(to.getTime() - MAX_RANGE_DAYS * dayMs);
  if (from > to) throw new Open311Error(400, 'start_date must not be after end_date');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * dayMs) throw new Open311Error(400, `start_date and end_date may span at most ${MAX_RANGE_DAYS} days`);
  return { from, to };
}

/** A comma-delimited list parameter. */
export function listParam(v: unknown): string[] {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** The attributes every menu item takes (the service definition), beside the standard fields. */
export const SERVICE_ATTRIBUTES = [
  {
    variable: true, code: 'urgent', datatype: 'singlevaluelist', required: false, datatype_description: '是否紧急（摔倒、敲门无人应答等）',
    order: 1, description: '紧急 Urgent', values: [{ key: '0', name: '否 No' }, { key: '1', name: '是 Yes' }],
  },
  {
    variable: true, code: 'preferred_start', datatype: 'datetime', required: false, datatype_description: 'W3C date-time, e.g. 2026-12-01T09:00:00+08:00',
    order: 2, description: '期望开始时间 Preferred start', values: [],
  },
  {
    variable: true, code: 'preferred_end', datatype: 'datetime', required: false, datatype_description: 'W3C date-time, after preferred_start',
    order: 3, description: '期望结束时间 Preferred end', values: [],
  },
] as const;

// ---------------------------------------------------------------------------------- XML

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

function element(name: string, value: unknown, itemNames: Record<string, string>): string {
  if (value === null || value === undefined) return `<${name}/>`;
  if (Array.isArray(value)) {
    const item = itemNames[name] ?? 'item';
    return `<${name}>${value.map((v) => element(item, v, itemNames)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, unknown>).map(([k, v]) => element(k, v, itemNames)).join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Names of the elements of each list, as the specification's XML examples write them. */
const ITEM_NAMES: Record<string, string> = {
  services: 'service', service_requests: 'request', errors: 'error', attributes: 'attribute', values: 'value', keywords: 'keyword',
};

/** `<?xml …?><root><item>…</item>…</root>` for a list answer, or `<root>…</root>` for an object. */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>` + element(root, value, ITEM_NAMES);
}
