import { Controller, Get } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Public } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';

/**
 * The dispatcher's only HTTP surface besides the probes (/health/live, /health/ready) and the
 * Prometheus metrics (/metrics, loopback or METRICS_TOKEN): no public API.
 */
@Controller()
export class DispatcherHealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DispatchQueue,
  ) {}

  @Public()
  @Get('health')
  async health() {
    const [db, redis] = await Promise.allSettled([this.dataSource.query('SELECT 1'), this.queue.connection.ping()]);
    return { status: 'ok', app: 'dispatcher', postgres: db.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
  }
}
