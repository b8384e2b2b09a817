import { Module } from '@nestjs/common';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { IdentityModule } from '@xinyuan/identity';
import { NotificationsModule } from '@xinyuan/notifications';
import { ObservabilityModule } from '@xinyuan/observability';
import { NotifyQueue } from '@xinyuan/queue';
import { WebhooksModule } from '@xinyuan/webhooks';
import { RelayHealthController } from './relay-health.controller';
import { RelayWorkers } from './relay-workers';
import { WebhookWorkers } from './webhook-workers';

@Module({
  imports: [ConfigModule, DatabaseModule, IdentityModule, NotificationsModule, WebhooksModule, ObservabilityModule.forApp('relay')],
  controllers: [RelayHealthController],
  providers: [NotifyQueue, RelayWorkers, WebhookWorkers],
})
export class RelayModule {}
