/**
 * The most service minutes a volunteer may report when completing an order: the whole minutes since
 * check-in (rounded up) plus COMPLETION_MINUTES_SLACK. Pure, so it is unit-tested directly; the
 * caller passes the database's clock, not the process's.
 */
export function maxReportableMinutes(checkedInAt: Date, now: Date, slackMinutes: number): number {
  const elapsed = Math.max(0, now.getTime() - checkedInAt.getTime()) / 60_000;
  return Math.ceil(elapsed) + slackMinutes;
}
