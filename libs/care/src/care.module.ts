import { Module } from '@nestjs/common';
import { AuditModule } from '@xinyuan/audit';
import { OrdersModule, OrderWorkflowModule } from '@xinyuan/orders';
import { OrgModule } from '@xinyuan/org';
import { CareAccess } from './care-access';
import { CareCampaigns } from './care-campaigns';
import { CareCoverage } from './care-coverage';
import { CarePlans } from './care-plans';
import { CareSweep } from './care-sweep';
import { CareTemplates } from './care-templates';
import { CareWork } from './care-work';
import { VisitGenerator } from './visit-generator';

/**
 * Proactive care: plans, check-ins, the missed-check-in ladder, visit tasks. The api serves it;
 * the dispatcher runs `CareSweep`. Places orders (the ladder's urgent 上门查看, needs found on a
 * visit) through the order workflow, so an app importing it also imports `QueueModule`.
 */
@Module({
  imports: [OrgModule, AuditModule, OrdersModule, OrderWorkflowModule],
  providers: [CareAccess, CarePlans, CareWork, CareSweep, CareCoverage, CareTemplates, CareCampaigns, VisitGenerator],
  exports: [CarePlans, CareWork, CareSweep, CareCoverage, CareTemplates, CareCampaigns],
})
export class CareModule {}
