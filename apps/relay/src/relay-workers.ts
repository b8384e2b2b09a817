import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { PollLoop } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { DeliveryService, RelayWork } from '@xinyuan/notifications';
import { createRedisConnection, NotifyJobName, NotifyJobPayloads, NotifyQueue, QueueName } from '@xinyuan/queue';
import { metrics } from '@xinyuan/observability';

/**
 * The relay process: an outbox pump (polls Postgres every RELAY_POLL_MS when idle, drains without
 * pause when busy), a BullMQ worker that sends deliveries (NOTIFY_CONCURRENCY at once), and the
 * periodic sweep — a BullMQ job scheduler that a watchdog re-creates after Redis is flushed, and
 * which runs once at start, so everything due is rebuilt from Postgres.
 */
@Injectable()
export class RelayWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RelayWorkers.name);
  private worker?: Worker;
  private connection?: IORedis;
  private watchdog?: NodeJS.Timeout;
  /** Drains the outbox while there is work; waits RELAY_POLL_MS when there is none or Postgres is away. */
  private readonly pump: PollLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly work: RelayWork,
    private readonly delivery: DeliveryService,
    private readonly queue: NotifyQueue,
  ) {
    this.pump = new PollLoop(
      async () => {
        const result = await this.work.pump();
        if (result.events) metrics.outboxEvents.inc({ consumer: 'notifications' }, result.events);
        await this.queue.deliver(result.due);
        return result.events;
      },
      this.config.RELAY_POLL_MS,
      (e) => this.logger.warn(`outbox pump: ${e.message}`),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createRedisConnection(this.config);
    this.connection.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
    this.worker = new Worker(QueueName.Notify, (job: Job) => this.handle(job), {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.NOTIFY_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: Math.max(1000, Math.floor(this.config.WORKER_LOCK_MS / 2)),
      maxStalledCount: 5,
    });
    this.worker.on('failed', (job, err) => this.logger.warn(`job ${job?.name} ${job?.id} failed: ${err.message}`));
    this.worker.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
    await this.sweepNow();
    await this.ensureSchedule();
    this.watchdog = setInterval(() => void this.ensureSchedule(), Math.max(this.config.NOTIFY_SWEEP_MS, 1000));
    this.pump.start();
    this.logger.log(`relay started (concurrency ${this.config.NOTIFY_CONCURRENCY})`);
  }

  private async handle(job: Job): Promise<unknown> {
    if (job.name === NotifyJobName.Deliver) {
      const { deliveryId } = job.data as NotifyJobPayloads[NotifyJobName.Deliver];
      const outcome = await this.delivery.deliver(deliveryId);
      return outcome;
    }
    if (job.name === NotifyJobName.Sweep) return this.sweepNow();
    throw new Error(`no handler for job "${job.name}"`);
  }

  private async sweepNow() {
    try {
      const report = await this.work.sweep();
      await this.queue.deliver(report.due);
      if (report.leasesRecovered) this.logger.warn(`sweep: ${report.leasesRecovered} sends taken back from a relay that stopped`);
      if (Math.random() < 0.01) await this.work.prune();
      return { leasesRecovered: report.leasesRecovered, timersFired: report.timersFired, due: report.due.length };
    } catch (e) {
      this.logger.warn(`sweep failed, the schedule will retry: ${(e as Error).message}`);
      return null;
    }
  }

  private async ensureSchedule(): Promise<void> {
    try {
      await this.queue.ensureSweepSchedule(this.config.NOTIFY_SWEEP_MS);
    } catch (e) {
      this.logger.warn(`could not ensure the sweep schedule: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    await this.pump.stop();
    await this.worker?.close().catch(() => undefined);
    this.connection?.disconnect();
  }
}
