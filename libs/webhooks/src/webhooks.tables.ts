import { col, nullable, Row, table } from '@xinyuan/common';

/** A receiver registered by an admin: which events, signed with which secret (PiiCipher ciphertexts). */
export const WEBHOOK_ENDPOINTS = table('webhook_endpoints', {
  id: col.uuid(),
  url: col.text(),
  events: col.textArray(),
  region_id: nullable(col.uuid()),
  created_by: col.uuid(),
  secret_enc: col.text(),
  previous_secret_enc: nullable(col.text()),
  previous_secret_until: nullable(col.timestamptz()),
  status: col.text<'active' | 'disabled' | 'deleted'>(),
  disabled_reason: nullable(col.text()),
  disabled_at: nullable(col.timestamptz()),
  created_at: col.timestamptz(),
  updated_at: col.timestamptz(),
});
export type WebhookEndpointRow = Row<typeof WEBHOOK_ENDPOINTS>;

/** One event for one endpoint (UNIQUE): its id is the `webhook-id` of every attempt. */
export const WEBHOOK_DELIVERIES = table('webhook_deliveries', {
  id: col.uuid(),
  endpoint_id: col.uuid(),
  event_id: col.bigint(),
  event_type: col.text(),
  order_id: nullable(col.uuid()),
  payload: col.text(),
  status: col.text<'pending' | 'sending' | 'delivered' | 'dead' | 'cancelled'>(),
  attempts: col.int(),
  next_attempt_at: col.timestamptz(),
  lease_until: nullable(col.timestamptz()),
  last_status_code: nullable(col.int()),
  last_error: nullable(col.text()),
  created_at: col.timestamptz(),
  delivered_at: nullable(col.timestamptz()),
});
export type WebhookDeliveryRow = Row<typeof WEBHOOK_DELIVERIES>;

/** Every HTTP call of a delivery; the answer's body cut to a few KB. */
export const WEBHOOK_ATTEMPTS = table('webhook_attempts', {
  id: col.bigint(),
  delivery_id: col.uuid(),
  attempt: col.int(),
  started_at: col.timestamptz(),
  finished_at: nullable(col.timestamptz()),
  status_code: nullable(col.int()),
  error: nullable(col.text()),
  response_excerpt: nullable(col.text()),
});
export type WebhookAttemptRow = Row<typeof WEBHOOK_ATTEMPTS>;
