/**
 * Proactive care: the pure rules (unit-tested directly) — who may record which kind of check-in,
 * how alerts are resolved, and the time arithmetic of the daily deadline.
 */
import { localParts, parseHhMm, zonedInstant } from '@xinyuan/common/local-time';

export const CHECK_IN_SOURCES = ['self', 'family', 'neighbour', 'grid_worker', 'device'] as const;
export type CheckInSource = (typeof CHECK_IN_SOURCES)[number];

export const VISIT_KINDS = ['visit', 'call', 'delivery'] as const;
export type VisitKind = (typeof VISIT_KINDS)[number];

/** 回访 outcomes: explained 已解释说明, resolved_by_phone 电话沟通已解决, redo 重新下单. */
export const FOLLOW_UP_OUTCOMES = ['explained', 'resolved_by_phone', 'redo'] as const;
export type FollowUpOutcome = (typeof FOLLOW_UP_OUTCOMES)[number];

export const WELLBEING = ['ok', 'concern', 'urgent'] as const;
export type Wellbeing = (typeof WELLBEING)[number];

/** found_well 安好; in_hospital 住院; away 随家人外出 (suspends the plan until awayUntil); checked_in 已报平安; other 其他. */
export const ALERT_OUTCOMES = ['found_well', 'in_hospital', 'away', 'other'] as const;
export type AlertOutcome = (typeof ALERT_OUTCOMES)[number] | 'checked_in';

/** How the caller stands to the person: their own/linked account, an official of the region, a serving team member or assignee. */
export interface CareRelation {
  owner: boolean;
  official: boolean;
  serving: boolean;
}

/**
 * Which source a check-in may claim: the person's own or linked account says `self` or `family`;
 * grid workers and staff record any source but `device` (which only the keyed device endpoint
 * writes); members of a serving team and assignees record `neighbour` or `grid_worker`.
 */
export function mayRecordCheckIn(rel: CareRelation, source: CheckInSource): boolean {
  if (source === 'device') return false;
  if (rel.official) return true;
  if (rel.owner && (source === 'self' || source === 'family')) return true;
  return rel.serving && (source === 'neighbour' || source === 'grid_worker');
}

export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The deadline (dailyBy + grace) of the local day `yyyy-mm-dd` in `timeZone`. */
export function deadlineOf(day: string, dailyBy: string, graceMinutes: number, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(zonedInstant(y, m, d, parseHhMm(dailyBy), timeZone).getTime() + graceMinutes * 60_000);
}

/** The first deadline strictly after `after` (mirrors the SQL function care_next_deadline). */
export function nextDeadline(after: Date, dailyBy: string, graceMinutes: number, timeZone: string): Date {
  const p = localParts(after, timeZone);
  for (let k = -2; k <= 2; k++) {
    const day = new Date(Date.UTC(p.year, p.month - 1, p.day + k));
    const d = deadlineOf(`${day.getUTCFullYear()}-${day.getUTCMonth() + 1}-${day.getUTCDate()}`, dailyBy, graceMinutes, timeZone);
    if (d.getTime() > after.getTime()) return d;
  }
  throw new Error('no deadline in reach');
}
