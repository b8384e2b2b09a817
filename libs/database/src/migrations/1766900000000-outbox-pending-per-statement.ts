import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each outbox event is queued for every consumer by one INSERT per statement rather than one per
 * row: a statement-level trigger reads the statement's new events from its transition table. The
 * care sweep writes thousands of events in one statement (a county's deadline falls for everyone
 * at once); the row trigger spent more time queueing them than the sweep spent opening the alerts.
 * A single-row insert (an order's step, an offer) queues exactly as before.
 */
export class OutboxPendingPerStatement1766900000000 implements MigrationInterface {
  name = 'OutboxPendingPerStatement1766900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION outbox_events_pending_per_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_pending (consumer, event_id) SELECT c.name, n.id FROM new_events n CROSS JOIN outbox_consumers c;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER outbox_events_pending ON outbox_events`);
    await q.query(`
      CREATE TRIGGER outbox_events_pending AFTER INSERT ON outbox_events REFERENCING NEW TABLE AS new_events
        FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_pending_per_statement()`);
    await q.query(`DROP FUNCTION outbox_events_pending()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION outbox_events_pending() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_pending (consumer, event_id) SELECT name, NEW.id FROM outbox_consumers;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER outbox_events_pending ON outbox_events`);
    await q.query(`CREATE TRIGGER outbox_events_pending AFTER INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION outbox_events_pending()`);
    await q.query(`DROP FUNCTION outbox_events_pending_per_statement()`);
  }
}
