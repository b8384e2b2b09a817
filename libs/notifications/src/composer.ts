import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { quietUntil } from '@xinyuan/common/local-time';
import { formatLocalTime, MessageFacts, writeMessage } from './messages';
import { Channel, NotificationType, TYPE_POLICY } from './notification-types';
import { NotifySettings } from './notify-settings';
import { guardianReach, linkFor, Reach, reachOf, Recipient, recipientKey } from './recipients';

/** The NOTIFY channel the api's inbox streams LISTEN on (payload: comma-separated notification ids). */
export const INBOX_CHANNEL = 'xinyuan_inbox';

export interface NotifySpec {
  type: NotificationType;
  recipients: Recipient[];
  /** Makes `dedupe_key` (with type and recipient): the same fact never notifies anyone twice. */
  dedupe: string;
  orderId?: string | null;
  offerId?: string | null;
  urgent: boolean;
  facts: MessageFacts;
  /** Written in each recipient's zone and language. */
  preferredStart?: Date | null;
  onBehalf?: boolean;
  outboxEventId?: string | null;
}

/** What one batch made: inbox entries to announce, deliveries to send now. */
export class Composed {
  readonly inboxIds: string[] = [];
  readonly dueNow: { id: string; attempts: number; dueAt: Date }[] = [];
  notifications = 0;
}

/**
 * Turns "tell these people this" into rows, on the caller's transaction: one notification per
 * recipient (its inbox entry; `dedupe_key` unique, so a fact handled twice notifies nobody twice)
 * and one delivery per remote channel the person can be reached on and allows — SMS and WeChat by
 * the type's policy, held until quiet hours end unless urgent.
 */
@Injectable()
export class NotificationComposer {
  constructor(
    private readonly config: AppConfig,
    private readonly settings: NotifySettings,
  ) {}

  async compose(m: EntityManager, now: Date, spec: NotifySpec, out: Composed): Promise<void> {
    if (spec.recipients.length === 0) return;
    const userIds = spec.recipients.flatMap((r) => (r.kind === 'user' ? [r.userId] : []));
    const reach = await reachOf(m, this.config, userIds);
    const policy = TYPE_POLICY[spec.type];
    const wechatTemplate = policy.wechat ? this.settings.wechatTemplate(spec.type) : null;
    const quota = wechatTemplate && userIds.length ? await this.quotaOf(m, userIds, wechatTemplate.id) : new Set<string>();

    for (const recipient of spec.recipients) {
      const r: Reach | undefined = recipient.kind === 'user' ? reach.get(recipient.userId) : guardianReach(this.config);
      if (!r) continue; // a disabled account
      const key = recipientKey(recipient);
      const facts: MessageFacts = { ...spec.facts, preferredTime: formatLocalTime(spec.preferredStart ?? null, r.lang, r.timeZone) };
      const message = writeMessage(spec.type, r.lang, facts);
      const link = linkFor(spec.type, recipient, { orderId: spec.orderId, onBehalf: spec.onBehalf });
      const [row]: { id: string }[] = await m.query(
        `INSERT INTO notifications (dedupe_key, type, recipient_user_id, recipient_beneficiary_id, order_id, offer_id, urgent, lang,
                                    title, body, link, data, outbox_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [
          `${spec.type}:${spec.dedupe}:${key}`, spec.type, recipient.kind === 'user' ? recipient.userId : null,
          recipient.kind === 'guardian' ? recipient.beneficiaryId : null, spec.orderId ?? null, spec.offerId ?? null, spec.urgent,
          r.lang, message.title, message.body, link, { facts, timeZone: r.timeZone }, spec.outboxEventId ?? null,
        ],
      );
      if (!row) continue; // told already
      out.notifications++;
      if (recipient.kind === 'user') out.inboxIds.push(row.id);
      if (r.muted.has(spec.type)) continue;

      const wechat = recipient.kind === 'user' && !!wechatTemplate && r.wechat && r.hasOpenid && quota.has(recipient.userId);
      const smsRule = recipient.kind === 'guardian' ? 'always' : policy.sms;
      const sms = r.sms && r.hasPhone && (smsRule === 'always' || (!wechat && (smsRule === 'fallback' || (smsRule === 'urgent' && spec.urgent))));
      const held = spec.urgent || policy.ignoresQuietHours ? null : quietUntil(now, r.quiet, r.timeZone);
      const channels: Channel[] = [...(wechat ? (['wechat'] as const) : []), ...(sms ? (['sms'] as const) : [])];
      for (const channel of channels) {
        const dueAt = held ?? now;
        const [d]: { id: string }[] = await m.query(
          `INSERT INTO notification_deliveries (notification_id, channel, recipient_key, type, due_at, held_reason)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (notification_id, channel) DO NOTHING RETURNING id`,
          [row.id, channel, key, spec.type, dueAt, held ? 'quiet_hours' : null],
        );
        if (d && !held) out.dueNow.push({ id: d.id, attempts: 0, dueAt });
      }
    }
  }

  /** Announces new inbox entries to the api processes (NOTIFY is delivered on commit, never before). */
  async announce(m: EntityManager, inboxIds: string[]): Promise<void> {
    // a NOTIFY payload holds < 8000 bytes: 180 ids of 37 characters each
    for (let i = 0; i < inboxIds.length; i += 180) {
      await m.query(`SELECT pg_notify($1, $2)`, [INBOX_CHANNEL, inboxIds.slice(i, i + 180).join(',')]);
    }
  }

  private async quotaOf(m: EntityManager, userIds: string[], templateId: string): Promise<Set<string>> {
    const rows: { user_id: string }[] = await m.query(
      `SELECT user_id FROM wechat_subscriptions WHERE user_id = ANY($1::uuid[]) AND template_id = $2 AND remaining > 0`,
      [userIds, templateId],
    );
    return new Set(rows.map((r) => r.user_id));
  }
}
