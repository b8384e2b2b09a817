import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { OutboxEventRow } from './outbox.tables';

/**
 * Reads the outbox for one consumer. `drain` claims up to `limit` events that consumer has not
 * handled (FOR UPDATE SKIP LOCKED, so several processes share the work), lets `handle` write its
 * own rows on the same transaction, and deletes the claims in it: an event is handled exactly once
 * per consumer, or not at all when the transaction fails (it is then claimed again).
 */
@Injectable()
export class OutboxReader {
  constructor(private readonly dataSource: DataSource) {}

  async drain(consumer: string, limit: number, handle: (m: EntityManager, events: OutboxEventRow[]) => Promise<void>): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const claimed: { event_id: string }[] = await m.query(
        `SELECT event_id FROM outbox_pending WHERE consumer = $1 ORDER BY event_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [consumer, limit],
      );
      if (claimed.length === 0) return 0;
      const ids = claimed.map((c) => c.event_id);
      const events: OutboxEventRow[] = await m.query(`SELECT * FROM outbox_events WHERE id = ANY($1::bigint[]) ORDER BY id`, [ids]);
      await handle(m, events);
      await m.query(`DELETE FROM outbox_pending WHERE consumer = $1 AND event_id = ANY($2::bigint[])`, [consumer, ids]);
      return claimed.length;
    });
  }

  /** Events every consumer has handled, older than `days`, are deleted (a few thousand per call). */
  async prune(days: number): Promise<number> {
    const rows = await this.dataSource.query(
      `WITH old AS (SELECT e.id FROM outbox_events e
                     WHERE e.created_at < now() - make_interval(days => $1)
                       AND NOT EXISTS (SELECT 1 FROM outbox_pending p WHERE p.event_id = e.id)
                     ORDER BY e.id LIMIT 5000),
            gone AS (DELETE FROM outbox_events WHERE id IN (SELECT id FROM old) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [days],
    );
    return rows[0].n;
  }
}
