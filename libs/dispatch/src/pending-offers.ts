import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Actor, OrderTransitions } from '@xinyuan/orders';
import type { DispatchOrderJob } from '@xinyuan/queue';
import type { OfferRow } from './offer.tables';

/** An offer locked for an answer, with whether its deadline has passed (by the database clock). */
export type LockedOffer = Pick<OfferRow, 'id' | 'order_id' | 'team_id' | 'status' | 'expires_at'> & { due: boolean };

/** How an offer ends without being accepted. */
export interface OfferEnding {
  status: 'declined' | 'expired';
  actor: Actor;
  /** Who answered (a decline), recorded on the offer. */
  respondedBy?: string | null;
  reason?: string | null;
  /** Timeline note when the order goes back to dispatching. */
  note?: string | null;
}

/**
 * The writes every answer to an offer shares (accept, decline, expire): lock the order and then the
 * offer — the order first, as every writer of an order does, so grab-mode siblings are answered one
 * at a time — and, when an offer ends unanswered, send the order back to dispatching if it was the
 * order's last pending offer (always in offer mode; the last of the round in grab mode).
 */
@Injectable()
export class PendingOffers {
  constructor(private readonly transitions: OrderTransitions) {}

  /** Locks the offer's order, then the offer; null when there is no such offer. */
  async lock(m: EntityManager, offerId: string): Promise<LockedOffer | null> {
    const [head]: Pick<OfferRow, 'order_id'>[] = await m.query(`SELECT order_id FROM offers WHERE id = $1`, [offerId]);
    if (!head) return null;
    await m.query(`SELECT 1 FROM orders WHERE id = $1 FOR UPDATE`, [head.order_id]);
    const [offer]: LockedOffer[] = await m.query(
      `SELECT id, order_id, team_id, status, expires_at, expires_at <= now() AS due FROM offers WHERE id = $1 FOR UPDATE`,
      [offerId],
    );
    return offer ?? null;
  }

  /**
   * Ends a locked pending offer unanswered. Returns the dispatch job to enqueue after commit when the
   * order went back to dispatching, null when other teams still hold it (grab mode).
   */
  async end(m: EntityManager, offer: LockedOffer, ending: OfferEnding): Promise<DispatchOrderJob | null> {
    await m.query(`UPDATE offers SET status = $2, responded_at = now(), responded_by = $3, reason = $4 WHERE id = $1`, [
      offer.id, ending.status, ending.respondedBy ?? null, ending.reason ?? null,
    ]);
    const [{ others }]: { others: number }[] = await m.query(
      `SELECT count(*)::int AS others FROM offers WHERE order_id = $1 AND status = 'pending'`,
      [offer.order_id],
    );
    const data = { offerId: offer.id, teamId: offer.team_id };
    if (others > 0) {
      // grab mode: other teams still hold the order; only this team is out
      await this.transitions.record(m, offer.order_id, ending.status === 'declined' ? 'offer_declined' : 'offer_expired', ending.actor, {
        note: ending.status === 'declined' ? (ending.reason ?? null) : null,
        data,
      });
      return null;
    }
    const { order } = await this.transitions.apply(m, {
      orderId: offer.order_id,
      action: ending.status === 'declined' ? 'decline' : 'expire_offer',
      actor: ending.actor,
      note: ending.note ?? null,
      data,
    });
    return { orderId: order.id, version: order.version, urgent: order.urgent };
  }
}
