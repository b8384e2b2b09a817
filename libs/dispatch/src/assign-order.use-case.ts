import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '@xinyuan/identity';
import { canTransition, ORDER_COLUMNS, OrderErrors, OrderTransitions, staffRole, toOrderRecord } from '@xinyuan/orders';
import { JurisdictionService } from '@xinyuan/org';
import { toEwkt } from '@xinyuan/geo';
import { DispatchQueue } from '@xinyuan/queue';
import { ScoreBreakdown, scoreCandidate } from './candidate-ranking';
import { OfferErrors, PendingOfferRef } from './offer.exception';

export interface AssignInput {
  orderId: string;
  teamId: string;
  note?: string;
  /**
   * The pending offers the staff member saw and confirmed to withdraw. While another team holds a
   * pending offer, assigning without naming it here is refused (409 OFFER_PENDING), so nobody's
   * countdown is ended or restarted without a person deciding it.
   */
  withdrawOfferIds?: string[];
  /** Assign a team that lacks some of the required skills (staff know better; recorded on the timeline). */
  allowMissingSkills?: boolean;
}

/** A team as a manual assign checks it, with its distance to the order. */
interface TeamFacts {
  id: string;
  name: string;
  region_id: string;
  active: boolean;
  capacity: number;
  active_orders: number;
  service_radius_m: number;
  distance_m: number;
  missing_skills: string[];
}

/**
 * Manual 派单 by staff: offer the order to a chosen team, overriding the ranking. The team must be
 * active and have room, and both the order and the team must lie in the staff member's jurisdiction
 * (else: not found). A team beyond its own service radius may be chosen (recorded); one lacking
 * skills only when the caller says so. A pending offer of another team is withdrawn only when the
 * caller names it (each withdrawal its own `offer_withdrawn` timeline entry), in the same transaction.
 */
@Injectable()
export class AssignOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async execute(input: AssignInput, staff: AuthUser) {
    const actor = { id: staff.id, role: staffRole(staff) };
    const result = await this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE`, [input.orderId]);
      if (!row || !(await this.jurisdiction.staffCovers(staff, row.region_id, m))) throw OrderErrors.notFound();
      const order = toOrderRecord(row);
      if (!canTransition(order.status, 'assign')) throw OrderErrors.invalidTransition(order.status, 'assign');
      const [team]: TeamFacts[] = await m.query(
        `SELECT t.id, t.name, t.region_id, t.active, t.capacity, t.active_orders, t.service_radius_m,
                ST_Distance(t.location, $3::geography) AS distance_m,
                ARRAY(SELECT unnest(s.required_skills) EXCEPT SELECT unnest(t.skills)) AS missing_skills
           FROM teams t, services s WHERE t.id = $1 AND s.id = $2`,
        [input.teamId, order.serviceId, toEwkt(order.location)],
      );
      if (!team || !(await this.jurisdiction.staffCovers(staff, team.region_id, m))) throw OfferErrors.teamNotFound();
      if (!team.active) throw OfferErrors.teamInactive();
      if (team.missing_skills.length && !input.allowMissingSkills) throw OfferErrors.teamLacksSkills(team.missing_skills);
      if (team.active_orders >= team.capacity) throw OfferErrors.teamAtCapacity();

      const pending = await this.pendingOffers(m, order.id);
      const own = pending.find((p) => p.teamId === team.id);
      if (own) throw OfferErrors.teamAlreadyOffered(own);
      const confirmed = new Set(input.withdrawOfferIds ?? []);
      if (pending.some((p) => !confirmed.has(p.offerId))) throw OfferErrors.offerPending(pending);
      for (const p of pending) {
        await m.query(
          `UPDATE offers SET status = 'withdrawn', responded_at = now(), responded_by = $2, reason = 'manual_assign' WHERE id = $1`,
          [p.offerId, staff.id],
        );
        await this.transitions.record(m, order.id, 'offer_withdrawn', actor, {
          note: `改派：撤回给「${p.teamName}」的派单`,
          data: { offerId: p.offerId, teamId: p.teamId, reason: 'manual_assign' },
        });
      }

      const distanceM = Number(team.distance_m);
      const auto = scoreCandidate({
        teamId: team.id,
        name: team.name,
        distanceM,
        serviceRadiusM: team.service_radius_m,
        activeOrders: team.active_orders,
        capacity: team.capacity,
      });
      const breakdown: ScoreBreakdown = { ...auto, strategy: 'manual' };
      const [svc] = await m.query(`SELECT accept_timeout_seconds FROM services WHERE id = $1`, [order.serviceId]);
      const [offer] = await m.query(
        `INSERT INTO offers (order_id, team_id, status, source, score, score_breakdown, distance_m, expires_at)
         VALUES ($1, $2, 'pending', 'manual', $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id, expires_at`,
        [order.id, team.id, breakdown.total, breakdown, breakdown.distanceM, svc.accept_timeout_seconds],
      );
      const outsideServiceRadius = distanceM > team.service_radius_m;
      await this.transitions.apply(m, {
        orderId: order.id,
        action: 'assign',
        actor,
        note: input.note ?? `人工派单给「${team.name}」`,
        data: {
          offerId: offer.id,
          teamId: team.id,
          withdrawnOffers: pending.map((p) => ({ offerId: p.offerId, teamId: p.teamId })),
          ...(outsideServiceRadius ? { outsideServiceRadius } : {}),
          ...(team.missing_skills.length ? { missingSkills: team.missing_skills } : {}),
        },
      });
      return { offerId: offer.id as string, teamId: team.id, expiresAt: offer.expires_at as Date, withdrawn: pending };
    });
    await this.queue.expireOfferAt({ offerId: result.offerId }, result.expiresAt);
    return {
      id: result.offerId,
      orderId: input.orderId,
      teamId: result.teamId,
      status: 'pending' as const,
      expiresAt: result.expiresAt,
      withdrawnOfferIds: result.withdrawn.map((p) => p.offerId),
    };
  }

  /** The order's pending offers (one in offer mode, several in grab mode), locked; the caller holds the order's lock. */
  private async pendingOffers(m: EntityManager, orderId: string): Promise<PendingOfferRef[]> {
    const rows: { id: string; team_id: string; team_name: string; expires_at: Date }[] = await m.query(
      `SELECT f.id, f.team_id, t.name AS team_name, f.expires_at
         FROM offers f JOIN teams t ON t.id = f.team_id
        WHERE f.order_id = $1 AND f.status = 'pending' ORDER BY f.created_at FOR UPDATE OF f`,
      [orderId],
    );
    return rows.map((r) => ({ offerId: r.id, teamId: r.team_id, teamName: r.team_name, expiresAt: new Date(r.expires_at).toISOString() }));
  }
}
