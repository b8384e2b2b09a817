import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The spine: organisation, menu, identity, orders with their event log, offers, service records,
 * ratings and idempotency keys. Geography is PostGIS `geography(…,4326)` with GiST indexes.
 */
export class InitialSchema1763884800000 implements MigrationInterface {
  name = 'InitialSchema1763884800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS postgis`);

    await q.query(`
      CREATE TABLE regions (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name        text NOT NULL,
        level       text NOT NULL CHECK (level IN ('county', 'township', 'village', 'point')),
        parent_id   uuid REFERENCES regions(id),
        boundary    geography(MultiPolygon, 4326),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX regions_parent_idx ON regions (parent_id)`);
    await q.query(`CREATE INDEX regions_boundary_gist ON regions USING gist (boundary)`);

    await q.query(`
      CREATE TABLE services (
        id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code                    text NOT NULL UNIQUE,
        name                    text NOT NULL,
        group_name              text NOT NULL,
        description             text,
        required_skills         text[] NOT NULL DEFAULT '{}',
        accept_timeout_seconds  integer NOT NULL DEFAULT 900 CHECK (accept_timeout_seconds BETWEEN 1 AND 86400),
        requires_review         boolean NOT NULL DEFAULT false,
        active                  boolean NOT NULL DEFAULT true,
        created_at              timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE users (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        phone          text NOT NULL UNIQUE,
        name           text NOT NULL,
        password_hash  text NOT NULL,
        roles          text[] NOT NULL,
        region_id      uuid REFERENCES regions(id),
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE teams (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name              text NOT NULL,
        region_id         uuid NOT NULL REFERENCES regions(id),
        location          geography(Point, 4326) NOT NULL,
        service_radius_m  integer NOT NULL CHECK (service_radius_m > 0),
        skills            text[] NOT NULL DEFAULT '{}',
        capacity          integer NOT NULL CHECK (capacity >= 0),
        active_orders     integer NOT NULL DEFAULT 0 CHECK (active_orders >= 0),
        active            boolean NOT NULL DEFAULT true,
        created_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT teams_capacity_respected CHECK (active_orders <= capacity)
      )`);
    await q.query(`CREATE INDEX teams_location_gist ON teams USING gist (location) WHERE active`);
    await q.query(`CREATE INDEX teams_skills_gin ON teams USING gin (skills)`);
    await q.query(`CREATE INDEX teams_region_idx ON teams (region_id)`);

    await q.query(`
      CREATE TABLE team_members (
        team_id    uuid NOT NULL REFERENCES teams(id),
        user_id    uuid NOT NULL REFERENCES users(id),
        role       text NOT NULL CHECK (role IN ('leader', 'member')),
        skills     text[] NOT NULL DEFAULT '{}',
        joined_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      )`);
    await q.query(`CREATE INDEX team_members_user_idx ON team_members (user_id)`);

    await q.query(`
      CREATE TABLE orders (
        id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        resident_id        uuid NOT NULL REFERENCES users(id),
        service_id         uuid NOT NULL REFERENCES services(id),
        service_code       text NOT NULL,
        description        text NOT NULL,
        location           geography(Point, 4326) NOT NULL,
        address            text NOT NULL,
        contact_phone      text NOT NULL,
        preferred_start    timestamptz,
        preferred_end      timestamptz,
        region_id          uuid REFERENCES regions(id),
        status             text NOT NULL CHECK (status IN ('pending_review', 'rejected', 'dispatching', 'offered',
                             'escalated', 'accepted', 'in_service', 'completed', 'closed', 'cancelled')),
        version            integer NOT NULL DEFAULT 1,
        team_id            uuid REFERENCES teams(id),
        dispatch_attempts  integer NOT NULL DEFAULT 0,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX orders_resident_idx ON orders (resident_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX orders_status_idx ON orders (status, updated_at)
                   WHERE status IN ('pending_review', 'dispatching', 'offered', 'escalated')`);
    await q.query(`CREATE INDEX orders_team_idx ON orders (team_id) WHERE team_id IS NOT NULL`);
    await q.query(`CREATE INDEX orders_location_gist ON orders USING gist (location)`);

    await q.query(`
      CREATE TABLE order_events (
        id           bigserial PRIMARY KEY,
        order_id     uuid NOT NULL REFERENCES orders(id),
        type         text NOT NULL,
        from_status  text,
        to_status    text,
        actor_id     uuid,
        actor_role   text NOT NULL,
        note         text,
        data         jsonb,
        at           timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX order_events_order_idx ON order_events (order_id, id)`);

    await q.query(`
      CREATE TABLE offers (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id         uuid NOT NULL REFERENCES orders(id),
        team_id          uuid NOT NULL REFERENCES teams(id),
        status           text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
        source           text NOT NULL CHECK (source IN ('auto', 'manual')),
        score            double precision NOT NULL DEFAULT 0,
        score_breakdown  jsonb NOT NULL DEFAULT '{}',
        distance_m       double precision,
        expires_at       timestamptz NOT NULL,
        created_at       timestamptz NOT NULL DEFAULT now(),
        responded_at     timestamptz,
        responded_by     uuid REFERENCES users(id),
        reason           text
      )`);
    await q.query(`CREATE UNIQUE INDEX offers_one_pending_per_order ON offers (order_id) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX offers_order_team_idx ON offers (order_id, team_id)`);
    await q.query(`CREATE INDEX offers_team_status_idx ON offers (team_id, status, created_at DESC)`);
    await q.query(`CREATE INDEX offers_pending_expiry_idx ON offers (expires_at) WHERE status = 'pending'`);

    await q.query(`
      CREATE TABLE service_records (
        order_id           uuid PRIMARY KEY REFERENCES orders(id),
        team_id            uuid NOT NULL REFERENCES teams(id),
        checked_in_at      timestamptz,
        checked_in_by      uuid REFERENCES users(id),
        check_in_location  geography(Point, 4326),
        completed_at       timestamptz,
        completed_by       uuid REFERENCES users(id),
        report             text,
        minutes            integer CHECK (minutes >= 0),
        volunteer_ids      uuid[] NOT NULL DEFAULT '{}'
      )`);

    await q.query(`
      CREATE TABLE ratings (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id     uuid NOT NULL UNIQUE REFERENCES orders(id),
        resident_id  uuid NOT NULL REFERENCES users(id),
        team_id      uuid NOT NULL REFERENCES teams(id),
        stars        smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
        solved       boolean NOT NULL,
        comment      text,
        dimensions   jsonb,
        created_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ratings_team_idx ON ratings (team_id)`);

    await q.query(`
      CREATE TABLE team_reputation (
        team_id       uuid PRIMARY KEY REFERENCES teams(id),
        rating_count  integer NOT NULL DEFAULT 0,
        stars_sum     integer NOT NULL DEFAULT 0,
        solved_count  integer NOT NULL DEFAULT 0,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id       uuid NOT NULL REFERENCES users(id),
        key           text NOT NULL,
        request_hash  text NOT NULL,
        order_id      uuid NOT NULL REFERENCES orders(id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'team_reputation', 'ratings', 'service_records', 'offers', 'order_events',
      'orders', 'team_members', 'teams', 'users', 'services', 'regions']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
