import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { ORDER_COLUMNS, OrderRecord, OrderTransitions, SYSTEM_ACTOR, toOrderRecord } from '@xinyuan/orders';
import { DispatchQueue } from '@xinyuan/queue';
import { CandidateFinder } from './candidate-finder';
import { rankCandidates } from './candidate-ranking';

export type DispatchOutcome =
  | { outcome: 'offered'; offerId: string; teamId: string; expiresAt: Date }
  | { outcome: 'escalated'; reason: 'no_candidate' | 'attempts_exhausted' }
  | { outcome: 'skipped'; status: string | null };

/**
 * 派单: offer a `dispatching` order to the best remaining team, or escalate it to staff when none is
 * left. Safe to run any number of times for the same order (the order row is locked and its status
 * re-checked), which is what at-least-once job delivery needs.
 */
@Injectable()
export class DispatchOrderUseCase {
  private readonly logger = new Logger(DispatchOrderUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly finder: CandidateFinder,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
  ) {}

  async execute(orderId: string): Promise<DispatchOutcome> {
    const result = await this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE`, [orderId]);
      if (!row || row.status !== 'dispatching') return { outcome: 'skipped', status: row?.status ?? null } as const;
      return this.offerOrEscalate(m, toOrderRecord(row));
    });
    if (result.outcome === 'offered') await this.queue.expireOfferAt({ offerId: result.offerId }, result.expiresAt);
    return result;
  }

  private async offerOrEscalate(m: EntityManager, order: OrderRecord): Promise<DispatchOutcome> {
    if (order.dispatchAttempts >= this.config.DISPATCH_MAX_ATTEMPTS) {
      await this.transitions.apply(m, {
        orderId: order.id,
        action: 'escalate',
        actor: SYSTEM_ACTOR,
        note: `已派单 ${order.dispatchAttempts} 次无人接单，转人工派单`,
        data: { reason: 'attempts_exhausted' },
      });
      return { outcome: 'escalated', reason: 'attempts_exhausted' };
    }
    const [service] = await m.query(`SELECT required_skills, accept_timeout_seconds FROM services WHERE id = $1`, [order.serviceId]);
    const candidates = await this.finder.find(m, {
      orderId: order.id,
      location: order.location,
      requiredSkills: service.required_skills,
      excludePreviouslyOffered: true,
      limit: 10,
    });
    const [best] = rankCandidates(candidates);
    if (!best) {
      await this.transitions.apply(m, {
        orderId: order.id,
        action: 'escalate',
        actor: SYSTEM_ACTOR,
        note: '服务范围内暂无可接单的服务队，转人工派单',
        data: { reason: 'no_candidate' },
      });
      return { outcome: 'escalated', reason: 'no_candidate' };
    }
    const [offer] = await m.query(
      `INSERT INTO offers (order_id, team_id, status, source, score, score_breakdown, distance_m, expires_at)
       VALUES ($1, $2, 'pending', 'auto', $3, $4, $5, now() + make_interval(secs => $6))
       RETURNING id, expires_at`,
      [order.id, best.teamId, best.score, best.breakdown, best.distanceM, service.accept_timeout_seconds],
    );
    await this.transitions.apply(m, {
      orderId: order.id,
      action: 'offer',
      actor: SYSTEM_ACTOR,
      note: `派单给「${best.name}」`,
      data: { offerId: offer.id, teamId: best.teamId, score: best.score, breakdown: best.breakdown },
      incrementDispatchAttempts: true,
    });
    return { outcome: 'offered', offerId: offer.id, teamId: best.teamId, expiresAt: offer.expires_at };
  }
}
