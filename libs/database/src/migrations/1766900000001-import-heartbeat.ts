import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A background import whose api process died stayed `running` for ever. The writer now beats
 * (`heartbeat_at`, at the start and after each batch); a run whose heartbeat is older than a few
 * minutes is shown as `failed` (the rows of committed batches stay; importing the file again adds
 * only what is missing).
 */
export class ImportHeartbeat1766900000001 implements MigrationInterface {
  name = 'ImportHeartbeat1766900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_runs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_runs DROP COLUMN heartbeat_at`);
  }
}
