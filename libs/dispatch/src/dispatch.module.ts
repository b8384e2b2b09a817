import { Module } from '@nestjs/common';
import { OrdersModule } from '@xinyuan/orders';
import { OrgModule } from '@xinyuan/org';
import { AssignOrderUseCase } from './assign-order.use-case';
import { AssignableTeams } from './assignable-teams';
import { BatchWindows } from './batch-windows';
import { CandidateFinder } from './candidate-finder';
import { DispatchBatchUseCase } from './dispatch-batch.use-case';
import { DispatchOrderUseCase } from './dispatch-order.use-case';
import { ExpireOfferUseCase } from './expire-offer.use-case';
import { OfferQueries } from './offer-queries';
import { OfferResponsesUseCase } from './offer-responses.use-case';
import { PendingOffers } from './pending-offers';
import { Reconciler } from './reconciler';

const providers = [
  CandidateFinder, DispatchOrderUseCase, DispatchBatchUseCase, ExpireOfferUseCase, OfferResponsesUseCase, AssignOrderUseCase, Reconciler, OfferQueries, PendingOffers, AssignableTeams, BatchWindows,
];

/** 派单: finding, offering, answering and expiring; enqueues work, so its app imports `QueueModule`. */
@Module({ imports: [OrdersModule, OrgModule], providers, exports: providers })
export class DispatchModule {}
