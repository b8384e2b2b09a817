/** A half day chosen at 10:28 and sent at 10:35 still starts "now": this much of the past is forgiven. */
export const PREFERRED_START_GRACE_MS = 15 * 60 * 1000;

export interface PreferredWindow {
  preferredStart?: string;
  preferredEnd?: string;
}

export interface PreferredTimeProblem {
  /** 400: malformed (the end not after the start); 422: well formed but not servable (past, beyond the horizon). */
  status: 400 | 422;
  fields: { field: 'preferredStart' | 'preferredEnd'; messages: string[] }[];
}

/**
 * Checks a resident's "希望什么时候来" window (both ends optional, ISO 8601 already validated):
 * the end after the start; neither end in the past nor beyond `horizonDays` from `now`. Pure: the
 * caller passes the clock; null when the window is fine.
 */
export function preferredTimeProblem(window: PreferredWindow, now: number, horizonDays: number): PreferredTimeProblem | null {
  const start = window.preferredStart ? Date.parse(window.preferredStart) : null;
  const end = window.preferredEnd ? Date.parse(window.preferredEnd) : null;
  if (start !== null && end !== null && end <= start) {
    return { status: 400, fields: [{ field: 'preferredEnd', messages: ['preferredEnd must be after preferredStart'] }] };
  }
  const horizon = now + horizonDays * 24 * 3600 * 1000;
  const fields: PreferredTimeProblem['fields'] = [];
  if (start !== null && start < now - PREFERRED_START_GRACE_MS) fields.push({ field: 'preferredStart', messages: ['preferredStart must not be in the past'] });
  if (start !== null && start > horizon) fields.push({ field: 'preferredStart', messages: [`preferredStart must be within ${horizonDays} days`] });
  if (end !== null && end <= now) fields.push({ field: 'preferredEnd', messages: ['preferredEnd must not be in the past'] });
  if (end !== null && end > horizon) fields.push({ field: 'preferredEnd', messages: [`preferredEnd must be within ${horizonDays} days`] });
  return fields.length ? { status: 422, fields } : null;
}
