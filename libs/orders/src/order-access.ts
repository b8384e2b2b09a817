import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthUser, isStaff } from '@xinyuan/identity';
import { TeamDirectory } from '@xinyuan/org';
import type { OrderStatus } from './order-status';

/**
 * How much of an order a caller may see:
 * - `full`: the resident who placed it, staff, and the team that accepted it while it serves;
 * - `offered`: a team whose offer is pending: service, description, area, coarse location, no timeline;
 * - `none`: everyone else — the order is reported as not found.
 */
export type OrderVisibility = 'full' | 'offered' | 'none';

const TEAM_SEES_CONTACT: OrderStatus[] = ['accepted', 'in_service', 'completed', 'closed'];

@Injectable()
export class OrderAccess {
  constructor(private readonly teams: TeamDirectory) {}

  async visibility(
    m: EntityManager,
    user: AuthUser,
    order: { id: string; residentId: string; teamId: string | null; status: OrderStatus },
  ): Promise<OrderVisibility> {
    if (order.residentId === user.id || isStaff(user)) return 'full';
    const teamIds = await this.teams.teamIdsOf(user.id, m);
    if (teamIds.length === 0) return 'none';
    if (order.teamId && teamIds.includes(order.teamId) && TEAM_SEES_CONTACT.includes(order.status)) return 'full';
    // a team that declined, let the offer expire or lost it to another team no longer sees the order
    const offered = await m.query(`SELECT 1 FROM offers WHERE order_id = $1 AND team_id = ANY($2::uuid[]) AND status = 'pending'`, [
      order.id,
      teamIds,
    ]);
    return offered.length ? 'offered' : 'none';
  }

  /** The caller is a member of the team serving this order (check-in, complete). */
  async isServingTeamMember(m: EntityManager, user: AuthUser, order: { teamId: string | null }): Promise<boolean> {
    return !!order.teamId && (await this.teams.isMember(user.id, order.teamId, m));
  }
}
