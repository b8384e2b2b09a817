import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { DispatchQueue } from '@xinyuan/queue';
import { solveAssignment } from './assignment/assignment-solver';
import { batchJobAt, isDueForBatch } from './assignment/batch-window';
import { BatchWindows } from './batch-windows';
import { matchingCosts, RankedCandidate } from './candidate-ranking';
import { DispatchOrderUseCase, DispatchOutcome, Resolution } from './dispatch-order.use-case';

export interface BatchReport {
  orders: number;
  assignedByMatching: number;
  greedyFallback: number;
  grab: number;
  escalated: number;
  skipped: number;
  /** orders still waiting out their menu item's window: matched with the others, not committed */
  held: number;
  solveMs: number;
}

/** Largest number of waiting orders one batch takes; the rest go to the next round. */
const BATCH_LIMIT = 500;
/**
 * Largest number of orders not yet due that one batch matches along (soonest due first): each costs a
 * candidate search per batch it takes part in, for the look-ahead it gives the due ones.
 */
const HELD_LIMIT = 100;
/** How long one batch job keeps going round while orders wait, before it hands over to the next window. */
const CONTINUE_FOR_MS = 5000;

/** Runs `fn` over `items` with at most `parallelism` at a time (each on its own pooled connection). */
async function forEachParallel<T>(items: T[], parallelism: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallelism, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

type Open = { orderId: string; version: number; resolution: Extract<Resolution, { kind: 'candidates' }>; held: boolean };

/** Carries a held order's look out of the transaction that is rolled back. */
class RolledBack extends Error {
  constructor(readonly value: Open | 'skipped' | 'later') {
    super('rolled back on purpose');
  }
}

/**
 * Batch assignment under surge: the orders waiting when a short window closes are assigned together
 * by min-cost matching over (1 − score) within each team's spare capacity, instead of greedily one
 * by one (where an early order can take the team a later one needed more).
 *
 * 1. gather: each waiting order is locked briefly (`SKIP LOCKED`: another dispatcher's work is left
 *    alone), widened or escalated as needed, and its ranked candidates read;
 * 2. solve the matching in memory;
 * 3. commit: each order gets its offer in its own short transaction, after re-checking under the
 *    lock that nobody changed it meanwhile (version compare-and-set), so no order is offered twice.
 * Orders the matching leaves out fall back to their best team; grab-mode orders keep N-at-once.
 *
 * Orders still waiting out their menu item's batch window (see `batchDueAt`) are "held": they take
 * part in the matching, so a due order does not take the team a held one needs more, but get no
 * offer; their own batch (at their due time) commits them. The quality benchmark simulates this.
 */
@Injectable()
export class DispatchBatchUseCase {
  private readonly logger = new Logger(DispatchBatchUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly single: DispatchOrderUseCase,
    private readonly config: AppConfig,
    private readonly queue: DispatchQueue,
    private readonly batchWindows: BatchWindows,
  ) {}

  /**
   * Runs batches back to back while orders keep waiting (for at most a few seconds), then hands over
   * to the next window's job, so a long surge is worked off without waiting for new arrivals.
   */
  async execute(): Promise<BatchReport> {
    const total: BatchReport = { orders: 0, assignedByMatching: 0, greedyFallback: 0, grab: 0, escalated: 0, skipped: 0, held: 0, solveMs: 0 };
    const started = Date.now();
    for (;;) {
      const report = await this.runOnce();
      for (const k of Object.keys(total) as (keyof BatchReport)[]) total[k] += report[k];
      const progressed = report.orders - report.held > report.skipped;
      if (!progressed) return total;
      const [{ waiting }] = await this.dataSource.query(`SELECT count(*)::int AS waiting FROM (SELECT 1 FROM orders WHERE status = 'dispatching' LIMIT 1) w`);
      if (waiting === 0) return total;
      if (Date.now() - started > CONTINUE_FOR_MS) {
        await this.queue.dispatchBatch(this.config.DISPATCH_BATCH_WINDOW_MS || 1000, { nextWindow: true });
        return total;
      }
    }
  }

  private async runOnce(): Promise<BatchReport> {
    const report: BatchReport = { orders: 0, assignedByMatching: 0, greedyFallback: 0, grab: 0, escalated: 0, skipped: 0, held: 0, solveMs: 0 };
    // urgent first, then by the end of the menu item's window (created_at for items without one)
    const candidates: { id: string; service_id: string; urgent: boolean; preferred_start: Date | null; created_at: Date }[] = await this.dataSource.query(
      `SELECT o.id, o.service_id, o.urgent, o.preferred_start, o.created_at
         FROM orders o JOIN services s ON s.id = o.service_id
        WHERE o.status = 'dispatching'
        ORDER BY o.urgent DESC, o.created_at + make_interval(secs => s.batch_window_seconds), o.id LIMIT $1`,
      [BATCH_LIMIT],
    );
    const now = Date.now();
    const due: { id: string; held: boolean }[] = [];
    const notYetDue: { id: string; held: boolean }[] = [];
    let nextDue = Infinity;
    for (const c of candidates) {
      const order = { serviceId: c.service_id, urgent: c.urgent, preferredStart: c.preferred_start, createdAt: c.created_at };
      const dueAt = await this.batchWindows.dueAt(this.dataSource.manager, order, now);
      if (isDueForBatch(dueAt, now)) due.push({ id: c.id, held: false });
      else {
        notYetDue.push({ id: c.id, held: true });
        nextDue = Math.min(nextDue, dueAt!);
      }
    }
    // orders left to a surge batch never had a batch of their own scheduled: the earliest gets one
    // (one job per second whoever asks, so asking again is free)
    if (notYetDue.length) await this.queue.dispatchBatchDueAt(batchJobAt(nextDue));
    if (due.length === 0) return report;
    const waiting = [...due, ...notYetDue.slice(0, HELD_LIMIT)];
    const open: Open[] = [];
    const outcomes: DispatchOutcome[] = [];
    const parallelism = this.config.DISPATCH_CONCURRENCY;
    await forEachParallel(waiting, parallelism, async ({ id, held }) => {
      const gathered = await this.gather(id, held);
      report.orders++;
      if (held) report.held++;
      if (gathered === 'later') return;
      if (gathered === 'skipped') report.skipped++;
      else if (gathered === 'escalated') report.escalated++;
      else if ('outcome' in gathered) {
        report.grab++;
        outcomes.push(gathered);
      } else open.push(gathered);
    });

    if (open.length) {
      const teamIndex = new Map<string, number>();
      for (const o of open) for (const c of o.resolution.ranked) if (!teamIndex.has(c.teamId)) teamIndex.set(c.teamId, teamIndex.size);
      const teamIds = [...teamIndex.keys()];
      // spare capacity: capacity − active orders − offers already pending to the team
      const spare: { id: string; spare: number }[] = await this.dataSource.query(
        `WITH pending AS (SELECT team_id, count(*) AS n FROM offers WHERE status = 'pending' GROUP BY team_id)
         SELECT t.id, GREATEST(t.capacity - t.active_orders - COALESCE(p.n, 0), 0)::int AS spare
           FROM teams t LEFT JOIN pending p ON p.team_id = t.id WHERE t.id = ANY($1::uuid[])`,
        [teamIds],
      );
      const capacity = new Map(spare.map((s) => [s.id, s.spare]));
      const started = performance.now();
      const solution = solveAssignment({
        orders: open.map((o) => o.orderId),
        teams: teamIds.map((id) => ({ id, capacity: capacity.get(id) ?? 0 })),
        cost: open.map((o) => {
          const row: (number | null)[] = new Array(teamIds.length).fill(null);
          for (const [teamId, cost] of matchingCosts(o.resolution.ranked, o.resolution.avoidTeamId)) row[teamIndex.get(teamId)!] = cost;
          return row;
        }),
        unassignedCost: 10,
      });
      report.solveMs = Math.round(performance.now() - started);

      await forEachParallel(open, parallelism, async (o, i) => {
        if (o.held) return;
        const j = solution.assignment[i];
        const chosen: RankedCandidate = j === null ? o.resolution.ranked[0] : o.resolution.ranked.find((c) => c.teamId === teamIds[j])!;
        const outcome = await this.commit(o, chosen, j === null ? undefined : 'batch');
        if (outcome.outcome === 'skipped') report.skipped++;
        else if (j === null) report.greedyFallback++;
        else report.assignedByMatching++;
        outcomes.push(outcome);
      });
    }
    await this.single.scheduleExpiries(...outcomes);
    if (report.orders) this.logger.log(`batch: ${JSON.stringify(report)}`);
    return report;
  }

  /**
   * Step 1 for one order, in its own short transaction. Grab-mode orders are offered right away
   * (held ones wait for their own batch: 'later').
   */
  private async gather(orderId: string, held: boolean): Promise<Open | DispatchOutcome | 'skipped' | 'escalated' | 'later'> {
    if (held) return this.look(orderId);
    return this.dataSource.transaction(async (m) => {
      const order = await this.single.lockDispatching(m, orderId, true);
      if (!order) return 'skipped' as const;
      const resolution = await this.single.resolve(m, order);
      if (resolution.kind === 'escalated') return 'escalated' as const;
      if (resolution.service.offerMode === 'grab') {
        if (held) return 'later' as const;
        return this.single.offer(m, order, resolution, resolution.ranked.slice(0, this.config.DISPATCH_GRAB_SIZE));
      }
      const [{ version }] = await m.query(`SELECT version FROM orders WHERE id = $1`, [orderId]);
      return { orderId, version, resolution, held };
    });
  }

  /**
   * A held order (still waiting out its window) is only looked at: its candidates are read in a
   * transaction that is rolled back, so its scope, widening and any escalation wait for its own batch.
   */
  private async look(orderId: string): Promise<Open | 'skipped' | 'later'> {
    try {
      await this.dataSource.transaction(async (m) => {
        const order = await this.single.lockDispatching(m, orderId, true);
        if (!order) throw new RolledBack('skipped');
        const resolution = await this.single.resolve(m, order);
        if (resolution.kind === 'escalated' || resolution.service.offerMode === 'grab') throw new RolledBack('later');
        throw new RolledBack({ orderId, version: order.version, resolution, held: true });
      });
    } catch (e) {
      if (e instanceof RolledBack) return e.value;
      throw e;
    }
    return 'later';
  }

  /** Step 3 for one order: offer to the chosen team unless the order moved on since step 1. */
  private async commit(o: Open, chosen: RankedCandidate, strategy?: 'batch'): Promise<DispatchOutcome> {
    return this.dataSource.transaction(async (m) => {
      const order = await this.single.lockDispatching(m, o.orderId, true);
      if (!order || order.version !== o.version) return { outcome: 'skipped', status: order?.status ?? null } as const;
      return this.single.offer(m, order, o.resolution, [chosen], strategy);
    });
  }
}
