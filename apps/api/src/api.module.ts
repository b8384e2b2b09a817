import { Module } from '@nestjs/common';
import { CatalogService } from '@xinyuan/catalog';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { DispatchModule } from '@xinyuan/dispatch';
import { IdentityModule } from '@xinyuan/identity';
import { OrgAdminService, StaffAdminService } from '@xinyuan/org';
import { ObservabilityModule } from '@xinyuan/observability';
import { QueueModule } from '@xinyuan/queue';
import { AuditController } from './audit/audit.controller';
import { BeneficiariesController } from './beneficiaries/beneficiaries.controller';
import { CatalogController } from './catalog/catalog.controller';
import { DispatchController } from './dispatch/dispatch.controller';
import { HealthController } from './health/health.controller';
import { LiveQueueController } from './live-queue/live-queue.controller';
import { LiveQueueHub } from './live-queue/live-queue.hub';
import { LiveQueueQueries } from './live-queue/live-queue.queries';
import { ManagementController } from './management/management.controller';
import { ManagementQueries } from './management/management.queries';
import { MapController } from './map/map.controller';
import { MapQueries } from './map/map.queries';
import { StatsController } from './stats/stats.controller';
import { StatsQueries } from './stats/stats.queries';
import { ClientConfigController } from './web/client-config.controller';
import { QueueBoardController } from './queue-board/queue-board.controller';
import { AuthController } from './identity/auth.controller';
import { OffersController } from './offers/offers.controller';
import { OrdersController } from './orders/orders.controller';
import { OrgController } from './org/org.controller';

@Module({
  imports: [ConfigModule, DatabaseModule, QueueModule, IdentityModule, DispatchModule, ObservabilityModule.forApp('api')],
  controllers: [AuthController, OrgController, CatalogController, OrdersController, DispatchController, OffersController, HealthController,
    BeneficiariesController, AuditController,
    // staff console, maps, dashboard and the web clients (issue 5)
    LiveQueueController, MapController, StatsController, ManagementController, ClientConfigController,
    // operations: Bull Board for admins (issue 16)
    QueueBoardController],
  providers: [OrgAdminService, StaffAdminService, CatalogService, LiveQueueQueries, LiveQueueHub, MapQueries, StatsQueries, ManagementQueries],
})
export class ApiModule {}
