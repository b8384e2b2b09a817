/**
 * Strict date checks. `Date.parse` rolls impossible dates over (2026-02-30 becomes 2 March) and
 * Postgres refuses them later — after a stream has started, or as a 500; these catch them first.
 */

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function realDay(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (month === 2 && leap ? 1 : 0);
}

/** A `YYYY-MM-DD` naming a real calendar day. */
export function isCalendarDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  return !!m && realDay(+m[1], +m[2], +m[3]);
}

/** An ISO 8601 date or date-time (`T` or a space, optional seconds, fraction and zone) whose every field is in range. */
export function isRealTimestamp(value: string): boolean {
  const m = TIMESTAMP_RE.exec(value);
  if (!m || !realDay(+m[1], +m[2], +m[3])) return false;
  const [hour, minute, second, , zoneHour, zoneMinute] = [m[4], m[5], m[6], m[7], m[8], m[9]].map((v) => (v === undefined ? 0 : +v));
  return hour <= 23 && minute <= 59 && second <= 59 && zoneHour <= 14 && zoneMinute <= 59;
}
