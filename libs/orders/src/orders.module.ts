import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '@xinyuan/beneficiaries';
import { JurisdictionService, TeamDirectory } from '@xinyuan/org';
import { OrderAccess } from './order-access';
import { OrderLifecycleUseCase } from './order-lifecycle.use-case';
import { OrderQueries } from './order-queries';
import { OrderTransitions } from './order-transitions';
import { PlaceOrderUseCase } from './place-order.use-case';

@Module({
  imports: [BeneficiariesModule],
  providers: [OrderTransitions, OrderAccess, OrderQueries, PlaceOrderUseCase, OrderLifecycleUseCase, TeamDirectory, JurisdictionService],
  exports: [OrderTransitions, OrderAccess, OrderQueries, PlaceOrderUseCase, OrderLifecycleUseCase, TeamDirectory, JurisdictionService, BeneficiariesModule],
})
export class OrdersModule {}
