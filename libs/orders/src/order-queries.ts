import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { decodeCursor, Page, PiiCipher, toPage } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, scopeSql, TeamDirectory } from '@xinyuan/org';
import { OrderAccess } from './order-access';
import { maskedContactPhone, openContactPhone } from './order-pii';
import { OrderErrors } from './order.exception';
import { ORDER_COLUMNS, OrderColumns, OrderRecord, toOrderRecord } from './order-record';
import type { OrderEventRow } from './order.tables';
import type { OrderStatus } from './order-status';
import { OrderView, TimelineEntry, toOrderView } from './order-view';
import { teamSeesContact } from './order-privacy';
import { TimelineNames, timelineDetails } from './timeline-details';

const VIEW_COLUMNS = `${ORDER_COLUMNS}, o.created_at::text AS cursor_at, s.name AS service_name, r.name AS area_name, t.name AS team_name, sr.completed_at AS served_completed_at`;
/** A row of `VIEW_COLUMNS`: the order with the names a view shows. */
type ViewColumns = OrderColumns & {
  cursor_at: string;
  service_name: string;
  area_name: string | null;
  team_name: string | null;
  served_completed_at: Date | null;
};
const VIEW_JOINS = `JOIN services s ON s.id = o.service_id
  LEFT JOIN regions r ON r.id = o.region_id
  LEFT JOIN teams t ON t.id = o.team_id
  LEFT JOIN service_records sr ON sr.order_id = o.id`;

export interface OrderListFilter {
  /**
   * Only the caller's own orders. Residents and volunteers always get only these; grid workers also
   * the orders of the beneficiaries in their grid; staff, without it, every order of their jurisdiction.
   */
  mine?: boolean;
  /** Orders served by the caller's teams (volunteers). */
  assigned?: boolean;
  status?: OrderStatus;
  limit: number;
  cursor?: string;
}

@Injectable()
export class OrderQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: OrderAccess,
    private readonly teams: TeamDirectory,
    private readonly jurisdiction: JurisdictionService,
    private readonly cipher: PiiCipher,
    private readonly config: AppConfig,
  ) {}

  /** In "orders my teams serve", an order completed longer ago than the retention window shows only its coarse view. */
  private servedVisibility(r: ViewColumns): 'full' | 'coarse' {
    const completedAt = r.served_completed_at ? new Date(r.served_completed_at) : null;
    return teamSeesContact(r.status, completedAt, this.config.TEAM_CONTACT_RETENTION_DAYS, new Date()) === 'full' ? 'full' : 'coarse';
  }

  async get(orderId: string, user: AuthUser, m: EntityManager = this.dataSource.manager): Promise<OrderView> {
    const [row]: ViewColumns[] = await m.query(`SELECT ${VIEW_COLUMNS} FROM orders o ${VIEW_JOINS} WHERE o.id = $1`, [orderId]);
    if (!row) throw OrderErrors.notFound();
    const order = toOrderRecord(row);
    const visibility = await this.access.visibility(m, user, order);
    if (visibility === 'none') throw OrderErrors.notFound();
    return toOrderView(order, visibility, {
      serviceName: row.service_name,
      area: row.area_name,
      teamName: row.team_name,
      contactPhone: visibility === 'full' ? openContactPhone(this.cipher, order.contactPhoneStored) : null,
      // the timeline's notes are free text (reports, reasons): only for those who may see everything;
      // its details (teams, distances, reasons) only for staff of the order's jurisdiction
      timeline: visibility === 'full' ? await this.timeline(m, orderId, await this.access.staffMayAct(m, user, order)) : undefined,
    });
  }

  /** Reads an order as its owner or staff would, for the response of a command that just changed it. */
  async getRecord(orderId: string, m: EntityManager = this.dataSource.manager): Promise<OrderRecord> {
    const [row]: OrderColumns[] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1`, [orderId]);
    if (!row) throw OrderErrors.notFound();
    return toOrderRecord(row);
  }

  /** The order's timeline, oldest first; `withDetails` adds each entry's facts for staff (`timeline-details.ts`). */
  async timeline(m: EntityManager, orderId: string, withDetails = false): Promise<TimelineEntry[]> {
    const rows: Pick<OrderEventRow, 'type' | 'from_status' | 'to_status' | 'at' | 'actor_role' | 'note' | 'data'>[] = await m.query(
      `SELECT type, from_status, to_status, at, actor_role, note, data FROM order_events WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    const names = withDetails ? await this.timelineNames(m, orderId) : null;
    return rows.map((e) => {
      const entry: TimelineEntry = {
        type: e.type,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        at: new Date(e.at).toISOString(),
        actorRole: e.actor_role,
        note: e.note,
      };
      if (names) entry.details = timelineDetails(e.data, names);
      return entry;
    });
  }

  /** Every team an order's timeline can mention was offered the order: one look-up names them all. */
  private async timelineNames(m: EntityManager, orderId: string): Promise<TimelineNames> {
    const rows: { offer_id: string; team_id: string; team_name: string }[] = await m.query(
      `SELECT f.id AS offer_id, f.team_id, t.name AS team_name FROM offers f JOIN teams t ON t.id = f.team_id WHERE f.order_id = $1`,
      [orderId],
    );
    return { teams: new Map(rows.map((r) => [r.team_id, r.team_name])), offerTeams: new Map(rows.map((r) => [r.offer_id, r.team_id])) };
  }

  async list(user: AuthUser, filter: OrderListFilter): Promise<Page<OrderView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.assigned) {
      add('o.team_id = ANY(?::uuid[])', await this.teams.teamIdsOf(user.id));
      where.push(`o.status IN ('accepted', 'in_service', 'completed', 'closed')`);
    } else {
      const staff = filter.mine ? null : await this.jurisdiction.staffScope(user);
      const grid = filter.mine ? null : await this.jurisdiction.gridScope(user);
      if (staff && staff.kind !== 'none') {
        where.push(scopeSql(staff, 'o.region_id', params));
      } else if (grid && grid.kind !== 'none') {
        params.push(user.id);
        const own = `o.resident_id = $${params.length}`;
        where.push(`(${own} OR o.beneficiary_id IN (SELECT b.id FROM beneficiaries b WHERE ${scopeSql(grid, 'b.region_id', params)}))`);
      } else {
        add('o.resident_id = ?', user.id);
      }
    }
    if (filter.status) add('o.status = ?', filter.status);
    const cursor = decodeCursor(filter.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(o.created_at, o.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit + 1);
    const rows: ViewColumns[] = await this.dataSource.query(
      `SELECT ${VIEW_COLUMNS} FROM orders o ${VIEW_JOINS}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY o.created_at DESC, o.id DESC LIMIT $${params.length}`,
      params,
    );
    const page = toPage(rows, filter.limit, (r) => ({ at: r.cursor_at, id: r.id }));
    return {
      items: page.items.map((r) =>
        toOrderView(toOrderRecord(r), filter.assigned ? this.servedVisibility(r) : 'full', {
          serviceName: r.service_name,
          area: r.area_name,
          teamName: r.team_name,
          // lists show the phone masked; the order's own page shows it in full
          contactPhone: maskedContactPhone(this.cipher, r.contact_phone),
        }),
      ),
      nextCursor: page.nextCursor,
    };
  }
}
