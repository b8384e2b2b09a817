import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dispatch v2: region paths for jurisdiction, urgent orders, the widening scope of an order, grab
 * mode (several pending offers per order, one per team), and indexes for the scoring features.
 */
export class DispatchV21764000000000 implements MigrationInterface {
  name = 'DispatchV21764000000000';

  async up(q: QueryRunner): Promise<void> {
    // ancestors of a region, root first, itself last: jurisdiction tests become `= ANY(path)`
    await q.query(`ALTER TABLE regions ADD COLUMN path uuid[]`);
    await q.query(`
      WITH RECURSIVE tree AS (
        SELECT id, ARRAY[id] AS path FROM regions WHERE parent_id IS NULL
        UNION ALL
        SELECT r.id, tree.path || r.id FROM regions r JOIN tree ON r.parent_id = tree.id
      )
      UPDATE regions SET path = tree.path FROM tree WHERE regions.id = tree.id`);
    await q.query(`UPDATE regions SET path = ARRAY[id] WHERE path IS NULL`);
    await q.query(`ALTER TABLE regions ALTER COLUMN path SET NOT NULL`);
    await q.query(`
      CREATE FUNCTION regions_set_path() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.parent_id IS NULL THEN
          NEW.path := ARRAY[NEW.id];
        ELSE
          SELECT p.path || NEW.id INTO NEW.path FROM regions p WHERE p.id = NEW.parent_id;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER regions_path BEFORE INSERT OR UPDATE OF parent_id ON regions
                   FOR EACH ROW EXECUTE FUNCTION regions_set_path()`);

    await q.query(`ALTER TABLE services ADD COLUMN offer_mode text NOT NULL DEFAULT 'offer' CHECK (offer_mode IN ('offer', 'grab'))`);

    await q.query(`ALTER TABLE orders ADD COLUMN urgent boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE orders ADD COLUMN dispatch_scope text
                     CHECK (dispatch_scope IN ('station', 'township', 'county', 'open'))`);
    await q.query(`ALTER TABLE orders ADD COLUMN scope_started_at timestamptz`);

    await q.query(`ALTER TABLE offers ADD COLUMN mode text NOT NULL DEFAULT 'offer' CHECK (mode IN ('offer', 'grab'))`);
    // one pending offer per order in offer mode; in grab mode several, but one per team
    await q.query(`DROP INDEX offers_one_pending_per_order`);
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_order ON offers (order_id) WHERE status = 'pending' AND mode = 'offer'`);
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_order_team ON offers (order_id, team_id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX offers_team_recent_idx ON offers (team_id, created_at)`);
    await q.query(`CREATE INDEX orders_resident_team_idx ON orders (resident_id, team_id) WHERE team_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_resident_team_idx`);
    await q.query(`DROP INDEX offers_team_recent_idx`);
    await q.query(`DROP INDEX offers_one_pending_per_order_team`);
    await q.query(`DROP INDEX offers_one_pending_per_order`);
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_order ON offers (order_id) WHERE status = 'pending'`);
    await q.query(`ALTER TABLE offers DROP COLUMN mode`);
    await q.query(`ALTER TABLE orders DROP COLUMN scope_started_at`);
    await q.query(`ALTER TABLE orders DROP COLUMN dispatch_scope`);
    await q.query(`ALTER TABLE orders DROP COLUMN urgent`);
    await q.query(`ALTER TABLE services DROP COLUMN offer_mode`);
    await q.query(`DROP TRIGGER regions_path ON regions`);
    await q.query(`DROP FUNCTION regions_set_path()`);
    await q.query(`ALTER TABLE regions DROP COLUMN path`);
  }
}
