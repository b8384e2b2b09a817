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
import { nextStatus } from './order-state-machine';
import { creditService, intervalMinutes, isImpossibleTravel, PendingReason, updateReturning } from '@xinyuan/record';

export interface CheckInInput {
  location: LatLng;
  /** Check in although farther than CHECKIN_MAX_DISTANCE_M: the minutes stay pending until staff confirm. */
  override?: boolean;
  reason?: string;
}

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

  /**
   * 到达签到: within CHECKIN_MAX_DISTANCE_M of the order, else 422 CHECKIN_TOO_FAR unless overridden
   * with a reason (the visit's minutes then stay pending until staff confirm). A check-in that would
   * need impossible travel from the volunteer's previous one is flagged for review.
   */
  async checkIn(orderId: string, user: AuthUser, input: CheckInInput): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lockAsServingTeam(m, orderId, user);
      if (!nextStatus(current.status, 'check_in')) throw OrderErrors.invalidTransition(current.status, 'check_in');
      const location = input.location;
      const [{ distance_m }]: { distance_m: number }[] = await m.query(
        `SELECT ST_Distance($1::geography, $2::geography) AS distance_m`,
        [toEwkt(location), toEwkt(current.location)],
      );
      const distanceM = Math.round(Number(distance_m));
      const maxM = this.config.CHECKIN_MAX_DISTANCE_M;
      const flags: string[] = [];
      let overrideReason: string | null = null;
      if (distanceM > maxM) {
        if (!input.override) {
          throw new DomainException(ErrorCode.CheckinTooFar, 422, `您离服务地点约 ${distanceM} 米，超过了 ${maxM} 米，无法签到；如确有原因，请填写说明后再签到`,
            undefined, { distanceM, maxDistanceM: maxM });
        }
        if (!input.reason?.trim()) throw DomainException.validation([{ field: 'reason', messages: ['a reason is required to check in farther than allowed'] }]);
        overrideReason = input.reason.trim();
        flags.push('checkin_override');
      }
      // fraud check: from the volunteer's previous check-in (any order) to here, in the time between
      const [previous]: { distance_m: number; elapsed_ms: number }[] = await m.query(
        `SELECT ST_Distance(check_in_location, $2::geography) AS distance_m,
                EXTRACT(EPOCH FROM (now() - checked_in_at)) * 1000 AS elapsed_ms
           FROM service_records
          WHERE checked_in_by = $1 AND order_id <> $3 AND checked_in_at IS NOT NULL AND check_in_location IS NOT NULL
          ORDER BY checked_in_at DESC LIMIT 1`,
        [user.id, toEwkt(location), orderId],
      );
      if (previous && isImpossibleTravel(Number(previous.distance_m), Number(previous.elapsed_ms), this.config.TRAVEL_MAX_SPEED_KMH)) {
        flags.push('impossible_travel');
      }
      // the distance is staff's to see (timeline details); the exact point stays in service_records
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'check_in', actor: { id: user.id, role: 'volunteer' }, note: '志愿者已到达，开始服务',
        data: { distanceFromOrderM: distanceM, ...(overrideReason ? { overrideReason } : {}), ...(flags.length ? { flags } : {}) },
      });
      await m.query(
        `UPDATE service_records SET checked_in_at = now(), checked_in_by = $2, check_in_location = $3::geography,
                check_in_distance_m = $4, check_in_override_reason = $5, flags = $6::text[]
          WHERE order_id = $1`,
        [orderId, user.id, toEwkt(location), distanceM, overrideReason, flags],
      );
      return order;
    });
  }

  /**
   * 签退: ends the service with the place the volunteer left from; the minutes credited are measured
   * from check-in to here. Before check-in: 422 CHECKOUT_BEFORE_CHECKIN; twice: 409 ALREADY_CHECKED_OUT.
   */
  async checkOut(orderId: string, user: AuthUser, location: LatLng): Promise<OrderRecord> {
    return this.dataSource.transaction(async (m) => {
      const current = await this.lockAsServingTeam(m, orderId, user);
      if (current.status === 'accepted') throw new DomainException(ErrorCode.CheckoutBeforeCheckin, 422);
      if (current.status !== 'in_service') throw OrderErrors.invalidTransition(current.status, 'complete');
      const [record]: { checked_out_at: Date | null; distance_m: number }[] = await m.query(
        `SELECT checked_out_at, ST_Distance($2::geography, $3::geography) AS distance_m FROM service_records WHERE order_id = $1`,
        [orderId, toEwkt(location), toEwkt(current.location)],
      );
      if (record?.checked_out_at) throw DomainException.conflict(ErrorCode.AlreadyCheckedOut);
      const distanceM = Math.round(Number(record?.distance_m ?? 0));
      const far = distanceM > this.config.CHECKIN_MAX_DISTANCE_M;
      await m.query(
        `UPDATE service_records SET checked_out_at = now(), checked_out_by = $2, check_out_location = $3::geography, check_out_distance_m = $4,
                flags = CASE WHEN $5 THEN array_append(flags, 'checkout_far') ELSE flags END
          WHERE order_id = $1`,
        [orderId, user.id, toEwkt(location), distanceM, far],
      );
      await this.transitions.record(m, orderId, 'check_out', { id: user.id, role: 'volunteer' }, {
        note: '志愿者已签退，服务结束', data: { distanceFromOrderM: distanceM },
      });
      return current;
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
      // 谁组织谁记录: naming anyone besides oneself is the team leader's call
      if (volunteerIds.some((id) => id !== user.id)) {
        const [leader] = await m.query(`SELECT 1 FROM team_members WHERE team_id = $1 AND user_id = $2 AND role = 'leader'`, [current.teamId, user.id]);
        if (!leader) throw new DomainException(ErrorCode.NotTeamLeader, 403, undefined, [{ field: 'volunteerIds', messages: ['only the team leader may name the participants'] }]);
      }
      if (!nextStatus(current.status, 'complete')) throw OrderErrors.invalidTransition(current.status, 'complete');
      const visit = await this.visitOf(m, orderId);
      if (input.minutes !== undefined) {
        if (visit.checkedOutAt) this.requireWithinInterval(visit.checkedInAt, visit.checkedOutAt, input.minutes);
        else await this.requirePlausibleMinutes(m, orderId, input.minutes);
      }
      const { order } = await this.transitions.apply(m, {
        orderId, action: 'complete', actor: { id: user.id, role: 'volunteer' }, note: input.report,
        data: { minutes: input.minutes ?? null, volunteerIds },
      });
      // completing without a separate 签退 ends the service now (no place recorded)
      const [done] = await updateReturning<{ checked_out_at: Date }>(m,
        `UPDATE service_records SET completed_at = now(), completed_by = $2, report = $3, minutes = $4, volunteer_ids = $5::uuid[],
                checked_out_at = COALESCE(checked_out_at, GREATEST(now(), checked_in_at)), checked_out_by = COALESCE(checked_out_by, $2)
          WHERE order_id = $1 RETURNING checked_out_at`,
        [orderId, user.id, input.report, input.minutes ?? null, volunteerIds],
      );
      await this.releaseTeamCapacity(m, current.teamId!);
      // 谁组织谁记录: one pending credit per named participant, verified when the recipient confirms
      const endedAt = new Date(done.checked_out_at);
      const startedAt = visit.checkedInAt ?? endedAt;
      const [service]: { name: string }[] = await m.query(`SELECT name FROM services WHERE id = $1`, [current.serviceId]);
      await creditService(m, {
        sourceType: 'order',
        sourceId: orderId,
        regionId: current.regionId,
        teamId: current.teamId,
        serviceCode: current.serviceCode,
        content: service?.name ?? current.serviceCode,
        volunteerIds,
        minutes: Math.min(1440, input.minutes ?? intervalMinutes(startedAt, endedAt)),
        startedAt,
        endedAt,
        reasons: ['unconfirmed', ...(visit.flags as PendingReason[])],
      });
      return order;
    });
  }

  private async visitOf(m: EntityManager, orderId: string): Promise<{ checkedInAt: Date | null; checkedOutAt: Date | null; flags: string[] }> {
    const [r] = await m.query(`SELECT checked_in_at, checked_out_at, flags FROM service_records WHERE order_id = $1`, [orderId]);
    return {
      checkedInAt: r?.checked_in_at ? new Date(r.checked_in_at) : null,
      checkedOutAt: r?.checked_out_at ? new Date(r.checked_out_at) : null,
      flags: r?.flags ?? [],
    };
  }

  /** After 签退 the claimed minutes may not exceed the time from check-in to check-out. */
  private requireWithinInterval(checkedInAt: Date | null, checkedOutAt: Date, minutes: number): void {
    const max = checkedInAt ? intervalMinutes(checkedInAt, checkedOutAt) : 0;
    if (minutes > max) {
      throw new DomainException(ErrorCode.MinutesExceedServiceTime, 422, `服务时长不能超过签到到签退之间的 ${max} 分钟`,
        [{ field: 'minutes', messages: [`minutes must not exceed ${max}: the time from check-in to check-out`] }], { maxMinutes: max });
    }
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
