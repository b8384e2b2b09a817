import type { OrderStatus } from '@xinyuan/orders';

/**
 * The outbox's vocabulary. Order events come from the `order_events` trigger (`order.placed`, then
 * `order.<new status>`), offer events from the `offers` trigger; other contexts add their own types
 * (e.g. `care.checkin_missed`) by inserting rows themselves.
 */
export type OrderOutboxType = 'order.placed' | `order.${OrderStatus}`;
export type OfferOutboxType = 'offer.created' | 'offer.accepted' | 'offer.declined' | 'offer.expired' | 'offer.withdrawn';
/** A reply to a two-way SMS, written by the api for the relay to answer. */
export type SmsReplyOutboxType = 'sms.reply';
export type OutboxType = OrderOutboxType | OfferOutboxType | SmsReplyOutboxType | (string & {});

/** `data` of order events (from the timeline row). */
export interface OrderEventData {
  eventId: number;
  action: string;
  from: OrderStatus | null;
  to: OrderStatus;
  actorRole: string;
}

/** `data` of offer events. */
export interface OfferEventData {
  mode?: 'offer' | 'grab';
  source?: 'auto' | 'manual';
  /** Why a pending offer ended without an answer: taken_by_another_team, manual_assign, order_cancelled. */
  reason?: string | null;
}

/** The consumer names registered in `outbox_consumers` (a migration adds each). */
export const OUTBOX_CONSUMER = { notifications: 'notifications' } as const;
