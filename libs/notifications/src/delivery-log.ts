import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, DomainException, ErrorCode, Page, toPage } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql } from '@xinyuan/org';
import type { DeliveryStatus } from './notification-types';

/** One notification of an order as staff see it: who, how, when, what became of it. Masked numbers only. */
export interface DeliveryLogItem {
  notificationId: string;
  deliveryId: string | null;
  type: string;
  recipient: { kind: 'user' | 'guardian'; name: string | null; role: string | null };
  channel: 'in_app' | 'sms' | 'wechat';
  status: DeliveryStatus | 'stored' | 'read';
  destination: string | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  heldReason: string | null;
  skipReason: string | null;
  error: string | null;
  orderId: string | null;
}

interface LogRow {
  notification_id: string;
  delivery_id: string | null;
  type: string;
  recipient_user_id: string | null;
  user_name: string | null;
  roles: string[] | null;
  channel: 'sms' | 'wechat' | null;
  status: DeliveryStatus | null;
  destination: string | null;
  attempts: number | null;
  n_created_at: Date;
  d_created_at: Date | null;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  read_at: Date | null;
  held_reason: string | null;
  skip_reason: string | null;
  last_error: string | null;
  order_id: string | null;
  anchor_status: DeliveryStatus | null;
  anchor_sent_at: Date | null;
  cursor_at?: string;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toItem(r: LogRow): DeliveryLogItem {
  const rode = r.status === 'coalesced' && r.anchor_status;
  return {
    notificationId: r.notification_id,
    deliveryId: r.delivery_id,
    type: r.type,
    recipient: r.recipient_user_id ? { kind: 'user', name: r.user_name, role: r.roles?.[0] ?? null } : { kind: 'guardian', name: null, role: 'guardian' },
    channel: r.channel ?? 'in_app',
    status: r.channel ? (r.status as DeliveryStatus) : r.read_at ? 'read' : 'stored',
    destination: r.destination,
    attempts: r.attempts ?? 0,
    createdAt: iso(r.d_created_at ?? r.n_created_at)!,
    sentAt: iso(rode ? r.anchor_sent_at : r.sent_at) ?? (r.channel ? null : iso(r.n_created_at)),
    deliveredAt: iso(r.delivered_at) ?? (r.channel ? null : iso(r.read_at)),
    failedAt: iso(r.failed_at),
    heldReason: r.held_reason,
    skipReason: r.skip_reason,
    error: r.last_error,
    orderId: r.order_id,
  };
}

const SELECT = `SELECT n.id AS notification_id, d.id AS delivery_id, n.type, n.recipient_user_id, u.name AS user_name, u.roles,
       d.channel, d.status, d.destination, d.attempts, n.created_at AS n_created_at, d.created_at AS d_created_at, d.sent_at,
       d.delivered_at, d.failed_at, n.read_at, d.held_reason, d.skip_reason, d.last_error, n.order_id,
       a.status AS anchor_status, a.sent_at AS anchor_sent_at`;

/** Staff's view of what was sent: per order (on its page), and the dead letters of the jurisdiction. */
@Injectable()
export class DeliveryLog {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  /** Every notification about the order: in-app entries and each SMS / WeChat delivery. The caller has checked access. */
  async forOrder(orderId: string): Promise<DeliveryLogItem[]> {
    const inApp: LogRow[] = await this.dataSource.query(
      `SELECT n.id AS notification_id, NULL AS delivery_id, n.type, n.recipient_user_id, u.name AS user_name, u.roles, NULL AS channel,
              NULL AS status, NULL AS destination, NULL AS attempts, n.created_at AS n_created_at, NULL AS d_created_at, NULL AS sent_at,
              NULL AS delivered_at, NULL AS failed_at, n.read_at, NULL AS held_reason, NULL AS skip_reason, NULL AS last_error, n.order_id,
              NULL AS anchor_status, NULL AS anchor_sent_at
         FROM notifications n JOIN users u ON u.id = n.recipient_user_id WHERE n.order_id = $1`,
      [orderId],
    );
    const remote: LogRow[] = await this.dataSource.query(
      `${SELECT} FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
         LEFT JOIN users u ON u.id = n.recipient_user_id LEFT JOIN notification_deliveries a ON a.id = d.coalesced_into
        WHERE n.order_id = $1`,
      [orderId],
    );
    const rows = [...inApp, ...remote].sort(
      (x, y) => new Date(x.n_created_at).getTime() - new Date(y.n_created_at).getTime() || x.notification_id.localeCompare(y.notification_id) ||
        (x.channel ?? '').localeCompare(y.channel ?? ''),
    );
    return rows.map(toItem);
  }

  /** Deliveries that used up their attempts, newest first, of orders in the caller's jurisdiction. */
  async deadLetters(user: AuthUser, filter: { limit: number; cursor?: string }): Promise<Page<DeliveryLogItem>> {
    const params: unknown[] = [];
    const scope = scopeSql(await this.jurisdiction.staffScope(user), 'o.region_id', params);
    const where = [`d.status = 'dead'`, `(${scope})`];
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(d.failed_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: LogRow[] = await this.dataSource.query(
      `${SELECT}, d.failed_at::text AS cursor_at
         FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
         LEFT JOIN users u ON u.id = n.recipient_user_id
         LEFT JOIN orders o ON o.id = n.order_id
         LEFT JOIN notification_deliveries a ON a.id = d.coalesced_into
        WHERE ${where.join(' AND ')}
        ORDER BY d.failed_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at!, id: r.delivery_id! }));
    return { items: page.items.map(toItem), nextCursor: page.nextCursor };
  }

  /** A dead letter goes out again, with the same idempotency key (admins of its jurisdiction). */
  async retry(user: AuthUser, deliveryId: string): Promise<DeliveryLogItem> {
    const [row]: { status: string; region_id: string | null }[] = await this.dataSource.query(
      `SELECT d.status, o.region_id FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
         LEFT JOIN orders o ON o.id = n.order_id WHERE d.id = $1`,
      [deliveryId],
    );
    if (!row || !(await this.jurisdiction.staffCovers(user, row.region_id))) throw DomainException.notFound(ErrorCode.DeliveryNotFound);
    if (row.status !== 'dead') throw new DomainException(ErrorCode.DeliveryNotDead, 409);
    await this.dataSource.query(
      `UPDATE notification_deliveries SET status = 'pending', due_at = now(), held_reason = 'manual_retry', failed_at = NULL
        WHERE id = $1 AND status = 'dead'`,
      [deliveryId],
    );
    const [item]: LogRow[] = await this.dataSource.query(
      `${SELECT} FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id LEFT JOIN users u ON u.id = n.recipient_user_id
         LEFT JOIN notification_deliveries a ON a.id = d.coalesced_into WHERE d.id = $1`,
      [deliveryId],
    );
    return toItem(item);
  }
}
