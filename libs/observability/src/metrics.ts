import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one process (prom-client). One registry per process, labelled with the
 * app's name; gauges that must be read from somewhere (queue depths, pool usage) are filled by
 * collectors right before each scrape.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly collectors: (() => Promise<void> | void)[] = [];
  private initialised = false;

  readonly httpDuration = new Histogram({
    name: 'xinyuan_http_request_duration_seconds',
    help: 'HTTP requests by route pattern (never the raw URL), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'xinyuan_job_duration_seconds',
    help: 'BullMQ jobs by queue, job name and outcome (completed, failed)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'xinyuan_job_failures_total',
    help: 'BullMQ job attempts that threw (each is retried with backoff until its attempts run out)',
    labelNames: ['queue', 'job'] as const,
    registers: [this.registry],
  });

  readonly offers = new Counter({
    name: 'xinyuan_offers_total',
    help: 'Offers by event: made (dispatcher), accepted and declined (api), expired (dispatcher), escalated orders',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  /**
   * Notification deliveries by channel (inapp, sms, wechat) and outcome (sent, retry, dead, skipped,
   * held), counted by the relay.
   */
  readonly notifications = new Counter({
    name: 'xinyuan_notifications_total',
    help: 'Notification deliveries by channel and outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxEvents = new Counter({
    name: 'xinyuan_outbox_events_total',
    help: 'Outbox events handled, by consumer (notifications, webhooks)',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly outboxPending = new Gauge({
    name: 'xinyuan_outbox_pending',
    help: 'Outbox events not yet handled, by consumer',
    labelNames: ['consumer'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Gauge({
    name: 'xinyuan_notification_deliveries',
    help: 'Notification deliveries waiting (pending) or given up (dead)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'xinyuan_queue_jobs',
    help: 'BullMQ jobs by queue and state (waiting, active, delayed, prioritized, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly ordersOpen = new Gauge({
    name: 'xinyuan_orders_open',
    help: 'Orders waiting on dispatch or a team, by status (dispatching, offered, escalated)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly dbPool = new Gauge({
    name: 'xinyuan_db_pool_connections',
    help: 'Postgres pool connections by pool (primary, replica) and state (total, idle, waiting clients)',
    labelNames: ['pool', 'state'] as const,
    registers: [this.registry],
  });

  readonly replicaStaleness = new Gauge({
    name: 'xinyuan_read_replica_staleness_seconds',
    help: 'Measured staleness of the read replica (-1: unknown or unreachable; reads then go to the primary)',
    registers: [this.registry],
  });

  readonly reads = new Gauge({
    name: 'xinyuan_lagging_reads',
    help: 'Reads that may lag since start, by where they went (replica, primary)',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });

  init(app: string): void {
    if (this.initialised) return;
    this.initialised = true;
    this.registry.setDefaultLabels({ app });
    collectDefaultMetrics({ register: this.registry, prefix: 'xinyuan_' });
  }

  /** A function that refreshes some gauges right before a scrape; failures leave the old values. */
  addCollector(collect: () => Promise<void> | void): void {
    this.collectors.push(collect);
  }

  async render(): Promise<string> {
    await Promise.allSettled(this.collectors.map((c) => Promise.resolve().then(c)));
    return this.registry.metrics();
  }
}

/** The process's metrics. */
export const metrics = new AppMetrics();
