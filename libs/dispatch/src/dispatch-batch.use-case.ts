import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { OrderRecord } from '@xinyuan/orders';
import { solveAssignment } from './assignment/assignment-solver';
import { RankedCandidate } from './candidate-ranking';
import { DispatchOrderUseCase, DispatchOutcome, Resolution } from './dispatch-order.use-case';

export interface BatchReport {
  orders: number;
  assignedByMatching: number;
  greedyFallback: number;
  grab: number;
  escalated: number;
  solveMs: number;
}

/** Largest number of waiting orders one batch takes; the rest go to the next window. */
const BATCH_LIMIT = 2000;

/**
 * Batch assignment under surge: the orders waiting at the end of a short window are assigned
 * together by min-cost matching over (1 − score), respecting each team's spare capacity, instead
 * of greedily one by one (where the first order can take the team a later one needed more).
 * Orders the matching leaves out (no capacity left among their candidates) fall back to their best
 * team, and grab-mode orders keep their N-at-once offer. Orders locked by another dispatcher's
 * batch are skipped, so several dispatchers never work on the same order.
 */
@Injectable()
export class DispatchBatchUseCase {
  private readonly logger = new Logger(DispatchBatchUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly single: DispatchOrderUseCase,
    private readonly config: AppConfig,
  ) {}

  async execute(): Promise<BatchReport> {
    const report: BatchReport = { orders: 0, assignedByMatching: 0, greedyFallback: 0, grab: 0, escalated: 0, solveMs: 0 };
    const outcomes: DispatchOutcome[] = [];
    await this.dataSource.transaction(async (m) => {
      const ids: { id: string }[] = await m.query(
        `SELECT id FROM orders WHERE status = 'dispatching' ORDER BY urgent DESC, updated_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_LIMIT],
      );
      const open: { order: OrderRecord; resolution: Extract<Resolution, { kind: 'candidates' }> }[] = [];
      for (const { id } of ids) {
        const order = await this.single.lockDispatching(m, id);
        if (!order) continue;
        report.orders++;
        const resolution = await this.single.resolve(m, order);
        if (resolution.kind === 'escalated') {
          report.escalated++;
          continue;
        }
        if (resolution.service.offerMode === 'grab') {
          report.grab++;
          outcomes.push(await this.single.offer(m, order, resolution, resolution.ranked.slice(0, this.config.DISPATCH_GRAB_SIZE)));
          continue;
        }
        open.push({ order, resolution });
      }
      if (open.length === 0) return;

      // teams and their spare capacity (capacity − active orders − offers already pending to them)
      const teamIndex = new Map<string, number>();
      for (const { resolution } of open) for (const c of resolution.ranked) if (!teamIndex.has(c.teamId)) teamIndex.set(c.teamId, teamIndex.size);
      const teamIds = [...teamIndex.keys()];
      const spare: { id: string; spare: number }[] = await m.query(
        `SELECT t.id, GREATEST(t.capacity - t.active_orders
                  - (SELECT count(*) FROM offers f WHERE f.team_id = t.id AND f.status = 'pending'), 0)::int AS spare
           FROM teams t WHERE t.id = ANY($1::uuid[])`,
        [teamIds],
      );
      const capacity = new Map(spare.map((s) => [s.id, s.spare]));
      const cost = open.map(({ resolution }) => {
        const row: (number | null)[] = new Array(teamIds.length).fill(null);
        for (const c of resolution.ranked) row[teamIndex.get(c.teamId)!] = 1 - c.score;
        return row;
      });
      const started = performance.now();
      const solution = solveAssignment({
        orders: open.map((o) => o.order.id),
        teams: teamIds.map((id) => ({ id, capacity: capacity.get(id) ?? 0 })),
        cost,
        unassignedCost: 10,
      });
      report.solveMs = Math.round(performance.now() - started);

      for (let i = 0; i < open.length; i++) {
        const { order, resolution } = open[i];
        const j = solution.assignment[i];
        let chosen: RankedCandidate;
        if (j === null) {
          chosen = resolution.ranked[0];
          report.greedyFallback++;
        } else {
          chosen = resolution.ranked.find((c) => c.teamId === teamIds[j])!;
          report.assignedByMatching++;
        }
        outcomes.push(await this.single.offer(m, order, resolution, [chosen], j === null ? undefined : 'batch'));
      }
    });
    for (const o of outcomes) await this.single.scheduleExpiries(o);
    if (report.orders) this.logger.log(`batch: ${JSON.stringify(report)}`);
    return report;
  }
}
