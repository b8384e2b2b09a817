import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { DomainException, ErrorCode } from '@xinyuan/common';
import type { AuthUser } from '@xinyuan/identity';
import { ORDER_COLUMNS, OrderErrors, OrderTransitions, toOrderRecord } from '@xinyuan/orders';
import { confirmByRecipient, parseRulePacks } from '@xinyuan/record';
import { computeReputation, Reputation } from './reputation';
// the plain file (not the care package index, which loads the order workflow): the rating app has no queue
import { needsFollowUp, openFollowUp } from '@xinyuan/care/follow-up';

export interface RateInput {
  stars: number;
  solved: boolean;
  comment?: string;
  /** The recipient confirms the volunteers really served (default); false leaves their minutes for staff to check. */
  serviceHappened?: boolean;
  dimensions?: { attitude?: number; timeliness?: number; quality?: number };
}

export interface RatingView {
  id: string;
  orderId: string;
  teamId: string;
  stars: number;
  solved: boolean;
  comment: string | null;
  dimensions: Record<string, number> | null;
  createdAt: string;
  orderStatus: 'closed';
  reputation: Reputation;
}

/**
 * 评单: the resident who placed a completed order rates it, once. Rating row, order → closed and the
 * team's reputation counters change in one transaction.
 */
@Injectable()
export class RateOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly config: AppConfig,
  ) {}

  async execute(orderId: string, user: AuthUser, input: RateInput): Promise<RatingView> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE`, [orderId]);
      if (!row || row.resident_id !== user.id) throw OrderErrors.notFound();
      const order = toOrderRecord(row);
      const [already] = await m.query(`SELECT 1 FROM ratings WHERE order_id = $1`, [orderId]);
      if (already) throw DomainException.conflict(ErrorCode.AlreadyRated);
      await this.transitions.apply(m, {
        orderId,
        action: 'rate',
        actor: { id: user.id, role: 'resident' },
        note: `评价 ${input.stars} 星${input.solved ? '，问题已解决' : '，问题未解决'}`,
        data: { stars: input.stars, solved: input.solved },
      });
      const [rating] = await m.query(
        `INSERT INTO ratings (order_id, resident_id, team_id, stars, solved, comment, dimensions)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, created_at`,
        [orderId, user.id, order.teamId, input.stars, input.solved, input.comment ?? null, input.dimensions ?? null],
      );
      if (needsFollowUp(input.stars, input.solved)) {
        // 回访: a follow-up task for the station staff, in the rating's own transaction
        await openFollowUp(m, {
          orderId, ratingId: rating.id, stars: input.stars, solved: input.solved, comment: input.comment ?? null, dueHours: this.config.CARE_FOLLOWUP_HOURS,
        });
      }
      // the rating is also the recipient's confirmation of the service record (志愿服务记录)
      await confirmByRecipient(m, {
        orderId, recipientId: user.id, happened: input.serviceHappened !== false,
        dayMax: this.config.CONFIRMATIONS_PER_RESIDENT_DAY_MAX, timeZone: this.config.STATS_TIME_ZONE,
        rules: parseRulePacks(this.config.RULE_PACKS, this.config.REGION_RULE_PACKS),
      });
      const [counters] = await m.query(
        `INSERT INTO team_reputation (team_id, rating_count, stars_sum, solved_count, updated_at)
         VALUES ($1, 1, $2, $3, now())
         ON CONFLICT (team_id) DO UPDATE SET rating_count = team_reputation.rating_count + 1,
           stars_sum = team_reputation.stars_sum + EXCLUDED.stars_sum,
           solved_count = team_reputation.solved_count + EXCLUDED.solved_count, updated_at = now()
         RETURNING rating_count, stars_sum`,
        [order.teamId, input.stars, input.solved ? 1 : 0],
      );
      return {
        id: rating.id,
        orderId,
        teamId: order.teamId!,
        stars: input.stars,
        solved: input.solved,
        comment: input.comment ?? null,
        dimensions: (input.dimensions as Record<string, number>) ?? null,
        createdAt: new Date(rating.created_at).toISOString(),
        orderStatus: 'closed',
        reputation: computeReputation(
          { ratingCount: counters.rating_count, starsSum: counters.stars_sum },
          { mean: this.config.REPUTATION_PRIOR_MEAN, weight: this.config.REPUTATION_PRIOR_WEIGHT },
        ),
      };
    });
  }
}

@Injectable()
export class ReputationQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async forTeam(teamId: string): Promise<Reputation & { teamId: string; solvedRate: number | null }> {
    const [row] = await this.dataSource.query(
      `SELECT t.id, COALESCE(r.rating_count, 0) AS rating_count, COALESCE(r.stars_sum, 0) AS stars_sum,
              COALESCE(r.solved_count, 0) AS solved_count
         FROM teams t LEFT JOIN team_reputation r ON r.team_id = t.id WHERE t.id = $1`,
      [teamId],
    );
    if (!row) throw DomainException.notFound(ErrorCode.TeamNotFound);
    const reputation = computeReputation(
      { ratingCount: row.rating_count, starsSum: row.stars_sum },
      { mean: this.config.REPUTATION_PRIOR_MEAN, weight: this.config.REPUTATION_PRIOR_WEIGHT },
    );
    return { teamId, ...reputation, solvedRate: row.rating_count ? Math.round((row.solved_count / row.rating_count) * 100) / 100 : null };
  }
}
