import { Module } from '@nestjs/common';
import { OrdersModule } from '@xinyuan/orders';
import { AssignOrderUseCase } from './assign-order.use-case';
import { CandidateFinder } from './candidate-finder';
import { DispatchBatchUseCase } from './dispatch-batch.use-case';
import { DispatchOrderUseCase } from './dispatch-order.use-case';
import { ExpireOfferUseCase } from './expire-offer.use-case';
import { OfferQueries } from './offer-queries';
import { OfferResponsesUseCase } from './offer-responses.use-case';
import { Reconciler } from './reconciler';

const providers = [
  CandidateFinder, DispatchOrderUseCase, DispatchBatchUseCase, ExpireOfferUseCase, OfferResponsesUseCase, AssignOrderUseCase, Reconciler, OfferQueries,
];

@Module({ imports: [OrdersModule], providers, exports: [...providers, OrdersModule] })
export class DispatchModule {}
