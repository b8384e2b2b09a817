import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { LatLng, toEwkt } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { placerRole, staffRole } from './actor';
import { OrderAccess } from './order-access';
import { OrderErrors } from './order.exception';
import { ORDER_COLUMNS, OrderRecord, toOrderRecord } from './order-record';
import { OrderTransitions } from './order-transitions';
import { maxReportableMinutes } from './service-minutes';

export interface CompleteInput {
  report: string;
  volunteerIds?: string[];
  minutes?: number;
}

/**
 * The steps of an order after it is placed, other than dispatch itself: review, cancel, check-in,
 * complete. Each is one transaction through `OrderTransitions`.
 */
@Injectable()
export class OrderLifecycleUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly access: OrderAccess,
    private readonly queue: DispatchQueue,
    private readonly config: AppConfig,
  ) {}

  async approve(orderId: string, staff: AuthUser, note?: string): Promise<OrderRecord> {
    const order = await this.dataSource.transaction(async (m) => {
      await this.lockAsStaff(m, orderId, staff);
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'approve', actor: { id: staff.id, role: staffRole(staff) }, note: note ?? '审核通过',
      });
      return order;
    });
    await this.queue.dispatchOrder({ orderId, version: order.version, urgent: order.urgent });
    return order;
  }

  async reject(orderId: string, staff: AuthUser, reason: string): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      await this.lockAsStaff(m, orderId, staff);
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'reject', actor: { id: staff.id, role: staffRole(staff) }, note: reason,
      });
      return order;
    });
  }

  /** The account that placed the order, or staff of its jurisdiction, may cancel it before service starts. */
  async cancel(orderId: string, user: AuthUser, reason: string): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lock(m, orderId);
      if (current.residentId !== user.id && !(await this.access.staffMayAct(m, user, current))) throw OrderErrors.notFound();
      const { order, from } = await this.transitions.apply(m, {
        orderId,
        action: 'cancel',
        actor: { id: user.id, role: current.residentId === user.id ? placerRole(user, current.onBehalf) : staffRole(user) },
        note: reason,
      });
      // the dispatch context's rows that an order holds: its pending offer and its team's capacity
      await m.query(
        `UPDATE offers SET status = 'withdrawn', responded_at = now(), reason = 'order_cancelled'
          WHERE order_id = $1 AND status = 'pending'`,
        [orderId],
      );
      if (from === 'accepted' && order.teamId) await this.releaseTeamCapacity(m, order.teamId);
      return order;
    });
  }

  async checkIn(orderId: string, user: AuthUser, location: LatLng): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lockAsServingTeam(m, orderId, user);
      const [{ distance_m }]: { distance_m: number }[] = await m.query(
        `SELECT ST_Distance($1::geography, $2::geography) AS distance_m`,
        [toEwkt(location), toEwkt(current.location)],
      );
      // the distance is staff's to see (timeline details); the exact point stays in service_records
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'check_in', actor: { id: user.id, role: 'volunteer' }, note: '志愿者已到达，开始服务',
        data: { distanceFromOrderM: Math.round(Number(distance_m)) },
      });
      await m.query(
        `UPDATE service_records SET checked_in_at = now(), checked_in_by = $2, check_in_location = $3::geography WHERE order_id = $1`,
        [orderId, user.id, toEwkt(location)],
      );
      return order;
    });
  }

  async complete(orderId: string, user: AuthUser, input: CompleteInput): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lockAsServingTeam(m, orderId, user);
      const volunteerIds = input.volunteerIds?.length ? [...new Set(input.volunteerIds)] : [user.id];
      const members: { user_id: string }[] = await m.query(
        `SELECT user_id FROM team_members WHERE team_id = $1 AND user_id = ANY($2::uuid[])`,
        [current.teamId, volunteerIds],
      );
      if (members.length !== volunteerIds.length) {
        throw DomainException.validation([{ field: 'volunteerIds', messages: ['every volunteer must be a member of the serving team'] }]);
      }
      if (input.minutes !== undefined) await this.requirePlausibleMinutes(m, orderId, input.minutes);
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'complete', actor: { id: user.id, role: 'volunteer' }, note: input.report,
        data: { minutes: input.minutes ?? null, volunteerIds },
      });
      await m.query(
        `UPDATE service_records SET completed_at = now(), completed_by = $2, report = $3, minutes = $4, volunteer_ids = $5::uuid[]
          WHERE order_id = $1`,
        [orderId, user.id, input.report, input.minutes ?? null, volunteerIds],
      );
      await this.releaseTeamCapacity(m, current.teamId!);
      return order;
    });
  }

  /** Refuses more minutes than have passed since check-in, plus the configured slack (DB clock). */
  private async requirePlausibleMinutes(m: EntityManager, orderId: string, minutes: number): Promise<void> {
    const [record]: { checked_in_at: Date | null; now: Date }[] = await m.query(
      `SELECT checked_in_at, now() AS now FROM service_records WHERE order_id = $1`,
      [orderId],
    );
    const slack = this.config.COMPLETION_MINUTES_SLACK;
    const max = maxReportableMinutes(new Date(record?.checked_in_at ?? record?.now ?? Date.now()), new Date(record?.now ?? Date.now()), slack);
    if (minutes > max) {
      throw new DomainException(ErrorCode.MinutesExceedServiceTime, 422, undefined,
        [{ field: 'minutes', messages: [`minutes must not exceed ${max}: the time since check-in plus ${slack}`] }], { maxMinutes: max });
    }
  }

  private async lock(m: EntityManager, orderId: string): Promise<OrderRecord> {
    const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE`, [orderId]);
    if (!row) throw OrderErrors.notFound();
    return toOrderRecord(row);
  }

  /** Orders outside the staff member's jurisdiction are reported as not found. */
  private async lockAsStaff(m: EntityManager, orderId: string, staff: AuthUser): Promise<OrderRecord> {
    const order = await this.lock(m, orderId);
    if (!(await this.access.staffMayAct(m, staff, order))) throw OrderErrors.notFound();
    return order;
  }

  private async lockAsServingTeam(m: EntityManager, orderId: string, user: AuthUser): Promise<OrderRecord> {
    const order = await this.lock(m, orderId);
    if (!(await this.access.isServingTeamMember(m, user, order))) throw OrderErrors.notFound();
    return order;
  }

  private async releaseTeamCapacity(m: EntityManager, teamId: string): Promise<void> {
    await m.query(`UPDATE teams SET active_orders = GREATEST(active_orders - 1, 0) WHERE id = $1`, [teamId]);
  }
}
