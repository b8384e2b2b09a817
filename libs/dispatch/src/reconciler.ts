import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { OrderTransitions, SYSTEM_ACTOR } from '@xinyuan/orders';
import { DispatchQueue, jobIds, JobName, PRIORITY } from '@xinyuan/queue';
import { ExpireOfferUseCase } from './expire-offer.use-case';

export interface ReconcileReport {
  offersExpired: number;
  ordersRequeued: number;
  ordersAutoClosed: number;
}

/**
 * Rebuilds from Postgres whatever Redis lost: overdue pending offers are expired (their delayed
 * job may be gone), orders sitting in `dispatching` get their dispatch job back. Runs as a
 * repeatable job and once when a dispatcher starts; every step is idempotent.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly expireOffer: ExpireOfferUseCase,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
  ) {}

  async run(): Promise<ReconcileReport> {
    const report: ReconcileReport = { offersExpired: 0, ordersRequeued: 0, ordersAutoClosed: 0 };

    const overdue: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM offers WHERE status = 'pending' AND expires_at <= now() ORDER BY expires_at LIMIT 500`,
    );
    for (const { id } of overdue) {
      if ((await this.expireOffer.execute(id)).outcome === 'expired') report.offersExpired++;
    }

    // an order waiting out its menu item's batch window is not stuck until the window has passed too
    // (re-enqueued during it, it would only be left to the batch again, and lock its row meanwhile);
    // one that may not wait (urgent, preferred start imminent: batchDueAt's rules) is stuck as any
    const stuck: { id: string; version: number; urgent: boolean }[] = await this.dataSource.query(
      `SELECT o.id, o.version, o.urgent FROM orders o JOIN services s ON s.id = o.service_id
        WHERE o.status = 'dispatching' AND o.updated_at <= now() - make_interval(secs => $1)
          AND (o.urgent OR o.preferred_start < now() + make_interval(mins => $2)
               OR o.created_at + make_interval(secs => s.batch_window_seconds) <= now() - make_interval(secs => $1))
        ORDER BY o.urgent DESC, o.updated_at LIMIT 1000`,
      [this.config.RECONCILE_STUCK_AFTER_MS / 1000, this.config.DISPATCH_BATCH_IMMINENT_MINUTES],
    );
    for (const order of stuck) {
      if (await this.ensureDispatchJob(order)) report.ordersRequeued++;
    }

    const closable: { id: string }[] = await this.dataSource.query(
      // oldest first, which also makes the planner walk orders_completed_idx instead of reading every order
      `SELECT id FROM orders WHERE status = 'completed' AND updated_at <= now() - make_interval(days => $1) ORDER BY updated_at LIMIT 500`,
      [this.config.AUTO_CLOSE_AFTER_DAYS],
    );
    for (const { id } of closable) {
      try {
        await this.dataSource.transaction((m) =>
          this.transitions.apply(m, { orderId: id, action: 'auto_close', actor: SYSTEM_ACTOR, note: '完成后未评价，自动结单' }),
        );
        report.ordersAutoClosed++;
      } catch {
        // rated or closed meanwhile: nothing to do
      }
    }

    if (report.offersExpired || report.ordersRequeued || report.ordersAutoClosed) {
      this.logger.log(`reconciled: ${JSON.stringify(report)}`);
    }
    return report;
  }

  /** Adds the dispatch job unless one for this version is waiting, delayed or running; retries a failed one. */
  private async ensureDispatchJob(job: { id: string; version: number; urgent: boolean }): Promise<boolean> {
    const payload = { orderId: job.id, version: job.version, urgent: job.urgent };
    const id = jobIds.dispatchOrder(payload);
    const existing = await this.queue.dispatch.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'failed') {
        await existing.retry('failed');
        return true;
      }
      if (state !== 'completed') return false;
      await existing.remove();
    }
    await this.queue.dispatch.add(JobName.DispatchOrder, payload, {
      jobId: id,
      priority: job.urgent ? PRIORITY.urgent : PRIORITY.normal,
    });
    return true;
  }
}
