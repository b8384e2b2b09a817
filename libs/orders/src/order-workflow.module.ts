import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '@xinyuan/beneficiaries';
import { OrgModule } from '@xinyuan/org';
import { OrderLifecycleUseCase } from './order-lifecycle.use-case';
import { OrdersModule } from './orders.module';
import { PlaceOrderUseCase } from './place-order.use-case';

/**
 * 点单 and the steps after it (review, cancel, check-in, complete): the use cases that enqueue
 * dispatch, so the app importing this module also imports `QueueModule`.
 */
@Module({
  imports: [OrdersModule, OrgModule, BeneficiariesModule],
  providers: [PlaceOrderUseCase, OrderLifecycleUseCase],
  exports: [PlaceOrderUseCase, OrderLifecycleUseCase],
})
export class OrderWorkflowModule {}
