import { Logger } from '@nestjs/common';
import IORedis from 'ioredis';
import { createRedis } from './redis-client';
import { ALLOWED, GCRA_LUA, LocalGcra, RateBucket, RateVerdict, emissionInterval } from './rate-limit';

export interface RateLimiterOptions {
  redisUrl: string;
  /** Sentinel mode (HA): the master is asked of these; `redisUrl` still gives db and password. */
  redisSentinels?: string;
  redisSentinelName?: string;
  /** Prefix of every key, e.g. `xinyuan:rl:`. */
  keyPrefix: string;
  /** Longest wait for Redis on one request before counting in-process instead. */
  timeoutMs: number;
}

/** After a Redis failure, requests are counted in-process for this long before Redis is tried again. */
const REDIS_RETRY_AFTER_MS = 1000;

type GcraCommand = (...args: (string | number)[]) => Promise<[number, number, number]>;

/**
 * Rate limits shared by every replica through Redis (one Lua call per request, atomic).
 *
 * Redis unavailable — refused, timing out past `timeoutMs`, or not yet connected — is a deliberate
 * fail-open to per-process limits (`LocalGcra`): orders are taken with Redis down (Postgres is the
 * source of truth and the reconciler rebuilds the jobs), so the limiter must not be what stops a
 * resident's order; but it must not become unlimited either, so each replica keeps counting on its
 * own. A request never waits on Redis longer than `timeoutMs` and never fails because of it.
 */
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: IORedis;
  private readonly local = new LocalGcra();
  private redisDownUntil = 0;
  private degraded = false;

  constructor(private readonly options: RateLimiterOptions) {
    this.redis = createRedis({ REDIS_URL: options.redisUrl, REDIS_SENTINELS: options.redisSentinels, REDIS_SENTINEL_NAME: options.redisSentinelName }, {
      keyPrefix: options.keyPrefix,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: 2000,
      enableAutoPipelining: true,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    // connection errors surface as failed commands below; without a listener ioredis would log each one
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('xinyuanGcra', { lua: GCRA_LUA });
  }

  async check(buckets: RateBucket[]): Promise<RateVerdict> {
    const active = buckets.filter((b) => b.limit > 0);
    if (active.length === 0) return ALLOWED;
    if (this.redis.status === 'ready' && Date.now() >= this.redisDownUntil) {
      try {
        const verdict = await this.checkInRedis(active);
        if (this.degraded) {
          this.degraded = false;
          this.logger.log('Redis reachable again: rate limits are shared by all replicas again');
        }
        return verdict;
      } catch (e) {
        this.redisDownUntil = Date.now() + REDIS_RETRY_AFTER_MS;
        this.noteDegraded(e);
      }
    } else {
      this.noteDegraded(new Error(`Redis connection is ${this.redis.status}`));
    }
    return this.local.check(active, Date.now());
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async checkInRedis(buckets: RateBucket[]): Promise<RateVerdict> {
    const args: (string | number)[] = [buckets.length, ...buckets.map((b) => b.key)];
    for (const b of buckets) args.push(emissionInterval(b), b.limit);
    const command = (this.redis as unknown as { xinyuanGcra: GcraCommand }).xinyuanGcra.bind(this.redis);
    // commandTimeout covers a hung server; this race also covers a stalled connection handshake
    let timer: NodeJS.Timeout | undefined;
    const [allowed, wait, index] = await Promise.race([
      command(...args),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('rate limit check timed out')), this.options.timeoutMs + 20);
      }),
    ]).finally(() => clearTimeout(timer));
    if (allowed === 1) return ALLOWED;
    return { allowed: false, retryAfterMs: Number(wait), bucket: buckets[Number(index) - 1]?.name };
  }

  private noteDegraded(e: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(`Redis unavailable for rate limits (${e instanceof Error ? e.message : String(e)}): counting per process until it is back`);
  }
}
