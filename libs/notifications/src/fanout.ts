import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isRetryableFailure, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { isOfficial } from '@xinyuan/identity';
import type { OrderStatus } from '@xinyuan/orders';
import type { OfferEventData, OrderEventData, OutboxEventRow } from '@xinyuan/outbox';
import { Composed, NotificationComposer, NotifySpec } from './composer';
import { dayBefore, parseHhMm } from '@xinyuan/common/local-time';
import type { NotificationType } from './notification-types';
import { gridWorkersOf, guardianPhone, leaderPhoneMasked, Recipient, staffOf, teamMembers } from './recipients';

/** The facts of an order that notifications about it use (no address, no phone). */
export interface OrderFacts {
  id: string;
  status: OrderStatus;
  residentId: string;
  beneficiaryId: string | null;
  beneficiaryName: string | null;
  onBehalf: boolean;
  urgent: boolean;
  teamId: string | null;
  teamName: string | null;
  serviceName: string;
  area: string | null;
  regionPath: string[] | null;
  preferredStart: Date | null;
}

export async function orderFacts(m: EntityManager, orderId: string): Promise<OrderFacts | null> {
  const [r] = await m.query(
    `SELECT o.id, o.status, o.resident_id, o.beneficiary_id, b.name AS beneficiary_name, o.on_behalf, o.urgent, o.team_id, t.name AS team_name,
            s.name AS service_name, g.name AS area, g.path AS region_path, o.preferred_start
       FROM orders o JOIN services s ON s.id = o.service_id
       LEFT JOIN regions g ON g.id = o.region_id LEFT JOIN teams t ON t.id = o.team_id
       LEFT JOIN beneficiaries b ON b.id = o.beneficiary_id
      WHERE o.id = $1`,
    [orderId],
  );
  if (!r) return null;
  return {
    id: r.id, status: r.status, residentId: r.resident_id, beneficiaryId: r.beneficiary_id, beneficiaryName: r.beneficiary_name,
    onBehalf: r.on_behalf, urgent: r.urgent, teamId: r.team_id, teamName: r.team_name, serviceName: r.service_name, area: r.area,
    regionPath: r.region_path, preferredStart: r.preferred_start,
  };
}

export interface OfferFacts {
  id: string;
  status: string;
  teamId: string;
  createdAt: Date;
  expiresAt: Date;
}

export async function offerFacts(m: EntityManager, offerId: string): Promise<OfferFacts | null> {
  const [r] = await m.query(`SELECT id, status, team_id, created_at, expires_at FROM offers WHERE id = $1`, [offerId]);
  return r ? { id: r.id, status: r.status, teamId: r.team_id, createdAt: r.created_at, expiresAt: r.expires_at } : null;
}

export const minutesLeft = (expiresAt: Date, now: Date) => Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now.getTime()) / 60000));

/**
 * The notifications consumer of the outbox: who hears what about each event. Runs in the relay, on
 * the transaction that claimed the events (see OutboxReader), so an event's notifications are
 * written exactly once. Other contexts' events (care) get their handler here.
 */
@Injectable()
export class OutboxFanout {
  private readonly logger = new Logger(OutboxFanout.name);

  constructor(
    private readonly composer: NotificationComposer,
    private readonly cipher: PiiCipher,
    private readonly config: AppConfig,
  ) {}

  async handle(m: EntityManager, events: OutboxEventRow[], now: Date): Promise<Composed> {
    const out = new Composed();
    for (const event of events) {
      try {
        await m.query('SAVEPOINT fanout_event');
        await this.handleOne(m, event, now, out);
        await m.query('RELEASE SAVEPOINT fanout_event');
      } catch (e) {
        // a deadlock, a lock timeout, a lost connection: the whole batch is claimed again later, nothing is skipped
        if (isRetryableFailure(e)) throw e;
        // one malformed event must not hold up every later one: it is logged and skipped
        await m.query('ROLLBACK TO SAVEPOINT fanout_event');
        this.logger.error(`outbox event ${event.id} (${event.type}) not handled: ${(e as Error).message}`);
      }
    }
    await this.composer.announce(m, out.inboxIds);
    return out;
  }

