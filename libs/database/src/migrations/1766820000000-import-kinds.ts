import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spreadsheet import of teams, team members and menu items beside 一人一档: `import_runs.kind` takes
 * the new kinds. Teams are matched by region and name (teams_region_idx), members by team and phone
 * (blind index), menu items by code, so no key table is needed for them.
 */
export class ImportKinds1766820000000 implements MigrationInterface {
  name = 'ImportKinds1766820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check`);
    await q.query(`ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_check CHECK (kind IN ('beneficiaries', 'teams', 'team-members', 'services'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM import_runs WHERE kind <> 'beneficiaries'`);
    await q.query(`ALTER TABLE import_runs DROP CONSTRAINT import_runs_kind_check`);
    await q.query(`ALTER TABLE import_runs ADD CONSTRAINT import_runs_kind_check CHECK (kind IN ('beneficiaries'))`);
  }
}
