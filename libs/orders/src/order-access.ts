import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService, TeamDirectory } from '@xinyuan/org';
import { teamSeesContact } from './order-privacy';
import type { OrderStatus } from './order-status';

/**
 * How much of an order a caller may see:
 * - `full`: the account that placed it; staff whose jurisdiction covers the order's region; the grid
 *   worker of the beneficiary it was placed for; the team that accepted it, while it serves and for
 *   TEAM_CONTACT_RETENTION_DAYS after completion;
 * - `coarse`: the team that served it, after that window: service, area, ~1 km location, no timeline;
 * - `offered`: a team whose offer is pending: service, description, area, coarse location, no timeline;
 * - `none`: everyone else — the order is reported as not found.
 */
export type OrderVisibility = 'full' | 'coarse' | 'offered' | 'none';

export interface OrderAccessFacts {
  id: string;
  residentId: string;
  teamId: string | null;
  status: OrderStatus;
  regionId: string | null;
  beneficiaryId: string | null;
}

@Injectable()
export class OrderAccess {
  constructor(
    private readonly teams: TeamDirectory,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
  ) {}

  async visibility(m: EntityManager, user: AuthUser, order: OrderAccessFacts): Promise<OrderVisibility> {
    if (order.residentId === user.id) return 'full';
    if (await this.staffMayAct(m, user, order)) return 'full';
    if (order.beneficiaryId && user.roles.includes('grid_worker')) {
      const [b] = await m.query(`SELECT region_id FROM beneficiaries WHERE id = $1`, [order.beneficiaryId]);
      if (b && (await this.jurisdiction.gridCovers(user, b.region_id, m))) return 'full';
    }
    const teamIds = await this.teams.teamIdsOf(user.id, m);
    if (teamIds.length === 0) return 'none';
    if (order.teamId && teamIds.includes(order.teamId)) {
      const serving = teamSeesContact(order.status, await this.completedAt(m, order), this.config.TEAM_CONTACT_RETENTION_DAYS, new Date());
      if (serving === 'full' || serving === 'coarse') return serving;
    }
    // a team that declined, let the offer expire or lost it to another team no longer sees the order
    const offered = await m.query(`SELECT 1 FROM offers WHERE order_id = $1 AND team_id = ANY($2::uuid[]) AND status = 'pending'`, [
      order.id,
      teamIds,
    ]);
    return offered.length ? 'offered' : 'none';
  }

  /** A dispatcher or admin whose jurisdiction covers the order's region (review, assign, cancel, candidates). */
  async staffMayAct(m: EntityManager, user: AuthUser, order: { regionId: string | null }): Promise<boolean> {
    return this.jurisdiction.staffCovers(user, order.regionId, m);
  }

  /** The caller is a member of the team serving this order (check-in, complete). */
  async isServingTeamMember(m: EntityManager, user: AuthUser, order: { teamId: string | null }): Promise<boolean> {
    return !!order.teamId && (await this.teams.isMember(user.id, order.teamId, m));
  }

  private async completedAt(m: EntityManager, order: OrderAccessFacts): Promise<Date | null> {
    if (order.status !== 'completed' && order.status !== 'closed') return null;
    const [r] = await m.query(`SELECT completed_at FROM service_records WHERE order_id = $1`, [order.id]);
    return r?.completed_at ? new Date(r.completed_at) : null;
  }
}
