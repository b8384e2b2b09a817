import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Themed activities (月月有主题): staff create them (theme, time, place, capacity, credited minutes,
 * region); volunteers sign up (a waiting list beyond the capacity) and attend by scanning the QR code
 * shown at the venue (valid near the place and during the activity) or are marked by staff. One row
 * per volunteer and activity.
 */
export class Activities1766600000002 implements MigrationInterface {
  name = 'Activities1766600000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE activities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      region_id uuid NOT NULL REFERENCES regions(id),
      theme text NOT NULL,
      description text,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      location geography(Point, 4326) NOT NULL,
      address text NOT NULL,
      capacity integer NOT NULL CHECK (capacity > 0),
      credited_minutes integer NOT NULL CHECK (credited_minutes >= 0 AND credited_minutes <= 1440),
      qr_token text NOT NULL UNIQUE,
      created_by uuid NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT activities_time CHECK (ends_at > starts_at)
    )`);
    await q.query(`CREATE INDEX activities_region_time_idx ON activities (region_id, starts_at)`);
    await q.query(`CREATE TABLE activity_signups (
      activity_id uuid NOT NULL REFERENCES activities(id),
      volunteer_id uuid NOT NULL REFERENCES users(id),
      status text NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
      signed_up_at timestamptz NOT NULL DEFAULT now(),
      attended_at timestamptz,
      attendance text CHECK (attendance IN ('qr', 'staff')),
      PRIMARY KEY (activity_id, volunteer_id)
    )`);
    await q.query(`CREATE INDEX activity_signups_volunteer_idx ON activity_signups (volunteer_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE activity_signups`);
    await q.query(`DROP TABLE activities`);
  }
}
