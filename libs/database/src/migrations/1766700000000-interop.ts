import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open to other systems.
 *
 * - Signed webhooks read the outbox as a consumer of their own (`webhooks`). Each event is turned
 *   into one `webhook_deliveries` row per subscribed endpoint (UNIQUE (endpoint_id, event_id): an
 *   event handled twice delivers nothing twice) in the transaction that deletes the claim. The row's
 *   id is the `webhook-id` every attempt carries; sends are claimed in Postgres (status `sending`
 *   with a lease) before the HTTP call, so a killed relay or a flushed Redis neither loses nor
 *   doubles a delivery. `webhook_attempts` keeps every call, response bodies cut to a few KB.
 *   Secrets are PiiCipher ciphertexts (they must be read back to sign).
 * - Open311 GeoReport v2: an integration (a 12345 hotline, a city app) owns a key (only its SHA-256
 *   is stored) and a region, and acts through an account of its own with no login; each service
 *   request it files is an order of that account, placed on behalf of the person named, whose name
 *   and e-mail are kept encrypted beside it (`open311_requests`). Integration accounts are exempt
 *   from the per-resident open-order cap (the per-key rate limit bounds them).
 */
export class Interop1766700000000 implements MigrationInterface {
  name = 'Interop1766700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO outbox_consumers (name) VALUES ('webhooks') ON CONFLICT DO NOTHING`);
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url                    text NOT NULL,
        events                 text[] NOT NULL,
        region_id              uuid REFERENCES regions(id),
        created_by             uuid NOT NULL REFERENCES users(id),
        secret_enc             text NOT NULL,
        previous_secret_enc    text,
        previous_secret_until  timestamptz,
        status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
        disabled_reason        text,
        disabled_at            timestamptz,
        created_at             timestamptz NOT NULL DEFAULT now(),
        updated_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_active_idx ON webhook_endpoints USING gin (events) WHERE status = 'active'`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id       uuid NOT NULL REFERENCES webhook_endpoints(id),
        event_id          bigint NOT NULL,
        event_type        text NOT NULL,
        order_id          uuid,
        payload           text NOT NULL,
        status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
        attempts          integer NOT NULL DEFAULT 0,
        next_attempt_at   timestamptz NOT NULL,
        lease_until       timestamptz,
        last_status_code  integer,
        last_error        text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        delivered_at      timestamptz,
        CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (lease_until) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id                bigserial PRIMARY KEY,
        delivery_id       uuid NOT NULL REFERENCES webhook_deliveries(id),
        attempt           integer NOT NULL,
        started_at        timestamptz NOT NULL,
        finished_at       timestamptz,
        status_code       integer,
        error             text,
        response_excerpt  text,
        CONSTRAINT webhook_attempts_once UNIQUE (delivery_id, attempt)
      )`);

    await q.query(`
      CREATE TABLE open311_integrations (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name        text NOT NULL,
        region_id   uuid NOT NULL REFERENCES regions(id),
        user_id     uuid NOT NULL UNIQUE REFERENCES users(id),
        key_hash    text NOT NULL UNIQUE,
        key_prefix  text NOT NULL,
        created_by  uuid NOT NULL REFERENCES users(id),
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE open311_requests (
        order_id        uuid PRIMARY KEY REFERENCES orders(id),
        integration_id  uuid NOT NULL REFERENCES open311_integrations(id),
        token           uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        requester_enc   text,
        device_id       text,
        account_id      text,
        created_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX open311_requests_integration_idx ON open311_requests (integration_id, created_at DESC)`);

    // the open-order cap counts people, not the hotline filing for many of them
    await q.query(`
      CREATE FUNCTION order_cap_exempt(resident uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (SELECT 1 FROM open311_integrations WHERE user_id = resident)
      $$`);
    await q.query(`DROP TRIGGER orders_open_cap_insert ON orders`);
    await q.query(`DROP TRIGGER orders_open_cap_status ON orders`);
    await q.query(`CREATE TRIGGER orders_open_cap_insert BEFORE INSERT ON orders FOR EACH ROW
                   WHEN (NOT order_cap_exempt(NEW.resident_id)) EXECUTE FUNCTION orders_open_cap()`);
    await q.query(`CREATE TRIGGER orders_open_cap_status AFTER UPDATE OF status ON orders FOR EACH ROW
                   WHEN (OLD.status IS DISTINCT FROM NEW.status AND NOT order_cap_exempt(NEW.resident_id)) EXECUTE FUNCTION orders_open_cap()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER orders_open_cap_insert ON orders`);
    await q.query(`DROP TRIGGER orders_open_cap_status ON orders`);
    await q.query(`CREATE TRIGGER orders_open_cap_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_open_cap()`);
    await q.query(`CREATE TRIGGER orders_open_cap_status AFTER UPDATE OF status ON orders FOR EACH ROW
                   WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION orders_open_cap()`);
    await q.query(`DROP FUNCTION order_cap_exempt(uuid)`);
    await q.query(`DROP TABLE open311_requests`);
    await q.query(`DROP TABLE open311_integrations`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DELETE FROM outbox_consumers WHERE name = 'webhooks'`);
  }
}
