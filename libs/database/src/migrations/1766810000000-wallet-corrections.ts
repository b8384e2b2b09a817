import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ledger correction also corrects the wallet: `correct` movements take back (or add) the points and
 * banked minutes the corrected entry earned, double-entry like every other movement.
 */
export class WalletCorrections1766810000000 implements MigrationInterface {
  name = 'WalletCorrections1766810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wallet_movements DROP CONSTRAINT wallet_movements_type_check`);
    await q.query(`ALTER TABLE wallet_movements ADD CONSTRAINT wallet_movements_type_check
                   CHECK (type IN ('earn', 'redeem', 'expire', 'bank', 'transfer', 'donate', 'correct'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE wallet_movements DROP CONSTRAINT wallet_movements_type_check`);
    await q.query(`ALTER TABLE wallet_movements ADD CONSTRAINT wallet_movements_type_check
                   CHECK (type IN ('earn', 'redeem', 'expire', 'bank', 'transfer', 'donate'))`);
  }
}
