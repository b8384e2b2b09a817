import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spreadsheet import (一人一档 from the spreadsheets a county already keeps).
 *
 * - `beneficiary_import_keys`: which profile a row of an imported file is, by a natural key — the
 *   identity number, else name and address — stored only as a keyed hash (PiiCipher blind index),
 *   with a hash of the row's content. Re-importing the same row finds the same profile and, when the
 *   content hash is the same, changes nothing; a changed row updates the profile. The key is written
 *   in the statement that creates the profile (ON CONFLICT DO NOTHING), so two imports at once create
 *   one profile.
 * - `import_runs`: each run (dry or real), its counts, progress and the problems of each row (row
 *   number, column, message; no cell values), for the console.
 */
export class Imports1766700000001 implements MigrationInterface {
  name = 'Imports1766700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE beneficiary_import_keys (
        key_bidx        text PRIMARY KEY,
        beneficiary_id  uuid NOT NULL REFERENCES beneficiaries(id),
        row_hash        text NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX beneficiary_import_keys_beneficiary_idx ON beneficiary_import_keys (beneficiary_id)`);
    await q.query(`
      CREATE TABLE import_runs (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind        text NOT NULL CHECK (kind IN ('beneficiaries')),
        actor_id    uuid NOT NULL REFERENCES users(id),
        region_id   uuid REFERENCES regions(id),
        file_name   text,
        file_sha256 text NOT NULL,
        dry_run     boolean NOT NULL,
        mode        text NOT NULL CHECK (mode IN ('file', 'row')),
        status      text NOT NULL CHECK (status IN ('running', 'dry_run', 'imported', 'partial', 'rejected', 'failed')),
        total       integer NOT NULL DEFAULT 0,
        processed   integer NOT NULL DEFAULT 0,
        created     integer NOT NULL DEFAULT 0,
        updated     integer NOT NULL DEFAULT 0,
        unchanged   integer NOT NULL DEFAULT 0,
        bad_rows    integer NOT NULL DEFAULT 0,
        errors      jsonb NOT NULL DEFAULT '[]',
        created_at  timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX import_runs_actor_idx ON import_runs (actor_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE import_runs`);
    await q.query(`DROP TABLE beneficiary_import_keys`);
  }
}
