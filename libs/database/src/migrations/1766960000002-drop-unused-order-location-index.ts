import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `orders_location_gist` (from the initial schema) serves no query: nothing searches orders by place
 * (the candidate search walks the teams' index from the order's point; maps list orders by status
 * and region). Every new order and every status change (a status change is never a HOT update:
 * status is in the open-orders index) still inserted an entry into it. Right after a checkpoint, an
 * order's status change wrote 4.6 KB of WAL with it and 4.2 KB without (8,000 updates on the quick
 * bench world, two runs each). Dropped CONCURRENTLY, so a live deployment keeps writing orders.
 */
export class DropUnusedOrderLocationIndex1766960000002 implements MigrationInterface {
  name = 'DropUnusedOrderLocationIndex1766960000002';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS orders_location_gist`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_location_gist ON orders USING gist (location)`);
  }
}
