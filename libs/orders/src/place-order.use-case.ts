import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { BeneficiaryForOrder, BeneficiaryService } from '@xinyuan/beneficiaries';
import { DomainException, ErrorCode, PiiCipher, uuidV7 } from '@xinyuan/common';
import { LatLng, toEwkt } from '@xinyuan/geo';
import { AuthUser } from '@xinyuan/identity';
import { DispatchQueue } from '@xinyuan/queue';
import { AppConfig } from '@xinyuan/config';
import { PreparedStatement, queryPrepared } from '@xinyuan/database';
import { outOfServiceArea } from '@xinyuan/org';
import { ActorRole, placerRole } from './actor';
import { openContactPhone } from './order-pii';
import { initialStatus } from './order-state-machine';
import { ORDER_COLUMNS, ORDER_RETURNING, OrderColumns, OrderRecord, toOrderRecord } from './order-record';
import { preferredTimeProblem } from './preferred-time';
import type { TimelineEntry } from './order-view';

export interface PlaceOrderInput {
  serviceCode: string;
  description: string;
  /** Required unless the order is for a beneficiary, whose profile supplies them. */
  location?: LatLng;
  address?: string;
  /** The beneficiary profile (一人一档) the order is for; the placer must own it or serve its region. */
  beneficiaryId?: string;
  preferredStart?: string;
  preferredEnd?: string;
  contactPhone?: string;
  /** A fall, no answer at the door …: dispatched before normal orders, with a shorter window. */
  urgent?: boolean;
  /** The need is reopened from this order (回访 found it unsolved); kept on the first timeline entry. */
  redoOf?: string;
  /** Dispatch offers this team last (the team that left the need unsolved), unless staff assign it. */
  avoidTeamId?: string;
}

/** How the placer acts when it is not the person served (and no beneficiary profile says so). */
export interface PlaceOrderOptions {
  /** Another system filing for the person named in its request (Open311): placed on behalf, in this role. */
  onBehalfAs?: Extract<ActorRole, 'integration'>;
  /**
   * 'system': an order the platform places by itself on a beneficiary's behalf (the care ladder's urgent
   * 上门查看), recorded on the timeline as the system's act; `user` is the official on whose
   * jurisdiction it is placed.
   */
  actorRole?: Extract<ActorRole, 'system'>;
  /**
   * Places the order inside the caller's transaction, on its connection (a task completed under its
   * row lock places the need it found without taking a second pool connection). Dispatch is then not
   * asked for here: the caller passes the order to `dispatchPlaced` after its commit.
   */
  within?: EntityManager;
}

export interface PlaceOrderResult {
  order: OrderRecord;
  /** True when an earlier request with the same Idempotency-Key produced this order. */
  replayed: boolean;
  /** Set for a new order, so the response needs no second read. */
  serviceName?: string;
  contactPhone?: string | null;
  area?: string | null;
  placedEvent?: TimelineEntry;
}

