import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainException, ErrorCode } from '@xinyuan/common';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { AuthUser, IdentityService } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { ORDER_COLUMNS, ORDER_RETURNING, OrderRecord, toOrderRecord } from './order-record';
import type { TimelineEntry } from './order-view';

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
  /** Set for a new order, so the response needs no second read. */
  serviceName?: string;
  area?: string | null;
  placedEvent?: TimelineEntry;
}

const PLACE_ORDER_SQL = `
  WITH svc AS (SELECT id, name, requires_review FROM services WHERE code = $2 AND active),
  usr AS (SELECT id FROM users WHERE id = $1),
  key AS (
    INSERT INTO idempotency_keys (user_id, key, request_hash, order_id)
    SELECT $1, $11, $12, $10 FROM svc, usr WHERE $11::text IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING order_id),
  placed AS (
    INSERT INTO orders (id, resident_id, service_id, service_code, description, location, address, contact_phone,
                        preferred_start, preferred_end, region_id, status, urgent)
    SELECT $10, $1, svc.id, $2, $3, $4::geography, $5, $6, $7, $8,
           (SELECT r.id FROM regions r WHERE r.boundary IS NOT NULL AND ST_Covers(r.boundary, $4::geography)
             ORDER BY array_position(ARRAY['point', 'village', 'township', 'county'], r.level) LIMIT 1),
           CASE WHEN svc.requires_review THEN 'pending_review' ELSE 'dispatching' END, $9
      FROM svc, usr
     WHERE $11::text IS NULL OR EXISTS (SELECT 1 FROM key)
    RETURNING ${ORDER_RETURNING}),
  event AS (
    INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, note)
    SELECT id, 'placed', NULL, status, $1, 'resident',
           CASE WHEN $9 THEN '【紧急】' ELSE '' END ||
           CASE WHEN status = 'pending_review' THEN '已下单，等待审核' ELSE '已下单，正在派单' END
      FROM placed
    RETURNING at, note)
  SELECT placed.*, EXISTS (SELECT 1 FROM svc) AS service_found, EXISTS (SELECT 1 FROM usr) AS user_found,
         (SELECT name FROM svc) AS service_name, (SELECT name FROM regions WHERE id = placed.region_id) AS area_name,
         (SELECT at FROM event) AS placed_at, (SELECT note FROM event) AS placed_note
    FROM (SELECT 1) one LEFT JOIN placed ON true`;

/**
 * 点单: a resident orders an item of the menu. The order, its first timeline entry and the
 * idempotency key are written by one statement (one transaction, one round trip); the dispatch job is enqueued after commit
 * (the reconciler re-enqueues it should this process die in between).
 */
@Injectable()
export class PlaceOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DispatchQueue,
    private readonly identity: IdentityService,
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
    // One statement (so one round trip and one implicit transaction) writes the idempotency key, the
    // order and its first timeline entry, or nothing at all. The order id is made here so that the
    // key row can point at it; foreign keys are checked at the end of the statement.
    // the account's phone (encrypted at rest) is the default contact; an account without one must give it
    const contactPhone = input.contactPhone ?? (await this.identity.phoneOf(user.id));
    if (contactPhone === undefined) throw DomainException.unauthenticated();
    if (!contactPhone) {
      throw DomainException.validation([{ field: 'contactPhone', messages: ['contactPhone is required: the account has no phone number'] }], '请填写联系电话');
    }
    const orderId = randomUUID();
    const [result] = await this.dataSource.query(PLACE_ORDER_SQL, [
      user.id, input.serviceCode, input.description, toEwkt(input.location), input.address, contactPhone,
      input.preferredStart ?? null, input.preferredEnd ?? null, input.urgent ?? false, orderId, idempotencyKey ?? null, requestHash,
    ]);
    if (!result.service_found) {
      throw new DomainException(ErrorCode.ServiceNotFound, 422, undefined, [
        { field: 'serviceCode', messages: ['unknown or inactive service code'] },
      ]);
    }
    if (!result.user_found) throw DomainException.unauthenticated();
    if (!result.id) {
      // a concurrent request with the same key committed first: answer as that one did
      return (await this.replay(user.id, idempotencyKey!, requestHash))!;
    }
    const order = toOrderRecord(result);
    if (order.status === 'dispatching') await this.queue.dispatchOrder({ orderId: order.id, version: order.version, urgent: order.urgent });
    return {
      order,
      replayed: false,
      serviceName: result.service_name,
      area: result.area_name,
      placedEvent: { type: 'placed', fromStatus: null, toStatus: order.status, at: new Date(result.placed_at).toISOString(), actorRole: 'resident', note: result.placed_note },
    };
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
