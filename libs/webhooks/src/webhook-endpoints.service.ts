import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, decodeCursor, DomainException, ErrorCode, encodeCursor, PiiCipher } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import type { AuthUser } from '@xinyuan/identity';
import { JurisdictionService } from '@xinyuan/org';
import { urlShapeProblem } from './address-guard';
import { ForbiddenTargetError, resolveAllowed } from './guarded-post';
import { generateSecret } from './signing';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  status: 'active' | 'disabled';
  disabledReason: string | null;
  disabledAt: Date | null;
  regionId: string | null;
  previousSecretUntil: Date | null;
  createdAt: Date;
  /** Deliveries by status, for the console's list. */
  counts?: Record<string, number>;
}

export interface WebhookDeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  orderId: string | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** The calls made, newest first (status code, error, the answer's first bytes). */
  history: { attempt: number; startedAt: Date; finishedAt: Date | null; statusCode: number | null; error: string | null; responseExcerpt: string | null }[];
}

const forbidden = (reason: string) =>
  new DomainException(ErrorCode.WebhookUrlForbidden, 400, undefined, [{ field: 'url', messages: [reason] }]);

/**
 * Admins register webhook endpoints for their jurisdiction: an endpoint hears about orders of the
 * admin's region (an admin without a region: every order). The secret is shown once; rotating keeps
 * the old one signing beside the new one for an overlap. Endpoints of other jurisdictions answer 404.
 */
@Injectable()
export class WebhookEndpoints {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PiiCipher,
    private readonly jurisdiction: JurisdictionService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** The SSRF check of registration: the URL's shape, then every address its host resolves to. */
  async checkUrl(url: string): Promise<void> {
    const shape = urlShapeProblem(url);
    if (shape) throw DomainException.validation([{ field: 'url', messages: [shape] }]);
    const host = new URL(url).hostname;
    try {
      await resolveAllowed(host, this.config.WEBHOOK_ALLOW_PRIVATE === 'true');
    } catch (e) {
      if (e instanceof ForbiddenTargetError) throw forbidden(`${e.message}; only public addresses may receive webhooks`);
      throw DomainException.validation([{ field: 'url', messages: [`the host ${host} cannot be resolved`] }], '推送地址的域名无法解析');
    }
  }

