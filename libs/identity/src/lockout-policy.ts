/**
 * Exponential back-off after failed logins (pure; the Redis bookkeeping is in `LoginLockout`).
 *
 * The first `threshold − 1` consecutive failures cost nothing (people mistype). From the
 * `threshold`-th on, every further failure locks logins for `base · 2^(failures − threshold)`
 * seconds, never more than `max`. With 5 / 60 s / 1 h: the 5th failure locks for 1 min, the 6th
 * for 2, the 7th for 4 … the 11th and later for an hour. An online guesser of a 6-digit code or a
 * password gets a handful of tries an hour instead of thousands.
 */
export interface LockoutPolicy {
  threshold: number;
  baseSeconds: number;
  maxSeconds: number;
}

export function lockoutSeconds(failures: number, policy: LockoutPolicy): number {
  if (!Number.isFinite(failures) || failures < policy.threshold) return 0;
  const exponent = failures - policy.threshold;
  // 2^31 seconds is past any sane maximum: stop doubling before the number overflows
  if (exponent >= 31) return policy.maxSeconds;
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** exponent);
}
