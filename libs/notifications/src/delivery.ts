import { Injectable, Logger } from '@nestjs/common';
import { metrics } from '@xinyuan/observability';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, maskPhone, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { minutesLeft } from './fanout';
import { MessageFacts, writeMessage } from './messages';
import { Channel, Lang, NotificationType, TYPE_POLICY } from './notification-types';
import { NotifySettings } from './notify-settings';
import { ProviderError, SmsProvider, WeChatSubscribeSender } from './providers';
import { guardianPhone } from './recipients';

export type DeliverOutcome = 'sent' | 'retry' | 'dead' | 'skipped' | 'held' | 'not_pending' | 'not_due';

/** A delivery claimed for sending: everything the provider call needs, decided in the claim's transaction. */
interface Claimed {
  kind: 'send';
  id: string;
  attempt: number;
  channel: Channel;
  type: NotificationType;
  notificationId: string;
  userId: string | null;
  urgent: boolean;
  address: string;
  template: string;
  text: string;
  params: Record<string, string>;
  page: string | null;
  lang: Lang;
}

type Claim = Claimed | { kind: Exclude<DeliverOutcome, 'sent' | 'retry' | 'dead'> };

interface DeliveryJoin {
  id: string;
  notification_id: string;
  channel: Channel;
  recipient_key: string;
  type: NotificationType;
  status: string;
  due_at: Date;
  attempts: number;
  message_count: number | null;
  recipient_user_id: string | null;
  recipient_beneficiary_id: string | null;
  order_id: string | null;
  offer_id: string | null;
  urgent: boolean;
  lang: Lang;
  link: string | null;
  data: { facts?: MessageFacts } | null;
}

const SELECT_DELIVERY = `SELECT d.id, d.notification_id, d.channel, d.recipient_key, d.type, d.status, d.due_at, d.attempts, d.message_count,
       n.recipient_user_id, n.recipient_beneficiary_id, n.order_id, n.offer_id, n.urgent, n.lang, n.link, n.data
  FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id`;