  async create(user: AuthUser, input: { url: string; events: string[] }): Promise<WebhookEndpointView & { secret: string }> {
    const unknown = input.events.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length) throw DomainException.validation([{ field: 'events', messages: [`unknown event types: ${unknown.join(', ')}`] }]);
    await this.checkUrl(input.url);
    const secret = generateSecret();
    const [row] = await this.dataSource.query(
      `INSERT INTO webhook_endpoints (url, events, region_id, created_by, secret_enc) VALUES ($1, $2::text[], $3, $4, $5) RETURNING *`,
      [input.url, [...new Set(input.events)], user.regionId, user.id, this.cipher.encrypt(secret)],
    );
    return { ...toView(row), secret };
  }

  async list(user: AuthUser): Promise<{ items: WebhookEndpointView[] }> {
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT e.*, (SELECT jsonb_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM webhook_deliveries d WHERE d.endpoint_id = e.id GROUP BY status) s) AS counts
         FROM webhook_endpoints e WHERE e.status <> 'deleted' ORDER BY e.created_at DESC LIMIT 500`,
    );
    const items: WebhookEndpointView[] = [];
    for (const r of rows) if (await this.jurisdiction.staffCovers(user, r.region_id)) items.push({ ...toView(r), counts: r.counts ?? {} });
    return { items };
  }

  async get(user: AuthUser, id: string, m: EntityManager = this.dataSource.manager, lock = false): Promise<Record<string, any>> {
    const [row] = await m.query(`SELECT * FROM webhook_endpoints WHERE id = $1 AND status <> 'deleted' ${lock ? 'FOR UPDATE' : ''}`, [id]);
    if (!row || !(await this.jurisdiction.staffCovers(user, row.region_id, m))) throw DomainException.notFound(ErrorCode.WebhookNotFound);
    return row;
  }

  async view(user: AuthUser, id: string): Promise<WebhookEndpointView> {
    return toView(await this.get(user, id));
  }

  /** Deleted endpoints stop at once: their waiting deliveries are cancelled; the log stays. */
  async remove(user: AuthUser, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.get(user, id, m, true);
      await m.query(`UPDATE webhook_endpoints SET status = 'deleted', updated_at = now() WHERE id = $1`, [id]);
      await m.query(`UPDATE webhook_deliveries SET status = 'cancelled', lease_until = NULL WHERE endpoint_id = $1 AND status = 'pending'`, [id]);
    });
  }

  /** A new secret, shown once; the old one keeps signing too until `overlapHours` have passed. */
  async rotateSecret(user: AuthUser, id: string, overlapHours: number): Promise<WebhookEndpointView & { secret: string }> {
    return this.dataSource.transaction(async (m) => {
      await this.get(user, id, m, true);
      const secret = generateSecret();
      const until = new Date(this.clock.now().getTime() + overlapHours * 3600e3);
      const [[row]] = await m.query(
        `UPDATE webhook_endpoints SET previous_secret_enc = secret_enc, previous_secret_until = $2, secret_enc = $3, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [id, until, this.cipher.encrypt(secret)],
      );
      return { ...toView(row), secret };
    });
  }

  /** Turns a disabled endpoint (410, or by hand) back on; deliveries made from now on are sent. */
  async enable(user: AuthUser, id: string): Promise<WebhookEndpointView> {
    return this.dataSource.transaction(async (m) => {
      await this.get(user, id, m, true);
      const [[row]] = await m.query(
        `UPDATE webhook_endpoints SET status = 'active', disabled_reason = NULL, disabled_at = NULL, updated_at = now() WHERE id = $1 RETURNING *`,
        [id],
      );
      return toView(row);
    });
  }

  /**
   * Sends a delivery once more, now: one that is dead (its schedule ran out, or the endpoint answered
   * 410), cancelled, or failed and waiting for its next try. Same webhook-id, same body; the endpoint
   * must be active. Should that try fail too, a dead delivery is dead again (no new schedule).
   */
  async resend(user: AuthUser, endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    await this.dataSource.transaction(async (m) => {
      const endpoint = await this.get(user, endpointId, m, true);
      const [d] = await m.query(`SELECT status, attempts FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2 FOR UPDATE`, [deliveryId, endpointId]);
      if (!d) throw DomainException.notFound(ErrorCode.WebhookDeliveryNotFound);
      const failed = d.status === 'dead' || d.status === 'cancelled' || (d.status === 'pending' && d.attempts > 0);
      if (!failed) {
        throw new DomainException(ErrorCode.WebhookNotResendable, 409, undefined, [{ field: 'status', messages: [`a ${d.status} delivery is not resent`] }]);
      }
      if (endpoint.status !== 'active') throw new DomainException(ErrorCode.WebhookDisabled, 409);
      await m.query(`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, lease_until = NULL WHERE id = $1`, [deliveryId, this.clock.now()]);
    });
    const page = await this.deliveries(user, endpointId, { limit: 1, only: deliveryId });
    return page.items[0];
  }

  /** The delivery log of one endpoint, newest first, with each delivery's attempts. */
  async deliveries(user: AuthUser, id: string, q: { limit: number; cursor?: string; status?: string; only?: string }): Promise<{ items: WebhookDeliveryView[]; nextCursor: string | null }> {
    await this.get(user, id);
    const params: unknown[] = [id];
    const where = ['d.endpoint_id = $1'];
    if (q.status) {
      params.push(q.status);
      where.push(`d.status = $${params.length}`);
    }
    if (q.only) {
      params.push(q.only);
      where.push(`d.id = $${params.length}`);
    }
    const cursor = decodeCursor(q.cursor);
    if (cursor) {
      params.push(cursor.at, cursor.id);
      where.push(`(d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(q.limit + 1);
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT d.*, d.created_at::text AS cursor_at,
              COALESCE((SELECT jsonb_agg(jsonb_build_object('attempt', a.attempt, 'startedAt', a.started_at, 'finishedAt', a.finished_at,
                         'statusCode', a.status_code, 'error', a.error, 'responseExcerpt', a.response_excerpt) ORDER BY a.attempt DESC)
                         FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb) AS history
         FROM webhook_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        eventId: String(r.event_id),
        eventType: r.event_type,
        orderId: r.order_id,
        status: r.status,
        attempts: r.attempts,
        lastStatusCode: r.last_status_code,
        lastError: r.last_error,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
        createdAt: r.created_at,
        deliveredAt: r.delivered_at,
        history: r.history,
      })),
      nextCursor: more ? encodeCursor({ at: page[page.length - 1].cursor_at, id: page[page.length - 1].id }) : null,
    };
  }
}

function toView(r: Record<string, any>): WebhookEndpointView {
  return {
    id: r.id,
    url: r.url,
    events: r.events,
    status: r.status,
    disabledReason: r.disabled_reason,
    disabledAt: r.disabled_at,
    regionId: r.region_id,
    previousSecretUntil: r.previous_secret_until,
    createdAt: r.created_at,
  };
}
