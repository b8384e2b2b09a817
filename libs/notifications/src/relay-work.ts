import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@xinyuan/common';
import { AppConfig } from '@xinyuan/config';
import { OUTBOX_CONSUMER, OutboxReader } from '@xinyuan/outbox';
import { OutboxFanout, NotificationTimers } from './fanout';

export interface DueDelivery {
  id: string;
  attempts: number;
  dueAt: Date;
}

export interface SweepReport {
  leasesRecovered: number;
  timersFired: number;
  notifications: number;
  due: DueDelivery[];
}

/**
 * The relay's two kinds of work, both derived from Postgres so that nothing lives only in Redis:
 * `pump` turns new outbox events into notifications and deliveries; `sweep` (periodic) fires due
 * reminders, takes back sends whose relay died (lease passed: retried with the same key), and lists
 * every delivery due now — held ones whose quiet hours, cap or coalescing window ended, retries whose
 * back-off passed — for the relay to enqueue.
 */
@Injectable()
export class RelayWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly outbox: OutboxReader,
    private readonly fanout: OutboxFanout,
    private readonly timers: NotificationTimers,
    private readonly clock: Clock,
  ) {}

  /** One batch of outbox events; returns how many were handled and the deliveries due at once. */
  async pump(): Promise<{ events: number; notifications: number; due: DueDelivery[] }> {
    const now = this.clock.now();
    let composed: Awaited<ReturnType<OutboxFanout['handle']>> | null = null;
    const events = await this.outbox.drain(OUTBOX_CONSUMER.notifications, this.config.NOTIFY_BATCH, async (m, rows) => {
      composed = await this.fanout.handle(m, rows, now);
    });
    const c = composed as Awaited<ReturnType<OutboxFanout['handle']>> | null;
    return { events, notifications: c?.notifications ?? 0, due: c?.dueNow ?? [] };
  }

  async sweep(): Promise<SweepReport> {
    const now = this.clock.now();
    const recovered = await this.dataSource.query(
      `WITH r AS (UPDATE notification_deliveries SET status = 'pending', due_at = $1, held_reason = 'lease_expired', lease_until = NULL
                   WHERE status = 'sending' AND lease_until < $1 RETURNING 1) SELECT count(*)::int AS n FROM r`,
      [now],
    );
    const fired = await this.dataSource.transaction((m) => this.timers.fireDue(m, now, 500));
    const due: { id: string; attempts: number; due_at: Date }[] = await this.dataSource.query(
      `SELECT id, attempts, due_at FROM notification_deliveries WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT 5000`,
      [now],
    );
    return {
      leasesRecovered: recovered[0].n,
      timersFired: fired.notifications,
      notifications: fired.notifications,
      due: due.map((d) => ({ id: d.id, attempts: d.attempts, dueAt: d.due_at })),
    };
  }

  /** Handled outbox events older than a week are deleted. */
  async prune(): Promise<number> {
    return this.outbox.prune(7);
  }
}
