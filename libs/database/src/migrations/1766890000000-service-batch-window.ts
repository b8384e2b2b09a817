import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A menu item may let its orders wait a little before they are matched (batch assignment): up to
 * `batch_window_seconds` (0 = no wait of its own, 60 at most) for non-urgent orders whose preferred
 * start is not imminent. Bounded in the table as well as in the API, so no path can store a wait
 * a resident would notice.
 */
export class ServiceBatchWindow1766890000000 implements MigrationInterface {
  name = 'ServiceBatchWindow1766890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE services ADD COLUMN batch_window_seconds smallint NOT NULL DEFAULT 0
         CONSTRAINT services_batch_window_range CHECK (batch_window_seconds BETWEEN 0 AND 60)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE services DROP COLUMN batch_window_seconds`);
  }
}
