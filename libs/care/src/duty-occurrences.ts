import { occurrences, RruleProblem } from './recurrence';

/**
 * The due times of a stored duty in the window, or none when its rule no longer passes the checks
 * (a rule saved before they existed: a list of hours, BYSECOND, …). Such a duty is skipped and
 * logged (its id only) instead of stalling or failing the sweep; the plan's next save refuses the
 * rule with INVALID_RRULE, so an official has to mend it.
 */
export function dutyOccurrences(
  duty: { id: string; rrule: string; time_zone: string; created_at: Date }, now: Date, days: number, warn: (message: string) => void,
): Date[] {
  try {
    return occurrences(duty.rrule, duty.time_zone, new Date(duty.created_at), now, days);
  } catch (e) {
    if (!(e instanceof RruleProblem)) throw e;
    warn(`care duty ${duty.id}: rule skipped, no tasks made (${e.message})`);
    return [];
  }
}
