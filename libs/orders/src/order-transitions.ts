import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
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
}

export interface TransitionResult {
  order: OrderRecord;
  from: OrderStatus;
}

/**
 * The only code that changes an order's status. Each call checks the lifecycle, writes the new
 * status with a compare-and-set on (id, version, status) and appends the `order_events` row, all
 * on the caller's transaction (`manager`), so a status never changes without its timeline entry.
 */
@Injectable()
export class OrderTransitions {
  async apply(manager: EntityManager, req: TransitionRequest): Promise<TransitionResult> {
    const [current] = await manager.query(`SELECT status, version FROM orders WHERE id = $1`, [req.orderId]);
    if (!current) throw OrderErrors.notFound();
    const from = current.status as OrderStatus;
    const to = nextStatus(from, req.action);
    if (!to) throw OrderErrors.invalidTransition(from, req.action);
    if (req.expectedVersion !== undefined && req.expectedVersion !== current.version) throw OrderErrors.concurrentUpdate();

    const sets = ['status = $3', 'version = version + 1', 'updated_at = now()'];
    const params: unknown[] = [req.orderId, current.version, to, from];
    if (req.teamId !== undefined) {
      params.push(req.teamId);
      sets.push(`team_id = $${params.length}`);
    }
    if (req.incrementDispatchAttempts) sets.push('dispatch_attempts = dispatch_attempts + 1');

    // wrapped in a CTE so the driver returns the rows whatever the command (UPDATE returns [rows, count])
    const rows: OrderColumns[] = await manager.query(
      `WITH changed AS (UPDATE orders SET ${sets.join(', ')} WHERE id = $1 AND version = $2 AND status = $4
                        RETURNING ${ORDER_RETURNING}) SELECT * FROM changed`,
      params,
    );
    // no row: someone else changed the order between our read and our write, and won
    if (rows.length === 0) throw OrderErrors.concurrentUpdate();
    const order = toOrderRecord(rows[0]);
    await this.record(manager, order.id, req.action, req.actor, { from, to, note: req.note, data: req.data });
    return { order, from };
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
    await manager.query(`UPDATE orders SET dispatch_scope = $2, scope_started_at = now() WHERE id = $1`, [orderId, scope]);
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
    await manager.query(
      `INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [orderId, type, extra.from ?? null, extra.to ?? null, actor.id, actor.role, extra.note ?? null, extra.data ?? null],
    );
  }
}
