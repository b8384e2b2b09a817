import IORedis, { RedisOptions } from 'ioredis';
import { listSetting } from '@xinyuan/config';

/** Where Redis is: a URL (single box), or sentinels that name the current master (HA). */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
}

/**
 * Every Redis connection of the apps is made here, so that single-box mode (REDIS_URL) and
 * Sentinel mode (REDIS_SENTINELS) behave alike. With sentinels, ioredis asks them for the master
 * whenever it (re)connects — a failover drops the old master's connections, so clients find the new
 * one — and reconnects when a demoted master answers READONLY; the db number and password still
 * come from `url`. (ioredis's `failoverDetector` is left off: in the chaos suite it raced the
 * reconnect and left connections closed for good.)
 */
export function createRedis(target: RedisTarget, overrides: RedisOptions = {}, url: string = target.REDIS_URL): IORedis {
  const sentinels = listSetting(target.REDIS_SENTINELS).map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
  });
  if (sentinels.length === 0) return new IORedis(url, overrides);
  const parsed = new URL(url);
  const db = Number(parsed.pathname.replace('/', '') || 0);
  return new IORedis({
    sentinels,
    name: target.REDIS_SENTINEL_NAME ?? 'xinyuan',
    db,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2000),
    // a master demoted by a failover refuses writes: reconnect, which asks the sentinels again
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    ...overrides,
  });
}
