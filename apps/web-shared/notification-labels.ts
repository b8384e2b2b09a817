import type { Lang } from './labels';

type Labels = Record<string, { zh: string; en: string }>;

/** Notification types, channels and delivery states in words (console, H5). */
export const NOTIFICATION_TYPE_LABELS: Labels = {
  offer_new: { zh: '新派单', en: 'New offer' },
  offer_expiring: { zh: '派单快到时间', en: 'Offer closing' },
  offer_withdrawn: { zh: '派单已撤回', en: 'Offer withdrawn' },
  order_cancelled: { zh: '订单已取消', en: 'Order cancelled' },
  order_accepted: { zh: '已接单', en: 'Accepted' },
  order_in_service: { zh: '已到达', en: 'Arrived' },
  order_completed: { zh: '已完成', en: 'Completed' },
  order_rejected: { zh: '未通过审核', en: 'Not approved' },
  order_reminder: { zh: '上门前提醒', en: 'Visit reminder' },
  order_escalated: { zh: '待人工派单', en: 'Needs manual dispatch' },
  order_pending_review: { zh: '待审核', en: 'To review' },
  urgent_offer_expiring: { zh: '紧急单快无人接', en: 'Urgent offer closing' },
  sms_reply: { zh: '短信回复结果', en: 'Text reply' },
  checkin_missed: { zh: '未报平安', en: 'No check-in' },
  visit_due: { zh: '走访到期', en: 'Visit due' },
  visit_concern: { zh: '走访发现情况', en: 'Visit concern' },
};

export const CHANNEL_LABELS: Labels = {
  in_app: { zh: '站内消息', en: 'In app' },
  sms: { zh: '短信', en: 'SMS' },
  wechat: { zh: '微信', en: 'WeChat' },
};

export const DELIVERY_STATUS_LABELS: Labels = {
  stored: { zh: '未读', en: 'Unread' },
  read: { zh: '已读', en: 'Read' },
  pending: { zh: '等待发送', en: 'Waiting' },
  sending: { zh: '发送中', en: 'Sending' },
  sent: { zh: '已发送', en: 'Sent' },
  delivered: { zh: '已送达', en: 'Delivered' },
  failed: { zh: '未送达', en: 'Not delivered' },
  dead: { zh: '发送失败', en: 'Failed' },
  skipped: { zh: '未发送', en: 'Not sent' },
  coalesced: { zh: '合并发送', en: 'Combined' },
};

export function words(labels: Labels, key: string | null | undefined, lang: Lang): string {
  return key ? (labels[key]?.[lang] ?? key) : '';
}
