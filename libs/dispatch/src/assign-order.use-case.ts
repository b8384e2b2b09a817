import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuthUser } from '@xinyuan/identity';
import { ORDER_COLUMNS, OrderErrors, OrderTransitions, staffRole, toOrderRecord } from '@xinyuan/orders';
import { JurisdictionService } from '@xinyuan/org';
import { toEwkt } from '@xinyuan/geo';
import { DispatchQueue } from '@xinyuan/queue';
import { ScoreBreakdown, scoreCandidate } from './candidate-ranking';
import { OfferErrors } from './offer.exception';

/**
 * Manual 派单 by staff: offer the order to a chosen team, overriding the ranking. Any pending offer
 * is withdrawn in the same transaction. The team must be active, hold the skills and have room, and
 * both the order and the team must lie in the staff member's jurisdiction (else: not found).
 */
@Injectable()
export class AssignOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
    private readonly jurisdiction: JurisdictionService,
  ) {}

  async execute(input: { orderId: string; teamId: string; note?: string }, staff: AuthUser) {
    const result = await this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE`, [input.orderId]);
      if (!row || !(await this.jurisdiction.staffCovers(staff, row.region_id, m))) throw OrderErrors.notFound();
      const order = toOrderRecord(row);
      const [team] = await m.query(
        `SELECT t.id, t.name, t.region_id, t.active, t.capacity, t.active_orders, t.service_radius_m, s.required_skills,
                ST_Distance(t.location, $3::geography) AS distance_m,
                ARRAY(SELECT unnest(s.required_skills) EXCEPT SELECT unnest(t.skills)) AS missing_skills
           FROM teams t, services s WHERE t.id = $1 AND s.id = $2`,
        [input.teamId, order.serviceId, toEwkt(order.location)],
      );
      if (!team || !(await this.jurisdiction.staffCovers(staff, team.region_id, m))) throw OfferErrors.teamNotFound();
      if (!team.active) throw OfferErrors.teamInactive();
      if (team.missing_skills.length) throw OfferErrors.teamLacksSkills(team.missing_skills);
      if (team.active_orders >= team.capacity) throw OfferErrors.teamAtCapacity();

      const withdrawn = await m.query(
        `WITH w AS (UPDATE offers SET status = 'withdrawn', responded_at = now(), responded_by = $2, reason = 'manual_assign'
                     WHERE order_id = $1 AND status = 'pending' RETURNING id) SELECT id FROM w`,
        [order.id, staff.id],
      );
      const auto = scoreCandidate({
        teamId: team.id,
        name: team.name,
        distanceM: Number(team.distance_m),
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
      await this.transitions.apply(m, {
        orderId: order.id,
        action: 'assign',
        actor: { id: staff.id, role: staffRole(staff) },
        note: input.note ?? `人工派单给「${team.name}」`,
        data: { offerId: offer.id, teamId: team.id, withdrawnOfferIds: withdrawn.map((w: { id: string }) => w.id) },
      });
      return { offerId: offer.id as string, teamId: team.id as string, expiresAt: offer.expires_at as Date, status: 'pending' };
    });
    await this.queue.expireOfferAt({ offerId: result.offerId }, result.expiresAt);
    return { id: result.offerId, orderId: input.orderId, teamId: result.teamId, status: result.status, expiresAt: result.expiresAt };
  }
}
