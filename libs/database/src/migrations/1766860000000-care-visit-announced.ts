import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `visit_due`: on the morning of its local day each open visit task is announced once to its
 * assignee (or the assigned team's members). `announced_at` makes the announcement happen once,
 * whichever dispatcher's sweep sees it first and however often the sweep runs.
 */
export class CareVisitAnnounced1766860000000 implements MigrationInterface {
  name = 'CareVisitAnnounced1766860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE care_visits ADD COLUMN announced_at timestamptz`);
    await q.query(`CREATE INDEX care_visits_unannounced ON care_visits (due_at) WHERE status = 'open' AND announced_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX care_visits_unannounced`);
    await q.query(`ALTER TABLE care_visits DROP COLUMN announced_at`);
  }
}
