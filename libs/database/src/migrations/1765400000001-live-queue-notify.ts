import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The staff console's live queue: every timeline entry that moves an order into or out of a state
 * needing a person (pending review, escalated, an open offer) is announced with NOTIFY on the
 * channel `xinyuan_queue`, whichever app wrote it (api, dispatcher, rating). Every api replica
 * LISTENs and pushes a fresh queue to its server-sent-event subscribers. Delivery is transactional:
 * a rolled-back change announces nothing.
 *
 * NOTIFY serialises committing transactions that notify on one lock, so the trigger fires only for
 * the queue's own transitions; placing an order and the first offer (the intake path) stay silent.
 */
export class LiveQueueNotify1765400000001 implements MigrationInterface {
  name = 'LiveQueueNotify1765400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION order_events_notify_queue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('xinyuan_queue', json_build_object(
          'orderId', NEW.order_id, 'type', NEW.type, 'from', NEW.from_status, 'to', NEW.to_status)::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER order_events_notify_queue AFTER INSERT ON order_events FOR EACH ROW
        WHEN (NEW.to_status IN ('pending_review', 'escalated')
              OR NEW.from_status IN ('pending_review', 'escalated', 'offered'))
        EXECUTE FUNCTION order_events_notify_queue()`);
    // the dashboard groups by day and region: orders of a period are read by creation time
    await q.query(`CREATE INDEX IF NOT EXISTS orders_created_idx ON orders (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS orders_created_idx`);
    await q.query(`DROP TRIGGER order_events_notify_queue ON order_events`);
    await q.query(`DROP FUNCTION order_events_notify_queue()`);
  }
}
