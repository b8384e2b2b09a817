import { Controller, Get, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '@xinyuan/identity';
import { metrics } from '@xinyuan/observability';
import { NotifyQueue } from '@xinyuan/queue';

/**
 * The relay's HTTP surface besides the probes (/health/live, /health/ready) and the Prometheus
 * metrics (/metrics, loopback or METRICS_TOKEN): a plain /health, and the backlog gauges read at
 * scrape time.
 */
@Controller()
export class RelayHealthController implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: NotifyQueue,
  ) {}

  onModuleInit(): void {
    metrics.addCollector(async () => {
      const counts = await this.queue.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: 'notify', state }, n);
    });
    metrics.addCollector(async () => {
      const [backlog]: { outbox: number; pending: number; dead: number }[] = await this.dataSource.query(
        `SELECT (SELECT count(*) FROM outbox_pending WHERE consumer = 'notifications')::int AS outbox,
                (SELECT count(*) FROM notification_deliveries WHERE status = 'pending')::int AS pending,
                (SELECT count(*) FROM notification_deliveries WHERE status = 'dead')::int AS dead`,
      );
      metrics.outboxPending.set({ consumer: 'notifications' }, backlog.outbox);
      metrics.deliveries.set({ status: 'pending' }, backlog.pending);
      metrics.deliveries.set({ status: 'dead' }, backlog.dead);
    });
  }

  @Public()
  @Get('health')
  async health() {
    const [db, redis] = await Promise.allSettled([this.dataSource.query('SELECT 1'), this.queue.connection.ping()]);
    return { status: 'ok', app: 'relay', postgres: db.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
  }
}
