import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The volunteer's service record (志愿服务记录):
 * - `service_records` gains the facts of a verified visit: the check-in distance and an override
 *   reason, a separate check-out (签退) with its place, and fraud flags raised at check-in;
 * - `service_credits`: one per volunteer and service (or activity) — the minutes claimed and whether
 *   they are verified, pending (and why) or rejected; the only mutable part of the record;
 * - `service_ledger`: the append-only ledger of credited minutes (a trigger refuses UPDATE, DELETE
 *   and TRUNCATE); a correction is a reversing row plus a new one, never an update;
 * - `correction_requests`: a volunteer asks, staff decide;
 * - `certificates`: numbered 志愿服务记录证明, publicly verifiable, revocable.
 */
export class ServiceRecord1766600000000 implements MigrationInterface {
  name = 'ServiceRecord1766600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_records
      ADD COLUMN check_in_distance_m integer,
      ADD COLUMN check_in_override_reason text,
      ADD COLUMN checked_out_at timestamptz,
      ADD COLUMN checked_out_by uuid REFERENCES users(id),
      ADD COLUMN check_out_location geography(Point, 4326),
      ADD COLUMN check_out_distance_m integer,
      ADD COLUMN flags text[] NOT NULL DEFAULT '{}',
      ADD CONSTRAINT service_records_checkout_after_checkin CHECK (checked_out_at IS NULL OR (checked_in_at IS NOT NULL AND checked_out_at >= checked_in_at))`);
    await q.query(`CREATE INDEX service_records_checked_in_by_idx ON service_records (checked_in_by, checked_in_at DESC) WHERE checked_in_at IS NOT NULL`);

    await q.query(`CREATE TABLE service_credits (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      volunteer_id uuid NOT NULL REFERENCES users(id),
      source_type text NOT NULL CHECK (source_type IN ('order', 'activity')),
      source_id uuid NOT NULL,
      region_id uuid REFERENCES regions(id),
      team_id uuid REFERENCES teams(id),
      service_code text,
      content text NOT NULL,
      minutes integer NOT NULL CHECK (minutes >= 0 AND minutes <= 1440),
      started_at timestamptz NOT NULL,
      ended_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'verified', 'rejected')),
      pending_reasons text[] NOT NULL DEFAULT '{}',
      recipient_confirmed_at timestamptz,
      recipient_id uuid REFERENCES users(id),
      reviewed_by uuid REFERENCES users(id),
      reviewed_at timestamptz,
      review_note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT service_credits_once UNIQUE (volunteer_id, source_type, source_id),
      CONSTRAINT service_credits_interval CHECK (ended_at >= started_at)
    )`);
    await q.query(`CREATE INDEX service_credits_volunteer_time_idx ON service_credits (volunteer_id, started_at)`);
    await q.query(`CREATE INDEX service_credits_pending_idx ON service_credits (region_id, created_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX service_credits_source_idx ON service_credits (source_type, source_id)`);

    await q.query(`CREATE TABLE service_ledger (
      id bigserial PRIMARY KEY,
      volunteer_id uuid NOT NULL REFERENCES users(id),
      credit_id uuid REFERENCES service_credits(id),
      kind text NOT NULL CHECK (kind IN ('credit', 'reversal', 'correction')),
      minutes integer NOT NULL,
      content text NOT NULL,
      service_code text,
      source_type text NOT NULL CHECK (source_type IN ('order', 'activity', 'correction')),
      source_id uuid,
      region_id uuid REFERENCES regions(id),
      organiser text NOT NULL,
      confirmation text NOT NULL,
      reverses_id bigint REFERENCES service_ledger(id),
      reason text,
      actor_id uuid REFERENCES users(id),
      served_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT service_ledger_reversal_names_entry CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
      CONSTRAINT service_ledger_correction_has_reason CHECK (kind = 'credit' OR (reason IS NOT NULL AND actor_id IS NOT NULL))
    )`);
    // an entry is reversed at most once; a credit enters the ledger at most once
    await q.query(`CREATE UNIQUE INDEX service_ledger_one_reversal ON service_ledger (reverses_id) WHERE reverses_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX service_ledger_one_credit ON service_ledger (credit_id) WHERE kind = 'credit'`);
    await q.query(`CREATE INDEX service_ledger_volunteer_idx ON service_ledger (volunteer_id, id)`);
    await q.query(`
      CREATE FUNCTION service_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'service_ledger is append-only: % refused (correct with a reversing entry)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER service_ledger_no_update_delete BEFORE UPDATE OR DELETE ON service_ledger
                   FOR EACH ROW EXECUTE FUNCTION service_ledger_append_only()`);
    await q.query(`CREATE TRIGGER service_ledger_no_truncate BEFORE TRUNCATE ON service_ledger
                   FOR EACH STATEMENT EXECUTE FUNCTION service_ledger_append_only()`);

    await q.query(`CREATE TABLE correction_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      volunteer_id uuid NOT NULL REFERENCES users(id),
      entry_id bigint NOT NULL REFERENCES service_ledger(id),
      minutes integer NOT NULL CHECK (minutes >= 0 AND minutes <= 1440),
      reason text NOT NULL,
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
      decided_by uuid REFERENCES users(id),
      decided_at timestamptz,
      decision_note text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE UNIQUE INDEX correction_requests_one_open ON correction_requests (entry_id) WHERE status = 'open'`);

    await q.query(`CREATE TABLE certificates (
      number text PRIMARY KEY,
      volunteer_id uuid NOT NULL REFERENCES users(id),
      holder_masked text NOT NULL,
      verified_minutes integer NOT NULL CHECK (verified_minutes >= 0),
      issuer text NOT NULL,
      issued_at timestamptz NOT NULL DEFAULT now(),
      region_id uuid REFERENCES regions(id),
      revoked_at timestamptz,
      revoked_by uuid REFERENCES users(id),
      revoke_reason text
    )`);
    await q.query(`CREATE INDEX certificates_volunteer_idx ON certificates (volunteer_id, issued_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certificates`);
    await q.query(`DROP TABLE correction_requests`);
    await q.query(`DROP TABLE service_ledger`);
    await q.query(`DROP FUNCTION service_ledger_append_only()`);
    await q.query(`DROP TABLE service_credits`);
    await q.query(`DROP INDEX service_records_checked_in_by_idx`);
    await q.query(`ALTER TABLE service_records DROP CONSTRAINT service_records_checkout_after_checkin,
      DROP COLUMN check_in_distance_m, DROP COLUMN check_in_override_reason, DROP COLUMN checked_out_at, DROP COLUMN checked_out_by,
      DROP COLUMN check_out_location, DROP COLUMN check_out_distance_m, DROP COLUMN flags`);
  }
}
