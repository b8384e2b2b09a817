import { col, nullable, Row, table } from '@xinyuan/common';

/**
 * What happened that someone may need to hear about, written in the transaction of the change
 * (by triggers on `order_events` and `offers`, or directly by other contexts). Ids and types only.
 */
export const OUTBOX_EVENTS = table('outbox_events', {
  id: col.bigint(),
  type: col.text(),
  order_id: nullable(col.uuid()),
  offer_id: nullable(col.uuid()),
  team_id: nullable(col.uuid()),
  subject_id: nullable(col.uuid()),
  data: nullable(col.jsonb<Record<string, unknown>>()),
  created_at: col.timestamptz(),
});
export type OutboxEventRow = Row<typeof OUTBOX_EVENTS>;

/** Who reads the outbox: each consumer gets every event once (`outbox_pending`). */
export const OUTBOX_CONSUMERS = table('outbox_consumers', {
  name: col.text(),
  created_at: col.timestamptz(),
});
export type OutboxConsumerRow = Row<typeof OUTBOX_CONSUMERS>;

/** Events a consumer has not handled yet; deleted in the transaction that handles them. */
export const OUTBOX_PENDING = table('outbox_pending', {
  consumer: col.text(),
  event_id: col.bigint(),
});
export type OutboxPendingRow = Row<typeof OUTBOX_PENDING>;
