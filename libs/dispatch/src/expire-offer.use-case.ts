import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OrderTransitions, SYSTEM_ACTOR } from '@xinyuan/orders';
import { DispatchQueue } from '@xinyuan/queue';

export type ExpireOutcome = { outcome: 'expired' | 'not_pending' } | { outcome: 'not_due'; expiresAt: Date };

/**
 * An unanswered offer times out. When it was the order's last pending offer (always, in offer mode;
 * the last of the round, in grab mode), the order goes back to dispatching.
 */
@Injectable()
export class ExpireOfferUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
  ) {}

  async execute(offerId: string): Promise<ExpireOutcome> {
    const result = await this.dataSource.transaction(async (m) => {
      const [head] = await m.query(`SELECT order_id FROM offers WHERE id = $1`, [offerId]);
      if (!head) return { outcome: 'not_pending' as const };
      // lock the order first, as every other writer does, so grab-mode siblings expire one at a time
      await m.query(`SELECT 1 FROM orders WHERE id = $1 FOR UPDATE`, [head.order_id]);
      const [offer] = await m.query(
        `SELECT id, order_id, team_id, status, expires_at, expires_at <= now() AS due FROM offers WHERE id = $1 FOR UPDATE`,
        [offerId],
      );
      if (offer.status !== 'pending') return { outcome: 'not_pending' as const };
      if (!offer.due) return { outcome: 'not_due' as const, expiresAt: offer.expires_at as Date };
      await m.query(`UPDATE offers SET status = 'expired', responded_at = now() WHERE id = $1`, [offerId]);
      const [{ others }] = await m.query(
        `SELECT count(*)::int AS others FROM offers WHERE order_id = $1 AND status = 'pending'`,
        [offer.order_id],
      );
      if (others > 0) {
        await this.transitions.record(m, offer.order_id, 'offer_expired', SYSTEM_ACTOR, { data: { offerId, teamId: offer.team_id } });
        return { outcome: 'expired' as const };
      }
      const { order } = await this.transitions.apply(m, {
        orderId: offer.order_id,
        action: 'expire_offer',
        actor: SYSTEM_ACTOR,
        note: '服务队超时未响应，重新派单',
        data: { offerId, teamId: offer.team_id },
      });
      return { outcome: 'expired' as const, redispatch: { orderId: order.id, version: order.version, urgent: order.urgent } };
    });
    if ('redispatch' in result && result.redispatch) await this.queue.dispatchOrder(result.redispatch);
    return result.outcome === 'not_due' ? { outcome: 'not_due', expiresAt: result.expiresAt } : { outcome: result.outcome };
  }
}
