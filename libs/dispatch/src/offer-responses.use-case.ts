import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '@xinyuan/identity';
import { OrderTransitions } from '@xinyuan/orders';
import { TeamDirectory } from '@xinyuan/org';
import { DispatchQueue } from '@xinyuan/queue';
import { OfferErrors } from './offer.exception';

interface LockedOffer {
  id: string;
  order_id: string;
  team_id: string;
  status: string;
  due: boolean;
}

/**
 * 接单: a member of the offered team accepts or declines. Accept is a compare-and-set on the offer
 * row (locked), the team's capacity counter and the order version, in one transaction: of any
 * number of simultaneous accepts exactly one wins and a team never exceeds its capacity.
 */
@Injectable()
export class OfferResponsesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly teams: TeamDirectory,
    private readonly queue: DispatchQueue,
  ) {}

  async accept(offerId: string, user: AuthUser): Promise<{ orderId: string }> {
    return this.dataSource.transaction(async (m) => {
      const offer = await this.lockOwnPendingOffer(m, offerId, user);
      if (offer.due) throw OfferErrors.expired();
      const claimed = await m.query(
        `WITH claimed AS (UPDATE teams SET active_orders = active_orders + 1
                           WHERE id = $1 AND active AND active_orders < capacity RETURNING id)
         SELECT id FROM claimed`,
        [offer.team_id],
      );
      if (claimed.length === 0) throw OfferErrors.teamAtCapacity();
      await m.query(`UPDATE offers SET status = 'accepted', responded_at = now(), responded_by = $2 WHERE id = $1`, [
        offerId,
        user.id,
      ]);
      // grab mode: the first accept wins, every other pending offer of the order is withdrawn with it
      await m.query(
        `UPDATE offers SET status = 'withdrawn', responded_at = now(), reason = 'taken_by_another_team'
          WHERE order_id = $1 AND status = 'pending' AND id <> $2`,
        [offer.order_id, offerId],
      );
      await this.transitions.apply(m, {
        orderId: offer.order_id,
        action: 'accept',
        actor: { id: user.id, role: 'volunteer' },
        teamId: offer.team_id,
        data: { offerId, teamId: offer.team_id },
      });
      await m.query(`INSERT INTO service_records (order_id, team_id) VALUES ($1, $2)
                     ON CONFLICT (order_id) DO UPDATE SET team_id = EXCLUDED.team_id`, [offer.order_id, offer.team_id]);
      return { orderId: offer.order_id };
    });
  }

  async decline(offerId: string, user: AuthUser, reason: string | undefined): Promise<{ orderId: string }> {
    const result = await this.dataSource.transaction(async (m) => {
      const offer = await this.lockOwnPendingOffer(m, offerId, user);
      await m.query(
        `UPDATE offers SET status = 'declined', responded_at = now(), responded_by = $2, reason = $3 WHERE id = $1`,
        [offerId, user.id, reason ?? null],
      );
      const [{ others }] = await m.query(
        `SELECT count(*)::int AS others FROM offers WHERE order_id = $1 AND status = 'pending'`,
        [offer.order_id],
      );
      if (others > 0) {
        // grab mode: other teams still hold the order; only this team steps back
        await this.transitions.record(m, offer.order_id, 'offer_declined', { id: user.id, role: 'volunteer' }, {
          note: reason ?? null,
          data: { offerId, teamId: offer.team_id },
        });
        return { orderId: offer.order_id as string, redispatch: null };
      }
      const { order } = await this.transitions.apply(m, {
        orderId: offer.order_id,
        action: 'decline',
        actor: { id: user.id, role: 'volunteer' },
        note: reason ?? null,
        data: { offerId, teamId: offer.team_id },
      });
      return { orderId: order.id, redispatch: { orderId: order.id, version: order.version, urgent: order.urgent } };
    });
    if (result.redispatch) await this.queue.dispatchOrder(result.redispatch);
    return { orderId: result.orderId };
  }

  /** Offers of other teams are reported as not found: their existence is not the caller's business. */
  private async lockOwnPendingOffer(m: EntityManager, offerId: string, user: AuthUser): Promise<LockedOffer> {
    const [head] = await m.query(`SELECT order_id FROM offers WHERE id = $1`, [offerId]);
    if (head) await m.query(`SELECT 1 FROM orders WHERE id = $1 FOR UPDATE`, [head.order_id]);
    const [offer]: LockedOffer[] = await m.query(
      `SELECT id, order_id, team_id, status, expires_at <= now() AS due FROM offers WHERE id = $1 FOR UPDATE`,
      [offerId],
    );
    if (!offer || !(await this.teams.isMember(user.id, offer.team_id, m))) throw OfferErrors.notFound();
    if (offer.status !== 'pending') throw OfferErrors.notPending(offer.status);
    return offer;
  }
}
