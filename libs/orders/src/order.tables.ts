import { col, nullable, Row, table } from '@xinyuan/common';
import type { OrderStatus } from './order-status';

/**
 * Widening scope of dispatch: an order is offered inside its own station first, then its township,
 * then its county; an order outside every region boundary is searched by radius alone (`open`).
 */
export type DispatchScope = 'station' | 'township' | 'county' | 'open';

/**
 * An order (点单). `status` changes only through `OrderTransitions` (compare-and-set on `version`);
 * `contact_phone` is a PiiCipher ciphertext; `region_id` is the region of `location`.
 */
export const ORDERS = table('orders', {
  id: col.uuid(),
  resident_id: col.uuid(),
  service_id: col.uuid(),
  service_code: col.text(),
  description: col.text(),
  location: col.geography(),
  address: col.text(),
  contact_phone: col.text(),
  preferred_start: nullable(col.timestamptz()),
  preferred_end: nullable(col.timestamptz()),
  region_id: nullable(col.uuid()),
  status: col.text<OrderStatus>(),
  version: col.int(),
  team_id: nullable(col.uuid()),
  dispatch_attempts: col.int(),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
  urgent: col.bool(),
  dispatch_scope: nullable(col.text<DispatchScope>()),
  scope_started_at: nullable(col.timestamptz()),
  beneficiary_id: nullable(col.uuid()),
  on_behalf: col.bool(),
});
export type OrderRow = Row<typeof ORDERS>;

/** The timeline: one row per status change and per other fact about an order (append-only). */
export const ORDER_EVENTS = table('order_events', {
  id: col.bigint(),
  order_id: col.uuid(),
  type: col.text(),
  from_status: nullable(col.text<OrderStatus>()),
  to_status: nullable(col.text<OrderStatus>()),
  actor_id: nullable(col.uuid()),
  actor_role: col.text(),
  note: nullable(col.text()),
  data: nullable(col.jsonb<Record<string, unknown>>()),
  at: col.timestamptz(),
});
export type OrderEventRow = Row<typeof ORDER_EVENTS>;

/**
 * What the serving team did: check-in (time, place, distance from the order, an override's reason),
 * check-out (签退: time, place), completion (report, minutes, volunteers), and the fraud flags raised
 * at check-in (impossible travel) that keep the credited minutes pending.
 */
export const SERVICE_RECORDS = table('service_records', {
  order_id: col.uuid(),
  team_id: col.uuid(),
  checked_in_at: nullable(col.timestamptz()),
  checked_in_by: nullable(col.uuid()),
  check_in_location: nullable(col.geography()),
  completed_at: nullable(col.timestamptz()),
  completed_by: nullable(col.uuid()),
  report: nullable(col.text()),
  minutes: nullable(col.int()),
  volunteer_ids: col.uuidArray(),
  check_in_distance_m: nullable(col.int()),
  check_in_override_reason: nullable(col.text()),
  checked_out_at: nullable(col.timestamptz()),
  checked_out_by: nullable(col.uuid()),
  check_out_location: nullable(col.geography()),
  check_out_distance_m: nullable(col.int()),
  flags: col.textArray(),
});
export type ServiceRecordRow = Row<typeof SERVICE_RECORDS>;

/** `Idempotency-Key` of POST /orders: a replay answers with the order the first request made. */
export const IDEMPOTENCY_KEYS = table('idempotency_keys', {
  user_id: col.uuid(),
  key: col.text(),
  request_hash: col.text(),
  order_id: col.uuid(),
  created_at: col.timestamptz(),
});
export type IdempotencyKeyRow = Row<typeof IDEMPOTENCY_KEYS>;

/** Open orders per person (resident, or the beneficiary of an order placed for them): the open-order cap. */
export const OPEN_ORDER_COUNTS = table('open_order_counts', {
  subject_id: col.uuid(),
  open_orders: col.int(),
});
export type OpenOrderCountRow = Row<typeof OPEN_ORDER_COUNTS>;
