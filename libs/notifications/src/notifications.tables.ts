import { col, nullable, Row, table } from '@xinyuan/common';
import type { Channel, DeliveryStatus, Lang } from './notification-types';

/**
 * An intent to tell one person one thing (unique `dedupe_key`: the same fact never makes two), and
 * that person's in-app inbox entry. The recipient is an account, or the guardian contact of a
 * beneficiary profile (no account: text messages only). Title and body hold no phone number and no
 * exact address.
 */
export const NOTIFICATIONS = table('notifications', {
  id: col.uuid(),
  dedupe_key: col.text(),
  type: col.text(),
  recipient_user_id: nullable(col.uuid()),
  recipient_beneficiary_id: nullable(col.uuid()),
  order_id: nullable(col.uuid()),
  offer_id: nullable(col.uuid()),
  urgent: col.bool(),
  lang: col.text<Lang>(),
  title: col.text(),
  body: col.text(),
  link: nullable(col.text()),
  data: nullable(col.jsonb<Record<string, unknown>>()),
  outbox_event_id: nullable(col.bigint()),
  created_at: col.timestamptz(),
  read_at: nullable(col.timestamptz()),
});
export type NotificationRow = Row<typeof NOTIFICATIONS>;

/**
 * One row per notification × channel (UNIQUE): claimed (`sending`, with a lease) and marked `sent`
 * in Postgres. Its id is the idempotency key (out-id) the provider receives, on every attempt.
 * `destination` is masked. A coalesced row rode along in the message of `coalesced_into`.
 */
export const NOTIFICATION_DELIVERIES = table('notification_deliveries', {
  id: col.uuid(),
  notification_id: col.uuid(),
  channel: col.text<Channel>(),
  recipient_key: col.text(),
  type: col.text(),
  status: col.text<DeliveryStatus>(),
  due_at: col.timestamptz(),
  held_reason: nullable(col.text()),
  attempts: col.int(),
  lease_until: nullable(col.timestamptz()),
  destination: nullable(col.text()),
  template: nullable(col.text()),
  provider_message_id: nullable(col.text()),
  coalesced_into: nullable(col.uuid()),
  message_count: nullable(col.int()),
  skip_reason: nullable(col.text()),
  last_error: nullable(col.text()),
  created_at: col.timestamptz(),
  sent_at: nullable(col.timestamptz()),
  delivered_at: nullable(col.timestamptz()),
  failed_at: nullable(col.timestamptz()),
});
export type NotificationDeliveryRow = Row<typeof NOTIFICATION_DELIVERIES>;

/** Every call to a provider: started in the claim's transaction, finished with its outcome. */
export const NOTIFICATION_ATTEMPTS = table('notification_attempts', {
  id: col.bigint(),
  delivery_id: col.uuid(),
  attempt: col.int(),
  started_at: col.timestamptz(),
  finished_at: nullable(col.timestamptz()),
  outcome: nullable(col.text<'accepted' | 'error'>()),
  provider_message_id: nullable(col.text()),
  error: nullable(col.text()),
});
export type NotificationAttemptRow = Row<typeof NOTIFICATION_ATTEMPTS>;

/** Delivery reports the SMS provider posted back (signed callback); a re-posted report changes nothing. */
export const NOTIFICATION_RECEIPTS = table('notification_receipts', {
  id: col.bigint(),
  delivery_id: nullable(col.uuid()),
  provider_message_id: col.text(),
  status: col.text<'delivered' | 'failed'>(),
  error_code: nullable(col.text()),
  reported_at: nullable(col.timestamptz()),
  received_at: col.timestamptz(),
});
export type NotificationReceiptRow = Row<typeof NOTIFICATION_RECEIPTS>;

/** Work due at a time (reminders), fired once by the relay's sweep: `offer_expiring`, `order_reminder`. */
export const NOTIFICATION_TIMERS = table('notification_timers', {
  kind: col.text(),
  ref_id: col.uuid(),
  due_at: col.timestamptz(),
  fired_at: nullable(col.timestamptz()),
  created_at: col.timestamptz(),
});
export type NotificationTimerRow = Row<typeof NOTIFICATION_TIMERS>;

/** A person's choices; no row means the defaults (every channel, NOTIFY_QUIET_HOURS, Chinese). */
export const NOTIFICATION_PREFERENCES = table('notification_preferences', {
  user_id: col.uuid(),
  sms: col.bool(),
  wechat: col.bool(),
  muted_types: col.textArray(),
  quiet_start: nullable(col.text()),
  quiet_end: nullable(col.text()),
  time_zone: nullable(col.text()),
  lang: col.text<Lang>(),
  updated_at: col.timestamptz(),
});
export type NotificationPreferenceRow = Row<typeof NOTIFICATION_PREFERENCES>;

/** One-time subscribe-message quota (订阅消息) per person and template, from what the mini-program reported. */
export const WECHAT_SUBSCRIPTIONS = table('wechat_subscriptions', {
  user_id: col.uuid(),
  template_id: col.text(),
  remaining: col.int(),
  updated_at: col.timestamptz(),
});
export type WeChatSubscriptionRow = Row<typeof WECHAT_SUBSCRIPTIONS>;

/** Text-message replies (1 accept / 2 decline), once per provider message id; the phone only as its blind index. */
export const SMS_INBOUND = table('sms_inbound', {
  id: col.uuid(),
  provider_message_id: col.text(),
  phone_bidx: col.text(),
  user_id: nullable(col.uuid()),
  command: col.text(),
  result: col.text(),
  offer_id: nullable(col.uuid()),
  received_at: col.timestamptz(),
});
export type SmsInboundRow = Row<typeof SMS_INBOUND>;
