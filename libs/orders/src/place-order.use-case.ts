import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { LatLng, toEwkt } from '@xinyuan/geo';
import type { AuthUser } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { ORDER_COLUMNS, ORDER_RETURNING, OrderRecord, toOrderRecord } from './order-record';
import { OrderTransitions } from './order-transitions';

export interface PlaceOrderInput {
  serviceCode: string;
  description: string;
  location: LatLng;
  address: string;
  preferredStart?: string;
  preferredEnd?: string;
  contactPhone?: string;
  /** A fall, no answer at the door …: dispatched before normal orders, with a shorter window. */
  urgent?: boolean;
}

export interface PlaceOrderResult {
  order: OrderRecord;
  /** True when an earlier request with the same Idempotency-Key produced this order. */
  replayed: boolean;
}

class IdempotencyRace extends Error {}

/**
 * 点单: a resident orders an item of the menu. The order, its first timeline entry and the
 * idempotency key are written in one transaction; the dispatch job is enqueued after commit
 * (the reconciler re-enqueues it should this process die in between).
 */
@Injectable()
export class PlaceOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transitions: OrderTransitions,
    private readonly queue: DispatchQueue,
  ) {}

  async execute(user: AuthUser, input: PlaceOrderInput, idempotencyKey?: string): Promise<PlaceOrderResult> {
    const requestHash = hashRequest(input);
    if (idempotencyKey) {
      const replay = await this.replay(user.id, idempotencyKey, requestHash);
      if (replay) return replay;
    }
    if (input.preferredStart && input.preferredEnd && Date.parse(input.preferredEnd) < Date.parse(input.preferredStart)) {
      throw DomainException.validation([{ field: 'preferredEnd', messages: ['preferredEnd must not be before preferredStart'] }]);
    }
    let order: OrderRecord;
    try {
      order = await this.dataSource.transaction(async (m) => {
        const [service] = await m.query(`SELECT id, requires_review FROM services WHERE code = $1 AND active`, [input.serviceCode]);
        if (!service) {
          throw new DomainException(ErrorCode.ServiceNotFound, 422, undefined, [
            { field: 'serviceCode', messages: ['unknown or inactive service code'] },
          ]);
        }
        const status = service.requires_review ? 'pending_review' : 'dispatching';
        const [row] = await m.query(
          `INSERT INTO orders (resident_id, service_id, service_code, description, location, address, contact_phone,
                               preferred_start, preferred_end, region_id, status, urgent)
           SELECT $1, $2, $3, $4, $5::geography, $6, COALESCE($7, u.phone), $8, $9,
                  (SELECT r.id FROM regions r WHERE r.boundary IS NOT NULL AND ST_Covers(r.boundary, $5::geography)
                    ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], r.level) LIMIT 1),
                  $10, $11
             FROM users u WHERE u.id = $1
           RETURNING ${ORDER_RETURNING}`,
          [user.id, service.id, input.serviceCode, input.description, toEwkt(input.location), input.address,
            input.contactPhone ?? null, input.preferredStart ?? null, input.preferredEnd ?? null, status, input.urgent ?? false],
        );
        if (!row) throw DomainException.unauthenticated();
        const placed = toOrderRecord(row);
        await this.transitions.record(m, placed.id, 'placed', { id: user.id, role: 'resident' }, {
          to: placed.status,
          note: `${input.urgent ? '【紧急】' : ''}${status === 'pending_review' ? '已下单，等待审核' : '已下单，正在派单'}`,
        });
        if (idempotencyKey) {
          const stored = await m.query(
            `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING RETURNING order_id`,
            [user.id, idempotencyKey, requestHash, placed.id],
          );
          if (stored.length === 0) throw new IdempotencyRace();
        }
        return placed;
      });
    } catch (e) {
      // a concurrent request with the same key committed first: answer as that one did
      if (e instanceof IdempotencyRace) return (await this.replay(user.id, idempotencyKey!, requestHash))!;
      throw e;
    }
    if (order.status === 'dispatching') await this.queue.dispatchOrder({ orderId: order.id, version: order.version, urgent: order.urgent });
    return { order, replayed: false };
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<PlaceOrderResult | undefined> {
    const [existing] = await this.dataSource.query(
      `SELECT k.request_hash, ${ORDER_COLUMNS}
         FROM idempotency_keys k JOIN orders o ON o.id = k.order_id WHERE k.user_id = $1 AND k.key = $2`,
      [userId, key],
    );
    if (!existing) return undefined;
    if (existing.request_hash !== requestHash) throw new DomainException(ErrorCode.IdempotencyKeyReused, 422);
    return { order: toOrderRecord(existing), replayed: true };
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function hashRequest(input: PlaceOrderInput): string {
  return createHash('sha256').update(JSON.stringify(canonical(input))).digest('hex');
}
