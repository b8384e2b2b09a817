import { Injectable } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { DispatchBatchUseCase, DispatchOrderUseCase, ExpireOfferUseCase, Reconciler } from '@xinyuan/dispatch';
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

  constructor(dispatch: DispatchOrderUseCase, batch: DispatchBatchUseCase, expire: ExpireOfferUseCase, reconciler: Reconciler) {
    this.table = {
      [JobName.DispatchOrder]: (job) => dispatch.execute(job.data.orderId, { allowBatch: true }),
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
