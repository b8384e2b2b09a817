import { Module } from '@nestjs/common';
import { OrdersModule } from '@xinyuan/orders';
import { RateOrderUseCase, ReputationQueries } from './rate-order.use-case';

@Module({ imports: [OrdersModule], providers: [RateOrderUseCase, ReputationQueries], exports: [RateOrderUseCase, ReputationQueries] })
export class RatingModule {}
