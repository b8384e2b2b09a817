import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PiiCipher, UUID_RE } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { OutboxReader } from '@xinyuan/outbox';
import { guardedPost, PostOutcome } from './guarded-post';
import { signatureHeader } from './signing';
import { nextAttemptDelay, OrderFacts, OutboxFact, toWebhookEvent, webhookBody } from './webhook-events';

export const WEBHOOKS_CONSUMER = 'webhooks';

interface Claimed {
  id: string;
  endpoint_id: string;
  url: string;
  payload: string;
  attempts: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_until: Date | null;
}

/**
 * The webhook half of the relay (runs in apps/relay beside the notifications):
 *
 * - `fanOut` drains the outbox as the `webhooks` consumer: for each event an endpoint subscribed to
 *   (and whose region covers the order), one `webhook_deliveries` row, in the transaction that
 *   deletes the claim; UNIQUE (endpoint, event) makes a second handling a no-op.
 * - `sendDue` claims due deliveries (pending and due, or `sending` with a lapsed lease: their relay
 *   died) with SKIP LOCKED, commits the claim, POSTs, and records the outcome: delivered on 2xx;
 *   410 disables the endpoint; anything else waits for the next step of the schedule, or is dead
 *   after the last one. Everything is in Postgres: a flushed Redis changes nothing, a killed relay's
 *   sends are taken back after WEBHOOK_SEND_LEASE_MS with the same webhook-id.
 *
 * Time (due, back-off, leases, secret overlap) is read from the injected Clock.
 */
