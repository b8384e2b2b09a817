import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '@xinyuan/config';
import { currentCorrelationId } from '@xinyuan/common';
import { DispatchBatchJob, DispatchOrderJob, ExpireOfferJob, jobIds, JobName, PRIORITY, QueueName, RETENTION, RETRY } from './queue-contracts';
import { createRedisConnection } from './redis-connection';

/** Most dispatch jobs one Redis transaction carries. */
const DISPATCH_BATCH_MAX = 256;

interface PendingDispatch {
  job: { name: string; data: DispatchOrderJob; opts: JobsOptions };
  settle: (error?: unknown) => void;
}

/**
 * Producer side of the dispatch queues. Enqueueing happens after the Postgres transaction commits;
 * if the process dies in between, the reconciler rebuilds the job from Postgres, so a failure to
 * enqueue is logged, never thrown at the caller whose change is already safe.
 *
 * Dispatch jobs asked for in the same turn of the event loop (many orders placed at once) are added
 * together: one Redis transaction and one round trip instead of one each. Each caller still waits
 * until its job is in Redis.
 */
@Injectable()
export class DispatchQueue implements OnModuleDestroy {
  private readonly logger = new Logger(DispatchQueue.name);
  readonly connection: IORedis;
  readonly dispatch: Queue;
  readonly maintenance: Queue;

  constructor(config: AppConfig) {
    // producers fail fast when Redis is down instead of queueing commands forever
    this.connection = createRedisConnection(config, { maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.connection.on('error', (e) => this.logger.warn(`redis: ${e.message}`));
    const base = { connection: this.connection, prefix: config.QUEUE_PREFIX };
    this.dispatch = new Queue(QueueName.Dispatch, { ...base, defaultJobOptions: { ...RETRY, ...RETENTION } });
    this.maintenance = new Queue(QueueName.Maintenance, { ...base, defaultJobOptions: { ...RETENTION } });
    // without listeners BullMQ prints connection errors to the console, outside the JSON log
    for (const q of [this.dispatch, this.maintenance]) q.on('error', (e) => this.logger.warn(`queue ${q.name}: ${e.message}`));
  }

  async dispatchOrder(job: DispatchOrderJob, opts: { delayMs?: number } = {}): Promise<void> {
    await this.safely(`dispatch ${job.orderId}`, () =>
      this.addDispatchSoon({
        name: JobName.DispatchOrder,
        data: traced(job),
        opts: { jobId: jobIds.dispatchOrder(job), delay: opts.delayMs, priority: job.urgent ? PRIORITY.urgent : PRIORITY.normal },
      }),
    );
  }

  private pendingDispatch: PendingDispatch[] = [];

  /** Queues the job for the batch of this event-loop turn (flushed in setImmediate, after the I/O callbacks). */
  private addDispatchSoon(job: PendingDispatch['job']): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pendingDispatch.length === 0) setImmediate(() => void this.flushDispatch());
      this.pendingDispatch.push({ job, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (this.pendingDispatch.length >= DISPATCH_BATCH_MAX) void this.flushDispatch();
    });
  }

  private flushDispatch(): Promise<void> {
    const batch = this.pendingDispatch;
    if (batch.length === 0) return Promise.resolve();
    this.pendingDispatch = [];
    return this.dispatch.addBulk(batch.map((p) => p.job)).then(
      () => batch.forEach((p) => p.settle()),
      (e: unknown) => batch.forEach((p) => p.settle(e ?? new Error('addBulk failed'))),
    );
  }

  async expireOfferAt(job: ExpireOfferJob, expiresAt: Date): Promise<void> {
    await this.expireOffersAt([{ job, expiresAt }]);
  }

  /** The expiry jobs of several offers, in one Redis round trip (`addBulk` is one MULTI). */
  async expireOffersAt(offers: { job: ExpireOfferJob; expiresAt: Date }[]): Promise<void> {
    const now = Date.now();
    await this.safely(`expiry of ${offers.length} offers`, () =>
      this.dispatch.addBulk(
        offers.map(({ job, expiresAt }) => ({
          name: JobName.ExpireOffer,
          data: traced(job),
          opts: { jobId: jobIds.expireOffer(job), delay: Math.max(0, expiresAt.getTime() - now) },
        })),
      ),
    );
  }

  /** One batch job per window, whoever asks first; it runs when the window closes. */
  async dispatchBatch(windowMs: number, opts: { nextWindow?: boolean } = {}): Promise<void> {
    const now = Date.now();
    const windowStart = now - (now % windowMs) + (opts.nextWindow ? windowMs : 0);
    await this.safely('a dispatch batch', () =>
      this.dispatch.add(JobName.DispatchBatch, traced<DispatchBatchJob>({ windowStart }), {
        jobId: jobIds.dispatchBatch({ windowStart }),
        delay: windowStart + windowMs - now,
        priority: PRIORITY.urgent,
      }),
    );
  }

  /**
   * The batch for orders due at `at` (a whole second, see batchJobAt): one job per second, whoever
   * asks first; it runs at `at`.
   */
  async dispatchBatchDueAt(at: number): Promise<void> {
    const job: DispatchBatchJob = { windowStart: at, dueAt: at };
    await this.safely('a due dispatch batch', () =>
      // removed once done: an order due at `at` asking after the batch ran (another host's clock) gets a new one
      this.dispatch.add(JobName.DispatchBatch, traced(job), {
        jobId: jobIds.dispatchBatch(job), delay: Math.max(0, at - Date.now()), priority: PRIORITY.urgent, removeOnComplete: true,
      }),
    );
  }

  /** Idempotent: creates or updates the repeatable reconcile job. */
  async ensureReconcileSchedule(everyMs: number): Promise<void> {
    await this.maintenance.upsertJobScheduler(jobIds.reconcileScheduler, { every: everyMs }, { name: JobName.Reconcile, data: {} });
  }

  private async safely(what: string, add: () => Promise<unknown>): Promise<void> {
    try {
      await add();
    } catch (e) {
      this.logger.warn(`could not enqueue ${what}; the reconciler will: ${(e as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.flushDispatch();
    await Promise.allSettled([this.dispatch.close(), this.maintenance.close()]);
    this.connection.disconnect();
  }
}

function traced<T extends { correlationId?: string }>(job: T): T {
  const correlationId = job.correlationId ?? currentCorrelationId();
  return correlationId ? { ...job, correlationId } : job;
}
