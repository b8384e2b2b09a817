import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '@xinyuan/config';
import { NOTIFY_RETENTION, NOTIFY_RETRY, NotifyJobName, notifyJobIds, QueueName } from './queue-contracts';
import { createRedisConnection } from './redis-connection';

/**
 * Producer side of the relay's queue (used by the relay itself: the outbox pump and the sweep
 * enqueue what Postgres says is due). A failure to enqueue is logged: the next sweep enqueues again.
 */
@Injectable()
export class NotifyQueue implements OnModuleDestroy {
  private readonly logger = new Logger(NotifyQueue.name);
  readonly connection: IORedis;
  readonly queue: Queue;

  constructor(config: AppConfig) {
    this.connection = createRedisConnection(config, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.connection.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
    this.queue = new Queue(QueueName.Notify, { connection: this.connection, prefix: config.QUEUE_PREFIX, defaultJobOptions: { ...NOTIFY_RETRY, ...NOTIFY_RETENTION } });
  }

  async deliver(due: { id: string; attempts: number; dueAt: Date }[]): Promise<void> {
    if (due.length === 0) return;
    try {
      await this.queue.addBulk(
        due.map((d) => ({
          name: NotifyJobName.Deliver,
          data: { deliveryId: d.id },
          opts: { jobId: notifyJobIds.deliver({ deliveryId: d.id, attempts: d.attempts, dueAt: d.dueAt }) },
        })),
      );
    } catch (e) {
      this.logger.warn(`could not enqueue ${due.length} deliveries; the sweep will: ${(e as Error).message}`);
    }
  }

  /** Idempotent: creates or updates the repeatable sweep. */
  async ensureSweepSchedule(everyMs: number): Promise<void> {
    await this.queue.upsertJobScheduler(notifyJobIds.sweepScheduler, { every: everyMs }, { name: NotifyJobName.Sweep, data: {} });
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.connection.disconnect();
  }
}
