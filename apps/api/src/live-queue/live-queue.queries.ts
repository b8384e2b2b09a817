import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import { Scope, scopeSql } from '@xinyuan/org';

/** Why an order is in the live queue. */
export type LiveQueueReason = 'pending_review' | 'escalated' | 'expiring';

export interface LiveQueueItem {
  orderId: string;
  reason: LiveQueueReason;
  status: string;
  urgent: boolean;
  serviceCode: string;
  serviceName: string;
  description: string;
  area: string | null;
  regionId: string | null;
  createdAt: string;
  /** When the order entered its current status. */
  waitingSince: string;
  lastNote: string | null;
  /** When the resident would like the team to come (null: any time). */
  preferredStart: string | null;
  preferredEnd: string | null;
  /** The open offer whose window is about to close (`expiring` only; the soonest one in grab mode). */
  offer: { id: string; teamId: string; teamName: string; expiresAt: string } | null;
}

export interface LiveQueueSnapshot<Item extends LiveQueueItem = LiveQueueItem> {
  /** Server clock, so a browser can correct its countdowns for clock skew. */
  serverTime: string;
  expiringWithinSeconds: number;
  items: Item[];
}

/**
 * Bound on one jurisdiction's snapshot: a dispatch centre with more open problems than this has other
 * troubles. The limit applies after scoping, so urgent orders elsewhere never push a jurisdiction's own
 * orders out of its queue.
 */
export const LIVE_QUEUE_LIMIT = 500;

/**
 * The orders that need a person now: awaiting review, escalated (nobody accepted), and offered
 * orders whose offer window closes within LIVE_QUEUE_EXPIRING_SECONDS — of one jurisdiction, scoped
 * in SQL before the limit. One query over two partial indexes (`orders_status_idx`, `offers_pending_expiry_idx`).
 */
@Injectable()
export class LiveQueueQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async snapshot(scope: Scope): Promise<LiveQueueSnapshot> {
    const within = this.config.LIVE_QUEUE_EXPIRING_SECONDS;
    const params: unknown[] = [within];
    const inScope = scopeSql(scope, 'o.region_id', params);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `WITH waiting AS (
         SELECT o.id AS order_id, NULL::uuid AS offer_id, NULL::timestamptz AS expires_at
           FROM orders o WHERE o.status IN ('pending_review', 'escalated') AND ${inScope}
         UNION ALL
         (SELECT DISTINCT ON (f.order_id) f.order_id, f.id, f.expires_at
            FROM offers f JOIN orders o ON o.id = f.order_id AND o.status = 'offered'
           WHERE f.status = 'pending' AND f.expires_at <= now() + make_interval(secs => $1) AND ${inScope}
           ORDER BY f.order_id, f.expires_at)
       )
       SELECT o.id, o.status, o.urgent, o.service_code, s.name AS service_name, o.description, r.name AS area_name,
              o.region_id, o.preferred_start, o.preferred_end, o.created_at, o.updated_at, w.offer_id, w.expires_at, f.team_id, t.name AS team_name,
              (SELECT e.note FROM order_events e WHERE e.order_id = o.id ORDER BY e.id DESC LIMIT 1) AS last_note,
              now() AS server_time
         FROM waiting w
         JOIN orders o ON o.id = w.order_id
         JOIN services s ON s.id = o.service_id
         LEFT JOIN regions r ON r.id = o.region_id
         LEFT JOIN offers f ON f.id = w.offer_id
         LEFT JOIN teams t ON t.id = f.team_id
        ORDER BY o.urgent DESC, COALESCE(w.expires_at, o.updated_at), o.id
        LIMIT ${LIVE_QUEUE_LIMIT}`,
      params,
    );
    const serverTime = rows[0]?.server_time ? new Date(rows[0].server_time) : new Date();
    return {
      serverTime: serverTime.toISOString(),
      expiringWithinSeconds: within,
      items: rows.map((r) => ({
        orderId: r.id,
        reason: r.offer_id ? 'expiring' : r.status,
        status: r.status,
        urgent: r.urgent,
        serviceCode: r.service_code,
        serviceName: r.service_name,
        description: r.description,
        area: r.area_name,
        regionId: r.region_id,
        createdAt: new Date(r.created_at).toISOString(),
        waitingSince: new Date(r.updated_at).toISOString(),
        lastNote: r.last_note,
        preferredStart: r.preferred_start ? new Date(r.preferred_start).toISOString() : null,
        preferredEnd: r.preferred_end ? new Date(r.preferred_end).toISOString() : null,
        offer: r.offer_id
          ? { id: r.offer_id, teamId: r.team_id, teamName: r.team_name, expiresAt: new Date(r.expires_at).toISOString() }
          : null,
      })),
    };
  }
}
