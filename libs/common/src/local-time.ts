/**
 * Wall-clock arithmetic in an IANA time zone with the platform's Intl data (no library needed for
 * the three questions asked here): what is the local time of an instant, which instant is a given
 * local time, and is an instant inside a daily window such as quiet hours 22:00–07:00.
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the platform knows the zone (an unknown one would throw later). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

/** Minutes after local midnight. */
export function localMinutes(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  return p.hour * 60 + p.minute;
}

export function parseHhMm(value: string): number {
  const [h, m] = value.split(':').map(Number);
  return h * 60 + m;
}

function offsetMs(instant: number, timeZone: string): number {
  const p = localParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - Math.floor(instant / 60000) * 60000;
}

/** The instant at which the clock in `timeZone` shows this local date and time (day may overflow). */
export function zonedInstant(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  let guess = wall - offsetMs(wall, timeZone);
  // a zone whose offset changes between the two readings (daylight saving): read once more
  guess = wall - offsetMs(guess, timeZone);
  return new Date(guess);
}

/** The next instant (after `now`, or `now` itself when it is exactly then) whose local time is `minutes`. */
export function nextLocalTime(now: Date, minutes: number, timeZone: string): Date {
  const p = localParts(now, timeZone);
  const today = zonedInstant(p.year, p.month, p.day, minutes, timeZone);
  return today.getTime() >= now.getTime() ? today : zonedInstant(p.year, p.month, p.day + 1, minutes, timeZone);
}

export interface DailyWindow {
  /** Minutes after local midnight; a window may wrap midnight (start > end). */
  start: number;
  end: number;
}

/** `22:00-07:00` → window; empty or `off` → null. */
export function parseWindow(value: string | null | undefined): DailyWindow | null {
  if (!value || value === 'off') return null;
  const [start, end] = value.split('-');
  return { start: parseHhMm(start), end: parseHhMm(end) };
}

export function insideWindow(now: Date, window: DailyWindow, timeZone: string): boolean {
  if (window.start === window.end) return false;
  const m = localMinutes(now, timeZone);
  return window.start < window.end ? m >= window.start && m < window.end : m >= window.start || m < window.end;
}

/** When `now` falls in quiet hours: the instant they end. Otherwise null. */
export function quietUntil(now: Date, window: DailyWindow | null, timeZone: string): Date | null {
  if (!window || !insideWindow(now, window, timeZone)) return null;
  return nextLocalTime(now, window.end, timeZone);
}

/** `minutes` local time on the local day before `instant` (the evening-before reminder). */
export function dayBefore(instant: Date, minutes: number, timeZone: string): Date {
  const p = localParts(instant, timeZone);
  return zonedInstant(p.year, p.month, p.day - 1, minutes, timeZone);
}
