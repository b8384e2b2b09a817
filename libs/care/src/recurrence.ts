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

/** Rules more frequent than daily would flood the lists; rules must also have an end in sight of a year. */
const ALLOWED = new Set([Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]);

/** Parses and checks a rule (`FREQ=WEEKLY;BYDAY=TU`, with or without `RRULE:` and a DTSTART line). */
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
  if (options.dtstart && Number.isNaN(options.dtstart.getTime())) throw new RruleProblem('bad DTSTART');
  try {
    // expand a little to catch rules rrule accepts but cannot evaluate
    new RRule({ ...options, dtstart: options.dtstart ?? new Date(Date.UTC(2026, 0, 1, 9)) }).all((_, i) => i < 3);
  } catch (e) {
    throw new RruleProblem((e as Error).message);
  }
  return options;
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
  const options = parseRule(rule);
  const created = localParts(createdAt, timeZone);
  // a rule naming its hour starts at the local midnight of that day (so today's occurrence counts); else at 09:00
  const named = options.byhour !== undefined && options.byhour !== null;
  const dtstart = options.dtstart ?? new Date(Date.UTC(created.year, created.month - 1, created.day, 0, named ? 0 : DEFAULT_DUE_MINUTES));
  const r = new RRule({ ...options, dtstart, tzid: null });
  const today = localParts(from, timeZone);
  const startFloating = new Date(Date.UTC(today.year, today.month - 1, today.day));
  const endFloating = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
  return r
    .between(startFloating, endFloating, true)
    .filter((d) => d.getTime() < endFloating.getTime())
    .map((d) => zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours() * 60 + d.getUTCMinutes(), timeZone));
}

/** The end of the window that `occurrences(…, from)` covers (local midnight `days` days after today). */
export function windowEnd(from: Date, timeZone: string, days = WINDOW_DAYS): Date {
  const p = localParts(from, timeZone);
  return zonedInstant(p.year, p.month, p.day + days, 0, timeZone);
}
