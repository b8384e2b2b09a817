import { Module } from '@nestjs/common';
import { TeamDirectory } from '@xinyuan/org';
import { OrderAccess } from './order-access';
import { OrderLifecycleUseCase } from './order-lifecycle.use-case';
import { OrderQueries } from './order-queries';
import { OrderTransitions } from './order-transitions';
import { PlaceOrderUseCase } from './place-order.use-case';

@Module({
  providers: [OrderTransitions, OrderAccess, OrderQueries, PlaceOrderUseCase, OrderLifecycleUseCase, TeamDirectory],
  exports: [OrderTransitions, OrderAccess, OrderQueries, PlaceOrderUseCase, OrderLifecycleUseCase, TeamDirectory],
})
export class OrdersModule {}
