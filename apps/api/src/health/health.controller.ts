import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { ApiHealth } from './health.views';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DispatchQueue,
  ) {}

  @Public()
  @Get('health')
  @ApiOkResponse({ type: ApiHealth, description: 'always 200 while the process serves; postgres / redis say whether they answer' })
  async health() {
    const [db, redis] = await Promise.allSettled([this.dataSource.query('SELECT 1'), this.queue.connection.ping()]);
    return { status: 'ok', app: 'api', postgres: db.status === 'fulfilled' ? 'up' : 'down', redis: redis.status === 'fulfilled' ? 'up' : 'down' };
  }
}
