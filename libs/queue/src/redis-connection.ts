import IORedis, { RedisOptions } from 'ioredis';
import { createRedis, RedisTarget } from '@xinyuan/common';

/**
 * A connection BullMQ can use for blocking commands: no per-request retry limit, so a Redis restart
 * or a Sentinel failover makes workers wait and reconnect instead of failing jobs.
 */
export function createRedisConnection(target: RedisTarget, overrides: RedisOptions = {}): IORedis {
  return createRedis(target, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...overrides,
  });
}
