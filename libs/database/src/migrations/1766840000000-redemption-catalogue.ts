import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 爱心超市 catalogue and safer redemptions:
 * - `redemption_items`: what a jurisdiction's 爱心超市 offers and its points price, set by staff of
 *   that region (a county's items are offered in all its stations); retired items stay for history;
 * - `redemptions` name the catalogue item and a quantity (the price comes from the catalogue, never
 *   from the volunteer) and keep the request's `Idempotency-Key` (one redemption per key and
 *   volunteer: a double tap answers the first redemption, never a second debit).
 * Rows made before this migration keep `item_id` NULL (a free-text item of the old API).
 */
export class RedemptionCatalogue1766840000000 implements MigrationInterface {
  name = 'RedemptionCatalogue1766840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE redemption_items (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      region_id uuid NOT NULL REFERENCES regions(id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      points integer NOT NULL CHECK (points BETWEEN 1 AND 100000),
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      retired_at timestamptz,
      retired_by uuid REFERENCES users(id)
    )`);
    await q.query(`CREATE INDEX redemption_items_region_idx ON redemption_items (region_id) WHERE retired_at IS NULL`);
    await q.query(`ALTER TABLE redemptions
      ADD COLUMN item_id uuid REFERENCES redemption_items(id),
      ADD COLUMN quantity integer NOT NULL DEFAULT 1 CHECK (quantity BETWEEN 1 AND 99),
      ADD COLUMN idempotency_key text,
      ADD COLUMN request_hash text,
      ADD CONSTRAINT redemptions_key_with_hash CHECK ((idempotency_key IS NULL) = (request_hash IS NULL))`);
    await q.query(`CREATE UNIQUE INDEX redemptions_one_per_key ON redemptions (volunteer_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX redemptions_one_per_key`);
    await q.query(`ALTER TABLE redemptions DROP CONSTRAINT redemptions_key_with_hash, DROP COLUMN request_hash, DROP COLUMN idempotency_key,
      DROP COLUMN quantity, DROP COLUMN item_id`);
    await q.query(`DROP TABLE redemption_items`);
  }
}