/**
 * Sends one delivery, exactly once as far as Postgres can know: a claim (status `sending` with a
 * lease, attempt recorded) commits before the provider is called with the delivery id as its
 * idempotency key; the outcome is recorded after. A relay that dies in between leaves the lease to
 * expire, and the retry uses the same key. Before claiming it checks, in this order: is the message
 * still true (an offer still open), is the person over their hourly cap, can it ride along with
 * others of its kind (coalescing), and is there anywhere to send it.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly settings: NotifySettings,
    private readonly sms: SmsProvider,
    private readonly wechat: WeChatSubscribeSender,
    private readonly cipher: PiiCipher,
    private readonly clock: Clock,
  ) {}

  async deliver(id: string): Promise<DeliverOutcome> {
    const now = this.clock.now();
    const claim = await this.dataSource.transaction((m) => this.claim(m, id, now));
    if (claim.kind !== 'send') return claim.kind;
    let messageId: string | null = null;
    let error: ProviderError | null = null;
    try {
      messageId = await this.callProvider(claim);
    } catch (e) {
      error = e instanceof ProviderError ? e : new ProviderError((e as Error).message);
    }
    const outcome = await this.dataSource.transaction((m) => this.finish(m, claim, messageId, error, this.clock.now()));
    metrics.notifications.inc({ channel: claim.channel, outcome });
    return outcome;
  }

  private async claim(m: EntityManager, id: string, now: Date): Promise<Claim> {
    const [head]: { recipient_key: string; channel: Channel; type: NotificationType }[] = await m.query(
      `SELECT recipient_key, channel, type FROM notification_deliveries WHERE id = $1`,
      [id],
    );
    if (!head) return { kind: 'not_pending' };
    // messages that may be folded together are claimed one at a time per person and channel, so that
    // the first claim folds all the others instead of each sending its own
    if (TYPE_POLICY[head.type]?.coalesce) {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`notify:${head.recipient_key}:${head.channel}:${head.type}`]);
    }
    const [d]: DeliveryJoin[] = await m.query(`${SELECT_DELIVERY} WHERE d.id = $1 FOR UPDATE OF d SKIP LOCKED`, [id]);
    if (!d || d.status !== 'pending') return { kind: 'not_pending' };
    if (new Date(d.due_at).getTime() > now.getTime()) return { kind: 'not_due' };
    const policy = TYPE_POLICY[d.type];

    const stale = await this.staleReason(m, d, now);
    if (stale) return this.skip(m, d.id, stale);

    if (!d.urgent && !policy.ignoresQuietHours) {
      const [cap]: { n: number; oldest: Date | null }[] = await m.query(
        `SELECT count(*)::int AS n, min(sent_at) AS oldest FROM notification_deliveries
          WHERE recipient_key = $1 AND channel = $2 AND sent_at > $3::timestamptz - interval '1 hour'`,
        [d.recipient_key, d.channel, now],
      );
      if (cap.n >= this.config.NOTIFY_HOURLY_CAP) return this.hold(m, d.id, new Date(new Date(cap.oldest!).getTime() + 3600_000), 'cap');
    }

    let count = d.message_count ?? 1;
    if (policy.coalesce && d.attempts === 0 && this.config.NOTIFY_COALESCE_MS > 0) {
      const [last]: { at: Date | null }[] = await m.query(
        `SELECT max(sent_at) AS at FROM notification_deliveries WHERE recipient_key = $1 AND channel = $2 AND type = $3 AND sent_at IS NOT NULL`,
        [d.recipient_key, d.channel, d.type],
      );
      const windowEnd = last.at ? new Date(last.at).getTime() + this.config.NOTIFY_COALESCE_MS : 0;
      if (windowEnd > now.getTime()) return this.hold(m, d.id, new Date(windowEnd), 'coalescing');
      const others: DeliveryJoin[] = await m.query(
        `${SELECT_DELIVERY} WHERE d.recipient_key = $1 AND d.channel = $2 AND d.type = $3 AND d.status = 'pending' AND d.id <> $4
            AND d.attempts = 0 AND d.due_at <= $5 FOR UPDATE OF d SKIP LOCKED`,
        [d.recipient_key, d.channel, d.type, d.id, now],
      );
      const riders: string[] = [];
      for (const o of others) {
        const why = await this.staleReason(m, o, now);
        if (why) await this.skip(m, o.id, why);
        else riders.push(o.id);
      }
      if (riders.length) {
        await m.query(`UPDATE notification_deliveries SET status = 'coalesced', coalesced_into = $2 WHERE id = ANY($1::uuid[])`, [riders, d.id]);
      }
      count = 1 + riders.length;
    }

    const facts: MessageFacts = { ...(d.data?.facts ?? {}), count };
    if (d.offer_id && (d.type === 'offer_new' || d.type === 'offer_expiring')) {
      const [offer] = await m.query(`SELECT expires_at FROM offers WHERE id = $1`, [d.offer_id]);
      if (offer) facts.minutesLeft = minutesLeft(offer.expires_at, now);
    }
    const message = writeMessage(d.type, d.lang, facts);
    const link = this.settings.link(d.link);
    let address: string | null;
    let template: string;
    if (d.channel === 'sms') {
      address = await this.phoneOf(m, d);
      if (!address) return this.skip(m, d.id, 'no_phone');
      template = this.settings.smsTemplate(d.type, d.lang);
    } else {
      const wechatTemplate = this.settings.wechatTemplate(d.type);
      const [account]: { openid: string }[] = d.recipient_user_id
        ? await m.query(`SELECT openid FROM wechat_accounts WHERE user_id = $1 AND appid = $2 ORDER BY created_at DESC LIMIT 1`, [d.recipient_user_id, this.config.WECHAT_APPID ?? ''])
        : [];
      const reason = !this.wechat.enabled || !wechatTemplate ? 'no_template' : !account ? 'no_openid' : null;
      if (reason) {
        await this.fallbackToSms(m, d, now);
        return this.skip(m, d.id, reason);
      }
      if (d.attempts === 0) {
        // one-time subscription: one message spends one grant of this template
        const spent = await m.query(
          `WITH s AS (UPDATE wechat_subscriptions SET remaining = remaining - 1, updated_at = now()
                       WHERE user_id = $1 AND template_id = $2 AND remaining > 0 RETURNING 1) SELECT count(*)::int AS n FROM s`,
          [d.recipient_user_id, wechatTemplate!.id],
        );
        if (spent[0].n === 0) {
          await this.fallbackToSms(m, d, now);
          return this.skip(m, d.id, 'no_quota');
        }
      }
      address = account.openid;
      template = wechatTemplate!.id;
    }

    const attempt = d.attempts + 1;
    await m.query(
      `UPDATE notification_deliveries SET status = 'sending', attempts = $2, lease_until = $3, destination = $4, template = $5,
              message_count = $6, held_reason = NULL WHERE id = $1`,
      [d.id, attempt, new Date(now.getTime() + this.config.NOTIFY_SEND_LEASE_MS), d.channel === 'sms' ? maskPhone(address) : 'openid', template, count],
    );
    await m.query(`INSERT INTO notification_attempts (delivery_id, attempt, started_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [d.id, attempt, now]);
    const reply = d.channel === 'sms' && (d.type === 'offer_new' || d.type === 'offer_expiring');
    const hint = reply ? (d.lang === 'en' ? ' Reply 1 to accept, 2 to decline.' : '回复1接单，回复2婉拒。') : '';
    const params: Record<string, string> = Object.fromEntries(
      Object.entries({ ...facts, link: link ?? undefined, title: message.title }).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]),
    );
    return {
      kind: 'send', id: d.id, attempt, channel: d.channel, type: d.type, notificationId: d.notification_id, userId: d.recipient_user_id,
      urgent: d.urgent, address, template, params, lang: d.lang,
      text: `【${this.config.SMS_SIGN_NAME}】${message.body}${hint}${link ? ` ${link}` : ''}`,
      page: d.link?.includes('#/') ? d.link.slice(d.link.indexOf('#/') + 2) : null,
    };
  }

  private async callProvider(c: Claimed): Promise<string> {
    if (c.channel === 'sms') {
      return this.sms.send({ phone: c.address, template: c.template, params: c.params, text: c.text, signName: this.config.SMS_SIGN_NAME, outId: c.id });
    }
    const values = {
      service: c.params.serviceName ?? '', area: c.params.area ?? '', time: c.params.preferredTime ?? '', team: c.params.teamName ?? '',
      phone: c.params.leaderPhoneMasked ?? '', minutes: c.params.minutesLeft ?? '', title: c.params.title ?? '', body: c.text,
    };
    return this.wechat.send(c.address, this.settings.wechatTemplate(c.type)!, c.page, values, c.lang);
  }

  private async finish(m: EntityManager, c: Claimed, messageId: string | null, error: ProviderError | null, now: Date): Promise<DeliverOutcome> {
    await m.query(
      `UPDATE notification_attempts SET finished_at = $3, outcome = $4, provider_message_id = $5, error = $6 WHERE delivery_id = $1 AND attempt = $2`,
      [c.id, c.attempt, now, error ? 'error' : 'accepted', messageId, error?.message.slice(0, 300) ?? null],
    );
    if (!error) {
      const done = await m.query(
        `WITH s AS (UPDATE notification_deliveries SET status = 'sent', sent_at = $3, provider_message_id = $4, lease_until = NULL, last_error = NULL
                     WHERE id = $1 AND status = 'sending' AND attempts = $2 RETURNING 1) SELECT count(*)::int AS n FROM s`,
        [c.id, c.attempt, now, messageId],
      );
      if (done[0].n === 0) this.logger.warn(`delivery ${c.id} was sent after its lease ran out (attempt ${c.attempt})`);
      return 'sent';
    }
    this.logger.warn(`delivery ${c.id} (${c.channel} ${c.type}) attempt ${c.attempt} failed: ${error.message}`);
    if (c.attempt >= this.config.NOTIFY_MAX_ATTEMPTS) {
      await m.query(
        `UPDATE notification_deliveries SET status = 'dead', failed_at = $3, last_error = $4, lease_until = NULL
          WHERE id = $1 AND status = 'sending' AND attempts = $2`,
        [c.id, c.attempt, now, error.message.slice(0, 300)],
      );
      if (c.channel === 'wechat') {
        const [d]: DeliveryJoin[] = await m.query(`${SELECT_DELIVERY} WHERE d.id = $1`, [c.id]);
        if (d) await this.fallbackToSms(m, d, now);
      }
      return 'dead';
    }
    const delay = this.config.NOTIFY_RETRY_BASE_MS * 2 ** (c.attempt - 1);
    await m.query(
      `UPDATE notification_deliveries SET status = 'pending', due_at = $3, held_reason = 'retry', last_error = $4, lease_until = NULL
        WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [c.id, c.attempt, new Date(now.getTime() + delay), error.message.slice(0, 300)],
    );
    return 'retry';
  }

  /** Why a message should no longer go out (it would say something no longer true), or null. */
  private async staleReason(m: EntityManager, d: DeliveryJoin, now: Date): Promise<string | null> {
    switch (d.type) {
      case 'offer_new':
      case 'offer_expiring':
      case 'urgent_offer_expiring': {
        const [o] = await m.query(`SELECT status, expires_at FROM offers WHERE id = $1`, [d.offer_id]);
        return o && o.status === 'pending' && new Date(o.expires_at).getTime() > now.getTime() ? null : 'offer_closed';
      }
      case 'offer_withdrawn': {
        // a text about a withdrawn offer only to someone who was texted the offer
        const [told] = await m.query(
          `SELECT 1 FROM notifications n JOIN notification_deliveries x ON x.notification_id = n.id AND x.channel = $3
             LEFT JOIN notification_deliveries a ON a.id = x.coalesced_into
            WHERE n.type = 'offer_new' AND n.offer_id = $1 AND x.recipient_key = $2
              AND (x.status IN ('sending', 'sent', 'delivered') OR a.status IN ('sending', 'sent', 'delivered')) LIMIT 1`,
          [d.offer_id, d.recipient_key, d.channel],
        );
        return told ? null : 'offer_not_told';
      }
      case 'order_reminder':
      case 'order_escalated':
      case 'order_pending_review': {
        const expected = { order_reminder: 'accepted', order_escalated: 'escalated', order_pending_review: 'pending_review' }[d.type];
        const [o] = await m.query(`SELECT status FROM orders WHERE id = $1`, [d.order_id]);
        return o?.status === expected ? null : 'order_moved_on';
      }
      default:
        return null;
    }
  }

  private async phoneOf(m: EntityManager, d: DeliveryJoin): Promise<string | null> {
    if (d.recipient_beneficiary_id) return guardianPhone(m, this.cipher, d.recipient_beneficiary_id);
    const [u]: { phone_enc: string | null }[] = await m.query(`SELECT phone_enc FROM users WHERE id = $1`, [d.recipient_user_id]);
    try {
      return u?.phone_enc ? this.cipher.decrypt(u.phone_enc) : null;
    } catch {
      return null;
    }
  }

  /** A WeChat message that cannot go out falls back to SMS when the type's rule allows and the person takes SMS. */
  private async fallbackToSms(m: EntityManager, d: DeliveryJoin, now: Date): Promise<void> {
    const rule = TYPE_POLICY[d.type].sms;
    if (!(rule === 'fallback' || rule === 'always' || (rule === 'urgent' && d.urgent)) || !d.recipient_user_id) return;
    const [ok] = await m.query(
      `SELECT 1 FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id
        WHERE u.id = $1 AND u.phone_enc IS NOT NULL AND COALESCE(p.sms, true) AND NOT ($2 = ANY(COALESCE(p.muted_types, '{}')))`,
      [d.recipient_user_id, d.type],
    );
    if (!ok) return;
    await m.query(
      `INSERT INTO notification_deliveries (notification_id, channel, recipient_key, type, due_at, held_reason)
       VALUES ($1, 'sms', $2, $3, $4, 'wechat_fallback') ON CONFLICT (notification_id, channel) DO NOTHING`,
      [d.notification_id, d.recipient_key, d.type, now],
    );
  }

  private async skip(m: EntityManager, id: string, reason: string): Promise<Claim> {
    await m.query(`UPDATE notification_deliveries SET status = 'skipped', skip_reason = $2, lease_until = NULL WHERE id = $1`, [id, reason]);
    return { kind: 'skipped' };
  }

  private async hold(m: EntityManager, id: string, until: Date, reason: string): Promise<Claim> {
    await m.query(`UPDATE notification_deliveries SET due_at = $2, held_reason = $3 WHERE id = $1`, [id, until, reason]);
    return { kind: 'held' };
  }
}
