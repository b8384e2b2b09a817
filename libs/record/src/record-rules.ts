/**
 * The pure rules of the service record, unit-tested directly: star levels, impossible travel,
 * the minutes a service may credit, masking a holder's name.
 */

/** Parses STAR_LEVEL_HOURS ("100,300,600,1000,1500") into ascending hour thresholds. */
export function parseStarThresholds(text: string): number[] {
  const hours = text.split(',').map((s) => Number(s.trim()));
  if (hours.length !== 5 || hours.some((h) => !Number.isInteger(h) || h < 0)) throw new Error(`bad star thresholds: ${text}`);
  for (let i = 1; i < hours.length; i++) if (hours[i] <= hours[i - 1]) throw new Error(`star thresholds must ascend: ${text}`);
  return hours;
}

/** 0 (no star yet) … 5: how many thresholds the verified minutes reach. */
export function starLevel(verifiedMinutes: number, thresholdsHours: readonly number[]): number {
  return thresholdsHours.filter((h) => verifiedMinutes >= h * 60).length;
}

/** Hours still needed for the next star (null at five stars). */
export function hoursToNextStar(verifiedMinutes: number, thresholdsHours: readonly number[]): number | null {
  const next = thresholdsHours.find((h) => verifiedMinutes < h * 60);
  return next === undefined ? null : Math.ceil((next * 60 - verifiedMinutes) / 6) / 10;
}

/**
 * Impossible travel: going `distanceM` metres in `elapsedMs` would need more than `maxKmh`. Moves
 * under 1 km are never flagged (GPS noise, neighbours); the elapsed time counts at least one second.
 */
export function isImpossibleTravel(distanceM: number, elapsedMs: number, maxKmh: number): boolean {
  if (distanceM < 1000) return false;
  const hours = Math.max(elapsedMs, 1000) / 3_600_000;
  return distanceM / 1000 / hours > maxKmh;
}

/** Whole minutes between check-in and check-out (rounded up: a minute begun counts), never negative. */
export function intervalMinutes(start: Date, end: Date): number {
  return Math.max(0, Math.ceil((end.getTime() - start.getTime()) / 60_000));
}

/** Two half-open intervals [a0, a1) and [b0, b1) share some time. */
export function overlaps(a0: Date, a1: Date, b0: Date, b1: Date): boolean {
  return a0.getTime() < b1.getTime() && b0.getTime() < a1.getTime();
}

/** 张三丰 → 张*丰, 李四 → 李*, A → *: the holder's name as a public page shows it. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** Minutes as hours with one decimal (a certificate shows hours). */
export function hoursOf(minutes: number): number {
  return Math.round(minutes / 6) / 10;
}
