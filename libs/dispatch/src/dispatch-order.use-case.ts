import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException, ErrorCode, runWithCorrelation } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { preparedQuery } from '@xinyuan/database';
import { ORDER_COLUMNS, OrderRecord, OrderTransitions, SYSTEM_ACTOR, toOrderRecord, WrittenOffer } from '@xinyuan/orders';
import { DispatchQueue } from '@xinyuan/queue';
import { batchJobAt } from './assignment/batch-window';
import { BatchWindows } from './batch-windows';
import { CandidateFinder } from './candidate-finder';
import { DispatchWeights, RankedCandidate, rankCandidates, rankLast } from './candidate-ranking';
import { acceptWindowSeconds, decideScope, DispatchScope, OrderAncestors, scopeChain, scopeRegionId } from './widening';

export type DispatchOutcome =
  | { outcome: 'offered'; offers: WrittenOffer[]; scope: DispatchScope }
  | { outcome: 'escalated'; reason: 'no_candidate' | 'attempts_exhausted' }
  /** left to a batch: the surge's window, or until `dueAt` (epoch ms), its menu item's window */
  | { outcome: 'batched'; dueAt?: number }
  | { outcome: 'skipped'; status: string | null };

export interface ServiceRules {
  requiredSkills: string[];
  acceptTimeoutSeconds: number;
  offerMode: 'offer' | 'grab';
}

/** What dispatching an order needs besides the order row: its service's rules, its region's ancestors, a team to offer last. */
export interface DispatchContext {
  service: ServiceRules;
  ancestors: OrderAncestors;
  /** A need reopened after 回访: the team that left it unsolved is offered last. */
  avoidTeamId: string | null;
}

/** The columns of `DispatchContext`, read beside the order row (`o`) joined to its service (`s`). */
const CONTEXT_COLUMNS = `s.required_skills, s.accept_timeout_seconds, s.offer_mode,
  (SELECT e.data->>'avoidTeamId' FROM order_events e WHERE e.order_id = o.id AND e.type = 'placed' LIMIT 1) AS avoid_team_id,
  (SELECT coalesce(json_agg(json_build_object('id', r.id, 'level', r.level)), '[]')
     FROM regions me JOIN regions r ON r.id = ANY (me.path) WHERE me.id = o.region_id) AS ancestors`;

interface ContextColumns {
  required_skills: string[];
  accept_timeout_seconds: number;
  offer_mode: 'offer' | 'grab';
  avoid_team_id: string | null;
  ancestors: { id: string; level: string }[];
}

function toDispatchContext(row: ContextColumns): DispatchContext {
  return {
    service: { requiredSkills: row.required_skills, acceptTimeoutSeconds: row.accept_timeout_seconds, offerMode: row.offer_mode },
    ancestors: CandidateFinder.ancestorsFrom(row.ancestors),
    avoidTeamId: row.avoid_team_id,
  };
}

/** What is left to choose from for one order after widening: ranked teams, or an escalation already done. */
export type Resolution =
  | {
      kind: 'candidates';
      ranked: RankedCandidate[];
      scope: DispatchScope;
      windowSeconds: number;
      service: ServiceRules;
      avoidTeamId?: string | null;
      /** The order's first scope, not yet written: the offer's status change writes it (`resolve`'s `deferFirstScope`). */
      firstScope?: DispatchScope;
      /** Read without a row lock (`resolve`'s `unlocked`): the offer's compare-and-set also checks the scope as read. */
      unlocked?: boolean;
    }
  | { kind: 'escalated'; reason: 'no_candidate' | 'attempts_exhausted' };

/**
 * What the compare-and-set of a dispatch decision compares: status and version; for an order read
 * without a lock also its scope, which a widening committed meanwhile changes without a new version.
 */
function lockedAs(order: OrderRecord, unlocked = false): { status: 'dispatching'; version: number; dispatchScope?: DispatchScope | null } {
  return { status: 'dispatching', version: order.version, ...(unlocked ? { dispatchScope: (order.dispatchScope as DispatchScope | null) ?? null } : {}) };
}

/** Thrown by `resolve` with `unlocked` where the order would widen: decide it under its lock. */
class NeedsLock extends Error {}

const SCOPE_LABEL: Record<DispatchScope, string> = { station: '本站', township: '本镇（街道）', county: '全县', open: '服务半径内' };

