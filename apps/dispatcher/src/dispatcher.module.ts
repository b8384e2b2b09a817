import { Module } from '@nestjs/common';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { DispatchModule } from '@xinyuan/dispatch';
import { IdentityModule } from '@xinyuan/identity';
import { QueueModule } from '@xinyuan/queue';
import { DispatchWorkers } from './dispatch-workers';
import { DispatcherHealthController } from './dispatcher-health.controller';
import { JobHandlers } from './job-handlers';
import { Metrics } from './metrics';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, IdentityModule, DispatchModule],
  controllers: [DispatcherHealthController],
  providers: [JobHandlers, DispatchWorkers, Metrics],
})
export class DispatcherModule {}
