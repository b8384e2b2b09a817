import { Frequency, Options, RRule } from 'rrule';
// the pure file itself (not the package index, which loads NestJS), so unit tests can import this one
import { localParts, zonedInstant } from '@xinyuan/common/local-time';

/**
 * Recurring duties as RFC 5545 rules, read in the plan's local wall time: the rule is expanded by
 * `rrule` in "floating" time (UTC fields standing for local ones), and each occurrence is then placed
 * in the plan's zone. A rule without DTSTART starts on the local day the duty was made, at
 * 09:00 unless it names BYHOUR (then at local midnight, so an earlier hour of that day counts).
 */
export const DEFAULT_DUE_MINUTES = 9 * 60;
/** How far ahead visit tasks are made (a rolling window of local days, today included). */
export const WINDOW_DAYS = 14;

export class RruleProblem extends Error {}

/** How far ahead a rule must have an occurrence when it is saved. */
export const HORIZON_DAYS = 366;
/** At most this many occurrences are expanded per rule and window (a rule has at most one a day). */
export const MAX_OCCURRENCES_PER_WINDOW = 31;
/** A DTSTART before this would make every expansion walk decades of periods. */
const EARLIEST_DTSTART = Date.UTC(2000, 0, 1);

/** Rules more frequent than daily would flood the lists; rules must also have an end in sight of a year. */
const ALLOWED = new Set([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);
const PERIOD_DAYS: Record<number, number> = { [Frequency.DAILY]: 1, [Frequency.WEEKLY]: 7, [Frequency.MONTHLY]: 28, [Frequency.YEARLY]: 365 };

const many = (v: unknown) => Array.isArray(v) && v.length > 1;
const present = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

/**
 * Parses and checks a rule (`FREQ=WEEKLY;BYDAY=TU`, with or without `RRULE:` and a DTSTART line).
 * Structural checks only, no expansion beyond a bounded probe: a rule gives at most one occurrence a
 * day (one BYHOUR, one BYMINUTE, no BYSECOND — lists of them would turn FREQ=DAILY into every
 * minute; with one time a day BYSETPOS can only pick fewer), a DTSTART from 2000 on.
 */
export function parseRule(text: string): Partial<Options> {
  if (typeof text !== 'string' || text.length === 0 || text.length > 500) throw new RruleProblem('empty or too long');
  let options: Partial<Options>;
  try {
    options = RRule.parseString(text.trim());
  } catch (e) {
    throw new RruleProblem((e as Error).message);
  }
  if (options.freq === undefined || options.freq === null || !ALLOWED.has(options.freq)) {
    throw new RruleProblem('FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY');
  }
  if (options.interval !== undefined && (!Number.isInteger(options.interval) || options.interval < 1 || options.interval > 366)) {
    throw new RruleProblem('INTERVAL must be 1..366');
  }
  if (many(options.byhour) || many(options.byminute)) throw new RruleProblem('BYHOUR and BYMINUTE name one time of day (one value each)');
  if (present(options.bysecond)) throw new RruleProblem('BYSECOND is not allowed');
  if (present(options.byeaster)) throw new RruleProblem('BYEASTER is not allowed');
  if (present(options.bysetpos) && options.freq === Frequency.DAILY) throw new RruleProblem('BYSETPOS needs FREQ=WEEKLY, MONTHLY or YEARLY');
  if (options.count !== undefined && options.count !== null && (!Number.isInteger(options.count) || options.count < 1)) {
    throw new RruleProblem('COUNT must be 1 or more');
  }
  if (options.dtstart && Number.isNaN(options.dtstart.getTime())) throw new RruleProblem('bad DTSTART');
  if (options.dtstart && options.dtstart.getTime() < EARLIEST_DTSTART) throw new RruleProblem('DTSTART must be 2000 or later');
  try {
    // expand a little (bounded: a year of periods) to catch rules rrule accepts but cannot evaluate
    const probe = options.dtstart ?? new Date(Date.UTC(2026, 0, 1, 9));
    boundedBetween(options, probe, probe, new Date(probe.getTime() + HORIZON_DAYS * 86_400_000), 3);
  } catch (e) {
    throw new RruleProblem((e as Error).message);
  }
  return options;
}

/**
 * What a rule must pass to be saved: `parseRule`, and an occurrence within HORIZON_DAYS local days
 * from today (found by a bounded search, so a rule that never happens — `BYMONTH=2;BYMONTHDAY=30` —
 * is answered in milliseconds instead of rrule's walk to the year 9999).
 */
export function checkRule(text: string, timeZone: string, now: Date): Partial<Options> {
  const options = parseRule(text);
  // an old DTSTART makes every expansion walk the periods since then
  if (options.dtstart && options.dtstart.getTime() < now.getTime() - HORIZON_DAYS * 86_400_000) {
    throw new RruleProblem('DTSTART must be within a year before today');
  }
  if (expand(options, timeZone, now, now, HORIZON_DAYS, 1).length === 0) {
    throw new RruleProblem('the rule has no occurrence within a year');
  }
  return options;
}

/**
 * The occurrences of a rule in [after, before) in floating time, at most `max`, walking at most the
 * periods from `dtstart` to `before`. rrule itself walks period by period until it produces a date
 * past `before` or reaches the year 9999: a rule whose filters never match (or match years apart)
 * costs millions of periods. It reads `options.interval` before every step to the next period, and
 * stops when it is 0; the getter below makes it 0 once the periods that can reach `before` are walked.
 * (care-policy.spec.ts times the rules that would otherwise walk to 9999.)
 */
export function boundedBetween(options: Partial<Options>, dtstart: Date, after: Date, before: Date, max: number): Date[] {
  const rule = new RRule({ ...options, dtstart: laterStart(options, dtstart, after), tzid: null }, true);
  const interval = rule.options.interval || 1;
  const span = Math.max(0, before.getTime() - dtstart.getTime()) / 86_400_000;
  const periods = Math.ceil(span / (PERIOD_DAYS[rule.options.freq] * interval)) + 2;
  // two reads of `interval` per period (the stop check and the step), one before the first
  const reads = 2 * periods + 1;
  let read = 0;
  Object.defineProperty(rule.options, 'interval', { configurable: true, enumerable: true, get: () => (++read > reads ? 0 : interval) });
  const out: Date[] = [];
  rule.between(after, before, true, (d) => {
    if (d.getTime() >= before.getTime() || out.length >= max) return false;
    out.push(d);
    return true;
  });
  return out;
}

const DAY_MS = 86_400_000;

/**
 * A start with the same occurrences from `after` on, whole periods (FREQ × INTERVAL) later than
 * `dtstart` and at least one period before `after`: a duty made years ago is expanded from last
 * month, not walked period by period since the day it was made. The day of the month (and month of
 * the year) stays the start's — rrule takes its defaults from them — so a start on the 31st or on
 * 29 February only moves to a month or year that has that day. A rule with COUNT counts from its
 * own start and keeps it.
 */
export function laterStart(options: Partial<Options>, dtstart: Date, after: Date): Date {
  if (options.count || after.getTime() <= dtstart.getTime()) return dtstart;
  const interval = options.interval || 1;
  if (options.freq === Frequency.DAILY || options.freq === Frequency.WEEKLY) {
    const step = (options.freq === Frequency.DAILY ? 1 : 7) * interval * DAY_MS;
    const periods = Math.floor((after.getTime() - dtstart.getTime()) / step) - 1;
    return periods > 0 ? new Date(dtstart.getTime() + periods * step) : dtstart;
  }
  if (options.freq === Frequency.MONTHLY || options.freq === Frequency.YEARLY) {
    const step = (options.freq === Frequency.MONTHLY ? 1 : 12) * interval;
    const year = dtstart.getUTCFullYear();
    const month = dtstart.getUTCMonth();
    const day = dtstart.getUTCDate();
    const timeOfDay = dtstart.getTime() - Date.UTC(year, month, day);
    const months = (after.getUTCFullYear() - year) * 12 + (after.getUTCMonth() - month);
    for (let periods = Math.floor(months / step) - 1; periods > 0; periods--) {
      const candidate = new Date(Date.UTC(year, month + periods * step, day) + timeOfDay);
      if (candidate.getUTCDate() === day) return candidate;
    }
  }
  return dtstart;
}

function expand(options: Partial<Options>, timeZone: string, createdAt: Date, from: Date, days: number, max: number): Date[] {
  const created = localParts(createdAt, timeZone);
  // a rule naming its hour starts at the local midnight of that day (so today's occurrence counts); else at 09:00
  const named = present(options.byhour);
  const dtstart = options.dtstart ?? new Date(Date.UTC(created.year, created.month - 1, created.day, 0, named ? 0 : DEFAULT_DUE_MINUTES));
  const today = localParts(from, timeZone);
  const startFloating = new Date(Date.UTC(today.year, today.month - 1, today.day));
  const endFloating = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
  return boundedBetween(options, dtstart, startFloating, endFloating, max);
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function localDay(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * The due instants of a rule within [start of the local day of `from`, + `days` local days), in
 * `timeZone`. `createdAt` fixes the rule's start when it names none.
 */
export function occurrences(rule: string, timeZone: string, createdAt: Date, from: Date, days = WINDOW_DAYS): Date[] {
  return expand(parseRule(rule), timeZone, createdAt, from, days, MAX_OCCURRENCES_PER_WINDOW)
    .map((d) => zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours() * 60 + d.getUTCMinutes(), timeZone));
}

/** The end of the window that `occurrences(…, from)` covers (local midnight `days` days after today). */
export function windowEnd(from: Date, timeZone: string, days = WINDOW_DAYS): Date {
  const p = localParts(from, timeZone);
  return zonedInstant(p.year, p.month, p.day + days, 0, timeZone);
}