  private async handleOne(m: EntityManager, e: OutboxEventRow, now: Date, out: Composed): Promise<void> {
    const base = { dedupe: `e${e.id}`, outboxEventId: e.id };
    if (e.type === 'sms.reply') {
      const data = (e.data ?? {}) as { result?: string; inboundId?: string };
      await this.composer.compose(m, now, {
        ...base, dedupe: `sms:${data.inboundId ?? e.id}`, type: 'sms_reply', urgent: true, offerId: e.offer_id,
        recipients: e.subject_id ? [{ kind: 'user', userId: e.subject_id, role: 'member' }] : [], facts: { result: data.result },
      }, out);
      return;
    }
    if (e.type === 'care.checkin_missed') return this.careAlert(m, e, now, out);
    if (e.type === 'care.visit_concern') return this.visitConcern(m, e, now, out);
    if (e.type === 'care.visit_due') return this.visitDue(m, e, now, out);
    if (!e.order_id) return;
    const order = await orderFacts(m, e.order_id);
    if (!order) return;
    const facts = { serviceName: order.serviceName, area: order.area, teamName: order.teamName ?? undefined };
    const about = { orderId: order.id, urgent: order.urgent, preferredStart: order.preferredStart, onBehalf: order.onBehalf };

    if (e.type === 'offer.created' || e.type === 'offer.withdrawn') {
      const offer = await offerFacts(m, e.offer_id!);
      if (!offer) return;
      const members = await teamMembers(m, offer.teamId);
      if (e.type === 'offer.created') {
        await this.composer.compose(m, now, {
          ...base, ...about, type: 'offer_new', offerId: offer.id, recipients: members,
          facts: { ...facts, minutesLeft: minutesLeft(offer.expiresAt, now) },
        }, out);
        const created = new Date(offer.createdAt).getTime();
        const due = new Date(created + this.config.NOTIFY_EXPIRING_SHARE * (new Date(offer.expiresAt).getTime() - created));
        await m.query(`INSERT INTO notification_timers (kind, ref_id, due_at) VALUES ('offer_expiring', $1, $2) ON CONFLICT DO NOTHING`, [offer.id, due]);
      } else {
        await this.composer.compose(m, now, {
          ...base, ...about, type: 'offer_withdrawn', offerId: offer.id, recipients: members,
          facts: { ...facts, reason: (e.data as OfferEventData | null)?.reason ?? null },
        }, out);
      }
      return;
    }

    const data = (e.data ?? {}) as Partial<OrderEventData>;
    const toResident = async (type: NotificationType) => {
      const recipients: Recipient[] = [{ kind: 'user', userId: order.residentId, role: 'resident' }];
      if (order.beneficiaryId && (await guardianPhone(m, this.cipher, order.beneficiaryId))) {
        recipients.push({ kind: 'guardian', beneficiaryId: order.beneficiaryId });
      }
      const leader = type === 'order_accepted' ? await leaderPhoneMasked(m, this.cipher, order.teamId) : null;
      await this.composer.compose(m, now, {
        ...base, ...about, type, recipients, facts: { ...facts, leaderPhoneMasked: leader, personName: order.beneficiaryName },
      }, out);
    };
    const toStaff = async (type: NotificationType) =>
      this.composer.compose(m, now, { ...base, ...about, type, recipients: await staffOf(m, order.regionPath), facts }, out);

    switch (e.type) {
      case 'order.placed':
        if (data.to === 'pending_review') await toStaff('order_pending_review');
        return;
      case 'order.accepted':
        await toResident('order_accepted');
        await this.scheduleReminder(m, order, now);
        return;
      case 'order.in_service':
        return toResident('order_in_service');
      case 'order.completed':
        return toResident('order_completed');
      case 'order.rejected':
        return this.composer.compose(m, now, {
          ...base, ...about, type: 'order_rejected', recipients: [{ kind: 'user', userId: order.residentId, role: 'resident' }], facts,
        }, out);
      case 'order.escalated':
        return toStaff('order_escalated');
      case 'order.cancelled':
        if (data.from === 'accepted' && order.teamId) {
          await this.composer.compose(m, now, { ...base, ...about, type: 'order_cancelled', recipients: await teamMembers(m, order.teamId), facts }, out);
        }
        return;
      default:
        return;
    }
  }

