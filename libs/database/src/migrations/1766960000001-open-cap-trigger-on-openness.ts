import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open-order cap's counter changes only when an order becomes open or stops being open, yet its
 * trigger ran (with the open311 exemption's look-up) on every status change: dispatching → offered,
 * offered → dispatching, accepted → in_service, … — the function then did nothing. The trigger now
 * fires only when `order_is_open` differs between the old and the new status (an inlined IMMUTABLE
 * SQL function), which saves a PL/pgSQL call and a look-up on each offer the dispatcher makes; the
 * function itself is unchanged, so the counts are the same.
 */
export class OpenCapTriggerOnOpenness1766960000001 implements MigrationInterface {
  name = 'OpenCapTriggerOnOpenness1766960000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER orders_open_cap_status ON orders`);
    await q.query(`CREATE TRIGGER orders_open_cap_status AFTER UPDATE OF status ON orders FOR EACH ROW
                   WHEN (order_is_open(OLD.status) <> order_is_open(NEW.status) AND NOT order_cap_exempt(NEW.resident_id))
                   EXECUTE FUNCTION orders_open_cap()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER orders_open_cap_status ON orders`);
    await q.query(`CREATE TRIGGER orders_open_cap_status AFTER UPDATE OF status ON orders FOR EACH ROW
                   WHEN (OLD.status IS DISTINCT FROM NEW.status AND NOT order_cap_exempt(NEW.resident_id)) EXECUTE FUNCTION orders_open_cap()`);
  }
}
