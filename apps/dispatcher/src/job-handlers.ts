import { Injectable } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { currentCorrelationId } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { DispatchBatchUseCase, DispatchOrderUseCase, DispatchOutcome, ExpireOfferUseCase, OrderBatcher, Reconciler } from '@xinyuan/dispatch';
import { JobName, JobPayloads } from '@xinyuan/queue';

type Handler<N extends JobName> = (job: Job<JobPayloads[N]>, token?: string) => Promise<unknown>;
export type HandlerTable = { [N in JobName]: Handler<N> };

/**
 * One handler per job name; the table's type makes a missing handler a compile error, and
 * `handle` refuses unknown names at run time. Handlers rethrow so BullMQ retries with backoff.
 */
@Injectable()
export class JobHandlers {
  readonly table: HandlerTable;

  constructor(config: AppConfig, dispatch: DispatchOrderUseCase, batch: DispatchBatchUseCase, expire: ExpireOfferUseCase, reconciler: Reconciler) {
    // dispatch jobs running at the same time share transactions (see DispatchOrderUseCase.executeMany)
    // each order is worked on under the correlation id of its own job
    const orders = new OrderBatcher<DispatchOutcome, string>(
      (ids, correlations) => dispatch.executeMany(ids, { allowBatch: true, correlations }), config.DISPATCH_TX_MAX_ORDERS, config.DISPATCH_TX_PARALLEL,
      currentCorrelationId,
    );
    this.table = {
      [JobName.DispatchOrder]: (job) => orders.submit(job.data.orderId),
      [JobName.DispatchBatch]: () => batch.execute(),
      [JobName.ExpireOffer]: async (job, token) => {
        const result = await expire.execute(job.data.offerId);
        if (result.outcome === 'not_due') {
          // fired early (clocks of two hosts differ): wait until the offer is really due
          await job.moveToDelayed(new Date(result.expiresAt).getTime() + 50, token);
          throw new DelayedError();
        }
        return result;
      },
      [JobName.Reconcile]: () => reconciler.run(),
    };
  }

  handle(job: Job, token?: string): Promise<unknown> {
    const handler = this.table[job.name as JobName] as Handler<JobName> | undefined;
    if (!handler) throw new Error(`no handler for job "${job.name}"`);
    return handler(job as Job<never>, token);
  }
}
