import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Points (积分) and the time bank (时间银行), double-entry:
 * - `wallet_accounts`: a volunteer's `points` and `time_bank` accounts, and the system accounts money
 *   comes from and goes to (`points_issued`, `points_redeemed`, `points_expired`, `time_issued`, and
 *   the donation `time_pool`); a person's balance may never go negative (CHECK);
 * - `wallet_movements`: every movement is one row naming the account debited and the account credited
 *   with one positive amount (append-only: a trigger refuses UPDATE, DELETE and TRUNCATE);
 * - `point_lots`: points earned together expire together (FIFO spending, expiry by the rule pack);
 * - `redemptions`: 爱心超市 exchanges, paid at once, collected with a pickup code.
 */
export class Wallet1766600000001 implements MigrationInterface {
  name = 'Wallet1766600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE wallet_accounts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id uuid REFERENCES users(id),
      kind text NOT NULL CHECK (kind IN ('points', 'time_bank', 'points_issued', 'points_redeemed', 'points_expired', 'time_issued', 'time_pool')),
      balance bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT wallet_accounts_owned CHECK ((owner_id IS NULL) = (kind NOT IN ('points', 'time_bank'))),
      CONSTRAINT wallet_accounts_never_negative CHECK (owner_id IS NULL OR balance >= 0)
    )`);
    await q.query(`CREATE UNIQUE INDEX wallet_accounts_one_per_owner ON wallet_accounts (owner_id, kind) WHERE owner_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX wallet_accounts_one_system ON wallet_accounts (kind) WHERE owner_id IS NULL`);
    await q.query(`INSERT INTO wallet_accounts (kind) VALUES ('points_issued'), ('points_redeemed'), ('points_expired'), ('time_issued'), ('time_pool')`);

    await q.query(`CREATE TABLE wallet_movements (
      id bigserial PRIMARY KEY,
      type text NOT NULL CHECK (type IN ('earn', 'redeem', 'expire', 'bank', 'transfer', 'donate')),
      debit_account uuid NOT NULL REFERENCES wallet_accounts(id),
      credit_account uuid NOT NULL REFERENCES wallet_accounts(id),
      amount bigint NOT NULL CHECK (amount > 0),
      ref text,
      actor_id uuid REFERENCES users(id),
      at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT wallet_movements_two_accounts CHECK (debit_account <> credit_account)
    )`);
    await q.query(`CREATE INDEX wallet_movements_debit_idx ON wallet_movements (debit_account, id)`);
    await q.query(`CREATE INDEX wallet_movements_credit_idx ON wallet_movements (credit_account, id)`);
    await q.query(`
      CREATE FUNCTION wallet_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'wallet_movements is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER wallet_movements_no_update_delete BEFORE UPDATE OR DELETE ON wallet_movements
                   FOR EACH ROW EXECUTE FUNCTION wallet_movements_append_only()`);
    await q.query(`CREATE TRIGGER wallet_movements_no_truncate BEFORE TRUNCATE ON wallet_movements
                   FOR EACH STATEMENT EXECUTE FUNCTION wallet_movements_append_only()`);

    await q.query(`CREATE TABLE point_lots (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      account_id uuid NOT NULL REFERENCES wallet_accounts(id),
      amount integer NOT NULL CHECK (amount > 0),
      remaining integer NOT NULL CHECK (remaining >= 0),
      earned_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      credit_id uuid REFERENCES service_credits(id),
      CONSTRAINT point_lots_remaining_le_amount CHECK (remaining <= amount)
    )`);
    await q.query(`CREATE INDEX point_lots_open_idx ON point_lots (account_id, expires_at) WHERE remaining > 0`);
    await q.query(`CREATE UNIQUE INDEX point_lots_one_per_credit ON point_lots (credit_id) WHERE credit_id IS NOT NULL`);

    await q.query(`CREATE TABLE redemptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      volunteer_id uuid NOT NULL REFERENCES users(id),
      item text NOT NULL,
      points integer NOT NULL CHECK (points > 0),
      pickup_code text NOT NULL UNIQUE,
      status text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'collected')),
      region_id uuid REFERENCES regions(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      collected_at timestamptz,
      collected_by uuid REFERENCES users(id)
    )`);
    await q.query(`CREATE INDEX redemptions_volunteer_idx ON redemptions (volunteer_id, created_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE redemptions`);
    await q.query(`DROP TABLE point_lots`);
    await q.query(`DROP TABLE wallet_movements`);
    await q.query(`DROP FUNCTION wallet_movements_append_only()`);
    await q.query(`DROP TABLE wallet_accounts`);
  }
}
