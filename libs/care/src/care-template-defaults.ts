// a plain file (no Nest): the seed imports it directly
import type { VisitKind } from './care-policy';

/** The demo's defaults (also a sensible start for a new county): 独居老人, 特困, 留守儿童. */
export const DEFAULT_CARE_TEMPLATES: { tag: string; name: string; checkIn?: { dailyBy: string; graceMinutes?: number }; visits: { kind: VisitKind; rrule: string }[] }[] = [
  { tag: 'living_alone', name: '独居老人：每天电话，每周上门', checkIn: { dailyBy: '09:00', graceMinutes: 30 },
    visits: [{ kind: 'call', rrule: 'FREQ=DAILY' }, { kind: 'visit', rrule: 'FREQ=WEEKLY;BYDAY=TU' }] },
  { tag: 'extreme_poverty', name: '特困人员：每月上门走访', visits: [{ kind: 'visit', rrule: 'FREQ=MONTHLY;BYMONTHDAY=5' }] },
  { tag: 'left_behind_child', name: '留守儿童：每周电话', visits: [{ kind: 'call', rrule: 'FREQ=WEEKLY;BYDAY=SA' }] },
];
