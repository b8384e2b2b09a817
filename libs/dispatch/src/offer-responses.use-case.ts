import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '@xinyuan/identity';
import { OrderTransitions } from '@xinyuan/orders';
import { TeamDirectory } from '@xinyuan/org';
import { DispatchQueue } from '@xinyuan/queue';
import { OfferErrors } from './offer.exception';
import { LockedOffer, PendingOffers } from './pending-offers';

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
    private readonly offers: PendingOffers,
    private readonly teams: TeamDirectory,
    private readonly queue: DispatchQueue,
  ) {}

  async accept(offerId: string, user: AuthUser): Promise<{ orderId: string }> {
    return this.dataSource.transaction(async (m) => {
      const offer = await this.lockOwnPendingOffer(m, offerId, user);
      if (offer.due) throw OfferErrors.expired();
      const claimed: { name: string }[] = await m.query(
        `WITH claimed AS (UPDATE teams SET active_orders = active_orders + 1
                           WHERE id = $1 AND active AND active_orders < capacity RETURNING name)
         SELECT name FROM claimed`,
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
        note: `「${claimed[0].name}」已接单`,
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
      const redispatch = await this.offers.end(m, offer, {
        status: 'declined', actor: { id: user.id, role: 'volunteer' }, respondedBy: user.id, reason: reason ?? null, note: reason ?? null,
      });
      return { orderId: offer.order_id, redispatch };
    });
    if (result.redispatch) await this.queue.dispatchOrder(result.redispatch);
    return { orderId: result.orderId };
  }

  /** Offers of other teams are reported as not found: their existence is not the caller's business. */
  private async lockOwnPendingOffer(m: EntityManager, offerId: string, user: AuthUser): Promise<LockedOffer> {
    const offer = await this.offers.lock(m, offerId);
    if (!offer || !(await this.teams.isMember(user.id, offer.team_id, m))) throw OfferErrors.notFound();
    if (offer.status !== 'pending') throw OfferErrors.notPending(offer.status);
    return offer;
  }
}
