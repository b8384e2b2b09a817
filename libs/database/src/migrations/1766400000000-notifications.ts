import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reaching out: the outbox and the notifications made from it.
 *
 * - `outbox_events` is written by triggers in the transaction of the change itself: every order
 *   status change (a row of `order_events` with a new status) and every offer that starts or ends.
 *   Other writers (proactive care) insert into it directly. Rows carry ids and types, never personal
 *   data. Each consumer named in `outbox_consumers` gets every event as a row of `outbox_pending`
 *   (another trigger), which it deletes in the transaction that handles the event: exactly once per
 *   consumer, and a new consumer (webhooks) is one INSERT, without touching a producer.
 * - `notifications` are the intents (one per recipient and reason, `dedupe_key` unique) and the
 *   in-app inbox; `notification_deliveries` one row per intent × channel (UNIQUE), claimed and
 *   marked sent in Postgres, the delivery id being the provider's idempotency key (out-id);
 *   `notification_attempts` every call to a provider, `notification_receipts` its delivery reports.
 * - `notification_double_sends` (a view) lists every delivery that reached a provider as more than
 *   one message: empty is the guarantee.
 */
export class Notifications1766400000000 implements MigrationInterface {
  name = 'Notifications1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        id          bigserial PRIMARY KEY,
        type        text NOT NULL,
        order_id    uuid,
        offer_id    uuid,
        team_id     uuid,
        subject_id  uuid,
        data        jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TABLE outbox_consumers (name text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`INSERT INTO outbox_consumers (name) VALUES ('notifications')`);
    await q.query(`
      CREATE TABLE outbox_pending (
        consumer  text NOT NULL REFERENCES outbox_consumers(name) ON DELETE CASCADE,
        event_id  bigint NOT NULL,
        PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`
      CREATE FUNCTION outbox_events_pending() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_pending (consumer, event_id) SELECT name, NEW.id FROM outbox_consumers;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER outbox_events_pending AFTER INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION outbox_events_pending()`);

    // an order's status changes: 'order.placed' for its first entry, 'order.<new status>' after
    await q.query(`
      CREATE FUNCTION order_events_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_events (type, order_id, data)
        VALUES (CASE WHEN NEW.from_status IS NULL THEN 'order.placed' ELSE 'order.' || NEW.to_status END,
                NEW.order_id,
                jsonb_build_object('eventId', NEW.id, 'action', NEW.type, 'from', NEW.from_status, 'to', NEW.to_status,
                                   'actorRole', NEW.actor_role));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER order_events_outbox AFTER INSERT ON order_events FOR EACH ROW
        WHEN (NEW.to_status IS NOT NULL AND NEW.from_status IS DISTINCT FROM NEW.to_status)
        EXECUTE FUNCTION order_events_outbox()`);

    // offers: 'offer.created', and 'offer.<accepted|declined|expired|withdrawn>' when a pending one ends
    await q.query(`
      CREATE FUNCTION offers_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox_events (type, order_id, offer_id, team_id, data)
        VALUES (CASE WHEN TG_OP = 'INSERT' THEN 'offer.created' ELSE 'offer.' || NEW.status END,
                NEW.order_id, NEW.id, NEW.team_id,
                CASE WHEN TG_OP = 'INSERT' THEN jsonb_build_object('mode', NEW.mode, 'source', NEW.source)
                     ELSE jsonb_build_object('reason', NEW.reason) END);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER offers_outbox_created AFTER INSERT ON offers FOR EACH ROW EXECUTE FUNCTION offers_outbox()`);
    await q.query(`
      CREATE TRIGGER offers_outbox_ended AFTER UPDATE OF status ON offers FOR EACH ROW
        WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
        EXECUTE FUNCTION offers_outbox()`);

    await q.query(`
      CREATE TABLE notifications (
        id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        dedupe_key                text NOT NULL UNIQUE,
        type                      text NOT NULL,
        recipient_user_id         uuid REFERENCES users(id),
        recipient_beneficiary_id  uuid REFERENCES beneficiaries(id),
        order_id                  uuid REFERENCES orders(id),
        offer_id                  uuid REFERENCES offers(id),
        urgent                    boolean NOT NULL DEFAULT false,
        lang                      text NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
        title                     text NOT NULL,
        body                      text NOT NULL,
        link                      text,
        data                      jsonb,
        outbox_event_id           bigint,
        created_at                timestamptz NOT NULL DEFAULT now(),
        read_at                   timestamptz,
        CONSTRAINT notifications_recipient CHECK ((recipient_user_id IS NULL) <> (recipient_beneficiary_id IS NULL))
      )`);
    await q.query(`CREATE INDEX notifications_inbox_idx ON notifications (recipient_user_id, created_at DESC, id DESC) WHERE recipient_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_unread_idx ON notifications (recipient_user_id) WHERE read_at IS NULL AND recipient_user_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_order_idx ON notifications (order_id) WHERE order_id IS NOT NULL`);
    await q.query(`CREATE INDEX notifications_offer_idx ON notifications (offer_id) WHERE offer_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE notification_deliveries (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        notification_id      uuid NOT NULL REFERENCES notifications(id),
        channel              text NOT NULL CHECK (channel IN ('sms', 'wechat')),
        recipient_key        text NOT NULL,
        type                 text NOT NULL,
        status               text NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'dead', 'skipped', 'coalesced')),
        due_at               timestamptz NOT NULL,
        held_reason          text,
        attempts             integer NOT NULL DEFAULT 0,
        lease_until          timestamptz,
        destination          text,
        template             text,
        provider_message_id  text,
        coalesced_into       uuid REFERENCES notification_deliveries(id),
        message_count        integer,
        skip_reason          text,
        last_error           text,
        created_at           timestamptz NOT NULL DEFAULT now(),
        sent_at              timestamptz,
        delivered_at         timestamptz,
        failed_at            timestamptz,
        CONSTRAINT notification_deliveries_once UNIQUE (notification_id, channel)
      )`);
    await q.query(`CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (due_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX notification_deliveries_lease_idx ON notification_deliveries (lease_until) WHERE status = 'sending'`);
    await q.query(`CREATE INDEX notification_deliveries_sent_idx ON notification_deliveries (recipient_key, channel, sent_at) WHERE sent_at IS NOT NULL`);
    await q.query(`CREATE INDEX notification_deliveries_waiting_idx ON notification_deliveries (recipient_key, channel, type) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX notification_deliveries_dead_idx ON notification_deliveries (failed_at DESC, id DESC) WHERE status = 'dead'`);
    await q.query(`CREATE INDEX notification_deliveries_message_idx ON notification_deliveries (provider_message_id) WHERE provider_message_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE notification_attempts (
        id                   bigserial PRIMARY KEY,
        delivery_id          uuid NOT NULL REFERENCES notification_deliveries(id),
        attempt              integer NOT NULL,
        started_at           timestamptz NOT NULL,
        finished_at          timestamptz,
        outcome              text CHECK (outcome IN ('accepted', 'error')),
        provider_message_id  text,
        error                text,
        UNIQUE (delivery_id, attempt)
      )`);
    await q.query(`
      CREATE TABLE notification_receipts (
        id                   bigserial PRIMARY KEY,
        delivery_id          uuid REFERENCES notification_deliveries(id),
        provider_message_id  text NOT NULL,
        status               text NOT NULL CHECK (status IN ('delivered', 'failed')),
        error_code           text,
        reported_at          timestamptz,
        received_at          timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider_message_id, status)
      )`);
    await q.query(`
      CREATE VIEW notification_double_sends AS
        SELECT delivery_id, count(DISTINCT provider_message_id)::int AS messages
          FROM (SELECT delivery_id, provider_message_id FROM notification_attempts
                 WHERE outcome = 'accepted' AND provider_message_id IS NOT NULL
                UNION
                SELECT delivery_id, provider_message_id FROM notification_receipts WHERE delivery_id IS NOT NULL) m
         GROUP BY delivery_id
        HAVING count(DISTINCT provider_message_id) > 1`);

    await q.query(`
      CREATE TABLE notification_timers (
        kind        text NOT NULL,
        ref_id      uuid NOT NULL,
        due_at      timestamptz NOT NULL,
        fired_at    timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, ref_id)
      )`);
    await q.query(`CREATE INDEX notification_timers_due_idx ON notification_timers (due_at) WHERE fired_at IS NULL`);

    await q.query(`
      CREATE TABLE notification_preferences (
        user_id      uuid PRIMARY KEY REFERENCES users(id),
        sms          boolean NOT NULL DEFAULT true,
        wechat       boolean NOT NULL DEFAULT true,
        muted_types  text[] NOT NULL DEFAULT '{}',
        quiet_start  text CHECK (quiet_start ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        quiet_end    text CHECK (quiet_end ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        time_zone    text,
        lang         text NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT notification_preferences_quiet CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
      )`);
    await q.query(`
      CREATE TABLE wechat_subscriptions (
        user_id      uuid NOT NULL REFERENCES users(id),
        template_id  text NOT NULL,
        remaining    integer NOT NULL DEFAULT 0 CHECK (remaining >= 0),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, template_id)
      )`);
    await q.query(`
      CREATE TABLE sms_inbound (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_message_id  text NOT NULL UNIQUE,
        phone_bidx           text NOT NULL,
        user_id              uuid REFERENCES users(id),
        command              text NOT NULL,
        result               text NOT NULL,
        offer_id             uuid REFERENCES offers(id),
        received_at          timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_inbound`);
    await q.query(`DROP TABLE wechat_subscriptions`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notification_timers`);
    await q.query(`DROP VIEW notification_double_sends`);
    await q.query(`DROP TABLE notification_receipts`);
    await q.query(`DROP TABLE notification_attempts`);
    await q.query(`DROP TABLE notification_deliveries`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TRIGGER offers_outbox_ended ON offers`);
    await q.query(`DROP TRIGGER offers_outbox_created ON offers`);
    await q.query(`DROP FUNCTION offers_outbox()`);
    await q.query(`DROP TRIGGER order_events_outbox ON order_events`);
    await q.query(`DROP FUNCTION order_events_outbox()`);
    await q.query(`DROP TRIGGER outbox_events_pending ON outbox_events`);
    await q.query(`DROP FUNCTION outbox_events_pending()`);
    await q.query(`DROP TABLE outbox_pending`);
    await q.query(`DROP TABLE outbox_consumers`);
    await q.query(`DROP TABLE outbox_events`);
  }
}
