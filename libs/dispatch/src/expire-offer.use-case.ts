import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderTransitions, SYSTEM_ACTOR } from '@xinyuan/orders';
import { DispatchQueue } from '@xinyuan/queue';

export type ExpireOutcome = { outcome: 'expired' | 'not_pending' } | { outcome: 'not_due'; expiresAt: Date };

/** An unanswered offer times out: the offer becomes `expired`, the order goes back to dispatching. */
@Injectable()
export class ExpireOfferUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
  ) {}

  async execute(offerId: string): Promise<ExpireOutcome> {
    const result = await this.dataSource.transaction(async (m) => {
      const [offer] = await m.query(
        `SELECT id, order_id, team_id, status, expires_at, expires_at <= now() AS due FROM offers WHERE id = $1 FOR UPDATE`,
        [offerId],
      );
      if (!offer || offer.status !== 'pending') return { outcome: 'not_pending' as const };
      if (!offer.due) return { outcome: 'not_due' as const, expiresAt: offer.expires_at as Date };
      await m.query(`UPDATE offers SET status = 'expired', responded_at = now() WHERE id = $1`, [offerId]);
      const { order } = await this.transitions.apply(m, {
        orderId: offer.order_id,
        action: 'expire_offer',
        actor: SYSTEM_ACTOR,
        note: '服务队超时未响应，重新派单',
        data: { offerId, teamId: offer.team_id },
      });
      return { outcome: 'expired' as const, orderId: order.id, version: order.version };
    });
    if (result.outcome === 'expired') await this.queue.dispatchOrder({ orderId: result.orderId, version: result.version });
    return result.outcome === 'not_due' ? { outcome: 'not_due', expiresAt: result.expiresAt } : { outcome: result.outcome };
  }
}
