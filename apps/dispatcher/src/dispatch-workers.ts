import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '@xinyuan/config';
import { Reconciler } from '@xinyuan/dispatch';
import { createRedisConnection, DispatchQueue, QueueName } from '@xinyuan/queue';
import { JobHandlers } from './job-handlers';
import { Metrics } from './metrics';

/**
 * The dispatcher's workers: one for dispatch jobs (match → offer → expire → cascade) and one for
 * maintenance (the reconciler). A watchdog re-creates the reconcile schedule every interval, so it
 * comes back by itself after Redis is flushed or restarted.
 */
@Injectable()
export class DispatchWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatchWorkers.name);
  private readonly workers: Worker[] = [];
  private connection?: IORedis;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly handlers: JobHandlers,
    private readonly queue: DispatchQueue,
    private readonly reconciler: Reconciler,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createRedisConnection(this.config.REDIS_URL);
    this.connection.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
    const common = {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: Math.max(1000, Math.floor(this.config.WORKER_LOCK_MS / 2)),
      maxStalledCount: 5,
    };
    const process = async (job: Job, token?: string) => {
      const started = performance.now();
      try {
        const result = await this.handlers.handle(job, token);
        this.metrics.jobDone(job.name, 'completed', performance.now() - started);
        return result;
      } catch (e) {
        if ((e as Error).name !== 'DelayedError') this.metrics.jobDone(job.name, 'failed', performance.now() - started);
        throw e;
      }
    };
    this.workers.push(
      new Worker(QueueName.Dispatch, process, { ...common, concurrency: this.config.DISPATCH_CONCURRENCY }),
      new Worker(QueueName.Maintenance, process, { ...common, concurrency: 1 }),
    );
    for (const w of this.workers) {
      w.on('failed', (job, err) => this.logger.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`));
      w.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
    }
    await this.reconcileNow();
    await this.ensureSchedule();
    this.watchdog = setInterval(() => void this.ensureSchedule(), this.config.RECONCILE_INTERVAL_MS);
    this.logger.log(`workers started (concurrency ${this.config.DISPATCH_CONCURRENCY})`);
  }

  private async ensureSchedule(): Promise<void> {
    try {
      await this.queue.ensureReconcileSchedule(this.config.RECONCILE_INTERVAL_MS);
    } catch (e) {
      this.logger.warn(`could not ensure the reconcile schedule: ${(e as Error).message}`);
    }
  }

  /** On start: whatever a previous dispatcher or a Redis flush left behind is rebuilt from Postgres. */
  private async reconcileNow(): Promise<void> {
    try {
      await this.reconciler.run();
    } catch (e) {
      this.logger.warn(`start-up reconcile failed, the schedule will retry: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.watchdog) clearInterval(this.watchdog);
    await Promise.allSettled(this.workers.map((w) => w.close()));
    this.connection?.disconnect();
  }
}
