import { Module } from '@nestjs/common';
import { CareModule } from '@xinyuan/care';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { DispatchModule } from '@xinyuan/dispatch';
import { IdentityModule } from '@xinyuan/identity';
import { ObservabilityModule } from '@xinyuan/observability';
import { QueueModule } from '@xinyuan/queue';
import { CareWorkers } from './care-workers';
import { DispatchWorkers } from './dispatch-workers';
import { DispatcherHealthController } from './dispatcher-health.controller';
import { JobHandlers } from './job-handlers';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, IdentityModule, DispatchModule, CareModule, ObservabilityModule.forApp('dispatcher')],
  controllers: [DispatcherHealthController],
  providers: [JobHandlers, DispatchWorkers, CareWorkers],
})
export class DispatcherModule {}