const PLACE_ORDER_SQL: PreparedStatement = { name: 'place_order', text: `
  WITH svc AS (SELECT id, name, requires_review, region_id FROM services WHERE code = $2 AND active),
  -- the region of the point, walking down the tree from the roots (never "the deepest anywhere")
  area AS (SELECT r.id, r.path FROM regions r WHERE r.id = region_of_point($4::geography)),
  -- a point inside no region is out of the service area (unless $18: ALLOW_ORDERS_OUTSIDE_REGIONS);
  -- a county's own menu item is ordered only inside that county
  here AS (SELECT svc.* FROM svc WHERE ($18::boolean OR EXISTS (SELECT 1 FROM area))
                                   AND (svc.region_id IS NULL OR EXISTS (SELECT 1 FROM area WHERE area.path @> ARRAY[svc.region_id]))),
  usr AS (SELECT id, phone_enc FROM users WHERE id = $1),
  key AS (
    INSERT INTO idempotency_keys (user_id, key, request_hash, order_id)
    SELECT $1, $11, $12, $10 FROM here, usr WHERE $11::text IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING order_id),
  placed AS (
    INSERT INTO orders (id, resident_id, service_id, service_code, description, location, address, contact_phone,
                        preferred_start, preferred_end, region_id, status, urgent, beneficiary_id, on_behalf)
    SELECT $10, $1, here.id, $2, $3, $4::geography, $5,
           -- $6 is a PiiCipher ciphertext; without one the account's phone (encrypted with the same cipher) is copied
           COALESCE($6, usr.phone_enc), $7, $8,
           (SELECT id FROM area),
           -- the state machine names both entry statuses ($16 reviewed, $17 direct); the menu item picks
           CASE WHEN here.requires_review THEN $16 ELSE $17 END, $9, $13, $14
      FROM here, usr
     WHERE $11::text IS NULL OR EXISTS (SELECT 1 FROM key)
    RETURNING ${ORDER_RETURNING}),
  event AS (
    INSERT INTO order_events (order_id, type, from_status, to_status, actor_id, actor_role, data, note)
    SELECT id, 'placed', NULL, status, $1, $15, $19::jsonb,
           CASE WHEN $9 THEN '【紧急】' ELSE '' END ||
           CASE WHEN status = 'pending_review' THEN '已下单，等待审核' ELSE '已下单，正在派单' END
      FROM placed
    RETURNING at, note)
  SELECT placed.*, EXISTS (SELECT 1 FROM svc) AS service_found, EXISTS (SELECT 1 FROM here) AS service_here,
         EXISTS (SELECT 1 FROM area) AS in_area,
         (SELECT r.name FROM regions r WHERE r.id = (SELECT region_id FROM svc)) AS service_county,
         EXISTS (SELECT 1 FROM usr) AS user_found,
         (SELECT name FROM svc) AS service_name, (SELECT name FROM regions WHERE id = placed.region_id) AS area_name,
         (SELECT at FROM event) AS placed_at, (SELECT note FROM event) AS placed_note
    FROM (SELECT 1) one LEFT JOIN placed ON true` };

/** What PLACE_ORDER_SQL answers: the order's columns (all null when nothing was placed) and the facts checked. */
type PlacedRow = { [K in keyof OrderColumns]: OrderColumns[K] | null } & {
  service_found: boolean;
  /** The location lies inside a region of the deployment. */
  in_area: boolean;
  /** The item may be ordered at this location (deployment-wide, or its county covers the location). */
  service_here: boolean;
  service_county: string | null;
  user_found: boolean;
  service_name: string | null;
  area_name: string | null;
  placed_at: Date | null;
  placed_note: string | null;
};

/**
 * 点单: a resident orders an item of the menu (or a grid worker or staff member for a beneficiary: 代点单).
 * A trigger on orders enforces the open-order cap inside the same statement (OPEN_ORDER_LIMIT → 429). The order, its first timeline entry and the
 * idempotency key are written by one statement (one transaction, one round trip; prepared once per connection); the
 * dispatch job is enqueued after commit, together with those of the other orders committed in the same event-loop turn
 * (the reconciler re-enqueues it should this process die in between).
 */
