import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { preparedQuery } from '@xinyuan/database';
import { Actor, SYSTEM_ACTOR } from './actor';
import { OrderErrors } from './order.exception';
import { ORDER_RETURNING, OrderColumns, OrderRecord, toOrderRecord } from './order-record';
import { nextStatus, OrderAction } from './order-state-machine';
import type { OrderStatus } from './order-status';
import type { DispatchScope } from './order.tables';

export interface TransitionRequest {
  orderId: string;
  action: OrderAction;
  actor: Actor;
  note?: string | null;
  data?: Record<string, unknown> | null;
  /** Compare-and-set: fail with CONCURRENT_UPDATE unless the order is still at this version. */
  expectedVersion?: number;
  /** Columns changed together with the status. */
  teamId?: string | null;
  incrementDispatchAttempts?: boolean;
  /** Sets the order's dispatch scope (and starts its window) together with the status. */
  dispatchScope?: DispatchScope;
  /**
   * The order's status and version as the caller read them under its row lock (`FOR UPDATE`) in this
   * transaction, or without a lock (dispatch of a single order): spares re-reading them. A stale value
   * only makes the compare-and-set refuse. `dispatchScope`, when given, is compared too: a caller
   * that read the order without a lock also loses to a widening, which changes the scope but not the
   * version (`setDispatchScope`; the only writes of the scope are it and this class's `dispatchScope`).
   */
  lockedAs?: { status: OrderStatus; version: number; dispatchScope?: DispatchScope | null };
}

export interface TransitionResult {
  order: OrderRecord;
  from: OrderStatus;
}

/** An offer written by the status change that makes it (`applyWithOffers`). */
export interface NewOffer {
  teamId: string;
  score: number;
  scoreBreakdown: object;
  distanceM: number | null;
}

export interface OffersToWrite {
  mode: 'offer' | 'grab';
  source: 'auto' | 'manual';
  /** Each offer expires this many seconds after the transaction's start (`now()`). */
  windowSeconds: number;
  /** In this order: their ids are listed so in the timeline row, and their outbox events come so. */
  offers: NewOffer[];
}

export interface WrittenOffer {
  offerId: string;
  teamId: string;
  expiresAt: Date;
}

/**
 * The only code that changes an order's status. Each call checks the lifecycle, writes the new
 * status with a compare-and-set on (id, version, status) and appends the `order_events` row, all
 * on the caller's transaction (`manager`), so a status never changes without its timeline entry.
 */
@Injectable()
export class OrderTransitions {
  async apply(manager: EntityManager, req: TransitionRequest): Promise<TransitionResult> {
    const { from, params, sets, where } = await this.prepare(manager, req);
    // one statement: the compare-and-set and its timeline row (inserted only when the update matched);
    // wrapped in a CTE so the driver returns the rows whatever the command. The status is compared with
    // IS NOT DISTINCT FROM (the column is NOT NULL, so it means `=`) so the planner cannot pick the
    // partial status index for the custom plan: with statistics taken when few orders waited, it did, and
    // under a backlog every compare-and-set scanned every `dispatching` (or `offered`) order for its id.
    const rows: OrderColumns[] = await preparedQuery(
      manager,
      `WITH changed AS (UPDATE orders SET ${sets} WHERE ${where}
                        RETURNING ${ORDER_RETURNING}),
            event AS (INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note, data)
                      SELECT id, $5::text, $4, $3, $6::uuid, $7::text, $8::text, $9::jsonb FROM changed)
       SELECT * FROM changed`,
      params,
    );
    // no row: someone else changed the order between our read and our write, and won
    if (rows.length === 0) throw OrderErrors.concurrentUpdate();
    return { order: toOrderRecord(rows[0]), from };
  }

