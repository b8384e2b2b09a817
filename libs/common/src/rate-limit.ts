/**
 * Rate limiting with GCRA (the generic cell rate algorithm, a token bucket kept as one number).
 *
 * Why GCRA: each bucket is a single value (its "theoretical arrival time", TAT) with a TTL, so the
 * state is O(1) per client however busy it is (a sliding-window log keeps one entry per request),
 * there is no boundary burst (a fixed window lets 2× through around the boundary), and the exact
 * time until the next request conforms falls out of the arithmetic, which is the Retry-After.
 * A bucket with `limit` L over `windowMs` W allows a burst of L and refills one request every W / L.
 *
 * Several buckets (per IP, per user, auth per IP) are checked all-or-nothing: a request is charged
 * to every bucket or to none, so a rejected request never consumes budget.
 *
 * This file is pure (no I/O): the same decision runs in Redis as a Lua script (`GCRA_LUA`, shared by
 * every replica, clock from Redis `TIME`) and in-process (`LocalGcra`) when Redis is unavailable.
 */

export interface RateBucket {
  /** Which limit this is, reported to the client: `ip`, `user` or `auth`. */
  name: string;
  /** Identifies the client within the bucket, e.g. `ip:203.0.113.7`. */
  key: string;
  /** Burst size and requests per window; 0 means no limit. */
  limit: number;
  windowMs: number;
}

export interface RateVerdict {
  allowed: boolean;
  /** When denied: milliseconds until the request would conform. */
  retryAfterMs: number;
  /** When denied: the name of the bucket that needs the longest wait. */
  bucket?: string;
}

export const ALLOWED: RateVerdict = { allowed: true, retryAfterMs: 0 };

/** Milliseconds between two requests at the sustained rate. */
export function emissionInterval(bucket: Pick<RateBucket, 'limit' | 'windowMs'>): number {
  return bucket.windowMs / bucket.limit;
}

/**
 * The decision for one request given each bucket's stored TAT (undefined: never seen or expired).
 * Returns the verdict and, when allowed, the TATs to store (each kept until it falls back to now).
 */
export function gcraDecide(buckets: RateBucket[], tats: (number | undefined)[], now: number): { verdict: RateVerdict; newTats: number[] } {
  const newTats: number[] = [];
  let worst = 0;
  let worstBucket: string | undefined;
  buckets.forEach((b, i) => {
    const interval = emissionInterval(b);
    const tat = Math.max(tats[i] ?? now, now);
    const newTat = tat + interval;
    const wait = newTat - interval * b.limit - now;
    if (wait > 0 && wait > worst) {
      worst = wait;
      worstBucket = b.name;
    }
    newTats.push(newTat);
  });
  if (worstBucket !== undefined) return { verdict: { allowed: false, retryAfterMs: Math.ceil(worst), bucket: worstBucket }, newTats: [] };
  return { verdict: ALLOWED, newTats };
}

/** Whole seconds for a Retry-After header: rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The same decision as `gcraDecide`, atomically in Redis. KEYS: the buckets; ARGV: per bucket its
 * emission interval (ms) and limit. Returns {allowed 0|1, wait ms, index of the worst bucket}.
 * The clock is Redis's own, so replicas with skewed clocks agree.
 */
export const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local tats = {}
local worst = 0
local worstIndex = 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local limit = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  local newTat = tat + interval
  local wait = newTat - interval * limit - now
  if wait > 0 and wait > worst then
    worst = wait
    worstIndex = i
  end
  tats[i] = newTat
end
if worstIndex > 0 then
  return {0, math.ceil(worst), worstIndex}
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
end
return {1, 0, 0}
`;

/**
 * In-process GCRA: the fallback while Redis is unreachable (each replica then limits on its own, so
 * the effective limit is at most replicas × limit: degraded, never unlimited). Memory is bounded:
 * expired buckets are dropped, and past `maxKeys` the oldest entries go first.
 */
export class LocalGcra {
  private readonly tats = new Map<string, number>();

  constructor(private readonly maxKeys = 100_000) {}

  check(buckets: RateBucket[], now: number): RateVerdict {
    const active = buckets.filter((b) => b.limit > 0);
    if (active.length === 0) return ALLOWED;
    const { verdict, newTats } = gcraDecide(active, active.map((b) => this.tats.get(b.key)), now);
    if (verdict.allowed) {
      active.forEach((b, i) => {
        this.tats.delete(b.key); // re-insert: Map order is then least recently charged first
        this.tats.set(b.key, newTats[i]);
      });
      if (this.tats.size > this.maxKeys) this.evict(now);
    }
    return verdict;
  }

  get size(): number {
    return this.tats.size;
  }

  private evict(now: number): void {
    for (const [key, tat] of this.tats) {
      if (this.tats.size <= this.maxKeys && tat > now) break;
      this.tats.delete(key);
    }
  }
}
