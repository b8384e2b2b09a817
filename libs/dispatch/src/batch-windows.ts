import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '@xinyuan/config';
import type { OrderRecord } from '@xinyuan/orders';
import { batchDueAt } from './assignment/batch-window';

/** How long the menu items' windows are cached: an edited window applies within this much. */
const REFRESH_MS = 30_000;

/**
 * The menu items' batch windows (services.batch_window_seconds), read once per REFRESH_MS instead of
 * once per order, and the due time of an order under them (see `batchDueAt`).
 */
@Injectable()
export class BatchWindows {
  private windows = new Map<string, number>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;

  constructor(private readonly config: AppConfig) {}

  /** When `order` is due for batch matching (epoch ms), or null when it is decided now. */
  async dueAt(m: EntityManager, order: Pick<OrderRecord, 'serviceId' | 'urgent' | 'preferredStart' | 'createdAt'>, now = Date.now()): Promise<number | null> {
    if (order.urgent) return null;
    const windowSeconds = (await this.current(m, now)).get(order.serviceId) ?? 0;
    return batchDueAt(
      {
        urgent: order.urgent,
        preferredStart: order.preferredStart ? new Date(order.preferredStart).getTime() : null,
        placedAt: new Date(order.createdAt).getTime(),
        windowSeconds,
      },
      now,
      this.config.DISPATCH_BATCH_IMMINENT_MINUTES * 60_000,
    );
  }

  /** `m`: the caller's connection (it may hold a row lock; a second one from the pool could be long in coming). */
  private async current(m: EntityManager, now: number): Promise<Map<string, number>> {
    if (now - this.loadedAt >= REFRESH_MS) {
      this.loading ??= this.load(m, now).finally(() => (this.loading = null));
      await this.loading;
    }
    return this.windows;
  }

  private async load(m: EntityManager, now: number): Promise<void> {
    const rows: { id: string; batch_window_seconds: number }[] = await m.query(
      `SELECT id, batch_window_seconds FROM services WHERE batch_window_seconds > 0`,
    );
    this.windows = new Map(rows.map((r) => [r.id, r.batch_window_seconds]));
    this.loadedAt = now;
  }
}
