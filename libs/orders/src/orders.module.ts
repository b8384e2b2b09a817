import { Module } from '@nestjs/common';
import { OrgModule } from '@xinyuan/org';
import { OrderAccess } from './order-access';
import { OrderQueries } from './order-queries';
import { OrderTransitions } from './order-transitions';

/**
 * The order core: the state machine's writer (`OrderTransitions`), who may see an order, and
 * reading orders. No queue: every app that changes or reads orders needs this much (the rating
 * service closes orders with it); placing and the later lifecycle steps live in
 * `OrderWorkflowModule`, which also enqueues dispatch.
 */
@Module({
  imports: [OrgModule],
  providers: [OrderTransitions, OrderAccess, OrderQueries],
  exports: [OrderTransitions, OrderAccess, OrderQueries],
})
export class OrdersModule {}