  /**
   * `apply` that also writes the offers the new status stands for (派单: `dispatching` → `offered`), in
   * the same one statement: the offers are inserted only when the compare-and-set matched, and the
   * timeline row's `data.offers` lists them ({ offerId, teamId, score }, in the given order). Returns
   * the offers, not the order row (the dispatcher does not read it again).
   *
   * The outbox events keep the order of separate statements: each `offer.created` (offers' row
   * trigger), in the given order, then the order's `order.offered` (order_events' row trigger). Row
   * triggers fire at the end of the statement in the order the rows were written, and the timeline row
   * cannot be written before every offer is: its `data` aggregates their ids from `offered`.
   */
  async applyWithOffers(manager: EntityManager, req: TransitionRequest, write: OffersToWrite): Promise<{ from: OrderStatus; offers: WrittenOffer[] }> {
    // without offers the statement would still move the order to `offered` (its timeline row listing
    // `offers: null`): an offered order nobody can accept. Refuse before writing anything.
    if (write.offers.length === 0) throw new Error(`applyWithOffers: no offers to write for order ${req.orderId}`);
    const { from, params, sets, where } = await this.prepare(manager, req);
    const at = params.length;
    params.push(
      write.mode, write.source, write.windowSeconds,
      write.offers.map((o) => o.teamId), write.offers.map((o) => o.score), write.offers.map((o) => o.scoreBreakdown), write.offers.map((o) => o.distanceM),
    );
    const p = (i: number) => `$${at + i}`;
    const [row]: { offer_ids: string[]; expires_at: Date[] }[] = await preparedQuery(
      manager,
      `WITH changed AS (UPDATE orders SET ${sets} WHERE ${where}
                        RETURNING id),
            chosen AS (SELECT * FROM unnest(${p(4)}::uuid[], ${p(5)}::float8[], ${p(6)}::jsonb[], ${p(7)}::float8[])
                                     WITH ORDINALITY AS u(team_id, score, score_breakdown, distance_m, rank)),
            offered AS (INSERT INTO offers (order_id, team_id, status, source, mode, score, score_breakdown, distance_m, expires_at)
                        SELECT c.id, u.team_id, 'pending', ${p(2)}::text, ${p(1)}::text, u.score, u.score_breakdown, u.distance_m,
                               now() + make_interval(secs => ${p(3)}::float8)
                          FROM changed c CROSS JOIN chosen u ORDER BY u.rank
                        RETURNING id, team_id, score, expires_at),
            listed AS (SELECT array_agg(f.id ORDER BY u.rank) AS offer_ids, array_agg(f.expires_at ORDER BY u.rank) AS expires_at,
                              jsonb_agg(jsonb_build_object('offerId', f.id, 'teamId', f.team_id, 'score', f.score) ORDER BY u.rank) AS offers
                         FROM offered f JOIN chosen u USING (team_id)),
            event AS (INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note, data)
                      SELECT c.id, $5::text, $4, $3, $6::uuid, $7::text, $8::text, coalesce($9::jsonb, '{}') || jsonb_build_object('offers', l.offers)
                        FROM changed c CROSS JOIN listed l)
       SELECT l.offer_ids, l.expires_at FROM changed CROSS JOIN listed l`,
      params,
    );
    if (!row) throw OrderErrors.concurrentUpdate();
    return { from, offers: row.offer_ids.map((offerId, i) => ({ offerId, teamId: write.offers[i].teamId, expiresAt: row.expires_at[i] })) };
  }

  /** The lifecycle checks of a transition, and the parameters and SET list of its compare-and-set. */
  private async prepare(manager: EntityManager, req: TransitionRequest): Promise<{ from: OrderStatus; params: unknown[]; sets: string; where: string }> {
    const current = req.lockedAs ?? (await manager.query(`SELECT status, version FROM orders WHERE id = $1`, [req.orderId]))[0];
    if (!current) throw OrderErrors.notFound();
    const from = current.status as OrderStatus;
    const to = nextStatus(from, req.action);
    if (!to) throw OrderErrors.invalidTransition(from, req.action);
    if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) throw OrderErrors.concurrentUpdate();

    const params: unknown[] = [req.orderId, current.version, to, from, req.action, req.actor.id, req.actor.role, req.note ?? null, req.data ?? null];
    const sets = ['status = $3', 'version = version + 1', 'updated_at = now()'];
    if (req.teamId !== undefined) {
      params.push(req.teamId);
      sets.push(`team_id = $${params.length}`);
    }
    if (req.incrementDispatchAttempts) sets.push('dispatch_attempts = dispatch_attempts + 1');
    if (req.dispatchScope !== undefined) {
      params.push(req.dispatchScope);
      sets.push(`dispatch_scope = $${params.length}::text, scope_started_at = now()`);
    }
    let where = 'id = $1 AND version = $2 AND status IS NOT DISTINCT FROM $4';
    if (req.lockedAs?.dispatchScope !== undefined) {
      params.push(req.lockedAs.dispatchScope);
      where += ` AND dispatch_scope IS NOT DISTINCT FROM $${params.length}::text`;
    }
    return { from, params, sets: sets.join(', '), where };
  }

  /**
   * Moves dispatch of an order to a wider jurisdiction (or sets the first one). Not a status change;
   * widening is a timeline event of its own.
   */
  async setDispatchScope(
    manager: EntityManager,
    orderId: string,
    scope: DispatchScope,
    from: string | null,
    note?: string,
  ): Promise<void> {
    await preparedQuery(manager, `UPDATE orders SET dispatch_scope = $2, scope_started_at = now() WHERE id = $1`, [orderId, scope]);
    if (from) await this.record(manager, orderId, 'widen', SYSTEM_ACTOR, { note: note ?? null, data: { from, to: scope } });
  }

  /** Appends a timeline entry; for status changes `apply` calls it, for other facts call it directly. */
  async record(
    manager: EntityManager,
    orderId: string,
    type: string,
    actor: Actor,
    extra: { from?: OrderStatus | null; to?: OrderStatus | null; note?: string | null; data?: Record<string, unknown> | null } = {},
  ): Promise<void> {
    await preparedQuery(
      manager,
      `INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [orderId, type, extra.from ?? null, extra.to ?? null, actor.id, actor.role, extra.note ?? null, extra.data ?? null],
    );
  }
}
