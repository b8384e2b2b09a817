import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Menu items belong to a jurisdiction: `services.region_id` NULL is a deployment-wide item (edited
 * only by the everything-scope admin); otherwise the county (a root region) that added the item, which
 * only that county's admins edit and only orders inside that county may use. Existing items stay
 * deployment-wide.
 */
export class MenuJurisdiction1766300000000 implements MigrationInterface {
  name = 'MenuJurisdiction1766300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE services ADD COLUMN region_id uuid REFERENCES regions(id)`);
    await q.query(`CREATE INDEX services_region_idx ON services (region_id) WHERE region_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX services_region_idx`);
    await q.query(`ALTER TABLE services DROP COLUMN region_id`);
  }
}
