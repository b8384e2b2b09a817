import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '@xinyuan/config';
import { Reconciler } from '@xinyuan/dispatch';
import { createRedisConnection, DispatchQueue, JobName, QueueName } from '@xinyuan/queue';
import { JobHandlers } from './job-handlers';
import { metrics, runWithCorrelation } from '@xinyuan/observability';
import { DataSource } from 'typeorm';

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
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createRedisConnection(this.config);
    this.connection.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
    const common = {
      connection: this.connection,
      prefix: this.config.QUEUE_PREFIX,
      lockDuration: this.config.WORKER_LOCK_MS,
      stalledInterval: Math.max(1000, Math.floor(this.config.WORKER_LOCK_MS / 2)),
      maxStalledCount: 5,
    };
    // each job runs under the correlation id of the request that caused it (kept in its payload)
    const process = (queue: QueueName) => async (job: Job, token?: string) =>
      runWithCorrelation((job.data as { correlationId?: string })?.correlationId ?? `job:${job.id}`, async () => {
        const started = performance.now();
        try {
          const result = await this.handlers.handle(job, token);
          const ms = performance.now() - started;
          metrics.jobDuration.observe({ queue, job: job.name, outcome: 'completed' }, ms / 1000);
          const outcome = (result as { outcome?: string } | undefined)?.outcome;
          this.logger.log(`job ${job.name} ${job.id} ${outcome ?? 'done'} in ${ms.toFixed(1)} ms`);
          countOffers(job.name, result);
          return result;
        } catch (e) {
          if ((e as Error).name !== 'DelayedError') {
            metrics.jobDuration.observe({ queue, job: job.name, outcome: 'failed' }, (performance.now() - started) / 1000);
            metrics.jobFailures.inc({ queue, job: job.name });
          }
          throw e;
        }
      });
    this.workers.push(
      new Worker(QueueName.Dispatch, process(QueueName.Dispatch), { ...common, concurrency: this.config.DISPATCH_CONCURRENCY }),
      new Worker(QueueName.Maintenance, process(QueueName.Maintenance), { ...common, concurrency: 1 }),
    );
    for (const w of this.workers) {
      w.on('failed', (job, err) => this.logger.warn(`job ${job?.name} ${job?.id} failed (attempt ${job?.attemptsMade}): ${err.message}`));
      w.on('error', (err) => this.logger.warn(`worker: ${err.message}`));
    }
    metrics.addCollector(async () => {
      const [open] = await this.dataSource.query(
        `SELECT count(*) FILTER (WHERE status = 'dispatching')::int AS dispatching, count(*) FILTER (WHERE status = 'offered')::int AS offered,
                count(*) FILTER (WHERE status = 'escalated')::int AS escalated
           FROM orders WHERE status IN ('dispatching', 'offered', 'escalated')`,
      );
      for (const [status, n] of Object.entries(open as Record<string, number>)) metrics.ordersOpen.set({ status }, n);
    });
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

/** Offers made and expired, and orders escalated, counted from the dispatch jobs' outcomes. */
function countOffers(jobName: string, result: unknown): void {
  const outcome = (result as { outcome?: string; offers?: unknown[] } | undefined)?.outcome;
  if (jobName === JobName.DispatchOrder && outcome === 'offered') metrics.offers.inc({ event: 'made' }, (result as { offers: unknown[] }).offers.length);
  else if (jobName === JobName.DispatchOrder && outcome === 'escalated') metrics.offers.inc({ event: 'escalated' });
  else if (jobName === JobName.ExpireOffer && outcome === 'expired') metrics.offers.inc({ event: 'expired' });
}
