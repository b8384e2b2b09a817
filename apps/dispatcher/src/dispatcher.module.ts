import { Module } from '@nestjs/common';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { DispatchModule } from '@xinyuan/dispatch';
import { IdentityModule } from '@xinyuan/identity';
import { ObservabilityModule } from '@xinyuan/observability';
import { QueueModule } from '@xinyuan/queue';
import { DispatchWorkers } from './dispatch-workers';
import { DispatcherHealthController } from './dispatcher-health.controller';
import { JobHandlers } from './job-handlers';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, IdentityModule, DispatchModule, ObservabilityModule.forApp('dispatcher')],
  controllers: [DispatcherHealthController],
  providers: [JobHandlers, DispatchWorkers],
})
export class DispatcherModule {}
