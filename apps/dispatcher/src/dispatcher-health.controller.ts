import { Controller, Get, Header } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { Metrics } from './metrics';

/** The dispatcher's only HTTP surface: health and metrics, no public API. */
@Controller()
export class DispatcherHealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DispatchQueue,
    private readonly metrics: Metrics,
  ) {}

  @Public()
  @Get('health')
  async health() {
    const [db, redis] = await Promise.allSettled([this.dataSource.query('SELECT 1'), this.queue.connection.ping()]);
    return { status: 'ok', app: 'dispatcher', postgres: db.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
  }

  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async render() {
    const counts = await this.queue.dispatch.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => ({}) as Record<string, number>);
    const [open] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'dispatching')::int AS dispatching, count(*) FILTER (WHERE status = 'offered')::int AS offered,
              count(*) FILTER (WHERE status = 'escalated')::int AS escalated
         FROM orders WHERE status IN ('dispatching', 'offered', 'escalated')`,
    );
    const gauges: Record<string, number> = {};
    for (const [state, n] of Object.entries(counts)) gauges[`xinyuan_queue_jobs{queue="dispatch",state="${state}"}`] = n;
    for (const [status, n] of Object.entries(open)) gauges[`xinyuan_orders_open{status="${status}"}`] = n as number;
    return this.metrics.render(gauges);
  }
}
