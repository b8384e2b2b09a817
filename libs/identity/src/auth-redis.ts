import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import IORedis from 'ioredis';
import { createRedis, DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';

/**
 * The Redis connection of the identity context: login codes, lockout counters and session
 * revocations, so that they hold across api replicas. Keys live under `<QUEUE_PREFIX>:auth:`.
 * Connects on first use (the dispatcher never uses it) and fails fast when Redis is away, so a
 * request never hangs on it.
 */
@Injectable()
export class AuthRedis implements OnApplicationShutdown {
  readonly client: IORedis;
  private readonly prefix: string;
  private readonly logger = new Logger('AuthRedis');

  constructor(config: AppConfig) {
    this.prefix = `${config.QUEUE_PREFIX}:auth:`;
    this.client = createRedis(config, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      // the revocation check runs on every request: those of requests served in the same event-loop
      // turn share one write and one round trip (ioredis collects them until setImmediate)
      enableAutoPipelining: true,
    });
    this.client.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
  }

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Runs a Redis operation; a Redis failure becomes a clean 503, never a 500. */
  async run<T>(what: string, op: (redis: IORedis) => Promise<T>): Promise<T> {
    try {
      return await op(this.client);
    } catch (e) {
      if (e instanceof DomainException) throw e;
      this.logger.error(`${what} failed: ${(e as Error)?.message}`);
      throw new DomainException(ErrorCode.AuthStoreUnavailable, 503);
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
