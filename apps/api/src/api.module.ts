import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { BeneficiariesModule } from '@xinyuan/beneficiaries';
import { CareModule } from '@xinyuan/care';
import { CatalogModule } from '@xinyuan/catalog';
import { ConfigModule } from '@xinyuan/config';
import { DatabaseModule } from '@xinyuan/database';
import { DispatchModule } from '@xinyuan/dispatch';
import { IdentityModule } from '@xinyuan/identity';
import { OrderWorkflowModule, OrdersModule } from '@xinyuan/orders';
import { OrgModule } from '@xinyuan/org';
import { ObservabilityModule } from '@xinyuan/observability';
import { QueueModule } from '@xinyuan/queue';
import { NotificationsModule } from '@xinyuan/notifications';
import { WebhooksModule } from '@xinyuan/webhooks';
import { Open311Module } from '@xinyuan/open311';
import { ImportsModule } from '@xinyuan/imports';
import { RecordModule } from '@xinyuan/record';
import { AuditController } from './audit/audit.controller';
import { CareController } from './care/care.controller';
import { BeneficiariesController } from './beneficiaries/beneficiaries.controller';
import { CatalogController } from './catalog/catalog.controller';
import { SkillsController } from './catalog/skills.controller';
import { DispatchController } from './dispatch/dispatch.controller';
import { HealthController } from './health/health.controller';
import { LiveQueueController } from './live-queue/live-queue.controller';
import { LiveQueueHub } from './live-queue/live-queue.hub';
import { LiveQueueQueries } from './live-queue/live-queue.queries';
import { ManagementController } from './management/management.controller';
import { ManagementQueries } from './management/management.queries';
import { MapController } from './map/map.controller';
import { MapHomeFinder } from './map/map-home';
import { MapQueries } from './map/map.queries';
import { StatsController } from './stats/stats.controller';
import { StatsQueries } from './stats/stats.queries';
import { ClientConfigController } from './web/client-config.controller';
import { QueueBoardController } from './queue-board/queue-board.controller';
import { AuthController } from './identity/auth.controller';
import { OffersController } from './offers/offers.controller';
import { OrdersController } from './orders/orders.controller';
import { OrgController } from './org/org.controller';
import { InboxHub } from './notifications/inbox.hub';
import { InboxController, NotificationOpsController } from './notifications/notifications.controller';
import { SmsRepliesUseCase } from './notifications/sms-replies.use-case';
import { WebhooksController } from './webhooks/webhooks.controller';
import { Open311Controller } from './open311/open311.controller';
import { Open311KeysController } from './open311/open311-keys.controller';
import { ImportsController } from './imports/imports.controller';
import { ExportsController } from './imports/exports.controller';
import { ActivitiesController } from './record/activities.controller';
import { TeamRankingsController } from './record/rankings.controller';
import { MyRedemptionItemsController, RedemptionItemsController } from './record/redemption-items.controller';
import { CertificatesController, MyRecordController, RecordReviewController, RedemptionsController, TimeBankController, WalletController } from './record/record.controller';

@Module({
  imports: [
    ConfigModule, DatabaseModule, QueueModule, IdentityModule, ObservabilityModule.forApp('api'),
    OrgModule, CatalogModule, AuditModule, BeneficiariesModule, OrdersModule, OrderWorkflowModule, DispatchModule, NotificationsModule, CareModule,
    RecordModule, WebhooksModule, Open311Module, ImportsModule,
  ],
  controllers: [AuthController, OrgController, CatalogController, SkillsController, OrdersController, DispatchController, OffersController, HealthController,
    BeneficiariesController, AuditController,
    // staff console, maps, dashboard and the web clients
    LiveQueueController, MapController, StatsController, ManagementController, ClientConfigController,
    // operations: Bull Board for admins
    QueueBoardController,
    // reaching out: inbox, settings, delivery log, SMS provider callbacks
    InboxController, NotificationOpsController,
    // proactive care: plans, check-ins, alerts, visit tasks
    CareController,
    // interop: signed webhooks, Open311, spreadsheet import, the itemised ledger export
    WebhooksController, Open311Controller, Open311KeysController, ImportsController, ExportsController,
    // the volunteer's service record: verified minutes, ledger, corrections, certificates
    MyRecordController, RecordReviewController, CertificatesController, WalletController, RedemptionsController, ActivitiesController, TeamRankingsController, TimeBankController,
    MyRedemptionItemsController, RedemptionItemsController],
  providers: [LiveQueueQueries, LiveQueueHub, MapQueries, MapHomeFinder, StatsQueries, ManagementQueries, InboxHub, SmsRepliesUseCase],
})
export class ApiModule {}