  /**
   * A step of the missed-check-in ladder (proactive care): step 1 tells the person's own or linked
   * account, the guardian contact (SMS: the name and what happened, nothing more) and the grid
   * workers of the person's region; step 2 the grid workers and the paired volunteers (assignees of
   * the plan's duties); step 3 (an urgent order was placed) the staff of the jurisdiction and the grid
   * workers. One notification per alert, step and person (dedupe key).
   */
  private async careAlert(m: EntityManager, e: OutboxEventRow, now: Date, out: Composed): Promise<void> {
    const data = (e.data ?? {}) as { alertId?: string; beneficiaryId?: string; stage?: number; orderId?: string | null };
    if (!data.alertId || !data.beneficiaryId) return;
    const [b]: { name: string; created_by: string; owner_roles: string[] | null; region_path: string[] | null }[] = await m.query(
      `SELECT b.name, b.created_by, u.roles AS owner_roles, g.path AS region_path
         FROM beneficiaries b LEFT JOIN users u ON u.id = b.created_by AND u.disabled_at IS NULL LEFT JOIN regions g ON g.id = b.region_id
        WHERE b.id = $1`,
      [data.beneficiaryId],
    );
    if (!b) return;
    const stage = data.stage ?? 1;
    const recipients: Recipient[] = [];
    if (stage === 1) {
      if (b.owner_roles?.includes('resident')) recipients.push({ kind: 'user', userId: b.created_by, role: 'resident' });
      if (await guardianPhone(m, this.cipher, data.beneficiaryId)) recipients.push({ kind: 'guardian', beneficiaryId: data.beneficiaryId });
    }
    recipients.push(...(await gridWorkersOf(m, b.region_path)));
    if (stage === 2) {
      const assignees: { user_id: string }[] = await m.query(
        `SELECT DISTINCT assignee_user_id AS user_id FROM care_duties WHERE beneficiary_id = $1 AND retired_at IS NULL AND assignee_user_id IS NOT NULL`,
        [data.beneficiaryId],
      );
      recipients.push(...assignees.map((a): Recipient => ({ kind: 'user', userId: a.user_id, role: 'member' })));
    }
    if (stage >= 3) recipients.push(...(await staffOf(m, b.region_path)));
    const seen = new Set<string>();
    const unique = recipients.filter((r) => {
      const key = r.kind === 'user' ? r.userId : `g:${r.beneficiaryId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    await this.composer.compose(m, now, {
      type: 'checkin_missed', dedupe: `alert:${data.alertId}:s${stage}`, outboxEventId: e.id, urgent: stage >= 2, orderId: data.orderId ?? null,
      recipients: unique, facts: { personName: b.name },
    }, out);
  }

  /**
   * A visit found the person unwell (`concern`) or in trouble (`urgent`): the grid workers and the
   * staff of the person's region hear of it (the name and the mark, never a phone or an address);
   * the visitor who marked it is not told of their own mark. One notification per alert and person.
   */
  private async visitConcern(m: EntityManager, e: OutboxEventRow, now: Date, out: Composed): Promise<void> {
    const data = (e.data ?? {}) as { alertId?: string; beneficiaryId?: string; wellbeing?: string; by?: string };
    if (!data.alertId || !data.beneficiaryId) return;
    const [b]: { name: string; region_path: string[] | null }[] = await m.query(
      `SELECT b.name, g.path AS region_path FROM beneficiaries b LEFT JOIN regions g ON g.id = b.region_id WHERE b.id = $1`,
      [data.beneficiaryId],
    );
    if (!b) return;
    const seen = new Set<string>(data.by ? [data.by] : []);
    const recipients = [...(await gridWorkersOf(m, b.region_path)), ...(await staffOf(m, b.region_path))].filter((r) => {
      const key = r.kind === 'user' ? r.userId : `g:${r.beneficiaryId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const urgent = data.wellbeing === 'urgent';
    await this.composer.compose(m, now, {
      type: 'visit_concern', dedupe: `alert:${data.alertId}:concern`, outboxEventId: e.id, urgent, orderId: null,
      recipients, facts: { personName: b.name, result: urgent ? 'urgent' : 'concern' },
    }, out);
  }

  /**
   * A visit task falls due today: its assignee hears of it (a grid worker or staff member in the
   * console, a volunteer in the H5), or every member of the assigned team. The person's name only.
   */
  private async visitDue(m: EntityManager, e: OutboxEventRow, now: Date, out: Composed): Promise<void> {
    const data = (e.data ?? {}) as { visitId?: string; beneficiaryId?: string | null; assigneeUserId?: string | null; teamId?: string | null };
    if (!data.visitId) return;
    const [b]: { name: string }[] = data.beneficiaryId ? await m.query(`SELECT name FROM beneficiaries WHERE id = $1`, [data.beneficiaryId]) : [];
    const recipients: Recipient[] = [];
    if (data.assigneeUserId) {
      const [u]: { roles: string[] }[] = await m.query(`SELECT roles FROM users WHERE id = $1 AND disabled_at IS NULL`, [data.assigneeUserId]);
      if (u) recipients.push({ kind: 'user', userId: data.assigneeUserId, role: isOfficial(u.roles) ? 'staff' : 'member' });
    } else if (data.teamId) {
      recipients.push(...(await teamMembers(m, data.teamId)));
    }
    await this.composer.compose(m, now, {
      type: 'visit_due', dedupe: `visit:${data.visitId}:due`, outboxEventId: e.id, urgent: false, orderId: null,
      recipients, facts: { personName: b?.name },
    }, out);
  }

  /** The evening before a visit with a preferred time (NOTIFY_REMINDER_AT local), if that is still ahead. */
  private async scheduleReminder(m: EntityManager, order: OrderFacts, now: Date): Promise<void> {
    if (!order.preferredStart) return;
    const due = dayBefore(new Date(order.preferredStart), parseHhMm(this.config.NOTIFY_REMINDER_AT), this.config.NOTIFY_TIME_ZONE);
    if (due.getTime() <= now.getTime()) return;
    await m.query(`INSERT INTO notification_timers (kind, ref_id, due_at) VALUES ('order_reminder', $1, $2) ON CONFLICT DO NOTHING`, [order.id, due]);
  }
}

/**
 * Reminders due at a time, fired by the sweep: `offer_expiring` (a share of the accept window has
 * passed and the offer still waits; staff too when the order is urgent) and `order_reminder` (the
 * evening before a visit). A timer fires once (`fired_at`); one whose subject moved on fires nothing.
 */
@Injectable()
export class NotificationTimers {
  constructor(
    private readonly composer: NotificationComposer,
    private readonly cipher: PiiCipher,
  ) {}

  async fireDue(m: EntityManager, now: Date, limit: number): Promise<Composed> {
    const out = new Composed();
    const due: { kind: string; ref_id: string }[] = await m.query(
      `SELECT kind, ref_id FROM notification_timers WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    for (const t of due) {
      if (t.kind === 'offer_expiring') await this.offerExpiring(m, t.ref_id, now, out);
      else if (t.kind === 'order_reminder') await this.orderReminder(m, t.ref_id, now, out);
      await m.query(`UPDATE notification_timers SET fired_at = $3 WHERE kind = $1 AND ref_id = $2`, [t.kind, t.ref_id, now]);
    }
    await this.composer.announce(m, out.inboxIds);
    return out;
  }

  private async offerExpiring(m: EntityManager, offerId: string, now: Date, out: Composed): Promise<void> {
    const offer = await offerFacts(m, offerId);
    if (!offer || offer.status !== 'pending' || new Date(offer.expiresAt).getTime() <= now.getTime()) return;
    const [row] = await m.query(`SELECT order_id FROM offers WHERE id = $1`, [offerId]);
    const order = await orderFacts(m, row.order_id);
    if (!order) return;
    const facts = { serviceName: order.serviceName, area: order.area, minutesLeft: minutesLeft(offer.expiresAt, now) };
    const about = { orderId: order.id, offerId, urgent: order.urgent, preferredStart: order.preferredStart, dedupe: `offer:${offerId}` };
    await this.composer.compose(m, now, { ...about, type: 'offer_expiring', recipients: await teamMembers(m, offer.teamId), facts }, out);
    if (order.urgent) {
      await this.composer.compose(m, now, { ...about, type: 'urgent_offer_expiring', recipients: await staffOf(m, order.regionPath), facts }, out);
    }
  }

  private async orderReminder(m: EntityManager, orderId: string, now: Date, out: Composed): Promise<void> {
    const order = await orderFacts(m, orderId);
    if (!order || order.status !== 'accepted') return;
    const recipients: Recipient[] = [{ kind: 'user', userId: order.residentId, role: 'resident' }];
    if (order.beneficiaryId && (await guardianPhone(m, this.cipher, order.beneficiaryId))) recipients.push({ kind: 'guardian', beneficiaryId: order.beneficiaryId });
    await this.composer.compose(m, now, {
      type: 'order_reminder', dedupe: `order:${orderId}`, orderId, urgent: order.urgent, preferredStart: order.preferredStart, onBehalf: order.onBehalf,
      recipients, facts: { serviceName: order.serviceName, area: order.area, teamName: order.teamName ?? undefined, personName: order.beneficiaryName },
    }, out);
  }
}