@Injectable()
export class WebhookRelay {
  private readonly logger = new Logger(WebhookRelay.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxReader,
    private readonly cipher: PiiCipher,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** Turns up to `limit` outbox events into deliveries; answers how many events were handled. */
  async fanOut(limit = 200): Promise<number> {
    return this.outbox.drain(WEBHOOKS_CONSUMER, limit, async (m, events) => {
      const orderIds = [...new Set(events.map((e) => e.order_id).filter((id): id is string => !!id))];
      // a care event's subject is its alert; the person it is about (whose region counts) is in its data
      const personOf = (e: { type: string; data?: Record<string, unknown> | null }) =>
        e.type.startsWith('care.') && typeof e.data?.beneficiaryId === 'string' && UUID_RE.test(e.data.beneficiaryId) ? e.data.beneficiaryId : null;
      const subjectIds = [...new Set(events.map(personOf).filter((id): id is string => !!id))];
      const facts = new Map<string, OrderFacts & { path: string[] | null }>();
      if (orderIds.length) {
        const rows: { id: string; region_id: string | null; service_code: string; team_id: string | null; path: string[] | null }[] = await m.query(
          `SELECT o.id, o.region_id, o.service_code, o.team_id, r.path FROM orders o LEFT JOIN regions r ON r.id = o.region_id WHERE o.id = ANY($1::uuid[])`,
          [orderIds],
        );
        for (const r of rows) facts.set(r.id, { regionId: r.region_id, serviceCode: r.service_code, teamId: r.team_id, path: r.path });
      }
      const subjectPaths = new Map<string, string[] | null>();
      if (subjectIds.length) {
        const rows: { id: string; path: string[] | null }[] = await m.query(
          `SELECT b.id, r.path FROM beneficiaries b LEFT JOIN regions r ON r.id = b.region_id WHERE b.id = ANY($1::uuid[])`,
          [subjectIds],
        );
        for (const r of rows) subjectPaths.set(r.id, r.path);
      }
      const endpoints: { id: string; events: string[]; region_id: string | null }[] = await m.query(
        `SELECT id, events, region_id FROM webhook_endpoints WHERE status = 'active'`,
      );
      if (!endpoints.length) return;
      const now = this.clock.now();
      const rows: unknown[][] = [];
      for (const e of events) {
        const order = e.order_id ? facts.get(e.order_id) ?? null : null;
        const event = toWebhookEvent(e as OutboxFact, order);
        if (!event) continue;
        const person = personOf(e);
        const path = order ? order.path : person ? subjectPaths.get(person) ?? null : null;
        const body = webhookBody(event);
        for (const ep of endpoints) {
          if (!ep.events.includes(event.type)) continue;
          // an admin's endpoint hears about its own jurisdiction only
          if (ep.region_id && !(path ?? []).includes(ep.region_id)) continue;
          rows.push([ep.id, e.id, event.type, event.orderId, body]);
        }
      }
      if (!rows.length) return;
      await m.query(
        `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, order_id, payload, next_attempt_at)
         SELECT x.endpoint_id, x.event_id, x.event_type, x.order_id, x.payload, $2
           FROM jsonb_to_recordset($1::jsonb) AS x(endpoint_id uuid, event_id bigint, event_type text, order_id uuid, payload text)
         ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO NOTHING`,
        [JSON.stringify(rows.map(([endpoint_id, event_id, event_type, order_id, payload]) => ({ endpoint_id, event_id, event_type, order_id, payload }))), now],
      );
    });
  }

  /** Claims and sends the deliveries due now (up to WEBHOOK_CONCURRENCY at once); answers how many were sent. */
  async sendDue(): Promise<number> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.config.WEBHOOK_SEND_LEASE_MS);
    const claimed: Claimed[] = await this.dataSource.transaction(async (m) => {
      const rows: Claimed[] = await m.query(
        `WITH due AS (
           SELECT d.id FROM webhook_deliveries d
            WHERE (d.status = 'pending' AND d.next_attempt_at <= $1) OR (d.status = 'sending' AND d.lease_until <= $1)
            ORDER BY d.next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
         claimed AS (
           UPDATE webhook_deliveries d SET status = 'sending', lease_until = $2, attempts = d.attempts + 1
             FROM due WHERE d.id = due.id RETURNING d.id, d.endpoint_id, d.payload, d.attempts)
         SELECT c.*, e.url, e.secret_enc, e.previous_secret_enc, e.previous_secret_until, e.status AS endpoint_status
           FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
        [now, leaseUntil, this.config.WEBHOOK_CONCURRENCY],
      );
      const gone = rows.filter((r) => (r as unknown as { endpoint_status: string }).endpoint_status !== 'active');
      if (gone.length) {
        // the endpoint was disabled or deleted since: nothing more is sent to it
        await m.query(`UPDATE webhook_deliveries SET status = 'cancelled', lease_until = NULL WHERE id = ANY($1::uuid[])`, [gone.map((g) => g.id)]);
      }
      const live = rows.filter((r) => !gone.includes(r));
      if (live.length) {
        await m.query(
          `INSERT INTO webhook_attempts (delivery_id, attempt, started_at)
           SELECT x.id, x.attempt, $2 FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, attempt int)
           ON CONFLICT ON CONSTRAINT webhook_attempts_once DO NOTHING`,
          [JSON.stringify(live.map((r) => ({ id: r.id, attempt: r.attempts }))), now],
        );
      }
      return live;
    });
    await Promise.all(claimed.map((c) => this.send(c)));
    return claimed.length;
  }

  private async send(c: Claimed): Promise<void> {
    const now = this.clock.now();
    const timestamp = Math.floor(now.getTime() / 1000);
    const secrets = [this.cipher.decrypt(c.secret_enc)];
    if (c.previous_secret_enc && c.previous_secret_until && new Date(c.previous_secret_until) > now) secrets.push(this.cipher.decrypt(c.previous_secret_enc));
    let outcome: PostOutcome;
    try {
      outcome = await guardedPost(
        c.url,
        { 'webhook-id': c.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, c.id, timestamp, c.payload) },
        c.payload,
        { timeoutMs: this.config.WEBHOOK_TIMEOUT_MS, allowPrivate: this.config.WEBHOOK_ALLOW_PRIVATE === 'true' },
      );
    } catch (e) {
      outcome = { statusCode: null, error: `send: ${(e as Error).message}`, excerpt: null };
    }
    try {
      await this.record(c, outcome);
    } catch (e) {
      // the lease brings the delivery back; the receiver sees the same webhook-id again
      this.logger.warn(`webhook outcome not recorded (${c.id}): ${(e as Error).message}`);
    }
  }

  private async record(c: Claimed, o: PostOutcome): Promise<void> {
    const now = this.clock.now();
    const ok = o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;
    const gone = o.statusCode === 410;
    const delay = ok || gone ? null : nextAttemptDelay(c.attempts);
    const status = ok ? 'delivered' : gone || delay === null ? 'dead' : 'pending';
    const error = o.error ?? (ok ? null : `HTTP ${o.statusCode}`);
    await this.dataSource.transaction(async (m) => {
      const [, updated] = await m.query(
        `UPDATE webhook_deliveries SET status = $3, lease_until = NULL, last_status_code = $4, last_error = $5,
                next_attempt_at = COALESCE($6, next_attempt_at), delivered_at = CASE WHEN $3 = 'delivered' THEN $7 ELSE delivered_at END
          WHERE id = $1 AND status = 'sending' AND attempts = $2`,
        [c.id, c.attempts, status, o.statusCode, error, delay === null ? null : new Date(now.getTime() + delay), now],
      );
      await m.query(
        `UPDATE webhook_attempts SET finished_at = $3, status_code = $4, error = $5, response_excerpt = $6 WHERE delivery_id = $1 AND attempt = $2`,
        [c.id, c.attempts, now, o.statusCode, o.error, o.excerpt],
      );
      if (gone && updated) {
        // 410 Gone: the receiver asks us to stop — the endpoint is disabled and its queue cancelled
        await m.query(
          `UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'gone', disabled_at = $2, updated_at = now() WHERE id = $1 AND status = 'active'`,
          [c.endpoint_id, now],
        );
        await m.query(`UPDATE webhook_deliveries SET status = 'cancelled' WHERE endpoint_id = $1 AND status = 'pending'`, [c.endpoint_id]);
      }
    });
  }
}
