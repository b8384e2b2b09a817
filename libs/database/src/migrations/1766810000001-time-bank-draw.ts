import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drawing care from the time bank: banked minutes leave a person's time bank for the system account
 * `time_drawn` by a `draw` movement (double-entry, like every other movement).
 * `time_bank_relatives`: who names whom as family; banked time goes to a relative only when both have
 * named each other (the recipient's declaration is the confirmation).
 */
export class TimeBankDraw1766810000001 implements MigrationInterface {
  name = 'TimeBankDraw1766810000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wallet_accounts DROP CONSTRAINT wallet_accounts_kind_check`);
    await q.query(`ALTER TABLE wallet_accounts ADD CONSTRAINT wallet_accounts_kind_check
                   CHECK (kind IN ('points', 'time_bank', 'points_issued', 'points_redeemed', 'points_expired', 'time_issued', 'time_pool', 'time_drawn'))`);
    await q.query(`INSERT INTO wallet_accounts (kind) VALUES ('time_drawn')`);
    await q.query(`ALTER TABLE wallet_movements DROP CONSTRAINT wallet_movements_type_check`);
    await q.query(`ALTER TABLE wallet_movements ADD CONSTRAINT wallet_movements_type_check
                   CHECK (type IN ('earn', 'redeem', 'expire', 'bank', 'transfer', 'donate', 'correct', 'draw'))`);
    await q.query(`CREATE TABLE time_bank_relatives (
      owner_id uuid NOT NULL REFERENCES users(id),
      relative_id uuid NOT NULL REFERENCES users(id),
      relation text NOT NULL CHECK (length(relation) BETWEEN 1 AND 20),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner_id, relative_id),
      CONSTRAINT time_bank_relatives_not_self CHECK (owner_id <> relative_id)
    )`);
    await q.query(`CREATE INDEX time_bank_relatives_relative_idx ON time_bank_relatives (relative_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE time_bank_relatives`);
    await q.query(`ALTER TABLE wallet_movements DROP CONSTRAINT wallet_movements_type_check`);
    await q.query(`ALTER TABLE wallet_movements ADD CONSTRAINT wallet_movements_type_check
                   CHECK (type IN ('earn', 'redeem', 'expire', 'bank', 'transfer', 'donate', 'correct'))`);
  }
}
