import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { decodeCursor, DomainException, ErrorCode, toPage } from '@xinyuan/common';
import type { NotificationRow } from './notifications.tables';

/** One entry of a person's inbox, as the API answers it. */
export interface InboxItem {
  id: string;
  type: string;
  title: string;
  body: string;
  orderId: string | null;
  offerId: string | null;
  link: string | null;
  urgent: boolean;
  data: Record<string, unknown> | null;
  createdAt: string;
  readAt: string | null;
}

type InboxRow = Pick<NotificationRow, 'id' | 'type' | 'title' | 'body' | 'order_id' | 'offer_id' | 'link' | 'urgent' | 'data' | 'created_at' | 'read_at' | 'recipient_user_id'> & {
  cursor_at: string;
};

const COLUMNS = `id, type, title, body, order_id, offer_id, link, urgent, data, created_at, read_at, recipient_user_id, created_at::text AS cursor_at`;

export function toInboxItem(r: InboxRow): InboxItem {
  const facts = (r.data as { facts?: Record<string, unknown> } | null)?.facts;
  return {
    id: r.id, type: r.type, title: r.title, body: r.body, orderId: r.order_id, offerId: r.offer_id, link: r.link, urgent: r.urgent,
    // what the message was made of (service, area, team …): no phone, no address
    data: facts ? { ...facts } : null,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
  };
}

/** The in-app inbox: only the recipient ever reads or marks an entry (others: 404). */
@Injectable()
export class InboxService {
  constructor(private readonly dataSource: DataSource) {}

  async list(userId: string, filter: { unread?: boolean; limit: number; cursor?: string }) {
    const params: unknown[] = [userId];
    const where = ['recipient_user_id = $1'];
    if (filter.unread) where.push('read_at IS NULL');
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM notifications WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
    return { items: page.items.map(toInboxItem), nextCursor: page.nextCursor, unreadCount: await this.unreadCount(userId) };
  }

  async unreadCount(userId: string): Promise<number> {
    const [r] = await this.dataSource.query(`SELECT count(*)::int AS n FROM notifications WHERE recipient_user_id = $1 AND read_at IS NULL`, [userId]);
    return r.n;
  }

  async markRead(userId: string, id: string): Promise<InboxItem> {
    const [row]: InboxRow[] = await this.dataSource.query(
      `WITH r AS (UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND recipient_user_id = $2 RETURNING ${COLUMNS}) SELECT * FROM r`,
      [id, userId],
    );
    if (!row) throw DomainException.notFound(ErrorCode.NotificationNotFound);
    return toInboxItem(row);
  }

  async markAllRead(userId: string): Promise<{ updated: number }> {
    const [r] = await this.dataSource.query(
      `WITH r AS (UPDATE notifications SET read_at = now() WHERE recipient_user_id = $1 AND read_at IS NULL RETURNING 1) SELECT count(*)::int AS n FROM r`,
      [userId],
    );
    return { updated: r.n };
  }

  /** Entries by id for the live stream, each with its recipient. */
  async byIds(ids: string[]): Promise<(InboxItem & { recipientUserId: string })[]> {
    if (ids.length === 0) return [];
    const rows: InboxRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM notifications WHERE id = ANY($1::uuid[]) AND recipient_user_id IS NOT NULL ORDER BY created_at, id`,
      [ids],
    );
    return rows.map((r) => ({ ...toInboxItem(r), recipientUserId: r.recipient_user_id! }));
  }
}
