import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Proactive care (日走访周回访, 窗帘之约): plans, daily safe check-ins, the missed-check-in ladder,
 * visit tasks and the keys of check-in devices.
 *
 * - `care_plans` one per beneficiary: the daily check-in deadline (`daily_by` local HH:MM, grace,
 *   IANA zone) and `next_deadline_at`, the next instant the sweep must look at. Postgres is the only
 *   record of what is due: the sweep (dispatcher) claims due plans with FOR UPDATE SKIP LOCKED, so a
 *   killed process or a flushed Redis loses nothing. `away_until` suspends the plan.
 * - `care_duties` the recurring visits, calls and deliveries (RFC 5545 rules, local wall time of the
 *   plan's zone); `retired_at` when an edit of the plan replaced them.
 * - `care_check_ins` every check-in with its source and the local day it counts for.
 * - `care_alerts` one `checkin_missed` alert per person and local day (unique); the ladder's stage,
 *   when the next step is due, and every step taken (`steps`).
 * - `care_visits` visit tasks: from a duty (unique per duty and due time: generation is idempotent),
 *   from an alert's second step (`check`), or a 回访 after a poor rating (`followup`, about an order:
 *   `source_order_id`, `region_id` the order's, the person may have no profile).
 * - `care_device_keys` keys of devices and meter feeds that post check-ins (stored hashed).
 * - `care_deadline` / `care_next_deadline`: the deadline of a local day, in SQL, so the sweep of
 *   100,000 plans is set-based and the zone rules are Postgres's own.
 * - the menu item `CARE_HOME_CHECK` (上门查看), the urgent order of the ladder's third step.
 */
export class Care1766500000000 implements MigrationInterface {
  name = 'Care1766500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION care_deadline(day date, daily_by text, grace integer, tz text) RETURNS timestamptz
        LANGUAGE sql IMMUTABLE AS $$ SELECT ((day + daily_by::time) AT TIME ZONE tz) + make_interval(mins => grace) $$`);
    await q.query(`
      CREATE FUNCTION care_next_deadline(after timestamptz, daily_by text, grace integer, tz text) RETURNS timestamptz
        LANGUAGE sql STABLE AS $$
          SELECT min(d) FROM (
            SELECT care_deadline(((after AT TIME ZONE tz)::date + k), daily_by, grace, tz) AS d FROM generate_series(-2, 2) AS k
          ) c WHERE d > after $$`);
    await q.query(`
      CREATE TABLE care_plans (
        beneficiary_id    uuid PRIMARY KEY REFERENCES beneficiaries(id),
        daily_by          text CHECK (daily_by ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        grace_minutes     integer NOT NULL DEFAULT 30 CHECK (grace_minutes BETWEEN 0 AND 720),
        time_zone         text NOT NULL DEFAULT 'Asia/Shanghai',
        next_deadline_at  timestamptz,
        away_until        timestamptz,
        created_by        uuid NOT NULL REFERENCES users(id),
        updated_by        uuid NOT NULL REFERENCES users(id),
        version           integer NOT NULL DEFAULT 1,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX care_plans_due_idx ON care_plans (next_deadline_at) WHERE next_deadline_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE care_duties (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        beneficiary_id    uuid NOT NULL REFERENCES beneficiaries(id),
        kind              text NOT NULL CHECK (kind IN ('visit', 'call', 'delivery')),
        rrule             text NOT NULL,
        assignee_user_id  uuid REFERENCES users(id),
        team_id           uuid REFERENCES teams(id),
        service_code      text,
        generated_until   timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        retired_at        timestamptz
      )`);
    await q.query(`CREATE INDEX care_duties_beneficiary_idx ON care_duties (beneficiary_id) WHERE retired_at IS NULL`);
    await q.query(`CREATE INDEX care_duties_generate_idx ON care_duties (generated_until NULLS FIRST) WHERE retired_at IS NULL`);
    await q.query(`
      CREATE TABLE care_check_ins (
        id              bigserial PRIMARY KEY,
        beneficiary_id  uuid NOT NULL REFERENCES beneficiaries(id),
        local_day       text NOT NULL,
        source          text NOT NULL CHECK (source IN ('self', 'family', 'neighbour', 'grid_worker', 'staff', 'team', 'device')),
        note            text,
        recorded_by     uuid REFERENCES users(id),
        device_id       uuid,
        at              timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX care_check_ins_day_idx ON care_check_ins (beneficiary_id, local_day)`);
    await q.query(`
      CREATE TABLE care_alerts (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        beneficiary_id    uuid NOT NULL REFERENCES beneficiaries(id),
        kind              text NOT NULL CHECK (kind IN ('checkin_missed', 'visit_concern')),
        local_day         text,
        status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
        stage             smallint NOT NULL DEFAULT 1 CHECK (stage BETWEEN 1 AND 3),
        deadline_at       timestamptz,
        opened_at         timestamptz NOT NULL,
        next_step_at      timestamptz,
        acknowledged_at   timestamptz,
        acknowledged_by   uuid REFERENCES users(id),
        steps             jsonb NOT NULL DEFAULT '[]',
        order_id          uuid REFERENCES orders(id),
        resolved_at       timestamptz,
        resolved_by       uuid REFERENCES users(id),
        outcome           text,
        note              text
      )`);
    await q.query(`CREATE UNIQUE INDEX care_alerts_one_per_day ON care_alerts (beneficiary_id, kind, local_day) WHERE kind = 'checkin_missed'`);
    await q.query(`CREATE INDEX care_alerts_next_step_idx ON care_alerts (next_step_at) WHERE status = 'open' AND next_step_at IS NOT NULL`);
    await q.query(`CREATE INDEX care_alerts_beneficiary_idx ON care_alerts (beneficiary_id, opened_at DESC)`);
    await q.query(`
      CREATE TABLE care_visits (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        beneficiary_id    uuid REFERENCES beneficiaries(id),
        region_id         uuid REFERENCES regions(id),
        duty_id           uuid REFERENCES care_duties(id),
        alert_id          uuid REFERENCES care_alerts(id),
        kind              text NOT NULL CHECK (kind IN ('visit', 'call', 'delivery', 'check', 'followup')),
        reason            text,
        due_at            timestamptz NOT NULL,
        time_zone         text NOT NULL,
        assignee_user_id  uuid REFERENCES users(id),
        team_id           uuid REFERENCES teams(id),
        service_code      text,
        status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        completed_at      timestamptz,
        completed_by      uuid REFERENCES users(id),
        wellbeing         text CHECK (wellbeing IN ('ok', 'concern', 'urgent')),
        note              text,
        order_id          uuid REFERENCES orders(id),
        source_order_id   uuid REFERENCES orders(id),
        data              jsonb,
        created_at        timestamptz NOT NULL DEFAULT now(),
        CHECK (beneficiary_id IS NOT NULL OR kind = 'followup')
      )`);
    await q.query(`CREATE UNIQUE INDEX care_visits_duty_due ON care_visits (duty_id, due_at) WHERE duty_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX care_visits_alert_check ON care_visits (alert_id) WHERE kind = 'check'`);
    await q.query(`CREATE UNIQUE INDEX care_visits_followup ON care_visits (source_order_id) WHERE kind = 'followup'`);
    await q.query(`CREATE INDEX care_visits_beneficiary_idx ON care_visits (beneficiary_id, due_at)`);
    await q.query(`CREATE INDEX care_visits_region_idx ON care_visits (region_id) WHERE region_id IS NOT NULL`);
    await q.query(`CREATE INDEX care_visits_assignee_idx ON care_visits (assignee_user_id, due_at) WHERE status = 'open'`);
    await q.query(`CREATE INDEX care_visits_open_due_idx ON care_visits (due_at) WHERE status = 'open'`);
    await q.query(`
      CREATE TABLE care_device_keys (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        beneficiary_id  uuid NOT NULL REFERENCES beneficiaries(id),
        name            text NOT NULL,
        key_hash        text NOT NULL UNIQUE,
        created_by      uuid NOT NULL REFERENCES users(id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        revoked_at      timestamptz
      )`);
    await q.query(`
      INSERT INTO services (code, name, group_name, description, required_skills, accept_timeout_seconds, requires_review)
      VALUES ('CARE_HOME_CHECK', '上门查看', '关爱', '没有报平安、联系不上时，请就近上门看看', '{}', 300, false)
      ON CONFLICT (code) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM services s WHERE s.code = 'CARE_HOME_CHECK' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.service_id = s.id)`);
    await q.query(`DROP TABLE care_device_keys`);
    await q.query(`DROP TABLE care_visits`);
    await q.query(`DROP TABLE care_alerts`);
    await q.query(`DROP TABLE care_check_ins`);
    await q.query(`DROP TABLE care_duties`);
    await q.query(`DROP TABLE care_plans`);
    await q.query(`DROP FUNCTION care_next_deadline(timestamptz, text, integer, text)`);
    await q.query(`DROP FUNCTION care_deadline(date, text, integer, text)`);
  }
}
