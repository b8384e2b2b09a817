/**
 * The events an endpoint may subscribe to, and how an outbox event becomes one. Pure.
 *
 * A payload carries ids and statuses only — never a name, phone or exact address — because a
 * webhook leaves the platform: `{type, timestamp, data: {orderId, status, previousStatus, …}}`.
 */
export const WEBHOOK_EVENT_TYPES = [
  'order.placed', 'order.offered', 'order.accepted', 'order.in_service', 'order.completed', 'order.closed', 'order.cancelled',
  'order.escalated', 'care.checkin_missed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The outbox row fields the mapping reads. */
export interface OutboxFact {
  id: string | number;
  type: string;
  order_id: string | null;
  team_id: string | null;
  subject_id: string | null;
  data: Record<string, unknown> | null;
  created_at: Date | string;
}

/** Facts of the order looked up when the event is handled (ids only). */
export interface OrderFacts {
  regionId: string | null;
  serviceCode: string | null;
  teamId: string | null;
}

export interface WebhookEvent {
  type: WebhookEventType;
  orderId: string | null;
  data: Record<string, string | number | boolean | null>;
  timestamp: string;
}

const ID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The webhook event of an outbox event, or null when no endpoint can subscribe to it (offers, SMS replies…). */
export function toWebhookEvent(e: OutboxFact, order: OrderFacts | null): WebhookEvent | null {
  const timestamp = new Date(e.created_at).toISOString();
  if (e.type.startsWith('order.') && e.order_id) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e.type)) return null;
    const d = e.data ?? {};
    const data: WebhookEvent['data'] = {
      orderId: e.order_id,
      status: typeof d.to === 'string' ? d.to : e.type.slice('order.'.length),
      previousStatus: typeof d.from === 'string' ? d.from : null,
      serviceCode: order?.serviceCode ?? null,
      regionId: order?.regionId ?? null,
    };
    if (order?.teamId && ['order.accepted', 'order.in_service', 'order.completed', 'order.closed'].includes(e.type)) data.teamId = order.teamId;
    return { type: e.type as WebhookEventType, orderId: e.order_id, data, timestamp };
  }
  if (e.type === 'care.checkin_missed') {
    // the care context's facts: keep only ids and statuses
    const data: WebhookEvent['data'] = { subjectId: e.subject_id };
    for (const [k, v] of Object.entries(e.data ?? {})) {
      if ((/Id$/.test(k) && typeof v === 'string' && ID_LIKE.test(v)) || (/status$/i.test(k) && typeof v === 'string' && v.length <= 40)) data[k] = v;
    }
    return { type: 'care.checkin_missed', orderId: null, data, timestamp };
  }
  return null;
}

/** The exact body sent (and signed): the same bytes on every attempt. */
export function webhookBody(e: WebhookEvent): string {
  return JSON.stringify({ type: e.type, timestamp: e.timestamp, data: e.data });
}

/**
 * Waits before attempt n+1 after n failed attempts (the first attempt is immediate): 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h — ten attempts over about three days (71.6 h), then the
 * delivery is dead.
 */
export const RETRY_SCHEDULE_MS = [5e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 5 * 3600e3, 10 * 3600e3, 14 * 3600e3, 20 * 3600e3, 20 * 3600e3];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;

/** When to try again after `attempts` failed attempts, or null when the delivery is dead. */
export function nextAttemptDelay(attempts: number): number | null {
  return attempts >= MAX_ATTEMPTS ? null : RETRY_SCHEDULE_MS[attempts - 1] ?? null;
}
