/** Every kind of notification. Clients branch on `type`; new types may be added, none renamed. */
export const NOTIFICATION_TYPES = [
  // team members
  'offer_new', 'offer_expiring', 'offer_withdrawn', 'order_cancelled',
  // the resident who placed the order (and the guardian contact of a beneficiary's order)
  'order_accepted', 'order_in_service', 'order_completed', 'order_rejected', 'order_reminder',
  // staff of the order's jurisdiction
  'order_escalated', 'order_pending_review', 'urgent_offer_expiring',
  // the answer to a text-message reply (1 accept / 2 decline)
  'sms_reply',
  // proactive care (written by the care context through the outbox)
  'checkin_missed', 'visit_due', 'visit_concern',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const CHANNELS = ['sms', 'wechat'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * When a text message goes out besides the in-app inbox:
 * - `always`: by SMS whatever else (offers: the volunteer's phone is in a pocket, and can reply 1/2);
 * - `fallback`: by WeChat when the person has granted it, else by SMS;
 * - `urgent`: like fallback, but SMS only when the order is urgent;
 * - `never`: inbox (and WeChat when granted) only.
 */
export type SmsRule = 'always' | 'fallback' | 'urgent' | 'never';

export interface TypePolicy {
  sms: SmsRule;
  /** Sent as a WeChat subscribe message when a template is configured and the person granted one. */
  wechat: boolean;
  /** Several within NOTIFY_COALESCE_MS become one text ("您有 N 个新派单"). */
  coalesce?: boolean;
  /** Goes out in quiet hours too (besides messages about urgent orders). */
  ignoresQuietHours?: boolean;
}

export const TYPE_POLICY: Record<NotificationType, TypePolicy> = {
  offer_new: { sms: 'always', wechat: true, coalesce: true },
  offer_expiring: { sms: 'always', wechat: true },
  offer_withdrawn: { sms: 'always', wechat: false },
  order_cancelled: { sms: 'always', wechat: false },
  order_accepted: { sms: 'fallback', wechat: true },
  order_in_service: { sms: 'urgent', wechat: true },
  order_completed: { sms: 'never', wechat: true },
  order_rejected: { sms: 'urgent', wechat: true },
  order_reminder: { sms: 'fallback', wechat: true },
  order_escalated: { sms: 'urgent', wechat: false },
  order_pending_review: { sms: 'never', wechat: false },
  urgent_offer_expiring: { sms: 'always', wechat: false },
  sms_reply: { sms: 'always', wechat: false, ignoresQuietHours: true },
  checkin_missed: { sms: 'always', wechat: true, ignoresQuietHours: true },
  visit_due: { sms: 'urgent', wechat: true },
  // a visit found the person unwell: by text too when the visitor marked it urgent
  visit_concern: { sms: 'urgent', wechat: false, ignoresQuietHours: true },
};

/** Types a guardian contact (no account: SMS only) hears about an order placed for their person. */
export const GUARDIAN_TYPES: NotificationType[] = ['order_accepted', 'order_in_service', 'order_completed', 'order_reminder', 'checkin_missed'];

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'dead', 'skipped', 'coalesced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type Lang = 'zh' | 'en';
