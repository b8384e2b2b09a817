import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '@xinyuan/orders';
import { DispatchQueue } from '@xinyuan/queue';
import { PendingOffers } from './pending-offers';

export type ExpireOutcome = { outcome: 'expired' | 'not_pending' } | { outcome: 'not_due'; expiresAt: Date };

/**
 * An unanswered offer times out. When it was the order's last pending offer (always, in offer mode;
 * the last of the round, in grab mode), the order goes back to dispatching.
 */
@Injectable()
export class ExpireOfferUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly offers: PendingOffers,
    private readonly queue: DispatchQueue,
  ) {}

  async execute(offerId: string): Promise<ExpireOutcome> {
    const result = await this.dataSource.transaction(async (m) => {
      const offer = await this.offers.lock(m, offerId);
      if (!offer || offer.status !== 'pending') return { outcome: 'not_pending' as const };
      if (!offer.due) return { outcome: 'not_due' as const, expiresAt: offer.expires_at };
      const redispatch = await this.offers.end(m, offer, { status: 'expired', actor: SYSTEM_ACTOR, note: '服务队超时未响应，重新派单' });
      return { outcome: 'expired' as const, redispatch };
    });
    if ('redispatch' in result && result.redispatch) await this.queue.dispatchOrder(result.redispatch);
    return result.outcome === 'not_due' ? { outcome: 'not_due', expiresAt: result.expiresAt } : { outcome: result.outcome };
  }
}