@Injectable()
export class PlaceOrderUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DispatchQueue,
    private readonly beneficiaries: BeneficiaryService,
    private readonly cipher: PiiCipher,
    private readonly config: AppConfig,
  ) {}

  async execute(user: AuthUser, input: PlaceOrderInput, idempotencyKey?: string, options: PlaceOrderOptions = {}): Promise<PlaceOrderResult> {
    // only a request with an Idempotency-Key stores (and compares) the hash of its body
    const requestHash = idempotencyKey ? hashRequest(input) : null;
    const db = options.within ?? this.dataSource;
    if (idempotencyKey) {
      const replay = await this.replay(db, user.id, idempotencyKey, requestHash!);
      if (replay) return replay;
    }
    const timeProblem = preferredTimeProblem(input, Date.now(), this.config.PREFERRED_TIME_HORIZON_DAYS);
    if (timeProblem?.status === 400) throw DomainException.validation(timeProblem.fields, '结束时间要晚于开始时间');
    if (timeProblem) {
      const days = this.config.PREFERRED_TIME_HORIZON_DAYS;
      throw new DomainException(ErrorCode.PreferredTimeOutOfRange, 422, `期望服务时间要在现在到 ${days} 天以内`, timeProblem.fields, { horizonDays: days });
    }
    // One statement (so one round trip and one implicit transaction) writes the idempotency key, the
    // order and its first timeline entry, or nothing at all. The order id is made here so that the
    // key row can point at it; foreign keys are checked at the end of the statement.
    const profile: BeneficiaryForOrder | null = input.beneficiaryId ? await this.beneficiaries.forOrder(user, input.beneficiaryId, options.within) : null;
    const location = input.location ?? profile?.location;
    const address = input.address ?? profile?.address;
    if (!location || !address) {
      throw DomainException.validation([
        ...(location ? [] : [{ field: 'location', messages: ['location is required unless the order is for a beneficiary'] }]),
        ...(address ? [] : [{ field: 'address', messages: ['address is required unless the order is for a beneficiary'] }]),
      ]);
    }
    const contactPhone = input.contactPhone ? this.cipher.encrypt(input.contactPhone) : (profile?.phoneEnc ?? null);
    const onBehalf = !!profile?.official || !!options.onBehalfAs;
    const actorRole: ActorRole = options.actorRole ?? options.onBehalfAs ?? placerRole(user, onBehalf);
    const orderId = uuidV7();
    let result: PlacedRow;
    try {
      const parameters = [
        user.id, input.serviceCode, input.description, toEwkt(location), address, contactPhone,
        input.preferredStart ?? null, input.preferredEnd ?? null, input.urgent ?? false, orderId, idempotencyKey ?? null, requestHash,
        profile?.id ?? null, onBehalf, actorRole, initialStatus(true), initialStatus(false), this.config.ALLOW_ORDERS_OUTSIDE_REGIONS,
        input.redoOf || input.avoidTeamId ? JSON.stringify({ redoOf: input.redoOf ?? null, avoidTeamId: input.avoidTeamId ?? null }) : null,
      ];
      // inside the caller's transaction unnamed: a prepared copy made stale by a migration could not be
      // retried there (it aborts the transaction), and such placements are rare
      [result] = options.within
        ? await options.within.query(PLACE_ORDER_SQL.text, parameters)
        : await queryPrepared<PlacedRow>(this.dataSource, PLACE_ORDER_SQL, parameters);
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string })?.code === 'XY429') {
        throw new DomainException(ErrorCode.OpenOrderLimit, 429, undefined, undefined, { limit: this.openOrderLimit(e) });
      }
      // no contactPhone given and none on file (an account made by WeChat login has no phone)
      if (e instanceof QueryFailedError && (e.driverError as { code?: string; column?: string })?.code === '23502' &&
        (e.driverError as { column?: string }).column === 'contact_phone') {
        throw DomainException.validation([{ field: 'contactPhone', messages: ['contactPhone is required: the account has no phone number'] }], '请填写联系电话');
      }
      throw e;
    }
    if (!result.service_found) {
      throw new DomainException(ErrorCode.ServiceNotFound, 422, undefined, [
        { field: 'serviceCode', messages: ['unknown or inactive service code'] },
      ]);
    }
    if (!result.in_area && !this.config.ALLOW_ORDERS_OUTSIDE_REGIONS) throw outOfServiceArea();
    if (!result.service_here) {
      throw new DomainException(ErrorCode.ServiceNotAvailableHere, 422, `「${result.service_name}」只在${result.service_county ?? '所属县'}提供，这个地点不能下这项服务`, [
        { field: 'serviceCode', messages: ['this menu item belongs to another county than the order\'s location'] },
      ]);
    }
    if (!result.user_found) throw DomainException.unauthenticated();
    if (!result.id) {
      // a concurrent request with the same key committed first: answer as that one did
      return (await this.replay(db, user.id, idempotencyKey!, requestHash!))!;
    }
    const order = toOrderRecord(result as OrderColumns);
    if (!options.within) await this.dispatchPlaced(order);
    return {
      order,
      replayed: false,
      contactPhone: openContactPhone(this.cipher, order.contactPhoneStored),
      serviceName: result.service_name!,
      area: result.area_name,
      placedEvent: { type: 'placed', fromStatus: null, toStatus: order.status, at: new Date(result.placed_at!).toISOString(), actorRole, note: result.placed_note },
    };
  }

  private openOrderLimit(e: QueryFailedError): number | undefined {
    const m = /open order limit (\d+)/.exec(String((e.driverError as { message?: string })?.message ?? ''));
    return m ? Number(m[1]) : undefined;
  }

  /**
   * Asks for the dispatch of a new order (after the commit of the transaction that placed it). A
   * failed enqueue is logged, not thrown: the reconciler finds the order in `dispatching`.
   */
  async dispatchPlaced(order: OrderRecord): Promise<void> {
    if (order.status === 'dispatching') await this.queue.dispatchOrder({ orderId: order.id, version: order.version, urgent: order.urgent });
  }

  private async replay(db: DataSource | EntityManager, userId: string, key: string, requestHash: string): Promise<PlaceOrderResult | undefined> {
    const [existing] = await db.query(
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