export function weightsFrom(config: AppConfig): DispatchWeights {
  return {
    proximity: config.DISPATCH_WEIGHT_PROXIMITY,
    skillCoverage: config.DISPATCH_WEIGHT_SKILL_COVERAGE,
    load: config.DISPATCH_WEIGHT_LOAD,
    reputation: config.DISPATCH_WEIGHT_REPUTATION,
    continuity: config.DISPATCH_WEIGHT_CONTINUITY,
    fairness: config.DISPATCH_WEIGHT_FAIRNESS,
    jurisdiction: config.DISPATCH_WEIGHT_JURISDICTION,
  };
}

/**
 * 派单 of one `dispatching` order: search its current jurisdiction scope, widening station →
 * township → county when the scope's window has passed or nobody is left in it, then offer to the
 * best-scored team (offer mode) or the top N at once (grab mode), or escalate to staff. Safe to run
 * any number of times for the same order: every write is a compare-and-set on the order's version and
 * status (and, where the order widens or shares a transaction, the order row is locked first).
 */
@Injectable()
export class DispatchOrderUseCase {
  private readonly logger = new Logger(DispatchOrderUseCase.name);
  readonly weights: DispatchWeights;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly finder: CandidateFinder,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
    private readonly batchWindows: BatchWindows,
  ) {
    this.weights = weightsFrom(config);
  }

  /**
   * `allowBatch`: under surge, leave the order to the next batch instead of choosing alone; and leave a
   * non-urgent order whose menu item has a batch window to the batch at the end of that window.
   */
  async execute(orderId: string, opts: { allowBatch?: boolean } = {}): Promise<DispatchOutcome> {
    if (opts.allowBatch && (await this.leaveToSurgeBatch())) return { outcome: 'batched' };
    const result = (await this.decideWithoutLock(orderId, opts)) ?? (await this.dataSource.transaction((m) => this.decide(m, orderId, opts)));
    await this.afterCommit([result]);
    return result;
  }

  /**
   * One order, decided without a transaction or a row lock: the order and its context are read, the
   * candidates searched, and the outcome written by ONE statement (the offers with the order's
   * compare-and-set, or the escalation's compare-and-set), which commits by itself. Three round trips
   * instead of five (no BEGIN, no COMMIT) and no row lock to write. The compare-and-set on the version
   * read in the first statement is what decides, as under the lock: an order changed in between (taken
   * by another dispatcher, cancelled, answered) matches no row and nothing is written.
   *
   * Returns null when the order must be decided under its lock instead (`decide` in a transaction):
   * when it has to widen (the scope's update and its timeline row are two statements that go
   * together), or when its compare-and-set lost (the locked path then reads what changed).
   */
  private async decideWithoutLock(orderId: string, opts: { allowBatch?: boolean }): Promise<DispatchOutcome | null> {
    const runner = this.dataSource.createQueryRunner();
    try {
      const m = runner.manager;
      const read = (await this.readForDispatch(m, [orderId], false)).get(orderId) ?? null;
      return await this.decide(m, orderId, { ...opts, unlocked: true }, read);
    } catch (e) {
      if (e instanceof NeedsLock || (e instanceof DomainException && e.code === ErrorCode.ConcurrentUpdate)) return null;
      throw e;
    } finally {
      await runner.release();
    }
  }

  /**
   * The dispatcher's backlog: several orders in ONE transaction, one after the other in the order of
   * their ids (two transactions holding some of the same orders lock them in the same order), each
   * exactly as `execute` would (same statements, same order lock, same compare-and-set), and one
   * commit for them all. Under a backlog this spares each order its own BEGIN, COMMIT and Redis round
   * trip for its expiry job.
   *
   * All or nothing: if anything fails (one order's compare-and-set, a deadlock, the commit), the whole
   * transaction is rolled back and every order of it runs again on its own (`execute`), so one
   * failing order can neither take the others down nor be written twice. Returns each order's outcome,
   * or the error its own transaction ended with. `correlations`: each order's request id (of the job
   * that asked for it); its log lines and its offers' expiry jobs carry that id, not another order's.
   */
  async executeMany(
    orderIds: string[], opts: { allowBatch?: boolean; correlations?: ReadonlyMap<string, string | undefined> } = {},
  ): Promise<Map<string, DispatchOutcome | Error>> {
    const ids = [...new Set(orderIds)].sort();
    const results = new Map<string, DispatchOutcome | Error>();
    const asItsOwn = <T>(id: string, work: () => Promise<T>): Promise<T> => {
      const correlationId = opts.correlations?.get(id);
      return correlationId ? runWithCorrelation(correlationId, work) : work();
    };
    if (ids.length === 1) {
      await asItsOwn(ids[0], () => this.execute(ids[0], opts)).then((r) => results.set(ids[0], r), (e: Error) => results.set(ids[0], e));
      return results;
    }
    if (opts.allowBatch && (await this.leaveToSurgeBatch())) {
      for (const id of ids) results.set(id, { outcome: 'batched' });
      return results;
    }
    let together: DispatchOutcome[] | null = null;
    try {
      together = await this.dataSource.transaction(async (m) => {
        const locked = await this.lockManyForDispatch(m, ids);
        const outcomes: DispatchOutcome[] = [];
        for (const id of ids) outcomes.push(await asItsOwn(id, () => this.decide(m, id, opts, locked.get(id) ?? null)));
        return outcomes;
      });
    } catch (e) {
      // nothing of this transaction was written: each order on its own, with its own error
      this.logger.warn(`a transaction of ${ids.length} orders was rolled back (${(e as Error).message}); each runs on its own`);
      for (const id of ids) {
        await asItsOwn(id, () => this.execute(id, opts)).then((r) => results.set(id, r), (e: Error) => results.set(id, e));
      }
      return results;
    }
    ids.forEach((id, i) => results.set(id, together![i]));
    await this.afterCommit(together, ids.map((id) => opts.correlations?.get(id)));
    return results;
  }

  /** Under surge, the order is left to the next batch window (whose job is then asked for). */
  private async leaveToSurgeBatch(): Promise<boolean> {
    if (this.config.DISPATCH_BATCH_WINDOW_MS <= 0 || !(await this.surge())) return false;
    await this.queue.dispatchBatch(this.config.DISPATCH_BATCH_WINDOW_MS);
    return true;
  }

  /**
   * What `execute` decides for one order and writes on the caller's transaction. `preLocked`: the
   * order as `lockManyForDispatch` locked it in this transaction (null: not waiting for dispatch), or
   * as `decideWithoutLock` read it (with `unlocked`: no transaction, no lock).
   */
  private async decide(
    m: EntityManager, orderId: string, opts: { allowBatch?: boolean; unlocked?: boolean }, preLocked?: { order: OrderRecord; context: DispatchContext } | null,
  ): Promise<DispatchOutcome> {
    const locked = preLocked === undefined ? await this.lockForDispatch(m, orderId) : preLocked;
    if (!locked) return { outcome: 'skipped', status: null };
    const { order, context } = locked;
    const dueAt = opts.allowBatch ? await this.batchWindows.dueAt(m, order) : null;
    if (dueAt !== null) return { outcome: 'batched', dueAt };
    const resolution = await this.resolve(m, order, context, { deferFirstScope: true, unlocked: opts.unlocked });
    if (resolution.kind === 'escalated') return { outcome: 'escalated', reason: resolution.reason };
    const chosen = resolution.service.offerMode === 'grab' ? resolution.ranked.slice(0, this.config.DISPATCH_GRAB_SIZE) : [resolution.ranked[0]];
    return this.offer(m, order, resolution, chosen);
  }

  /**
   * After the commit: the due batches asked for, and every offer's expiry job (one Redis round trip),
   * each with the request id of its order (`correlations`, by result; none: the current one).
   */
  private async afterCommit(results: DispatchOutcome[], correlations: (string | undefined)[] = []): Promise<void> {
    const dueAts = new Set<number>();
    for (const r of results) if (r.outcome === 'batched' && r.dueAt !== undefined) dueAts.add(batchJobAt(r.dueAt));
    for (const at of dueAts) await this.queue.dispatchBatchDueAt(at);
    const offers = results.flatMap((r, i) =>
      r.outcome === 'offered' ? r.offers.map((o) => ({ job: { offerId: o.offerId, ...(correlations[i] ? { correlationId: correlations[i] } : {}) }, expiresAt: o.expiresAt })) : [],
    );
    if (offers.length) await this.queue.expireOffersAt(offers);
  }

  async scheduleExpiries(...results: DispatchOutcome[]): Promise<void> {
    await this.afterCommit(results.filter((r) => r.outcome === 'offered'));
  }

  /** Enough orders waiting for dispatch now — not counting those still waiting out their item's window. */
  private async surge(): Promise<boolean> {
    const [{ waiting }] = await this.dataSource.query(
      `SELECT count(*)::int AS waiting FROM (
         SELECT 1 FROM orders o JOIN services s ON s.id = o.service_id
          WHERE o.status = 'dispatching'
            AND (o.urgent OR s.batch_window_seconds = 0 OR o.preferred_start < now() + make_interval(mins => $2)
                 OR o.created_at + make_interval(secs => s.batch_window_seconds) <= now())
          LIMIT $1) w`,
      [this.config.DISPATCH_BATCH_MIN_ORDERS, this.config.DISPATCH_BATCH_IMMINENT_MINUTES],
    );
    return waiting >= this.config.DISPATCH_BATCH_MIN_ORDERS;
  }

  /** The order, locked, if it still waits for dispatch; null otherwise. */
  async lockDispatching(m: EntityManager, orderId: string, skipLocked = false): Promise<OrderRecord | null> {
    const [row] = await preparedQuery(
      m,
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
      [orderId],
    );
    return row && row.status === 'dispatching' ? toOrderRecord(row) : null;
  }

  /** `lockDispatching` and the order's `DispatchContext`, in one statement. */
  private async lockForDispatch(m: EntityManager, orderId: string): Promise<{ order: OrderRecord; context: DispatchContext } | null> {
    return (await this.lockManyForDispatch(m, [orderId])).get(orderId) ?? null;
  }

  /** The orders still waiting for dispatch, locked in one statement in the order of their ids, with their contexts. */
  private lockManyForDispatch(m: EntityManager, orderIds: string[]): Promise<Map<string, { order: OrderRecord; context: DispatchContext }>> {
    return this.readForDispatch(m, orderIds, true);
  }

  /** The orders still waiting for dispatch with their contexts; `lock`: locked (`FOR UPDATE`) in the order of their ids. */
  private async readForDispatch(m: EntityManager, orderIds: string[], lock: boolean): Promise<Map<string, { order: OrderRecord; context: DispatchContext }>> {
    const rows = await preparedQuery(
      m,
      `SELECT ${ORDER_COLUMNS}, ${CONTEXT_COLUMNS}
         FROM orders o JOIN services s ON s.id = o.service_id WHERE o.id = ANY ($1::uuid[])${lock ? ' ORDER BY o.id FOR UPDATE OF o' : ''}`,
      [orderIds],
    );
    return new Map(rows.filter((r) => r.status === 'dispatching').map((r) => [r.id as string, { order: toOrderRecord(r), context: toDispatchContext(r) }]));
  }

  private async loadContext(m: EntityManager, orderId: string): Promise<DispatchContext> {
    const [row] = await preparedQuery(m, `SELECT ${CONTEXT_COLUMNS} FROM orders o JOIN services s ON s.id = o.service_id WHERE o.id = $1`, [orderId]);
    return toDispatchContext(row);
  }

  /**
   * Widens as far as needed and returns the ranked candidates of the scope it settles on, or escalates
   * (already written) when no scope has anyone left. The caller holds the order's lock; `context` is
   * read when not given.
   *
   * `deferFirstScope`: an order's first scope is not written by a statement of its own but by the status
   * change that follows in the same transaction (the escalation here, or the caller's `offer`, which
   * must then follow): one statement and one row version less per new order. Only for callers that
   * offer in the same transaction.
   *
   * `unlocked`: the caller holds no lock (`decideWithoutLock`); where the order would widen, throws
   * `NeedsLock` before writing anything. An escalation is one compare-and-set statement and is written;
   * it and the offer also compare the scope as read (`lockedAs`).
   */
  async resolve(
    m: EntityManager, order: OrderRecord, context?: DispatchContext, opts: { deferFirstScope?: boolean; unlocked?: boolean } = {},
  ): Promise<Resolution> {
    const unlocked = opts.unlocked ?? false;
    if (order.dispatchAttempts >= this.config.DISPATCH_MAX_ATTEMPTS) {
      await this.escalate(m, order, 'attempts_exhausted', `已派单 ${order.dispatchAttempts} 次无人接单，转人工派单`, undefined, unlocked);
      return { kind: 'escalated', reason: 'attempts_exhausted' };
    }
    const { service, ancestors, avoidTeamId } = context ?? (await this.loadContext(m, order.id));
    const windowSeconds = acceptWindowSeconds(
      service.acceptTimeoutSeconds, order.urgent, this.config.URGENT_WINDOW_FACTOR, this.config.ACCEPT_TIMEOUT_MIN_SECONDS,
    );
    const chain = scopeChain(ancestors);

    let scope = order.dispatchScope as DispatchScope | null;
    let startedAt = order.scopeStartedAt ? new Date(order.scopeStartedAt).getTime() : Date.now();
    let firstScope: DispatchScope | undefined;
    if (!scope || !chain.includes(scope)) {
      scope = chain[0];
      startedAt = Date.now();
      if (opts.deferFirstScope) firstScope = scope;
      else await this.transitions.setDispatchScope(m, order.id, scope, null);
    }
    for (;;) {
      const windowElapsed = Date.now() - startedAt >= windowSeconds * 1000;
      const ranked = windowElapsed
        ? []
        : rankLast(rankCandidates(
            await this.finder.find(m, {
              orderId: order.id,
              residentId: order.residentId,
              location: order.location,
              requiredSkills: service.requiredSkills,
              ancestors,
              scopeRegionId: scopeRegionId(scope, ancestors),
              excludePreviouslyOffered: true,
              limit: this.config.DISPATCH_CANDIDATE_POOL,
            }),
            this.weights,
          ), avoidTeamId);
      const decision = decideScope(chain, scope, { windowElapsed, candidatesLeft: ranked.length > 0 });
      if (decision.action === 'search') return { kind: 'candidates', ranked, scope, windowSeconds, service, avoidTeamId, firstScope, unlocked };
      if (decision.action === 'escalate') {
        await this.escalate(m, order, 'no_candidate', `${SCOPE_LABEL[scope]}范围内暂无服务队接单，转人工派单`, firstScope, unlocked);
        return { kind: 'escalated', reason: 'no_candidate' };
      }
      if (unlocked) throw new NeedsLock();
      await this.transitions.setDispatchScope(
        m, order.id, decision.to, decision.from, `${SCOPE_LABEL[decision.from]}内无人接单，扩大到${SCOPE_LABEL[decision.to]}`,
      );
      scope = decision.to;
      startedAt = Date.now();
      firstScope = undefined;
    }
  }

  /** Writes the offers and moves the order to `offered`, on the caller's transaction. */
  async offer(
    m: EntityManager,
    order: OrderRecord,
    resolution: Extract<Resolution, { kind: 'candidates' }>,
    chosen: RankedCandidate[],
    strategy?: 'batch',
  ): Promise<DispatchOutcome> {
    const mode = chosen.length > 1 ? 'grab' : 'offer';
    const names = chosen.map((c) => `「${c.name}」`).join('、');
    // one statement: the offers, the order's compare-and-set and its timeline row (which lists the offers)
    const { offers } = await this.transitions.applyWithOffers(
      m,
      {
        orderId: order.id,
        action: 'offer',
        actor: SYSTEM_ACTOR,
        note: mode === 'grab' ? `抢单：同时派给 ${names}` : `派单给${names}`,
        data: { mode, scope: resolution.scope, breakdown: chosen[0].breakdown },
        incrementDispatchAttempts: true,
        dispatchScope: resolution.firstScope,
        lockedAs: lockedAs(order, resolution.unlocked),
      },
      {
        mode,
        source: 'auto',
        windowSeconds: resolution.windowSeconds,
        offers: chosen.map((team) => ({
          teamId: team.teamId,
          score: team.score,
          scoreBreakdown: strategy ? { ...team.breakdown, strategy } : team.breakdown,
          distanceM: team.distanceM,
        })),
      },
    );
    return { outcome: 'offered', offers, scope: resolution.scope };
  }

  private async escalate(m: EntityManager, order: OrderRecord, reason: string, note: string, firstScope?: DispatchScope, unlocked = false): Promise<void> {
    await this.transitions.apply(m, {
      orderId: order.id, action: 'escalate', actor: SYSTEM_ACTOR, note, data: { reason }, dispatchScope: firstScope,
      lockedAs: lockedAs(order, unlocked),
    });
  }
}
