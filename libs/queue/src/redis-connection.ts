import IORedis, { RedisOptions } from 'ioredis';

/**
 * A connection BullMQ can use for blocking commands: no per-request retry limit, so a Redis restart
 * makes workers wait and reconnect instead of failing jobs.
 */
export function createRedisConnection(url: string, overrides: RedisOptions = {}): IORedis {
  return new IORedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...overrides,
  });
}
