import { MigrationInterface, QueryRunner } from 'typeorm';
import { PiiCipher } from '@xinyuan/common';
import { loadConfig } from '@xinyuan/config';

/**
 * Issue 4 (access): jurisdiction lookups over the region tree, beneficiary profiles (一人一档) with
 * encrypted personal data, orders placed for a beneficiary, the orders' contact phone encrypted at
 * rest, the open-order cap counter, and the append-only audit log.
 */
export class JurisdictionBeneficiariesAudit1765200000000 implements MigrationInterface {
  name = 'JurisdictionBeneficiariesAudit1765200000000';

  async up(q: QueryRunner): Promise<void> {
    // "is this region inside that subtree" is `$scope = ANY(path)`
    await q.query(`CREATE INDEX regions_path_gin ON regions USING gin (path)`);
    await q.query(`CREATE INDEX users_region_idx ON users (region_id) WHERE region_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE beneficiaries (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        created_by    uuid NOT NULL REFERENCES users(id),
        region_id     uuid REFERENCES regions(id),
        name          text NOT NULL,
        age_band      text NOT NULL CHECK (age_band IN ('under_18', '18_59', '60_69', '70_79', '80_plus')),
        address       text NOT NULL,
        location      geography(Point, 4326) NOT NULL,
        tags          text[] NOT NULL DEFAULT '{}'
                      CHECK (tags <@ ARRAY['living_alone', 'empty_nest', 'left_behind_child', 'vulnerable_child',
                                           'disability', 'low_income', 'extreme_poverty', 'veteran']::text[]),
        -- PiiCipher ciphertexts (AES-256-GCM, key PII_ENCRYPTION_KEY): never stored in clear
        id_number_enc text,
        phone_enc     text,
        guardian_enc  text,
        version       integer NOT NULL DEFAULT 1,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        archived_at   timestamptz
      )`);
    await q.query(`CREATE INDEX beneficiaries_creator_idx ON beneficiaries (created_by, created_at DESC, id DESC) WHERE archived_at IS NULL`);
    await q.query(`CREATE INDEX beneficiaries_region_idx ON beneficiaries (region_id, created_at DESC, id DESC) WHERE archived_at IS NULL`);

    await q.query(`ALTER TABLE orders ADD COLUMN beneficiary_id uuid REFERENCES beneficiaries(id)`);
    // 代点单: placed by a grid worker or staff for a beneficiary (the cap then counts per beneficiary)
    await q.query(`ALTER TABLE orders ADD COLUMN on_behalf boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX orders_beneficiary_idx ON orders (beneficiary_id) WHERE beneficiary_id IS NOT NULL`);
    await q.query(`CREATE INDEX orders_region_created_idx ON orders (region_id, created_at DESC, id DESC)`);

    // the contact phone of every existing order is encrypted with the key the apps use
    const cipher = PiiCipher.fromConfig(loadConfig().PII_ENCRYPTION_KEY);
    const rows: { id: string; contact_phone: string }[] = await q.query(`SELECT id, contact_phone FROM orders WHERE contact_phone NOT LIKE 'v1:%'`);
    for (const r of rows) await q.query(`UPDATE orders SET contact_phone = $2 WHERE id = $1`, [r.id, cipher.encrypt(r.contact_phone)]);

    // open orders per served person (the resident's account, or the beneficiary of an order placed on
    // behalf), kept exact by triggers on orders; the cap is the session setting xinyuan.open_order_limit
    await q.query(`
      CREATE TABLE open_order_counts (
        subject_id   uuid PRIMARY KEY,
        open_orders  integer NOT NULL DEFAULT 0 CHECK (open_orders >= 0)
      )`);
    await q.query(`
      CREATE FUNCTION order_is_open(status text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT status IN ('pending_review', 'dispatching', 'offered', 'escalated', 'accepted', 'in_service')
      $$`);
    await q.query(`
      CREATE FUNCTION order_cap_subject(resident uuid, beneficiary uuid, on_behalf boolean) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE WHEN on_behalf AND beneficiary IS NOT NULL THEN beneficiary ELSE resident END
      $$`);
    await q.query(`
      CREATE FUNCTION orders_open_cap() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cap integer := NULLIF(current_setting('xinyuan.open_order_limit', true), '')::integer;
        subject uuid;
        counted integer;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NOT order_is_open(NEW.status) THEN RETURN NEW; END IF;
          subject := order_cap_subject(NEW.resident_id, NEW.beneficiary_id, NEW.on_behalf);
          -- ON CONFLICT DO UPDATE locks the row and checks the WHERE on its latest version, so
          -- concurrent placements of one person are serialised here and can never pass the cap
          INSERT INTO open_order_counts AS c (subject_id, open_orders) VALUES (subject, 1)
          ON CONFLICT (subject_id) DO UPDATE SET open_orders = c.open_orders + 1
            WHERE cap IS NULL OR cap <= 0 OR c.open_orders < cap
          RETURNING open_orders INTO counted;
          IF counted IS NULL OR (cap > 0 AND counted > cap) THEN
            RAISE EXCEPTION 'open order limit % reached', cap USING ERRCODE = 'XY429';
          END IF;
          RETURN NEW;
        END IF;
        IF order_is_open(OLD.status) AND NOT order_is_open(NEW.status) THEN
          UPDATE open_order_counts SET open_orders = GREATEST(open_orders - 1, 0)
           WHERE subject_id = order_cap_subject(OLD.resident_id, OLD.beneficiary_id, OLD.on_behalf);
        ELSIF NOT order_is_open(OLD.status) AND order_is_open(NEW.status) THEN
          INSERT INTO open_order_counts AS c (subject_id, open_orders)
          VALUES (order_cap_subject(NEW.resident_id, NEW.beneficiary_id, NEW.on_behalf), 1)
          ON CONFLICT (subject_id) DO UPDATE SET open_orders = c.open_orders + 1;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER orders_open_cap_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_open_cap()`);
    await q.query(`CREATE TRIGGER orders_open_cap_status AFTER UPDATE OF status ON orders FOR EACH ROW
                   WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION orders_open_cap()`);
    await q.query(`
      INSERT INTO open_order_counts (subject_id, open_orders)
      SELECT order_cap_subject(resident_id, beneficiary_id, on_behalf), count(*) FROM orders WHERE order_is_open(status)
       GROUP BY 1`);

    // append-only audit log: who, what, when, from where, with what outcome
    await q.query(`
      CREATE TABLE audit_log (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_id     uuid,
        actor_roles  text[] NOT NULL DEFAULT '{}',
        action       text NOT NULL,
        object_type  text,
        object_id    uuid,
        -- jurisdiction the row belongs to (the object's region, else the actor's): admins query their subtree
        region_id    uuid,
        outcome      text NOT NULL CHECK (outcome IN ('success', 'denied', 'rejected', 'error')),
        status_code  integer,
        ip           text,
        user_agent   text,
        data         jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC)`);
    await q.query(`CREATE INDEX audit_log_object_idx ON audit_log (object_id, id DESC) WHERE object_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_log_region_idx ON audit_log (region_id, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
                   FOR EACH ROW EXECUTE FUNCTION audit_log_immutable()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
                   FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_immutable()`);
    await q.query(`DROP TRIGGER orders_open_cap_status ON orders`);
    await q.query(`DROP TRIGGER orders_open_cap_insert ON orders`);
    await q.query(`DROP FUNCTION orders_open_cap()`);
    await q.query(`DROP FUNCTION order_cap_subject(uuid, uuid, boolean)`);
    await q.query(`DROP FUNCTION order_is_open(text)`);
    await q.query(`DROP TABLE open_order_counts`);
    const cipher = PiiCipher.fromConfig(loadConfig().PII_ENCRYPTION_KEY);
    const rows: { id: string; contact_phone: string }[] = await q.query(`SELECT id, contact_phone FROM orders WHERE contact_phone LIKE 'v1:%'`);
    for (const r of rows) await q.query(`UPDATE orders SET contact_phone = $2 WHERE id = $1`, [r.id, cipher.decrypt(r.contact_phone)]);
    await q.query(`DROP INDEX orders_region_created_idx`);
    await q.query(`DROP INDEX orders_beneficiary_idx`);
    await q.query(`ALTER TABLE orders DROP COLUMN on_behalf`);
    await q.query(`ALTER TABLE orders DROP COLUMN beneficiary_id`);
    await q.query(`DROP TABLE beneficiaries`);
    await q.query(`DROP INDEX users_region_idx`);
    await q.query(`DROP INDEX regions_path_gin`);
  }
}
